#include "core/common/json_field.h"

#include <cmath>
#include <cstdio>

namespace srs::json {
namespace {

std::string numberText(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string dumpSafe(const nlohmann::json& v) { return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// Depth of the deepest nesting of [ and { outside strings; stops counting past `limit`.
// Returns the byte offset where the limit was passed, or npos.
std::size_t tooDeepAt(const std::string& text, int limit) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return std::string::npos;
}

}  // namespace

Result<nlohmann::json> parseJson(const std::string& text, const std::string& file, ErrorCode code) {
    if (const std::size_t at = tooDeepAt(text, kMaxJsonDepth); at != std::string::npos)
        return makeError(code, file + " nests arrays or objects deeper than " + std::to_string(kMaxJsonDepth) + " levels (at byte " +
                                   std::to_string(at) + ")",
                         "this is not a configuration file this tool reads; replace it with the model's original file");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at line 1, ..."
        if (!what.empty() && what.front() == '[') {
            const auto close = what.find("] ");
            if (close != std::string::npos) what = what.substr(close + 2);
        }
        return makeError(code, file + " is not valid JSON: " + what, "fix the file or download it again");
    }
}

std::string describe(const nlohmann::json& v) {
    switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string: {
        const std::string& s = v.get_ref<const std::string&>();
        const bool cut = s.size() > 60;
        return "the string " + dumpSafe(nlohmann::json(cut ? s.substr(0, 60) : s)) + (cut ? "…" : "");
    }
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "the number " + dumpSafe(v);
    case nlohmann::json::value_t::array: return "an array of " + std::to_string(v.size());
    case nlohmann::json::value_t::object: return "an object";
    default: return "a value of another kind";
    }
}

bool NumberRange::contains(double v) const {
    if (!std::isfinite(v)) return false;
    if (lo_open ? !(v > lo) : !(v >= lo)) return false;
    if (hi_open ? !(v < hi) : !(v <= hi)) return false;
    return true;
}

std::string NumberRange::text() const {
    return std::string(lo_open ? "(" : "[") + numberText(lo) + ", " + numberText(hi) + (hi_open ? ")" : "]");
}

std::string integerRangeText(std::int64_t min, std::int64_t max) { return "[" + std::to_string(min) + ", " + std::to_string(max) + "]"; }

Fields::Fields(const nlohmann::json& object, std::string file, std::string prefix, ErrorCode code, std::string hint)
    : obj_(object), file_(std::move(file)), prefix_(std::move(prefix)), code_(code), hint_(std::move(hint)) {}

Error Fields::error(const std::string& what) const { return makeError(code_, file_ + ": " + what, hint_); }

Error Fields::notAnObject() const {
    const std::string where = prefix_.empty() ? std::string("the file") : prefix_.substr(0, prefix_.size() - 1);
    return error(where + " must be a JSON object (found " + describe(obj_) + ")");
}

Error Fields::wrong(const std::string& key, const std::string& expected, const nlohmann::json& found) const {
    return error(prefix_ + key + " must be " + expected + " (found " + describe(found) + ")");
}

Error Fields::missing(const std::string& key, const std::string& expected) const {
    return error(prefix_ + key + " is missing (it must be " + expected + ")");
}

const nlohmann::json* Fields::find(const std::string& key) const {
    if (!obj_.is_object()) return nullptr;
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return nullptr;
    return &*it;
}

bool Fields::has(const std::string& key) const { return find(key) != nullptr; }

Result<std::int64_t> Fields::checkInteger(const std::string& key, const nlohmann::json& v, std::int64_t min, std::int64_t max,
                                          const std::string& expected) const {
    if (v.is_number_unsigned()) {
        const std::uint64_t u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(max)) return wrong(key, expected, v);
        const auto s = static_cast<std::int64_t>(u);
        if (s < min) return wrong(key, expected, v);
        return s;
    }
    if (!v.is_number_integer()) return wrong(key, expected, v);
    const std::int64_t s = v.get<std::int64_t>();
    if (s < min || s > max) return wrong(key, expected, v);
    return s;
}

Result<std::int64_t> Fields::integer(const std::string& key, std::int64_t min, std::int64_t max) const {
    const std::string expected = "an integer in " + integerRangeText(min, max);
    const nlohmann::json* v = find(key);
    if (!v) return missing(key, expected);
    return checkInteger(key, *v, min, max, expected);
}

Result<std::int64_t> Fields::integer(const std::string& key, std::int64_t min, std::int64_t max, std::int64_t fallback) const {
    const nlohmann::json* v = find(key);
    if (!v) return fallback;
    return checkInteger(key, *v, min, max, "an integer in " + integerRangeText(min, max));
}

Result<std::optional<std::int64_t>> Fields::optionalInteger(const std::string& key, std::int64_t min, std::int64_t max) const {
    const nlohmann::json* v = find(key);
    if (!v) return std::optional<std::int64_t>();
    auto i = checkInteger(key, *v, min, max, "an integer in " + integerRangeText(min, max));
    if (!i) return i.error();
    return std::optional<std::int64_t>(*i);
}

Result<std::vector<std::int64_t>> Fields::integerOrList(const std::string& key, std::int64_t min, std::int64_t max, std::size_t max_items) const {
    const std::string expected = "an integer in " + integerRangeText(min, max) + " or a list of at most " + std::to_string(max_items) + " of them";
    std::vector<std::int64_t> out;
    const nlohmann::json* v = find(key);
    if (!v) return out;
    if (v->is_array()) {
        if (v->size() > max_items) return wrong(key, expected, *v);
        for (const auto& x : *v) {
            auto i = checkInteger(key, x, min, max, expected);
            if (!i) return i.error();
            out.push_back(*i);
        }
        return out;
    }
    auto i = checkInteger(key, *v, min, max, expected);
    if (!i) return i.error();
    out.push_back(*i);
    return out;
}

Result<double> Fields::number(const std::string& key, const NumberRange& range) const {
    const std::string expected = "a number in " + range.text();
    const nlohmann::json* v = find(key);
    if (!v) return missing(key, expected);
    if (!v->is_number()) return wrong(key, expected, *v);
    const double d = v->get<double>();
    if (!range.contains(d)) return wrong(key, expected, *v);
    return d;
}

Result<double> Fields::number(const std::string& key, const NumberRange& range, double fallback) const {
    if (!has(key)) return fallback;
    return number(key, range);
}

Result<bool> Fields::boolean(const std::string& key, bool fallback) const {
    const nlohmann::json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) return wrong(key, "true or false", *v);
    return v->get<bool>();
}

Result<std::string> Fields::string(const std::string& key) const {
    const nlohmann::json* v = find(key);
    if (!v) return missing(key, "a string");
    if (!v->is_string()) return wrong(key, "a string", *v);
    return v->get<std::string>();
}

Result<std::string> Fields::string(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    return string(key);
}

Result<std::vector<std::string>> Fields::stringList(const std::string& key, std::size_t max_items) const {
    const std::string expected = "a list of at most " + std::to_string(max_items) + " strings";
    std::vector<std::string> out;
    const nlohmann::json* v = find(key);
    if (!v) return out;
    if (!v->is_array() || v->size() > max_items) return wrong(key, expected, *v);
    for (const auto& x : *v) {
        if (!x.is_string()) return wrong(key, expected, x);
        out.push_back(x.get<std::string>());
    }
    return out;
}

Result<std::optional<Fields>> Fields::object(const std::string& key) const {
    const nlohmann::json* v = find(key);
    if (!v) return std::optional<Fields>();
    if (!v->is_object()) return wrong(key, "an object", *v);
    return std::optional<Fields>(Fields(*v, file_, prefix_ + key + ".", code_, hint_));
}

}  // namespace srs::json
