#include "core/common/units.h"

#include <cstdio>

#include "core/common/numeric_cast.h"

namespace srs::units {

std::string formatBytes(std::uint64_t size_bytes) {
    static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(size_bytes);
    int unit = 0;
    while (v >= 1024.0 && unit < 4) {
        v /= 1024.0;
        ++unit;
    }
    char buf[32];
    if (unit == 0)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(size_bytes));
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
    return buf;
}

std::string formatCount(std::uint64_t count) {
    std::string digits = std::to_string(count);
    std::string out;
    int n = static_cast<int>(digits.size());
    for (int i = 0; i < n; ++i) {
        out.push_back(digits[i]);
        int left = n - 1 - i;
        if (left > 0 && left % 3 == 0) out.push_back(',');
    }
    return out;
}

std::string formatParams(std::uint64_t count) {
    char buf[32];
    double v = static_cast<double>(count);
    if (v >= 1e9)
        std::snprintf(buf, sizeof buf, "%.2fB", v / 1e9);
    else if (v >= 1e6)
        std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
    else if (v >= 1e3)
        std::snprintf(buf, sizeof buf, "%.1fK", v / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(count));
    return buf;
}

std::string formatDuration(std::int64_t elapsed_ms) {
    char buf[32];
    if (elapsed_ms < 0) elapsed_ms = 0;
    if (elapsed_ms < 60000) {
        std::snprintf(buf, sizeof buf, "%.1fs", num::real(elapsed_ms) / 1000.0);
    } else if (elapsed_ms < 3600000) {
        long long s = elapsed_ms / 1000;
        std::snprintf(buf, sizeof buf, "%lldm %02llds", s / 60, s % 60);
    } else {
        long long m = elapsed_ms / 60000;
        std::snprintf(buf, sizeof buf, "%lldh %02lldm", m / 60, m % 60);
    }
    return buf;
}

}  // namespace srs::units
