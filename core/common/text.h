// Small string helpers shared across core.
#pragma once

#include <string>

namespace srs::text {

// s without leading and trailing spaces, tabs, CR and LF.
inline std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace srs::text
