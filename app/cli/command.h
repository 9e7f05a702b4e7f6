// The CLI's command registry and argument parser. Each command lives in its own cmd_<name>.cpp
// and registers itself with SRS_CLI_COMMAND, so commands are added without touching main.
// Flags follow AutoRound's spelling (--group_size, --output_dir, ...), as `--flag value` or
// `--flag=value`; unknown flags are errors, never silently ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace srs::cli {

class Args {
public:
    // value_flags take a value; bool_flags do not. Returns false and fills error on bad input.
    bool parse(const std::vector<std::string>& argv, const std::set<std::string>& value_flags,
               const std::set<std::string>& bool_flags, std::string* error);

    bool has(const std::string& flag) const { return values_.count(flag) || bools_.count(flag); }
    std::optional<std::string> get(const std::string& flag) const;
    std::string getOr(const std::string& flag, const std::string& fallback) const;
    // Integer / float flags with a clear error on malformed numbers.
    bool getInt(const std::string& flag, long long* out, std::string* error) const;
    bool getDouble(const std::string& flag, double* out, std::string* error) const;
    bool flag(const std::string& name) const { return bools_.count(name) > 0; }
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> bools_;
    std::vector<std::string> positional_;
};

struct Command {
    std::string name;
    std::string summary;
    std::string usage;  // printed by `signround help <name>` and on usage errors
    int (*run)(const std::vector<std::string>& args) = nullptr;
};

bool registerCommand(const Command& command);
const std::map<std::string, Command>& commands();

// The items of a comma-separated flag value ("a,b,,c" -> a, b, c); empty items are dropped.
std::vector<std::string> splitList(const std::string& value);

// Prints "error: <message>\n" (and a hint line) to stderr; returns the exit code to use.
int fail(const std::string& message, const std::string& hint = {}, int exit_code = 1);
int usageError(const Command& command, const std::string& message);

}  // namespace srs::cli

#define SRS_CLI_CONCAT2(a, b) a##b
#define SRS_CLI_CONCAT(a, b) SRS_CLI_CONCAT2(a, b)
#define SRS_CLI_COMMAND(...) \
    static const bool SRS_CLI_CONCAT(srs_cli_registered_, __LINE__) = ::srs::cli::registerCommand(::srs::cli::Command{__VA_ARGS__})
