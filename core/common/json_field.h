// Typed, range-checked reads out of JSON that came from a file (config.json, generation_config.json,
// quantization_config, layer_config, ...). Every read either gives a value of the asked type inside
// the asked range or an Error naming the file, the key, what was allowed and what was found:
//   config.json: rms_norm_eps must be a number in (0, 1) (found the string "x")
// Integers are read as int64 and range-checked before any conversion, so a count never wraps.
// Nothing here throws; a JSON null counts as absent (Hugging Face writes "head_dim": null).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace srs::json {

// Deepest nesting parseJson accepts: real configs nest 3–4 levels; a file of a million '[' would
// otherwise overflow the stack when the value is copied or destroyed.
inline constexpr int kMaxJsonDepth = 64;

// Parses text as JSON; errors name `file` and say where the text is broken or too deeply nested.
// `code`: CorruptFile for files read from a model folder, InvalidArgument for user settings.
Result<nlohmann::json> parseJson(const std::string& text, const std::string& file, ErrorCode code = ErrorCode::CorruptFile);

// A short description of a JSON value for messages: the string "x", the number -3, true, null,
// an array, an object.
std::string describe(const nlohmann::json& value);

// A closed or open interval of real numbers, as messages print it: "(0, 1)", "[1, 8]".
struct NumberRange {
    double lo = -std::numeric_limits<double>::max();
    double hi = std::numeric_limits<double>::max();
    bool lo_open = false;
    bool hi_open = false;
    bool contains(double v) const;
    std::string text() const;
};

// The fields of one JSON object inside one file. `file` names the file in messages
// ("config.json", a path, "layer_config"); `prefix` is the object's place in it ("rope_scaling.").
// Holds a reference: the JSON must outlive the Fields (and the Fields that object() hands out).
class Fields {
public:
    Fields(const nlohmann::json& object, std::string file, std::string prefix = {}, ErrorCode code = ErrorCode::CorruptFile,
           std::string hint = {});

    // The object itself is not an object: the error to return.
    Error notAnObject() const;
    bool isObject() const { return obj_.is_object(); }
    // Present and not null.
    bool has(const std::string& key) const;
    const nlohmann::json* find(const std::string& key) const;  // nullptr when absent or null

    // Integers: an error when missing (required form), not an integer, or outside [min, max].
    Result<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) const;
    Result<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max, std::int64_t fallback) const;
    Result<std::optional<std::int64_t>> optionalInteger(const std::string& key, std::int64_t min, std::int64_t max) const;
    // One integer or a list of them (eos_token_id), each in [min, max], at most max_items.
    Result<std::vector<std::int64_t>> integerOrList(const std::string& key, std::int64_t min, std::int64_t max, std::size_t max_items) const;

    // Real numbers (an integer is a number too); NaN and infinities never pass.
    Result<double> number(const std::string& key, const NumberRange& range) const;
    Result<double> number(const std::string& key, const NumberRange& range, double fallback) const;

    Result<bool> boolean(const std::string& key, bool fallback) const;
    Result<std::string> string(const std::string& key) const;  // required
    Result<std::string> string(const std::string& key, const std::string& fallback) const;
    Result<std::vector<std::string>> stringList(const std::string& key, std::size_t max_items) const;  // absent: empty

    // A nested object (absent: nullopt), read with this file and "prefix.key." as its prefix.
    Result<std::optional<Fields>> object(const std::string& key) const;

    // The error for `key` having a value that is not `expected` ("an integer in [1, 8]").
    Error wrong(const std::string& key, const std::string& expected, const nlohmann::json& found) const;
    Error missing(const std::string& key, const std::string& expected) const;
    // An error about the file whose message is "<file>: <what>".
    Error error(const std::string& what) const;
    const std::string& file() const { return file_; }
    const std::string& prefix() const { return prefix_; }

private:
    Result<std::int64_t> checkInteger(const std::string& key, const nlohmann::json& v, std::int64_t min, std::int64_t max,
                                      const std::string& expected) const;
    const nlohmann::json& obj_;
    std::string file_, prefix_;
    ErrorCode code_;
    std::string hint_;
};

// "[1, 8]"
std::string integerRangeText(std::int64_t min, std::int64_t max);

}  // namespace srs::json
