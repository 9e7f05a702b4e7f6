#include "app/cli/command.h"

#include <cstdio>
#include <cstdlib>

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

bool Args::getInt(const std::string& flag, long long* out, std::string* error) const {
    auto v = get(flag);
    if (!v) return true;
    char* end = nullptr;
    long long x = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0') {
        *error = "--" + flag + " needs an integer, got '" + *v + "'";
        return false;
    }
    *out = x;
    return true;
}

bool Args::getDouble(const std::string& flag, double* out, std::string* error) const {
    auto v = get(flag);
    if (!v) return true;
    char* end = nullptr;
    double x = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0') {
        *error = "--" + flag + " needs a number, got '" + *v + "'";
        return false;
    }
    *out = x;
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
