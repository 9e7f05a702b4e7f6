#include "core/tokenizer/jinja_value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace srs::tokenizer::jinja {

namespace {
const List kEmptyList;
const Dict kEmptyDict;
const std::string kEmptyString;
constexpr int kMaxJsonDepth = 200;
thread_local WorkMeter* t_meter = nullptr;

}  // namespace

void chargeWork(std::size_t units, std::size_t pos) {
    if (!t_meter) return;
    t_meter->used += units;
    if (t_meter->used > t_meter->limit)
        throw JinjaError("the template ran too long (over " + std::to_string(t_meter->limit) + " steps); stopped", pos);
}

WorkMeterScope::WorkMeterScope(WorkMeter* meter) : saved_(t_meter) { t_meter = meter; }
WorkMeterScope::~WorkMeterScope() { t_meter = saved_; }

const std::string& Value::str() const { return s_ ? *s_ : kEmptyString; }

Value Value::undefined(std::string why) {
    Value v;
    v.s_ = std::make_shared<const std::string>(std::move(why));
    return v;
}
Value Value::none() {
    Value v;
    v.kind_ = Kind::None;
    return v;
}
Value Value::boolean(bool b) {
    Value v;
    v.kind_ = Kind::Bool;
    v.b_ = b;
    return v;
}
Value Value::integer(std::int64_t i) {
    Value v;
    v.kind_ = Kind::Int;
    v.i_ = i;
    return v;
}
Value Value::number(double f) {
    Value v;
    v.kind_ = Kind::Float;
    v.f_ = f;
    return v;
}
Value Value::string(std::string s) {
    Value v;
    v.kind_ = Kind::String;
    v.s_ = std::make_shared<const std::string>(std::move(s));
    return v;
}
Value Value::list(List items, bool tuple) {
    Value v;
    v.kind_ = Kind::List;
    v.tuple_ = tuple;
    for (const auto& x : items) v.depth_ = std::max(v.depth_, x.depth_ + 1);
    if (v.depth_ > kMaxValueDepth) throw JinjaError("a list nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
    chargeWork(items.size() / 16);
    v.list_ = std::make_shared<List>(std::move(items));
    return v;
}
Value Value::dict(Dict items) {
    Value v;
    v.kind_ = Kind::Dict;
    for (const auto& x : items) v.depth_ = std::max(v.depth_, x.second.depth_ + 1);
    if (v.depth_ > kMaxValueDepth) throw JinjaError("a dict nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
    chargeWork(items.size() / 16);
    v.dict_ = std::make_shared<Dict>(std::move(items));
    return v;
}
Value Value::nameSpace(Dict items) {
    Value v = dict(std::move(items));
    v.kind_ = Kind::Namespace;
    return v;
}
Value Value::function(std::string name, NativeFn fn) {
    Value v;
    v.kind_ = Kind::Function;
    v.fn_ = std::make_shared<Function>(Function{std::move(name), std::move(fn)});
    return v;
}

namespace {
template <typename Json>
Value valueFromJson(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null: return Value::none();
        case Json::value_t::boolean: return Value::boolean(j.template get<bool>());
        case Json::value_t::number_integer: return Value::integer(j.template get<std::int64_t>());
        case Json::value_t::number_unsigned: {
            const auto u = j.template get<std::uint64_t>();
            if (u > static_cast<std::uint64_t>(INT64_MAX)) return Value::number(static_cast<double>(u));
            return Value::integer(static_cast<std::int64_t>(u));
        }
        case Json::value_t::number_float: return Value::number(j.template get<double>());
        case Json::value_t::string: return Value::string(j.template get<std::string>());
        case Json::value_t::array: {
            List items;
            for (const auto& e : j) items.push_back(valueFromJson(e));
            return Value::list(std::move(items));
        }
        case Json::value_t::object: {
            Dict items;
            for (auto it = j.begin(); it != j.end(); ++it) items.emplace_back(it.key(), valueFromJson(it.value()));
            return Value::dict(std::move(items));
        }
        default: return Value::none();
    }
}
}  // namespace

Value Value::fromJson(const nlohmann::json& j) { return valueFromJson(j); }
Value Value::fromJson(const nlohmann::ordered_json& j) { return valueFromJson(j); }

double Value::asDouble() const {
    if (kind_ == Kind::Float) return f_;
    return static_cast<double>(asInt());
}

const List& Value::items() const { return list_ ? *list_ : kEmptyList; }
const Dict& Value::entries() const { return dict_ ? *dict_ : kEmptyDict; }
Dict& Value::mutableEntries() const { return *dict_; }

const Value* Value::find(const std::string& key) const {
    if (!dict_) return nullptr;
    for (const auto& [k, v] : *dict_)
        if (k == key) return &v;
    return nullptr;
}

bool Value::truthy() const {
    switch (kind_) {
        case Kind::Undefined:
        case Kind::None: return false;
        case Kind::Bool: return b_;
        case Kind::Int: return i_ != 0;
        case Kind::Float: return f_ != 0.0;
        case Kind::String: return !str().empty();
        case Kind::List: return !items().empty();
        case Kind::Dict: return !entries().empty();
        default: return true;
    }
}

std::string Value::typeName() const {
    switch (kind_) {
        case Kind::Undefined: return "Undefined";
        case Kind::None: return "NoneType";
        case Kind::Bool: return "bool";
        case Kind::Int: return "int";
        case Kind::Float: return "float";
        case Kind::String: return "str";
        case Kind::List: return tuple_ ? "tuple" : "list";
        case Kind::Dict: return "dict";
        case Kind::Namespace: return "Namespace";
        case Kind::Function: return "function";
    }
    return "object";
}

std::string Value::toStr() const {
    switch (kind_) {
        case Kind::Undefined: return "";
        case Kind::String: return str();
        default: return repr();
    }
}

std::string Value::repr() const {
    switch (kind_) {
        case Kind::Undefined: return "Undefined";  // as Python prints one inside a list
        case Kind::None: return "None";
        case Kind::Bool: return b_ ? "True" : "False";
        case Kind::Int: return std::to_string(i_);
        case Kind::Float: return pythonFloat(f_);
        case Kind::String: return pythonRepr(str());
        case Kind::List: {
            std::string out = tuple_ ? "(" : "[";
            const auto& xs = items();
            for (std::size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + xs[i].repr();
            if (tuple_ && xs.size() == 1) out += ",";
            return out + (tuple_ ? ")" : "]");
        }
        case Kind::Dict:
        case Kind::Namespace: {
            std::string out = kind_ == Kind::Namespace ? "<Namespace {" : "{";
            bool first = true;
            for (const auto& [k, v] : entries()) {
                out += (first ? "" : ", ") + pythonRepr(k) + ": " + v.repr();
                first = false;
            }
            return out + (kind_ == Kind::Namespace ? "}>" : "}");
        }
        case Kind::Function: return "<function " + fn_->name + ">";
    }
    return "";
}

const Value* CallArgs::get(std::size_t index, const char* name) const {
    if (index < args.size()) return &args[index];
    for (const auto& [k, v] : kwargs)
        if (k == name) return &v;
    return nullptr;
}

std::string pythonFloat(double f) {
    if (std::isnan(f)) return "nan";
    if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
    char buf[64];
    // The shortest %.{p}e text that reads back to the same double: Python's repr digits.
    int precision = 1;
    for (; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*e", precision - 1, f);
        if (std::strtod(buf, nullptr) == f) break;
    }
    std::string text = buf;  // d.ddde[+-]XX
    const auto e = text.find('e');
    const int exponent = std::atoi(text.c_str() + e + 1);
    std::string mantissa = text.substr(0, e);
    const bool negative = mantissa[0] == '-';
    if (negative) mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits += c;
    std::string out;
    if (exponent < -4 || exponent >= 16) {
        out = digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char ebuf[16];
        std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        out += ebuf;
    } else if (exponent < 0) {
        out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
        const auto int_len = static_cast<std::size_t>(exponent + 1);
        if (digits.size() <= int_len) {
            out = digits + std::string(int_len - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, int_len) + "." + digits.substr(int_len);
        }
    }
    return negative ? "-" + out : out;
}

std::string pythonRepr(const std::string& s) {
    const bool has_single = s.find('\'') != std::string::npos;
    const bool has_double = s.find('"') != std::string::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote);
    for (unsigned char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == static_cast<unsigned char>(quote)) out += std::string("\\") + quote;
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else out += static_cast<char>(c);
    }
    return out + quote;
}

namespace {

void appendUtf16Escape(std::string& out, unsigned cp) {
    char buf[16];
    if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    }
    out += buf;
}

std::string jsonString(const std::string& s, bool ensure_ascii) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            default: break;
        }
        if (c < 0x20) {
            appendUtf16Escape(out, c);
        } else if (c >= 0x80 && ensure_ascii) {
            // Decode one UTF-8 sequence (invalid bytes are escaped as themselves).
            unsigned cp = c;
            int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
            cp &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0xFF;
            for (int k = 0; k < extra && i + 1 < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F);
            appendUtf16Escape(out, cp);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string jsonNewline(const JsonOptions& opt, int depth) {
    return "\n" + std::string(static_cast<std::size_t>(opt.indent * depth), ' ');
}

}  // namespace

std::string toJson(const Value& v, const JsonOptions& opt, int depth) {
    if (depth > kMaxJsonDepth) throw JinjaError("tojson: value nested too deeply");
    switch (v.kind()) {
        case Value::Kind::None: return "null";
        case Value::Kind::Bool: return v.asBool() ? "true" : "false";
        case Value::Kind::Int: return std::to_string(v.asInt());
        case Value::Kind::Float: {
            const double f = v.asDouble();
            if (std::isnan(f)) return "NaN";
            if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
            return pythonFloat(f);
        }
        case Value::Kind::String: return jsonString(v.str(), opt.ensure_ascii);
        case Value::Kind::List: {
            if (v.items().empty()) return "[]";
            std::string out = "[";
            const std::string& sep = opt.item_sep;
            for (std::size_t i = 0; i < v.items().size(); ++i) {
                if (i) out += sep;
                if (opt.indent >= 0) out += jsonNewline(opt, depth + 1);
                out += toJson(v.items()[i], opt, depth + 1);
            }
            if (opt.indent >= 0) out += jsonNewline(opt, depth);
            return out + "]";
        }
        case Value::Kind::Dict: {
            if (v.entries().empty()) return "{}";
            Dict entries = v.entries();
            if (opt.sort_keys)
                std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
            std::string out = "{";
            const std::string& sep = opt.item_sep;
            bool first = true;
            for (const auto& [k, x] : entries) {
                if (!first) out += sep;
                first = false;
                if (opt.indent >= 0) out += jsonNewline(opt, depth + 1);
                out += jsonString(k, opt.ensure_ascii) + opt.key_sep + toJson(x, opt, depth + 1);
            }
            if (opt.indent >= 0) out += jsonNewline(opt, depth);
            return out + "}";
        }
        default: throw JinjaError("tojson: Object of type " + v.typeName() + " is not JSON serializable");
    }
}

bool equals(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
        if (a.isFloat() || b.isFloat()) return a.asDouble() == b.asDouble();
        return a.asInt() == b.asInt();
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Value::Kind::Undefined:
        case Value::Kind::None: return true;
        case Value::Kind::String: return a.str() == b.str();
        case Value::Kind::List: {
            if (a.isTuple() != b.isTuple() || a.items().size() != b.items().size()) return false;
            for (std::size_t i = 0; i < a.items().size(); ++i)
                if (!equals(a.items()[i], b.items()[i])) return false;
            return true;
        }
        case Value::Kind::Dict: {
            if (a.entries().size() != b.entries().size()) return false;
            for (const auto& [k, v] : a.entries()) {
                const Value* o = b.find(k);
                if (!o || !equals(v, *o)) return false;
            }
            return true;
        }
        case Value::Kind::Namespace: return &a.entries() == &b.entries();
        case Value::Kind::Function: return &a.fn() == &b.fn();
        default: return false;
    }
}

bool lessThan(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
        if (a.isFloat() || b.isFloat()) return a.asDouble() < b.asDouble();
        return a.asInt() < b.asInt();
    }
    if (a.isString() && b.isString()) return a.str() < b.str();  // UTF-8 byte order = code point order
    if (a.isList() && b.isList() && a.isTuple() == b.isTuple()) {
        const auto& x = a.items();
        const auto& y = b.items();
        for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (equals(x[i], y[i])) continue;
            return lessThan(x[i], y[i]);
        }
        return x.size() < y.size();
    }
    throw JinjaError("'<' not supported between instances of '" + a.typeName() + "' and '" + b.typeName() + "'");
}

std::vector<std::string> codePoints(const std::string& s) {
    chargeWork(s.size() / 16);
    std::vector<std::string> out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        n = std::min(n, s.size() - i);
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

std::size_t codePointCount(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace srs::tokenizer::jinja
