// Attribute / item access, the str and dict methods, Python's operators and the globals.
// Filters and tests are in jinja_filters.cpp.
#include "core/tokenizer/jinja_builtins.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>

#include "core/tokenizer/jinja_strings.h"

namespace srs::tokenizer::jinja {

namespace {

constexpr std::int64_t kMaxRange = 100000;  // as Jinja's sandbox

Value boundMethod(const std::string& name, NativeFn fn) { return Value::function(name, std::move(fn)); }

std::string argString(const CallArgs& a, std::size_t i, const char* name, const char* method) {
    const Value* v = a.get(i, name);
    if (!v || !v->isString())
        throw JinjaError(std::string(method) + "() needs a string for '" + name + "'", a.pos);
    return v->str();
}

// An optional argument that may be none: nullptr for both.
const Value* optionalArg(const CallArgs& a, std::size_t i, const char* name) {
    const Value* v = a.get(i, name);
    return v && !v->isNone() && !v->isUndefined() ? v : nullptr;
}

bool prefixMatch(const std::string& s, const Value& arg, bool suffix, std::size_t pos) {
    auto one = [&](const Value& p) {
        if (!p.isString()) throw JinjaError(std::string(suffix ? "endswith" : "startswith") + "() needs a string or a tuple of strings", pos);
        const std::string& x = p.str();
        if (x.size() > s.size()) return false;
        return suffix ? s.compare(s.size() - x.size(), x.size(), x) == 0 : s.compare(0, x.size(), x) == 0;
    };
    if (arg.isList()) {
        for (const auto& p : arg.items())
            if (one(p)) return true;
        return false;
    }
    return one(arg);
}

Value stripMethod(const std::string& s, const CallArgs& a, int which) {
    const Value* chars = optionalArg(a, 0, "chars");
    if (chars && !chars->isString()) throw JinjaError("strip() needs a string of characters", a.pos);
    return Value::string(pyStrip(s, chars ? &chars->str() : nullptr, which));
}

Value splitMethod(const std::string& s, const CallArgs& a) {
    const Value* sep = optionalArg(a, 0, "sep");
    const Value* maxsplit = optionalArg(a, 1, "maxsplit");
    if (sep && !sep->isString()) throw JinjaError("split() needs a string separator", a.pos);
    if (sep && sep->str().empty()) throw JinjaError("split(): empty separator", a.pos);
    const std::int64_t limit = maxsplit && maxsplit->isNumber() ? maxsplit->asInt() : -1;
    List out;
    for (auto& part : pySplit(s, sep ? &sep->str() : nullptr, limit)) out.push_back(Value::string(std::move(part)));
    return Value::list(std::move(out));
}

Value stringMethod(const std::string& s, const std::string& name) {
    using A = const CallArgs&;
    if (name == "startswith" || name == "endswith") {
        const bool suffix = name == "endswith";
        return boundMethod(name, [s, suffix](A a) {
            const Value* p = a.get(0, "prefix");
            if (!p) throw JinjaError("startswith()/endswith() need an argument", a.pos);
            return Value::boolean(prefixMatch(s, *p, suffix, a.pos));
        });
    }
    if (name == "strip") return boundMethod(name, [s](A a) { return stripMethod(s, a, 3); });
    if (name == "lstrip") return boundMethod(name, [s](A a) { return stripMethod(s, a, 1); });
    if (name == "rstrip") return boundMethod(name, [s](A a) { return stripMethod(s, a, 2); });
    if (name == "split") return boundMethod(name, [s](A a) { return splitMethod(s, a); });
    if (name == "upper") return boundMethod(name, [s](A) { return Value::string(asciiUpper(s)); });
    if (name == "lower") return boundMethod(name, [s](A) { return Value::string(asciiLower(s)); });
    if (name == "title") return boundMethod(name, [s](A) { return Value::string(pyTitle(s)); });
    if (name == "capitalize") return boundMethod(name, [s](A) { return Value::string(pyCapitalize(s)); });
    if (name == "replace")
        return boundMethod(name, [s](A a) {
            const Value* count = optionalArg(a, 2, "count");
            return Value::string(pyReplace(s, argString(a, 0, "old", "replace"), argString(a, 1, "new", "replace"),
                                           count && count->isNumber() ? count->asInt() : -1));
        });
    if (name == "find" || name == "count")
        return boundMethod(name, [s, name](A a) {
            const std::string sub = argString(a, 0, "sub", name.c_str());
            if (name == "find") {
                const auto at = s.find(sub);
                return Value::integer(at == std::string::npos ? -1 : static_cast<std::int64_t>(codePointCount(s.substr(0, at))));
            }
            if (sub.empty()) return Value::integer(static_cast<std::int64_t>(codePointCount(s) + 1));
            std::int64_t n = 0;
            for (auto at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) ++n;
            return Value::integer(n);
        });
    if (name == "join")
        return boundMethod(name, [s](A a) {
            const Value* items = a.get(0, "iterable");
            if (!items) throw JinjaError("join() needs an argument", a.pos);
            std::string out;
            bool first = true;
            for (const auto& x : iterate(*items, a.pos)) {
                if (!x.isString()) throw JinjaError("join(): sequence item is " + x.typeName() + ", not str", a.pos);
                out += (first ? "" : s) + x.str();
                first = false;
            }
            return Value::string(std::move(out));
        });
    if (name == "splitlines")
        return boundMethod(name, [s](A) {
            List out;
            for (auto& line : pySplitLines(s)) out.push_back(Value::string(std::move(line)));
            return Value::list(std::move(out));
        });
    if (name == "isdigit" || name == "isspace" || name == "isalpha" || name == "isalnum")
        return boundMethod(name, [s, name](A) { return Value::boolean(asciiClass(s, name)); });
    return Value::undefined("'str object' has no attribute '" + name + "'");
}

Value dictMethod(const Value& d, const std::string& name) {
    using A = const CallArgs&;
    if (name == "items")
        return boundMethod(name, [d](A) {
            List out;
            for (const auto& [k, v] : d.entries()) out.push_back(Value::list({Value::string(k), v}, true));
            return Value::list(std::move(out));
        });
    if (name == "keys")
        return boundMethod(name, [d](A) {
            List out;
            for (const auto& [k, v] : d.entries()) out.push_back(Value::string(k));
            return Value::list(std::move(out));
        });
    if (name == "values")
        return boundMethod(name, [d](A) {
            List out;
            for (const auto& [k, v] : d.entries()) out.push_back(v);
            return Value::list(std::move(out));
        });
    if (name == "get")
        return boundMethod(name, [d](A a) {
            const Value* key = a.get(0, "key");
            if (!key) throw JinjaError("get() needs a key", a.pos);
            const Value* def = a.get(1, "default");
            const Value* found = key->isString() ? d.find(key->str()) : nullptr;
            return found ? *found : def ? *def : Value::none();
        });
    return Value();
}

}  // namespace

void requireDefined(const Value& v, std::size_t pos) {
    if (v.isUndefined()) throw JinjaError(v.str().empty() ? "undefined value" : v.str(), pos);
}

Value getAttribute(const Value& obj, const std::string& name, std::size_t pos) {
    requireDefined(obj, pos);
    if (!name.empty() && name[0] == '_') return Value::undefined("access to '" + name + "' is not allowed");
    if (obj.isDict()) {
        Value m = dictMethod(obj, name);
        if (m.isFunction()) return m;
        if (const Value* v = obj.find(name)) return *v;
        return Value::undefined("'dict object' has no attribute '" + name + "'");
    }
    if (obj.isNamespace()) {
        if (const Value* v = obj.find(name)) return *v;
        return Value::undefined("'Namespace' has no attribute '" + name + "'");
    }
    if (obj.isString()) return stringMethod(obj.str(), name);
    return Value::undefined("'" + obj.typeName() + " object' has no attribute '" + name + "'");
}

Value getItem(const Value& obj, const Value& key, std::size_t pos) {
    requireDefined(obj, pos);
    if ((obj.isDict() || obj.isNamespace()) && key.isString()) {
        if (const Value* v = obj.find(key.str())) return *v;
        if (obj.isDict()) {
            Value m = dictMethod(obj, key.str());
            if (m.isFunction()) return m;
        }
        return Value::undefined("'dict object' has no attribute '" + key.str() + "'");
    }
    if ((obj.isList() || obj.isString()) && (key.isInt() || key.isBool())) {
        std::int64_t i = key.asInt();
        if (obj.isList()) {
            const auto n = static_cast<std::int64_t>(obj.items().size());
            if (i < 0) i += n;
            if (i < 0 || i >= n) return Value::undefined(obj.typeName() + " object has no element " + std::to_string(key.asInt()));
            return obj.items()[static_cast<std::size_t>(i)];
        }
        const auto chars = codePoints(obj.str());
        const auto n = static_cast<std::int64_t>(chars.size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined("str object has no element " + std::to_string(key.asInt()));
        return Value::string(chars[static_cast<std::size_t>(i)]);
    }
    if (key.isString()) return getAttribute(obj, key.str(), pos);
    return Value::undefined("'" + obj.typeName() + " object' has no element " + key.repr());
}

namespace {

// Python's slice.indices(): the first index, the step and the item count.
void sliceBounds(std::int64_t n, const Value* start, const Value* stop, const Value* step, std::int64_t* first,
                 std::int64_t* stride, std::int64_t* count, std::size_t pos) {
    auto num = [&](const Value* v, std::int64_t fallback) {
        if (!v || v->isNone()) return fallback;
        if (!v->isInt() && !v->isBool()) throw JinjaError("slice indices must be integers or none", pos);
        return v->asInt();
    };
    const std::int64_t st = num(step, 1);
    if (st == 0) throw JinjaError("slice step cannot be zero", pos);
    auto clamp = [&](const Value* v, std::int64_t fallback) {
        if (!v || v->isNone()) return fallback;
        std::int64_t i = num(v, 0);
        if (i < 0) i += n;
        if (st > 0) return std::clamp<std::int64_t>(i, 0, n);
        return std::clamp<std::int64_t>(i, -1, n - 1);
    };
    const std::int64_t a = clamp(start, st > 0 ? 0 : n - 1);
    const std::int64_t b = clamp(stop, st > 0 ? n : -1);
    std::int64_t len = 0;
    if (st > 0 && b > a) len = (b - a + st - 1) / st;
    if (st < 0 && a > b) len = (a - b + (-st) - 1) / (-st);
    *first = a;
    *stride = st;
    *count = len;
}

}  // namespace

Value sliceValue(const Value& obj, const Value* start, const Value* stop, const Value* step, std::size_t pos) {
    requireDefined(obj, pos);
    if (!obj.isList() && !obj.isString()) throw JinjaError("'" + obj.typeName() + "' object cannot be sliced", pos);
    const std::vector<std::string> chars = obj.isString() ? codePoints(obj.str()) : std::vector<std::string>{};
    const auto n = static_cast<std::int64_t>(obj.isString() ? chars.size() : obj.items().size());
    std::int64_t first = 0, stride = 1, count = 0;
    sliceBounds(n, start, stop, step, &first, &stride, &count, pos);
    if (obj.isString()) {
        std::string out;
        for (std::int64_t k = 0; k < count; ++k) out += chars[static_cast<std::size_t>(first + k * stride)];
        return Value::string(std::move(out));
    }
    List out;
    for (std::int64_t k = 0; k < count; ++k) out.push_back(obj.items()[static_cast<std::size_t>(first + k * stride)]);
    return Value::list(std::move(out), obj.isTuple());
}

namespace {

[[noreturn]] void badOperands(const std::string& op, const Value& a, const Value& b, std::size_t pos) {
    requireDefined(a, pos);
    requireDefined(b, pos);
    throw JinjaError("unsupported operand types for " + op + ": '" + a.typeName() + "' and '" + b.typeName() + "'", pos);
}

template <typename Op>
Value checkedInt(Op op, std::int64_t x, std::int64_t y, std::size_t pos) {
    std::int64_t r = 0;
    if (op(x, y, &r)) throw JinjaError("integer overflow", pos);
    return Value::integer(r);
}

Value repeat(Interpreter& in, const Value& seq, std::int64_t times, std::size_t pos) {
    times = std::max<std::int64_t>(times, 0);
    const std::size_t unit = seq.isString() ? seq.str().size() : seq.items().size();
    if (unit && static_cast<std::uint64_t>(times) > in.limits().max_output_bytes / unit) in.checkSize(in.limits().max_output_bytes + 1, pos);
    chargeWork(static_cast<std::size_t>(times) * unit / (seq.isString() ? 256 : 1), pos);
    if (seq.isString()) {
        std::string out;
        for (std::int64_t k = 0; k < times; ++k) out += seq.str();
        return Value::string(std::move(out));
    }
    List out;
    for (std::int64_t k = 0; k < times; ++k) out.insert(out.end(), seq.items().begin(), seq.items().end());
    return Value::list(std::move(out), seq.isTuple());
}

Value arithmetic(const std::string& op, const Value& a, const Value& b, std::size_t pos) {
    const bool ints = !a.isFloat() && !b.isFloat();
    const std::int64_t x = ints ? a.asInt() : 0, y = ints ? b.asInt() : 0;
    const double p = a.asDouble(), q = b.asDouble();
    auto add = [](std::int64_t u, std::int64_t v, std::int64_t* r) { return __builtin_add_overflow(u, v, r); };
    auto sub = [](std::int64_t u, std::int64_t v, std::int64_t* r) { return __builtin_sub_overflow(u, v, r); };
    auto mul = [](std::int64_t u, std::int64_t v, std::int64_t* r) { return __builtin_mul_overflow(u, v, r); };
    if (op == "+") return ints ? checkedInt(add, x, y, pos) : Value::number(p + q);
    if (op == "-") return ints ? checkedInt(sub, x, y, pos) : Value::number(p - q);
    if (op == "*") return ints ? checkedInt(mul, x, y, pos) : Value::number(p * q);
    if ((op == "/" || op == "//" || op == "%") && (ints ? y == 0 : q == 0.0)) throw JinjaError("division by zero", pos);
    if (op == "/") return Value::number(p / q);
    if (op == "//") {
        if (!ints) return Value::number(std::floor(p / q));
        if (x == std::numeric_limits<std::int64_t>::min() && y == -1) throw JinjaError("integer overflow", pos);
        std::int64_t d = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --d;
        return Value::integer(d);
    }
    if (op == "%") {
        if (!ints) {
            double m = std::fmod(p, q);
            if (m != 0.0 && ((m < 0) != (q < 0))) m += q;
            return Value::number(m);
        }
        if (y == -1) return Value::integer(0);
        std::int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return Value::integer(m);
    }
    // **
    if (ints && y >= 0) {
        std::int64_t acc = 1;
        for (std::int64_t k = 0; k < y; ++k) {
            if (__builtin_mul_overflow(acc, x, &acc)) throw JinjaError("integer overflow", pos);
            if (acc == 0 || acc == 1) break;
        }
        return Value::integer(acc);
    }
    return Value::number(std::pow(p, q));
}

}  // namespace

Value binaryOp(Interpreter& in, const std::string& op, const Value& a, const Value& b, std::size_t pos) {
    if (op == "~") {
        std::string s = a.toStr();
        const std::string t = b.toStr();
        in.checkSize(s.size() + t.size(), pos);
        chargeWork((s.size() + t.size()) / 256, pos);
        return Value::string(s + t);
    }
    if (op == "neg" || op == "pos") {
        requireDefined(a, pos);
        if (!a.isNumber()) throw JinjaError("bad operand type for unary " + std::string(op == "neg" ? "-" : "+") + ": '" + a.typeName() + "'", pos);
        if (op == "pos") return a.isFloat() ? a : Value::integer(a.asInt());
        if (a.isFloat()) return Value::number(-a.asDouble());
        if (a.asInt() == std::numeric_limits<std::int64_t>::min()) throw JinjaError("integer overflow", pos);
        return Value::integer(-a.asInt());
    }
    if (a.isNumber() && b.isNumber()) return arithmetic(op, a, b, pos);
    if (op == "+" && a.isString() && b.isString()) {
        in.checkSize(a.str().size() + b.str().size(), pos);
        chargeWork((a.str().size() + b.str().size()) / 256, pos);
        return Value::string(a.str() + b.str());
    }
    if (op == "+" && a.isList() && b.isList() && a.isTuple() == b.isTuple()) {
        List out = a.items();
        out.insert(out.end(), b.items().begin(), b.items().end());
        return Value::list(std::move(out), a.isTuple());
    }
    if (op == "*" && (a.isString() || a.isList()) && (b.isInt() || b.isBool())) return repeat(in, a, b.asInt(), pos);
    if (op == "*" && (b.isString() || b.isList()) && (a.isInt() || a.isBool())) return repeat(in, b, a.asInt(), pos);
    if (op == "%" && a.isString()) {
        std::string s = pyPercentFormat(a.str(), b.isTuple() ? b.items() : List{b}, pos);
        in.checkSize(s.size(), pos);
        return Value::string(std::move(s));
    }
    badOperands(op, a, b, pos);
}

bool containsValue(const Value& container, const Value& item, std::size_t pos) {
    switch (container.kind()) {
        case Value::Kind::Undefined: return false;
        case Value::Kind::String:
            requireDefined(item, pos);
            if (!item.isString()) throw JinjaError("'in <string>' requires a string on the left, not " + item.typeName(), pos);
            return container.str().find(item.str()) != std::string::npos;
        case Value::Kind::List:
            for (const auto& x : container.items())
                if (equals(x, item)) return true;
            return false;
        case Value::Kind::Dict: return item.isString() && container.find(item.str()) != nullptr;
        default: throw JinjaError("argument of type '" + container.typeName() + "' is not iterable", pos);
    }
}

namespace {

Value rangeFn(const CallArgs& a) {
    std::int64_t start = 0, stop = 0, step = 1;
    for (const auto& v : a.args)
        if (!v.isInt() && !v.isBool()) throw JinjaError("range() needs integers", a.pos);
    if (a.args.size() == 1) stop = a.args[0].asInt();
    else if (a.args.size() == 2 || a.args.size() == 3) {
        start = a.args[0].asInt();
        stop = a.args[1].asInt();
        if (a.args.size() == 3) step = a.args[2].asInt();
    } else throw JinjaError("range() takes 1 to 3 arguments", a.pos);
    if (step == 0) throw JinjaError("range() step must not be zero", a.pos);
    List out;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (static_cast<std::int64_t>(out.size()) >= kMaxRange)
            throw JinjaError("range() too big (over " + std::to_string(kMaxRange) + " items)", a.pos);
        out.push_back(Value::integer(i));
    }
    return Value::list(std::move(out));
}

Dict kwargsDict(const CallArgs& a, const char* fn) {
    Dict d;
    if (!a.args.empty()) {
        if (a.args.size() > 1 || !a.args[0].isDict()) throw JinjaError(std::string(fn) + "() takes a dict or keyword arguments", a.pos);
        d = a.args[0].entries();
    }
    for (const auto& [k, v] : a.kwargs) {
        bool replaced = false;
        for (auto& [key, old] : d)
            if (key == k) {
                old = v;
                replaced = true;
            }
        if (!replaced) d.emplace_back(k, v);
    }
    return d;
}

Value strftimeNow(const CallArgs& a) {
    const Value* fmt = a.get(0, "format");
    if (!fmt || !fmt->isString()) throw JinjaError("strftime_now() needs a format string", a.pos);
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buf[512];
    const std::size_t n = std::strftime(buf, sizeof buf, fmt->str().c_str(), &local);
    return Value::string(std::string(buf, n));
}

}  // namespace

Dict makeGlobals() {
    Dict g;
    g.emplace_back("range", Value::function("range", rangeFn));
    g.emplace_back("namespace", Value::function("namespace", [](const CallArgs& a) {
                       Dict d = kwargsDict(a, "namespace");
                       for (const auto& [k, v] : d)
                           if (!k.empty() && k[0] == '_') throw JinjaError("namespace attributes may not start with '_'", a.pos);
                       return Value::nameSpace(std::move(d));
                   }));
    g.emplace_back("dict", Value::function("dict", [](const CallArgs& a) { return Value::dict(kwargsDict(a, "dict")); }));
    g.emplace_back("raise_exception", Value::function("raise_exception", [](const CallArgs& a) -> Value {
                       const Value* m = a.get(0, "message");
                       throw TemplateRaised(m ? m->toStr() : std::string("raise_exception() called"), a.pos);
                   }));
    g.emplace_back("strftime_now", Value::function("strftime_now", strftimeNow));
    return g;
}

}  // namespace srs::tokenizer::jinja
