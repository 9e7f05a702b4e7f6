#include "app/cli/command.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace srs::cli {

bool Args::parse(const std::vector<std::string>& argv, const std::set<std::string>& value_flags,
                 const std::set<std::string>& bool_flags, std::string* error) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
            std::string name = a.substr(2), value;
            bool inline_value = false;
            auto eq = name.find('=');
            if (eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                inline_value = true;
            }
            if (bool_flags.count(name)) {
                if (inline_value) {
                    *error = "--" + name + " takes no value";
                    return false;
                }
                bools_.insert(name);
            } else if (value_flags.count(name)) {
                if (!inline_value) {
                    if (i + 1 >= argv.size()) {
                        *error = "--" + name + " needs a value";
                        return false;
                    }
                    value = argv[++i];
                }
                values_[name] = value;
            } else {
                *error = "unknown flag --" + name;
                return false;
            }
        } else {
            positional_.push_back(a);
        }
    }
    return true;
}

std::optional<std::string> Args::get(const std::string& flag) const {
    auto it = values_.find(flag);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::getOr(const std::string& flag, const std::string& fallback) const {
    auto v = get(flag);
    return v ? *v : fallback;
}

std::string IntRange::text() const {
    const std::string span = std::to_string(min) + " to " + std::to_string(max);
    if (!special_meaning) return span;
    return std::to_string(special) + " (" + special_meaning + ") or " + span;
}

bool RealRange::allows(double v) const {
    return std::isfinite(v) && (min_open ? v > min : v >= min) && v <= max;
}

namespace {

std::string shortest(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    for (int precision = 1; precision <= 17; ++precision) {  // the shortest text that reads back as v
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

// A value as the user gave it, fit for one line of an error message.
std::string shown(const std::string& v) {
    std::string s = v.size() > 64 ? v.substr(0, 64) + "..." : v;
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    return "'" + s + "'";
}

}  // namespace

std::string RealRange::text() const {
    if (std::isinf(max)) return std::string(min_open ? "> " : ">= ") + shortest(min);
    return std::string("in ") + (min_open ? "(" : "[") + shortest(min) + ", " + shortest(max) + "]";
}

bool Args::readWhole(const std::string& flag, const IntRange& range, long long lo, unsigned long long hi, std::optional<long long>* value,
                     std::string* error) const {
    auto v = get(flag);
    if (!v) return true;
    // The range must fit the target type; a range that does not is this program's bug, said plainly.
    auto fits = [&](long long x) { return x >= lo && (x < 0 || static_cast<unsigned long long>(x) <= hi); };
    if (!fits(range.min) || !fits(range.max) || (range.special_meaning && !fits(range.special))) {
        *error = "internal error: the allowed range of --" + flag + " (" + range.text() + ") does not fit its type";
        return false;
    }
    long long x = 0;
    const char* first = v->data();
    const char* last = first + v->size();
    const auto [end, ec] = std::from_chars(first, last, x);  // digits with an optional '-': no spaces, '+', '.', 'e' or hex
    const bool digits_only = !v->empty() && end == last && end != first;
    if (!digits_only || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
        *error = "--" + flag + " needs a whole number (" + range.text() + "), got " + shown(*v);
        return false;
    }
    if (ec == std::errc::result_out_of_range || !range.allows(x)) {
        *error = "--" + flag + " " + *v + " is out of range: allowed " + range.text();
        return false;
    }
    *value = x;
    return true;
}

bool Args::getDouble(const std::string& flag, const RealRange& range, std::optional<double>* out, std::string* error) const {
    auto v = get(flag);
    if (!v) return true;
    double x = 0;
    const char* first = v->data();
    const char* last = first + v->size();
    const auto [end, ec] = std::from_chars(first, last, x);  // decimal or exponent form, "inf", "nan"; no spaces, '+' or hex
    if (v->empty() || end != last || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
        *error = "--" + flag + " must be a finite number " + range.text() + ", got " + shown(*v);
        return false;
    }
    if (ec == std::errc::result_out_of_range || !range.allows(x)) {  // out_of_range: beyond a double, or below its smallest
        *error = "--" + flag + " must be a finite number " + range.text() + " (got " + *v + ")";
        return false;
    }
    *out = x;
    return true;
}

bool Args::getDouble(const std::string& flag, const RealRange& range, double* out, std::string* error) const {
    std::optional<double> v;
    if (!getDouble(flag, range, &v, error)) return false;
    if (v) *out = *v;
    return true;
}

bool Args::getIntList(const std::string& flag, const IntRange& range, std::vector<int>* out, std::string* error) const {
    auto v = get(flag);
    if (!v) return true;
    std::vector<int> items;
    for (const std::string& item : splitList(*v)) {
        Args one;
        one.values_[flag] = item;
        std::optional<int> x;
        if (!one.getInt(flag, range, &x, error)) return false;
        items.push_back(*x);
    }
    if (items.empty()) {
        *error = "--" + flag + " needs a comma-separated list of whole numbers (" + range.text() + "), got " + shown(*v);
        return false;
    }
    *out = std::move(items);
    return true;
}

std::vector<std::string> splitList(const std::string& value) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        if (comma > start) out.push_back(value.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

std::string checkInputFile(const std::string& flag, const std::string& path) {
    std::error_code ec;
    if (path.empty()) return "--" + flag + " needs a file name";
    if (!std::filesystem::is_regular_file(path, ec)) return "--" + flag + " " + path + " is not a file (check the path)";
    if (!std::ifstream(path, std::ios::binary)) return "--" + flag + " " + path + " cannot be read (check its permissions)";
    return {};
}

std::string checkOutputFile(const std::string& flag, const std::string& path) {
    std::error_code ec;
    if (path.empty()) return "--" + flag + " needs a file name";
    if (std::filesystem::is_directory(path, ec)) return "--" + flag + " " + path + " is a folder; give a file name";
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
        return "--" + flag + " " + path + ": the folder " + parent.string() + " does not exist (create it first)";
    return {};
}

static std::map<std::string, Command>& registry() {
    static std::map<std::string, Command> r;
    return r;
}

bool registerCommand(const Command& command) {
    registry()[command.name] = command;
    return true;
}

const std::map<std::string, Command>& commands() { return registry(); }

int fail(const std::string& message, const std::string& hint, int exit_code) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    if (!hint.empty()) std::fprintf(stderr, "hint: %s\n", hint.c_str());
    return exit_code;
}

int usageError(const Command& command, const std::string& message) {
    std::fprintf(stderr, "error: %s\nusage: %s\n", message.c_str(), command.usage.c_str());
    return 2;
}

}  // namespace srs::cli
