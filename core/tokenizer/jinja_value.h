// Values of our Jinja interpreter (the chat-template subset, see chat_template.h). They follow
// Python's semantics, because the reference renderer is Jinja on Python: str() of a list prints
// "['a', 1]", 1 == 1.0 == True, "/" always gives a float, and an undefined name is a value of its
// own (falsy, prints as "", compares equal only to another undefined, and any arithmetic, call,
// attribute or item access on it is an error, as with Jinja's default Undefined).
// Lists and dicts are immutable once built (the sandbox transformers uses forbids append/update);
// a namespace() is the one mutable object and is shared by reference.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace srs::tokenizer::jinja {

// Thrown inside the interpreter and turned into a Result at its facade (jinja.h): a message and
// the byte offset in the template source it belongs to (npos when unknown).
struct JinjaError : std::runtime_error {
    JinjaError(const std::string& message, std::size_t position = std::string::npos)
        : std::runtime_error(message), pos(position) {}
    std::size_t pos;
};

class Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>;  // insertion-ordered, as Python's dict
struct CallArgs;
using NativeFn = std::function<Value(const CallArgs&)>;

struct Function {
    std::string name;
    NativeFn fn;
};

class Value {
public:
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

    Value() = default;  // undefined
    static Value undefined(std::string why = {});
    static Value none();
    static Value boolean(bool b);
    static Value integer(std::int64_t i);
    static Value number(double f);
    static Value string(std::string s);
    static Value list(List items, bool tuple = false);
    static Value dict(Dict items);
    static Value nameSpace(Dict items);
    static Value function(std::string name, NativeFn fn);
    static Value fromJson(const nlohmann::json& j);
    static Value fromJson(const nlohmann::ordered_json& j);  // keeps the objects' key order

    Kind kind() const { return kind_; }
    bool isUndefined() const { return kind_ == Kind::Undefined; }
    bool isNone() const { return kind_ == Kind::None; }
    bool isBool() const { return kind_ == Kind::Bool; }
    bool isInt() const { return kind_ == Kind::Int; }  // not bool
    bool isFloat() const { return kind_ == Kind::Float; }
    bool isNumber() const { return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool; }
    bool isString() const { return kind_ == Kind::String; }
    bool isList() const { return kind_ == Kind::List; }  // list or tuple
    bool isTuple() const { return kind_ == Kind::List && tuple_; }
    bool isDict() const { return kind_ == Kind::Dict; }
    bool isNamespace() const { return kind_ == Kind::Namespace; }
    bool isFunction() const { return kind_ == Kind::Function; }

    bool asBool() const { return b_; }
    std::int64_t asInt() const { return kind_ == Kind::Bool ? (b_ ? 1 : 0) : i_; }  // Int or Bool
    double asDouble() const;                                                      // any number
    const std::string& str() const;  // String; for Undefined: why it is undefined
    const List& items() const;
    const Dict& entries() const;  // Dict or Namespace
    Dict& mutableEntries() const;  // Namespace only
    const Function& fn() const { return *fn_; }

    // Dict / namespace lookup; nullptr when absent.
    const Value* find(const std::string& key) const;

    bool truthy() const;
    std::string typeName() const;  // Python's: "str", "int", "list", "dict", "NoneType", ...
    // Python's str(): what {{ value }} prints.
    std::string toStr() const;
    // Python's repr(): how items print inside a list or dict.
    std::string repr() const;

private:
    Kind kind_ = Kind::Undefined;
    bool b_ = false;
    bool tuple_ = false;
    std::int64_t i_ = 0;
    double f_ = 0.0;
    int depth_ = 0;                         // nesting of lists/dicts inside (bounded, see kMaxValueDepth)
    std::shared_ptr<const std::string> s_;  // shared: copying a value never copies its text
    std::shared_ptr<List> list_;
    std::shared_ptr<Dict> dict_;
    std::shared_ptr<Function> fn_;
};

// Lists and dicts nest at most this deep (deeper would overflow the stack when printed, compared
// or freed); building a deeper one is an error.
constexpr int kMaxValueDepth = 256;

// The work budget of the render in progress on this thread (set by the Interpreter): steps, plus
// units for work proportional to data size (copying long strings and lists, walking code points),
// so that no template can keep the CPU busy for long with few steps. Over the budget: JinjaError.
struct WorkMeter {
    std::size_t used = 0;
    std::size_t limit = 0;
};
void chargeWork(std::size_t units, std::size_t pos = std::string::npos);
class WorkMeterScope {
public:
    explicit WorkMeterScope(WorkMeter* meter);
    ~WorkMeterScope();
    WorkMeterScope(const WorkMeterScope&) = delete;
    WorkMeterScope& operator=(const WorkMeterScope&) = delete;

private:
    WorkMeter* saved_;
};

struct CallArgs {
    std::vector<Value> args;
    std::vector<std::pair<std::string, Value>> kwargs;
    std::size_t pos = std::string::npos;  // where the call is, for errors
    // The argument by position or keyword, or nullptr when not given.
    const Value* get(std::size_t index, const char* name) const;
};

// Python's float repr (shortest text that reads back the same: 0.1, 1e+16, 5.0, inf, nan).
std::string pythonFloat(double f);
// Python's repr of a str: quotes chosen as Python does, escapes for \n, \\, control characters.
std::string pythonRepr(const std::string& s);

struct JsonOptions {
    int indent = -1;  // < 0: one line
    bool ensure_ascii = false;
    std::string item_sep = ", ";
    std::string key_sep = ": ";
    bool sort_keys = false;
};
// Python's json.dumps with transformers' defaults (ensure_ascii=False). Throws JinjaError for
// values JSON cannot hold (undefined, functions, namespaces).
std::string toJson(const Value& v, const JsonOptions& opt, int depth = 0);

// Deep equality as Python's == (1 == 1.0 == True, list != tuple, undefined == undefined).
bool equals(const Value& a, const Value& b);
// Python's <; throws JinjaError for types Python cannot order.
bool lessThan(const Value& a, const Value& b);

// UTF-8 code points of a string, one string each (Python indexes strings by code point).
std::vector<std::string> codePoints(const std::string& s);
std::size_t codePointCount(const std::string& s);

}  // namespace srs::tokenizer::jinja
