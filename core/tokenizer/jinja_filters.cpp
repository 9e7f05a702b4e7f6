// Filters and tests of our Jinja subset, with Jinja's argument names and defaults; tojson is
// transformers' own (json.dumps with ensure_ascii=False, not Jinja's HTML-safe one).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "core/tokenizer/jinja_builtins.h"
#include "core/tokenizer/jinja_strings.h"

namespace srs::tokenizer::jinja {

namespace {

using FilterFn = Value (*)(Interpreter&, const Value&, const CallArgs&);
using TestFn = bool (*)(Interpreter&, const Value&, const CallArgs&);

const Value* arg(const CallArgs& a, std::size_t i, const char* name) { return a.get(i, name); }

bool flag(const CallArgs& a, std::size_t i, const char* name) {
    const Value* v = a.get(i, name);
    return v && v->truthy();
}

std::int64_t length(const Value& v, std::size_t pos) {
    switch (v.kind()) {
        case Value::Kind::Undefined: return 0;
        case Value::Kind::String: return static_cast<std::int64_t>(codePointCount(v.str()));
        case Value::Kind::List: return static_cast<std::int64_t>(v.items().size());
        case Value::Kind::Dict: return static_cast<std::int64_t>(v.entries().size());
        default: throw JinjaError("object of type '" + v.typeName() + "' has no len()", pos);
    }
}

// The attribute a filter's attribute= names ("a.b" walks, digits index lists), as Jinja's.
Value attributePath(const Value& v, const std::string& path, std::size_t pos) {
    Value cur = v;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
        cur = digits ? getItem(cur, Value::integer(std::atoll(part.c_str())), pos) : getItem(cur, Value::string(part), pos);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return cur;
}

Value fTrim(Interpreter&, const Value& v, const CallArgs& a) {
    const Value* chars = arg(a, 0, "chars");
    const bool given = chars && !chars->isNone() && !chars->isUndefined();
    return Value::string(pyStrip(v.toStr(), given ? &chars->str() : nullptr, 3));
}
Value fLength(Interpreter&, const Value& v, const CallArgs& a) { return Value::integer(length(v, a.pos)); }
Value fUpper(Interpreter&, const Value& v, const CallArgs&) { return Value::string(asciiUpper(v.toStr())); }
Value fLower(Interpreter&, const Value& v, const CallArgs&) { return Value::string(asciiLower(v.toStr())); }
Value fCapitalize(Interpreter&, const Value& v, const CallArgs&) { return Value::string(pyCapitalize(v.toStr())); }
Value fTitle(Interpreter&, const Value& v, const CallArgs&) { return Value::string(jinjaTitle(v.toStr())); }
Value fString(Interpreter&, const Value& v, const CallArgs&) { return Value::string(v.toStr()); }
Value fSafe(Interpreter&, const Value& v, const CallArgs&) { return v; }

Value fTojson(Interpreter& in, const Value& v, const CallArgs& a) {
    JsonOptions opt;
    opt.ensure_ascii = flag(a, 0, "ensure_ascii");
    const Value* indent = arg(a, 1, "indent");
    if (indent && !indent->isNone()) {
        if (!indent->isInt()) throw JinjaError("tojson: indent must be an integer", a.pos);
        opt.indent = static_cast<int>(std::clamp<std::int64_t>(indent->asInt(), 0, 64));
        opt.item_sep = ",";
    }
    const Value* seps = arg(a, 2, "separators");
    if (seps && !seps->isNone()) {
        if (!seps->isList() || seps->items().size() != 2 || !seps->items()[0].isString() || !seps->items()[1].isString())
            throw JinjaError("tojson: separators must be a pair of strings", a.pos);
        opt.item_sep = seps->items()[0].str();
        opt.key_sep = seps->items()[1].str();
    }
    opt.sort_keys = flag(a, 3, "sort_keys");
    try {
        std::string s = toJson(v, opt);
        in.checkSize(s.size(), a.pos);
        chargeWork(s.size() / 64, a.pos);
        return Value::string(std::move(s));
    } catch (const JinjaError& e) {
        if (e.pos != std::string::npos) throw;
        throw JinjaError(e.what(), a.pos);
    }
}

Value fDefault(Interpreter&, const Value& v, const CallArgs& a) {
    const Value* def = arg(a, 0, "default_value");
    const bool boolean = flag(a, 1, "boolean");
    if (v.isUndefined() || (boolean && !v.truthy())) return def ? *def : Value::string("");
    return v;
}

Value fFirst(Interpreter&, const Value& v, const CallArgs& a) {
    List items = iterate(v, a.pos);
    return items.empty() ? Value::undefined("first() of an empty sequence") : items.front();
}
Value fLast(Interpreter&, const Value& v, const CallArgs& a) {
    List items = iterate(v, a.pos);
    return items.empty() ? Value::undefined("last() of an empty sequence") : items.back();
}

Value fJoin(Interpreter& in, const Value& v, const CallArgs& a) {
    const Value* sep = arg(a, 0, "d");
    const Value* attribute = arg(a, 1, "attribute");
    std::string out;
    bool first = true;
    for (const auto& x : iterate(v, a.pos)) {
        const Value item = attribute && !attribute->isNone() ? attributePath(x, attribute->toStr(), a.pos) : x;
        out += (first ? "" : sep ? sep->toStr() : "") + item.toStr();
        first = false;
        in.checkSize(out.size(), a.pos);
        chargeWork(1, a.pos);
    }
    return Value::string(std::move(out));
}

Value fReplace(Interpreter& in, const Value& v, const CallArgs& a) {
    const Value* old = arg(a, 0, "old");
    const Value* repl = arg(a, 1, "new");
    const Value* count = arg(a, 2, "count");
    if (!old || !repl) throw JinjaError("replace needs 'old' and 'new'", a.pos);
    std::string s = pyReplace(v.toStr(), old->toStr(), repl->toStr(), count && count->isNumber() ? count->asInt() : -1);
    in.checkSize(s.size(), a.pos);
    return Value::string(std::move(s));
}

Value fItems(Interpreter&, const Value& v, const CallArgs& a) {
    if (v.isUndefined()) return Value::list({});
    if (!v.isDict()) throw JinjaError("items: can only get item pairs from a mapping, not " + v.typeName(), a.pos);
    List out;
    for (const auto& [k, x] : v.entries()) out.push_back(Value::list({Value::string(k), x}, true));
    return Value::list(std::move(out));
}

Value fList(Interpreter&, const Value& v, const CallArgs& a) { return Value::list(iterate(v, a.pos)); }

Value fReverse(Interpreter&, const Value& v, const CallArgs& a) {
    if (v.isString()) {
        auto cps = codePoints(v.str());
        std::string out;
        for (auto it = cps.rbegin(); it != cps.rend(); ++it) out += *it;
        return Value::string(std::move(out));
    }
    List items = iterate(v, a.pos);
    std::reverse(items.begin(), items.end());
    return Value::list(std::move(items));
}

// Sort key: the attribute when asked, strings lower-cased unless case_sensitive (Jinja's default).
Value sortKey(const Value& x, const Value* attribute, bool case_sensitive, std::size_t pos) {
    Value k = attribute && !attribute->isNone() ? attributePath(x, attribute->toStr(), pos) : x;
    if (!case_sensitive && k.isString()) return Value::string(asciiLower(k.str()));
    return k;
}

Value fSort(Interpreter&, const Value& v, const CallArgs& a) {
    List items = iterate(v, a.pos);
    const bool reverse = flag(a, 0, "reverse");
    const bool cs = flag(a, 1, "case_sensitive");
    const Value* attribute = arg(a, 2, "attribute");
    std::vector<std::pair<Value, Value>> keyed;
    for (auto& x : items) keyed.emplace_back(sortKey(x, attribute, cs, a.pos), x);
    try {
        std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& p, const auto& q) {
            return reverse ? lessThan(q.first, p.first) : lessThan(p.first, q.first);
        });
    } catch (const JinjaError& e) {
        throw JinjaError(std::string("sort: ") + e.what(), a.pos);
    }
    List out;
    for (auto& p : keyed) out.push_back(std::move(p.second));
    return Value::list(std::move(out));
}

Value fUnique(Interpreter&, const Value& v, const CallArgs& a) {
    const bool cs = flag(a, 0, "case_sensitive");
    const Value* attribute = arg(a, 1, "attribute");
    List out, seen;
    for (const auto& x : iterate(v, a.pos)) {
        Value k = sortKey(x, attribute, cs, a.pos);
        if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, k); })) continue;
        seen.push_back(k);
        out.push_back(x);
    }
    return Value::list(std::move(out));
}

Value fMap(Interpreter& in, const Value& v, const CallArgs& a) {
    List out;
    const Value* attribute = nullptr;
    for (const auto& [k, x] : a.kwargs)
        if (k == "attribute") attribute = &x;
    if (attribute) {
        const Value* def = nullptr;
        for (const auto& [k, x] : a.kwargs)
            if (k == "default") def = &x;
        for (const auto& x : iterate(v, a.pos)) {
            Value r = attributePath(x, attribute->toStr(), a.pos);
            out.push_back(r.isUndefined() && def ? *def : r);
        }
        return Value::list(std::move(out));
    }
    if (a.args.empty() || !a.args[0].isString()) throw JinjaError("map needs a filter name or attribute=", a.pos);
    const std::string name = a.args[0].str();
    if (!isKnownFilter(name) || name == "map") throw JinjaError("map: unknown filter '" + name + "'", a.pos);
    CallArgs rest{List(a.args.begin() + 1, a.args.end()), a.kwargs, a.pos};
    for (const auto& x : iterate(v, a.pos)) out.push_back(applyFilter(in, name, x, rest));
    return Value::list(std::move(out));
}

// select / reject / selectattr / rejectattr
Value selectImpl(Interpreter& in, const Value& v, const CallArgs& a, bool keep, bool by_attr) {
    std::size_t i = 0;
    std::string attribute;
    if (by_attr) {
        if (a.args.empty()) throw JinjaError("selectattr/rejectattr need an attribute name", a.pos);
        attribute = a.args[i++].toStr();
    }
    std::string test;
    if (i < a.args.size()) test = a.args[i++].toStr();
    if (!test.empty() && !isKnownTest(test)) throw JinjaError("unknown test '" + test + "'", a.pos);
    CallArgs rest{List(a.args.begin() + static_cast<std::ptrdiff_t>(i), a.args.end()), {}, a.pos};
    List out;
    for (const auto& x : iterate(v, a.pos)) {
        const Value subject = by_attr ? attributePath(x, attribute, a.pos) : x;
        const bool r = test.empty() ? subject.truthy() : applyTest(in, test, subject, rest);
        if (r == keep) out.push_back(x);
    }
    return Value::list(std::move(out));
}
Value fSelect(Interpreter& in, const Value& v, const CallArgs& a) { return selectImpl(in, v, a, true, false); }
Value fReject(Interpreter& in, const Value& v, const CallArgs& a) { return selectImpl(in, v, a, false, false); }
Value fSelectAttr(Interpreter& in, const Value& v, const CallArgs& a) { return selectImpl(in, v, a, true, true); }
Value fRejectAttr(Interpreter& in, const Value& v, const CallArgs& a) { return selectImpl(in, v, a, false, true); }

Value fInt(Interpreter&, const Value& v, const CallArgs& a) {
    const Value* def = arg(a, 0, "default");
    if (v.isNumber()) return Value::integer(v.isFloat() ? static_cast<std::int64_t>(v.asDouble()) : v.asInt());
    if (v.isString()) {
        const std::string s = pyStrip(v.str(), nullptr, 3);
        char* end = nullptr;
        const long long i = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end && *end == '\0') return Value::integer(i);
        const double f = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == '\0' && std::isfinite(f)) return Value::integer(static_cast<std::int64_t>(f));
    }
    return def ? *def : Value::integer(0);
}

Value fFloat(Interpreter&, const Value& v, const CallArgs& a) {
    const Value* def = arg(a, 0, "default");
    if (v.isNumber()) return Value::number(v.asDouble());
    if (v.isString()) {
        const std::string s = pyStrip(v.str(), nullptr, 3);
        char* end = nullptr;
        const double f = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == '\0') return Value::number(f);
    }
    return def ? *def : Value::number(0.0);
}

Value fAbs(Interpreter& in, const Value& v, const CallArgs& a) {
    if (!v.isNumber()) throw JinjaError("abs: bad operand type '" + v.typeName() + "'", a.pos);
    if (v.isFloat()) return Value::number(std::fabs(v.asDouble()));
    return v.asInt() < 0 ? binaryOp(in, "neg", v, Value(), a.pos) : Value::integer(v.asInt());
}

Value fRound(Interpreter&, const Value& v, const CallArgs& a) {
    if (!v.isNumber()) throw JinjaError("round: bad operand type '" + v.typeName() + "'", a.pos);
    const Value* prec = arg(a, 0, "precision");
    const Value* method = arg(a, 1, "method");
    const double scale = std::pow(10.0, prec && prec->isNumber() ? static_cast<double>(prec->asInt()) : 0.0);
    const double x = v.asDouble() * scale;
    const std::string m = method ? method->toStr() : "common";
    double r = m == "ceil" ? std::ceil(x) : m == "floor" ? std::floor(x) : std::nearbyint(x);
    return Value::number(r / scale);
}

Value fIndent(Interpreter&, const Value& v, const CallArgs& a) {
    const Value* width = arg(a, 0, "width");
    const std::string pad = width && width->isString() ? width->str() : std::string(static_cast<std::size_t>(std::clamp<std::int64_t>(width && width->isNumber() ? width->asInt() : 4, 0, 1000)), ' ');
    const bool first = flag(a, 1, "first");
    const bool blank = flag(a, 2, "blank");
    const auto lines = pySplitLines(v.toStr() + "\n");
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) out += "\n" + ((blank || !lines[i].empty()) ? pad : std::string());
        out += lines[i];
    }
    return Value::string(first ? pad + out : out);
}

Value fEscape(Interpreter&, const Value& v, const CallArgs&) {
    std::string out;
    for (char c : v.toStr()) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&#34;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return Value::string(std::move(out));
}

Value minMax(const Value& v, const CallArgs& a, bool max) {
    const bool cs = flag(a, 0, "case_sensitive");
    const Value* attribute = arg(a, 1, "attribute");
    List items = iterate(v, a.pos);
    if (items.empty()) return Value::undefined("min/max of an empty sequence");
    std::size_t best = 0;
    for (std::size_t i = 1; i < items.size(); ++i) {
        const Value x = sortKey(items[i], attribute, cs, a.pos), b = sortKey(items[best], attribute, cs, a.pos);
        if (max ? lessThan(b, x) : lessThan(x, b)) best = i;
    }
    return items[best];
}
Value fMin(Interpreter&, const Value& v, const CallArgs& a) { return minMax(v, a, false); }
Value fMax(Interpreter&, const Value& v, const CallArgs& a) { return minMax(v, a, true); }

Value fSum(Interpreter& in, const Value& v, const CallArgs& a) {
    const Value* attribute = arg(a, 0, "attribute");
    const Value* start = arg(a, 1, "start");
    Value total = start ? *start : Value::integer(0);
    for (const auto& x : iterate(v, a.pos))
        total = binaryOp(in, "+", total, attribute && !attribute->isNone() ? attributePath(x, attribute->toStr(), a.pos) : x, a.pos);
    return total;
}

Value fAttr(Interpreter&, const Value& v, const CallArgs& a) {
    const Value* name = arg(a, 0, "name");
    if (!name) throw JinjaError("attr needs a name", a.pos);
    return getAttribute(v, name->toStr(), a.pos);
}

Value fFormat(Interpreter&, const Value& v, const CallArgs& a) { return Value::string(pyPercentFormat(v.toStr(), a.args, a.pos)); }

Value fWordcount(Interpreter&, const Value& v, const CallArgs&) {
    return Value::integer(static_cast<std::int64_t>(pySplit(v.toStr(), nullptr, -1).size()));
}

const std::map<std::string, FilterFn>& filters() {
    static const std::map<std::string, FilterFn> kFilters = {
        {"trim", fTrim},         {"length", fLength},     {"count", fLength},           {"upper", fUpper},
        {"lower", fLower},       {"capitalize", fCapitalize}, {"title", fTitle},        {"string", fString},
        {"safe", fSafe},         {"tojson", fTojson},     {"default", fDefault},        {"d", fDefault},
        {"first", fFirst},       {"last", fLast},         {"join", fJoin},              {"replace", fReplace},
        {"items", fItems},       {"list", fList},         {"reverse", fReverse},        {"sort", fSort},
        {"unique", fUnique},     {"map", fMap},           {"select", fSelect},          {"reject", fReject},
        {"selectattr", fSelectAttr}, {"rejectattr", fRejectAttr}, {"int", fInt},       {"float", fFloat},
        {"abs", fAbs},           {"round", fRound},       {"indent", fIndent},          {"escape", fEscape},
        {"e", fEscape},          {"min", fMin},           {"max", fMax},                {"sum", fSum},
        {"attr", fAttr},         {"format", fFormat},     {"wordcount", fWordcount},
    };
    return kFilters;
}

// ---- tests ----
const Value& other(const CallArgs& a) {
    static const Value kUndefined = Value::undefined("a test needs an argument");
    return a.args.empty() ? (a.kwargs.empty() ? kUndefined : a.kwargs[0].second) : a.args[0];
}
bool tDefined(Interpreter&, const Value& v, const CallArgs&) { return !v.isUndefined(); }
bool tUndefined(Interpreter&, const Value& v, const CallArgs&) { return v.isUndefined(); }
bool tNone(Interpreter&, const Value& v, const CallArgs&) { return v.isNone(); }
bool tBoolean(Interpreter&, const Value& v, const CallArgs&) { return v.isBool(); }
bool tFalse(Interpreter&, const Value& v, const CallArgs&) { return v.isBool() && !v.asBool(); }
bool tTrue(Interpreter&, const Value& v, const CallArgs&) { return v.isBool() && v.asBool(); }
bool tInteger(Interpreter&, const Value& v, const CallArgs&) { return v.isInt(); }
bool tFloat(Interpreter&, const Value& v, const CallArgs&) { return v.isFloat(); }
bool tNumber(Interpreter&, const Value& v, const CallArgs&) { return v.isNumber(); }
bool tString(Interpreter&, const Value& v, const CallArgs&) { return v.isString(); }
bool tMapping(Interpreter&, const Value& v, const CallArgs&) { return v.isDict(); }
bool tIterable(Interpreter&, const Value& v, const CallArgs&) { return v.isUndefined() || v.isString() || v.isList() || v.isDict(); }
bool tSequence(Interpreter&, const Value& v, const CallArgs&) { return v.isUndefined() || v.isString() || v.isList() || v.isDict(); }
bool tCallable(Interpreter&, const Value& v, const CallArgs&) { return v.isFunction(); }
bool tEq(Interpreter&, const Value& v, const CallArgs& a) { return equals(v, other(a)); }
bool tNe(Interpreter&, const Value& v, const CallArgs& a) { return !equals(v, other(a)); }
bool tLt(Interpreter&, const Value& v, const CallArgs& a) { return lessThan(v, other(a)); }
bool tLe(Interpreter&, const Value& v, const CallArgs& a) { return !lessThan(other(a), v); }
bool tGt(Interpreter&, const Value& v, const CallArgs& a) { return lessThan(other(a), v); }
bool tGe(Interpreter&, const Value& v, const CallArgs& a) { return !lessThan(v, other(a)); }
bool tIn(Interpreter&, const Value& v, const CallArgs& a) { return containsValue(other(a), v, a.pos); }
bool tSameAs(Interpreter&, const Value& v, const CallArgs& a) {
    const Value& o = other(a);
    return v.kind() == o.kind() && equals(v, o);
}
bool tOdd(Interpreter&, const Value& v, const CallArgs& a) {
    if (!v.isInt()) throw JinjaError("odd: not an integer", a.pos);
    return v.asInt() % 2 != 0;
}
bool tEven(Interpreter&, const Value& v, const CallArgs& a) {
    if (!v.isInt()) throw JinjaError("even: not an integer", a.pos);
    return v.asInt() % 2 == 0;
}
bool tDivisibleBy(Interpreter&, const Value& v, const CallArgs& a) {
    const Value& n = other(a);
    if (!v.isInt() || !n.isInt() || n.asInt() == 0) throw JinjaError("divisibleby needs non-zero integers", a.pos);
    return v.asInt() % n.asInt() == 0;
}
bool tLower(Interpreter&, const Value& v, const CallArgs&) { return v.isString() && asciiLower(v.str()) == v.str(); }
bool tUpper(Interpreter&, const Value& v, const CallArgs&) { return v.isString() && asciiUpper(v.str()) == v.str(); }
bool tEscaped(Interpreter&, const Value&, const CallArgs&) { return false; }
bool tFilter(Interpreter&, const Value& v, const CallArgs&) { return v.isString() && isKnownFilter(v.str()); }
bool tTest(Interpreter&, const Value& v, const CallArgs&) { return v.isString() && isKnownTest(v.str()); }

const std::map<std::string, TestFn>& tests() {
    static const std::map<std::string, TestFn> kTests = {
        {"defined", tDefined},   {"undefined", tUndefined}, {"none", tNone},         {"boolean", tBoolean},
        {"false", tFalse},       {"true", tTrue},           {"integer", tInteger},   {"float", tFloat},
        {"number", tNumber},     {"string", tString},       {"mapping", tMapping},   {"iterable", tIterable},
        {"sequence", tSequence}, {"callable", tCallable},   {"equalto", tEq},        {"eq", tEq},
        {"==", tEq},             {"ne", tNe},               {"!=", tNe},             {"lt", tLt},
        {"<", tLt},              {"lessthan", tLt},         {"le", tLe},             {"<=", tLe},
        {"gt", tGt},             {">", tGt},                {"greaterthan", tGt},    {"ge", tGe},
        {">=", tGe},             {"in", tIn},               {"sameas", tSameAs},     {"odd", tOdd},
        {"even", tEven},         {"divisibleby", tDivisibleBy}, {"lower", tLower},   {"upper", tUpper},
        {"escaped", tEscaped},   {"filter", tFilter},       {"test", tTest},
    };
    return kTests;
}

}  // namespace

bool isKnownFilter(const std::string& name) { return filters().count(name) > 0; }
bool isKnownTest(const std::string& name) { return tests().count(name) > 0; }

Value applyFilter(Interpreter& in, const std::string& name, const Value& input, const CallArgs& args) {
    const auto it = filters().find(name);
    if (it == filters().end()) throw JinjaError("unknown filter '" + name + "'", args.pos);
    in.step(args.pos);
    return it->second(in, input, args);
}

bool applyTest(Interpreter& in, const std::string& name, const Value& input, const CallArgs& args) {
    const auto it = tests().find(name);
    if (it == tests().end()) throw JinjaError("unknown test '" + name + "'", args.pos);
    in.step(args.pos);
    try {
        return it->second(in, input, args);
    } catch (const JinjaError& e) {
        if (e.pos != std::string::npos) throw;
        throw JinjaError(e.what(), args.pos);
    }
}

}  // namespace srs::tokenizer::jinja
