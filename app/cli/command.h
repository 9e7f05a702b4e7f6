// The CLI's command registry and argument parser. Each command lives in its own cmd_<name>.cpp
// and registers itself with SRS_CLI_COMMAND, so commands are added without touching main.
// Flags follow AutoRound's spelling (--group_size, --output_dir, ...), as `--flag value` or
// `--flag=value`; unknown flags are errors, never silently ignored.
#pragma once

#include <climits>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace srs::cli {

// The whole numbers a flag allows: min to max, and, where `special_meaning` is set, one more value
// outside that span (group_size -1 = per output channel, dynamic_max_gap -1 = off).
struct IntRange {
    long long min = 0, max = 0;
    const char* special_meaning = nullptr;
    long long special = -1;

    bool allows(long long v) const { return (v >= min && v <= max) || (special_meaning && v == special); }
    std::string text() const;  // "2 to 8", "-1 (per output channel) or 1 to 1048576"
};

// The real numbers a flag allows: always finite (never nan or inf), min excluded when min_open.
struct RealRange {
    double min = 0, max = std::numeric_limits<double>::infinity();
    bool min_open = false;

    bool allows(double v) const;
    std::string text() const;  // "> 0", ">= 0", "in (0, 1]", "in [2, 16]"
};

// The ranges shared by several commands, from the core's checks and ALGORITHM.md (§0, §1.5, §4.2).
namespace limits {
inline constexpr IntRange kBits{2, 8};  // quant::validateScheme; 2, 3, 4 and 8 also pack into auto_round / gptq / awq
inline constexpr IntRange kGroupSize{1, 1 << 20, "per output channel"};
inline constexpr IntRange kIters{0, 1000000};  // 0: RTN
inline constexpr IntRange kNsamples{1, 65536};
inline constexpr IntRange kSeqlen{2, 1 << 20};  // calibration samples need 2 tokens (data::calibrationSetFrom)
inline constexpr IntRange kBatchSize{1, 65536};
inline constexpr IntRange kSeed{0, LLONG_MAX};
inline constexpr IntRange kWindow{2, 1 << 20};  // an evaluation window scores window - 1 tokens
inline constexpr RealRange kAvgBits{2.0, 16.0};   // W2 without scale bits .. BF16 everywhere
}  // namespace limits

class Args {
public:
    // value_flags take a value; bool_flags do not. Returns false and fills error on bad input.
    bool parse(const std::vector<std::string>& argv, const std::set<std::string>& value_flags,
               const std::set<std::string>& bool_flags, std::string* error);

    bool has(const std::string& flag) const { return values_.count(flag) || bools_.count(flag); }
    std::optional<std::string> get(const std::string& flag) const;
    std::string getOr(const std::string& flag, const std::string& fallback) const;
    // Every numeric flag is read through these. An absent flag returns true and leaves *out as it
    // is (the default). A given one returns true and sets *out only when its value is a whole
    // number (getInt: digits with an optional '-', nothing else) or a finite real (getDouble)
    // inside the range; otherwise false, *out untouched, and *error names the flag, the value and
    // what is allowed: "--bits 4294967300 is out of range: allowed 2 to 8",
    // "--lr must be a finite number > 0 (got nan)", "--iters needs a whole number (0 to 1000000), got 'x'".
    template <typename T>
    bool getInt(const std::string& flag, const IntRange& range, T* out, std::string* error) const;
    template <typename T>
    bool getInt(const std::string& flag, const IntRange& range, std::optional<T>* out, std::string* error) const;
    template <typename T>
    bool getInt(const std::string& flag, long long min, long long max, T* out, std::string* error) const {
        return getInt(flag, IntRange{min, max}, out, error);
    }
    bool getDouble(const std::string& flag, const RealRange& range, double* out, std::string* error) const;
    bool getDouble(const std::string& flag, const RealRange& range, std::optional<double>* out, std::string* error) const;
    // A comma-separated list of whole numbers ("4,32"), each in range; at least one.
    bool getIntList(const std::string& flag, const IntRange& range, std::vector<int>* out, std::string* error) const;
    bool flag(const std::string& name) const { return bools_.count(name) > 0; }
    const std::vector<std::string>& positional() const { return positional_; }

private:
    // The flag's value, checked against range and [lo, hi] (the target type's limits); *value is
    // empty when the flag is absent.
    bool readWhole(const std::string& flag, const IntRange& range, long long lo, unsigned long long hi, std::optional<long long>* value,
                   std::string* error) const;

    std::map<std::string, std::string> values_;
    std::set<std::string> bools_;
    std::vector<std::string> positional_;
};

template <typename T>
bool Args::getInt(const std::string& flag, const IntRange& range, std::optional<T>* out, std::string* error) const {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>, "getInt reads whole numbers");
    std::optional<long long> v;
    if (!readWhole(flag, range, static_cast<long long>(std::numeric_limits<T>::min()),
                   static_cast<unsigned long long>(std::numeric_limits<T>::max()), &v, error))
        return false;
    if (v) *out = static_cast<T>(*v);  // readWhole checked that it fits T
    return true;
}

template <typename T>
bool Args::getInt(const std::string& flag, const IntRange& range, T* out, std::string* error) const {
    std::optional<T> v;
    if (!getInt(flag, range, &v, error)) return false;
    if (v) *out = *v;
    return true;
}

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

// Checks of the files a flag names, made before any work: "" when fine, else the message
// (naming the flag and the path). An input must be a readable regular file; an output's folder
// must exist and the path must not be a folder.
std::string checkInputFile(const std::string& flag, const std::string& path);
std::string checkOutputFile(const std::string& flag, const std::string& path);

// Prints "error: <message>\n" (and a hint line) to stderr; returns the exit code to use.
int fail(const std::string& message, const std::string& hint = {}, int exit_code = 1);
int usageError(const Command& command, const std::string& message);

}  // namespace srs::cli

#define SRS_CLI_CONCAT2(a, b) a##b
#define SRS_CLI_CONCAT(a, b) SRS_CLI_CONCAT2(a, b)
#define SRS_CLI_COMMAND(...) \
    static const bool SRS_CLI_CONCAT(srs_cli_registered_, __LINE__) = ::srs::cli::registerCommand(::srs::cli::Command{__VA_ARGS__})
