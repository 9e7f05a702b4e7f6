// The parser of our Jinja interpreter: tokens into a tree of statements and expressions, with
// Jinja's precedence (lowest first): "a if c else b", or, and, not, comparisons (== != < <= > >=
// in, not in; chained like Python), + -, ~, * / // %, **, unary - +, then postfix (.attr, [index],
// [a:b:c], (call)), filters (|f(args)) and tests (is [not] t args), which bind tighter than the
// binary operators: "messages|length - 1" is (messages|length) - 1.
// Statements: if/elif/else, for (tuple targets, "if" filter, else), set (name, tuple, ns.attr,
// block form), macro, break/continue (transformers enables loopcontrols), generation (its
// extension tag, rendered as its body), raw (in the lexer).
// Unknown tags are errors here, before anything renders; an unknown filter or test is an error
// when it is evaluated (Jinja too defers those inside conditional blocks, and templates carry
// branches for filters some renderers lack).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tokenizer/jinja_lexer.h"
#include "core/tokenizer/jinja_value.h"

namespace srs::tokenizer::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    enum class Kind {
        Literal,  // literal
        Name,     // name
        List,     // items
        Tuple,    // items
        Dict,     // items: key, value, key, value, ...
        Attr,     // a.name
        Item,     // a[b]
        Slice,    // a[items[0]:items[1]:items[2]] (null parts omitted)
        Call,     // a(items, kwargs)
        Filter,   // a|name(items, kwargs)
        Test,     // a is [not] name(items, kwargs); negated
        Unary,    // name ("-", "+", "not") a
        Binary,   // a name b  (+ - * / // % ** ~)
        Compare,  // a ops[0] items[0] ops[1] items[1] ...
        And,      // a and b
        Or,       // a or b
        Cond,     // a if b else c (c may be null)
    };
    Kind kind = Kind::Literal;
    std::size_t pos = 0;
    Value literal;
    std::string name;
    ExprPtr a, b, c;
    std::vector<ExprPtr> items;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    std::vector<std::string> ops;
    bool negated = false;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt {
    enum class Kind {
        Text,      // text
        Output,    // {{ expr }}
        If,        // branches (cond null for else)
        For,       // targets in expr [if filter] body [else else_body]
        Set,       // targets (or ns.attr: targets[0] + attr) = expr
        SetBlock,  // targets[0] = rendered body
        Macro,     // name(params) body
        Break,
        Continue,
        Block,     // body, rendered in place ({% generation %})
    };
    Kind kind = Kind::Text;
    std::size_t pos = 0;
    std::string text;
    std::string name;  // macro name
    std::string attr;  // Set on a namespace attribute
    ExprPtr expr;
    ExprPtr filter;
    std::vector<std::string> targets;
    bool unpack = false;  // targets written as a tuple
    std::vector<std::pair<ExprPtr, Body>> branches;
    std::vector<std::pair<std::string, ExprPtr>> params;  // macro parameters and defaults (null: none)
    Body body;
    Body else_body;
};

struct Template {
    std::string source;  // normalized (positions refer to it)
    Body body;
};

// Throws JinjaError (syntax errors, unknown filters / tests / tags, nesting deeper than we allow).
std::shared_ptr<Template> parseTemplate(const std::string& source);

// Names the interpreter knows (jinja_filters.cpp).
bool isKnownFilter(const std::string& name);
bool isKnownTest(const std::string& name);

}  // namespace srs::tokenizer::jinja
