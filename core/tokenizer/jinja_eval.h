// The interpreter of our Jinja subset: renders a parsed Template with the given variables.
// Scoping as Jinja's: "set" at the top level or inside "if" sets a template variable; each
// iteration of a "for" body is a scope of its own (nothing set inside leaks out or survives to
// the next iteration: that is what namespace() is for); a macro body sees its parameters and the
// template's variables as they are when it is called.
// Templates are untrusted input: every statement and expression evaluated counts as a step, and
// the render stops with an error past a step budget, an output/string size limit or a macro call
// depth, so no template can loop forever or exhaust memory.
#pragma once

#include <cstddef>
#include <string>

#include "core/tokenizer/jinja_parser.h"
#include "core/tokenizer/jinja_value.h"

namespace srs::tokenizer::jinja {

struct RenderLimits {
    std::size_t max_steps = 5'000'000;
    std::size_t max_output_bytes = 16u << 20;  // also the largest string any operation may build
    int max_call_depth = 64;
};

// A raise_exception(message) call from the template: the message is the template's own.
struct TemplateRaised : JinjaError {
    explicit TemplateRaised(const std::string& message, std::size_t position) : JinjaError(message, position) {}
};

class Interpreter {
public:
    Interpreter(const Template& tmpl, RenderLimits limits);
    // Throws JinjaError.
    std::string render(const Dict& variables);

    Value eval(const Expr& e);
    Value call(const Value& callee, const CallArgs& args);
    void step(std::size_t pos);
    // Throws when a string about to be built would pass the size limit.
    void checkSize(std::size_t bytes, std::size_t pos) const;
    const RenderLimits& limits() const { return limits_; }

private:
    struct Scope {
        Scope* parent = nullptr;
        Dict vars;
        const Value* lookup(const std::string& name) const;
        void set(const std::string& name, Value v);
    };
    enum class Flow { Normal, Break, Continue };

    Flow exec(const Body& body);
    Flow execStmt(const Stmt& s);
    Flow execIf(const Stmt& s);
    Flow execFor(const Stmt& s);
    void execSet(const Stmt& s);
    void defineMacro(const Stmt& s);
    Value callMacro(const Stmt& s, const CallArgs& args);
    void bindTargets(Scope& scope, const Stmt& s, const Value& item);
    std::string capture(const Body& body);
    void write(const std::string& text, std::size_t pos);

    Value evalCall(const Expr& e);
    Value evalBinary(const Expr& e);
    Value evalCompare(const Expr& e);
    Value evalSlice(const Expr& e);
    Value evalCollection(const Expr& e);
    CallArgs evalArgs(const Expr& e);

    const Template& tmpl_;
    RenderLimits limits_;
    WorkMeter meter_;
    int call_depth_ = 0;
    Scope globals_;
    Scope* root_ = nullptr;
    Scope* scope_ = nullptr;
    std::string* out_ = nullptr;
};

// Items a for loop visits: a list's items, a dict's keys, a string's characters, nothing for
// undefined. Throws for values that cannot be iterated.
List iterate(const Value& v, std::size_t pos);

}  // namespace srs::tokenizer::jinja
