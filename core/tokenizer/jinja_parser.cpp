#include "core/tokenizer/jinja_parser.h"

#include <cerrno>
#include <cstdlib>
#include <set>

namespace srs::tokenizer::jinja {

namespace {

constexpr int kMaxNesting = 128;  // expression and statement nesting; deeper input is rejected

using T = Token::Type;

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

    Body parseTemplateBody() {
        std::string end;
        Body body = parseBody({}, &end, 0);
        return body;
    }

private:
    // ---- token helpers ----
    const Token& cur() const { return toks_[i_]; }
    const Token& peek(std::size_t k = 1) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
    bool isOp(const char* op) const { return cur().type == T::Op && cur().text == op; }
    bool isName(const char* name) const { return cur().type == T::Name && cur().text == name; }
    const Token& next() {
        const Token& t = toks_[i_];
        if (i_ + 1 < toks_.size()) ++i_;
        return t;
    }
    [[noreturn]] void fail(const std::string& what) const {
        std::string got = cur().type == T::Eof ? "end of template" : cur().type == T::BlockEnd ? "'%}'" : cur().type == T::VarEnd ? "'}}'" : "'" + cur().text + "'";
        throw JinjaError(what + ", got " + got, cur().pos);
    }
    void expectOp(const char* op) {
        if (!isOp(op)) fail(std::string("expected '") + op + "'");
        next();
    }
    std::string expectName(const char* what) {
        if (cur().type != T::Name) fail(std::string("expected ") + what);
        return next().text;
    }
    void expectBlockEnd(const char* tag) {
        if (cur().type != T::BlockEnd) fail(std::string("expected '%}' to end '") + tag + "'");
        next();
    }
    void guard(int depth) const {
        if (depth > kMaxNesting) throw JinjaError("template nested too deeply (over " + std::to_string(kMaxNesting) + " levels)", cur().pos);
    }
    ExprPtr make(Expr::Kind kind, std::size_t pos) {
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->pos = pos;
        return e;
    }

    // ---- statements ----
    Body parseBody(const std::set<std::string>& ends, std::string* end, int depth) {
        guard(depth);
        Body body;
        while (true) {
            const Token& t = cur();
            if (t.type == T::Eof) {
                if (!ends.empty()) throw JinjaError("unexpected end of template: missing '{% " + *ends.rbegin() + " %}'", t.pos);
                return body;
            }
            if (t.type == T::Text) {
                auto s = std::make_unique<Stmt>();
                s->kind = Stmt::Kind::Text;
                s->pos = t.pos;
                s->text = t.text;
                body.push_back(std::move(s));
                next();
            } else if (t.type == T::VarBegin) {
                next();
                auto s = std::make_unique<Stmt>();
                s->kind = Stmt::Kind::Output;
                s->pos = t.pos;
                s->expr = parseTuple(true, depth + 1);
                if (cur().type != T::VarEnd) fail("expected '}}'");
                next();
                body.push_back(std::move(s));
            } else {  // BlockBegin
                const std::size_t tag_pos = t.pos;
                next();
                if (cur().type != T::Name) fail("expected a tag name after '{%'");
                if (ends.count(cur().text)) {
                    *end = next().text;
                    return body;
                }
                body.push_back(parseStatement(tag_pos, depth + 1));
            }
        }
    }

    StmtPtr parseStatement(std::size_t pos, int depth) {
        const std::string tag = cur().text;
        auto s = std::make_unique<Stmt>();
        s->pos = pos;
        if (tag == "if") return parseIf(std::move(s), depth);
        if (tag == "for") return parseFor(std::move(s), depth);
        if (tag == "set") return parseSet(std::move(s), depth);
        if (tag == "macro") return parseMacro(std::move(s), depth);
        if (tag == "break" || tag == "continue") {
            next();
            s->kind = tag == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
            expectBlockEnd(tag.c_str());
            return s;
        }
        if (tag == "generation") {
            next();
            expectBlockEnd("generation");
            s->kind = Stmt::Kind::Block;
            std::string end;
            s->body = parseBody({"endgeneration"}, &end, depth);
            expectBlockEnd("endgeneration");
            return s;
        }
        throw JinjaError("unknown or unexpected tag '" + tag + "'", cur().pos);
    }

    StmtPtr parseIf(StmtPtr s, int depth) {
        s->kind = Stmt::Kind::If;
        next();  // if
        ExprPtr cond = parseTuple(false, depth);
        while (true) {
            expectBlockEnd(cond ? "if" : "else");
            std::string end;
            Body body = parseBody({"elif", "else", "endif"}, &end, depth);
            s->branches.emplace_back(std::move(cond), std::move(body));
            if (end == "endif") {
                expectBlockEnd("endif");
                return s;
            }
            if (end == "elif") {
                if (!s->branches.back().first) throw JinjaError("'elif' after 'else'", cur().pos);
                cond = parseTuple(false, depth);
            } else {
                if (!s->branches.back().first) throw JinjaError("two 'else' in one 'if'", cur().pos);
                cond = nullptr;
            }
        }
    }

    std::vector<std::string> parseTargets(bool* unpack) {
        std::vector<std::string> names;
        const bool paren = isOp("(");
        if (paren) next();
        names.push_back(expectName("a variable name"));
        while (isOp(",")) {
            next();
            if (cur().type != T::Name) break;  // trailing comma
            names.push_back(next().text);
        }
        if (paren) expectOp(")");
        *unpack = names.size() > 1 || paren;
        return names;
    }

    StmtPtr parseFor(StmtPtr s, int depth) {
        s->kind = Stmt::Kind::For;
        next();  // for
        s->targets = parseTargets(&s->unpack);
        if (!isName("in")) fail("expected 'in' in 'for'");
        next();
        s->expr = parseTuple(false, depth);
        if (isName("if")) {
            next();
            s->filter = parseExpr(true, depth);
        }
        if (isName("recursive")) throw JinjaError("recursive for loops are not supported", cur().pos);
        expectBlockEnd("for");
        std::string end;
        s->body = parseBody({"else", "endfor"}, &end, depth);
        if (end == "else") {
            expectBlockEnd("else");
            s->else_body = parseBody({"endfor"}, &end, depth);
        }
        expectBlockEnd("endfor");
        return s;
    }

    StmtPtr parseSet(StmtPtr s, int depth) {
        next();  // set
        if (cur().type == T::Name && peek().type == T::Op && peek().text == ".") {
            s->targets.push_back(next().text);
            next();
            s->attr = expectName("an attribute name after '.'");
        } else {
            s->targets = parseTargets(&s->unpack);
        }
        if (isOp("=")) {
            next();
            s->kind = Stmt::Kind::Set;
            s->expr = parseTuple(true, depth);
            expectBlockEnd("set");
            return s;
        }
        if (!s->attr.empty() || s->unpack) fail("expected '=' in 'set'");
        s->kind = Stmt::Kind::SetBlock;
        expectBlockEnd("set");
        std::string end;
        s->body = parseBody({"endset"}, &end, depth);
        expectBlockEnd("endset");
        return s;
    }

    StmtPtr parseMacro(StmtPtr s, int depth) {
        s->kind = Stmt::Kind::Macro;
        next();  // macro
        s->name = expectName("a macro name");
        expectOp("(");
        while (!isOp(")")) {
            std::string param = expectName("a parameter name");
            ExprPtr def;
            if (isOp("=")) {
                next();
                def = parseExpr(true, depth);
            }
            s->params.emplace_back(std::move(param), std::move(def));
            if (!isOp(",")) break;
            next();
        }
        expectOp(")");
        expectBlockEnd("macro");
        std::string end;
        s->body = parseBody({"endmacro"}, &end, depth);
        if (cur().type == T::Name) next();  // "{% endmacro name %}"
        expectBlockEnd("endmacro");
        return s;
    }

    // ---- expressions ----
    bool atTupleEnd() const {
        return cur().type == T::VarEnd || cur().type == T::BlockEnd || cur().type == T::Eof || (cur().type == T::Op && cur().text == ")") ||
               (cur().type == T::Name && (cur().text == "in" || cur().text == "if" || cur().text == "recursive"));
    }

    ExprPtr parseTuple(bool with_cond, int depth) {
        const std::size_t pos = cur().pos;
        ExprPtr first = parseExpr(with_cond, depth);
        if (!isOp(",")) return first;
        auto t = make(Expr::Kind::Tuple, pos);
        t->items.push_back(std::move(first));
        while (isOp(",")) {
            next();
            if (atTupleEnd()) break;
            t->items.push_back(parseExpr(with_cond, depth));
        }
        return t;
    }

    ExprPtr parseExpr(bool with_cond, int depth) {
        guard(depth);
        return with_cond ? parseCond(depth + 1) : parseOr(depth + 1);
    }

    ExprPtr parseCond(int depth) {
        guard(depth);
        ExprPtr e = parseOr(depth);
        while (isName("if")) {
            auto c = make(Expr::Kind::Cond, cur().pos);
            next();
            c->a = std::move(e);
            c->b = parseOr(depth);
            if (isName("else")) {
                next();
                c->c = parseCond(depth + 1);
            }
            e = std::move(c);
        }
        return e;
    }

    ExprPtr binary(Expr::Kind kind, std::string op, ExprPtr a, ExprPtr b, std::size_t pos) {
        auto e = make(kind, pos);
        e->name = std::move(op);
        e->a = std::move(a);
        e->b = std::move(b);
        return e;
    }

    ExprPtr parseOr(int depth) {
        ExprPtr e = parseAnd(depth);
        while (isName("or")) {
            const std::size_t pos = next().pos;
            e = binary(Expr::Kind::Or, "or", std::move(e), parseAnd(depth), pos);
        }
        return e;
    }

    ExprPtr parseAnd(int depth) {
        ExprPtr e = parseNot(depth);
        while (isName("and")) {
            const std::size_t pos = next().pos;
            e = binary(Expr::Kind::And, "and", std::move(e), parseNot(depth), pos);
        }
        return e;
    }

    ExprPtr parseNot(int depth) {
        guard(depth);
        if (isName("not")) {
            auto e = make(Expr::Kind::Unary, next().pos);
            e->name = "not";
            e->a = parseNot(depth + 1);
            return e;
        }
        return parseCompare(depth);
    }

    ExprPtr parseCompare(int depth) {
        const std::size_t pos = cur().pos;
        ExprPtr first = parseMath1(depth);
        ExprPtr cmp;
        while (true) {
            std::string op;
            if (cur().type == T::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" || cur().text == "<=" ||
                                        cur().text == ">" || cur().text == ">=")) {
                op = next().text;
            } else if (isName("in")) {
                next();
                op = "in";
            } else if (isName("not") && peek().type == T::Name && peek().text == "in") {
                next();
                next();
                op = "not in";
            } else {
                break;
            }
            if (!cmp) {
                cmp = make(Expr::Kind::Compare, pos);
                cmp->a = std::move(first);
            }
            cmp->ops.push_back(op);
            cmp->items.push_back(parseMath1(depth));
        }
        return cmp ? std::move(cmp) : std::move(first);
    }

    ExprPtr parseMath1(int depth) {
        ExprPtr e = parseConcat(depth);
        while (isOp("+") || isOp("-")) {
            const Token& t = next();
            e = binary(Expr::Kind::Binary, t.text, std::move(e), parseConcat(depth), t.pos);
        }
        return e;
    }

    ExprPtr parseConcat(int depth) {
        ExprPtr e = parseMath2(depth);
        while (isOp("~")) {
            const Token& t = next();
            e = binary(Expr::Kind::Binary, "~", std::move(e), parseMath2(depth), t.pos);
        }
        return e;
    }

    ExprPtr parseMath2(int depth) {
        ExprPtr e = parsePow(depth);
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            const Token& t = next();
            e = binary(Expr::Kind::Binary, t.text, std::move(e), parsePow(depth), t.pos);
        }
        return e;
    }

    ExprPtr parsePow(int depth) {
        ExprPtr e = parseUnary(true, depth);
        while (isOp("**")) {
            const Token& t = next();
            e = binary(Expr::Kind::Binary, "**", std::move(e), parseUnary(true, depth), t.pos);
        }
        return e;
    }

    ExprPtr parseUnary(bool with_filter, int depth) {
        guard(depth);
        ExprPtr e;
        if (isOp("-") || isOp("+")) {
            e = make(Expr::Kind::Unary, cur().pos);
            e->name = next().text;
            e->a = parseUnary(false, depth + 1);
        } else {
            e = parsePrimary(depth + 1);
        }
        e = parsePostfix(std::move(e), depth);
        if (with_filter) e = parseFilterExpr(std::move(e), depth);
        return e;
    }

    ExprPtr parsePrimary(int depth) {
        guard(depth);
        const Token& t = cur();
        auto lit = [&](Value v) {
            auto e = make(Expr::Kind::Literal, t.pos);
            e->literal = std::move(v);
            return e;
        };
        switch (t.type) {
            case T::Name: {
                next();
                if (t.text == "true" || t.text == "True") return lit(Value::boolean(true));
                if (t.text == "false" || t.text == "False") return lit(Value::boolean(false));
                if (t.text == "none" || t.text == "None") return lit(Value::none());
                auto e = make(Expr::Kind::Name, t.pos);
                e->name = t.text;
                return e;
            }
            case T::String: {
                std::string s;
                const std::size_t pos = t.pos;
                while (cur().type == T::String) s += next().text;  // adjacent literals join
                auto e = make(Expr::Kind::Literal, pos);
                e->literal = Value::string(std::move(s));
                return e;
            }
            case T::Int: {
                next();
                errno = 0;
                const long long v = std::strtoll(t.text.c_str(), nullptr, 10);
                if (errno == ERANGE) throw JinjaError("integer literal too large", t.pos);
                return lit(Value::integer(v));
            }
            case T::Float: next(); return lit(Value::number(std::strtod(t.text.c_str(), nullptr)));
            case T::Op:
                if (t.text == "(") return parseParen(depth);
                if (t.text == "[") return parseList(depth);
                if (t.text == "{") return parseDict(depth);
                break;
            default: break;
        }
        fail("expected an expression");
    }

    ExprPtr parseParen(int depth) {
        const std::size_t pos = next().pos;  // (
        if (isOp(")")) {
            next();
            return make(Expr::Kind::Tuple, pos);
        }
        ExprPtr first = parseExpr(true, depth);
        if (!isOp(",")) {
            expectOp(")");
            return first;
        }
        auto t = make(Expr::Kind::Tuple, pos);
        t->items.push_back(std::move(first));
        while (isOp(",")) {
            next();
            if (isOp(")")) break;
            t->items.push_back(parseExpr(true, depth));
        }
        expectOp(")");
        return t;
    }

    ExprPtr parseList(int depth) {
        auto e = make(Expr::Kind::List, next().pos);  // [
        while (!isOp("]")) {
            e->items.push_back(parseExpr(true, depth));
            if (!isOp(",")) break;
            next();
        }
        expectOp("]");
        return e;
    }

    ExprPtr parseDict(int depth) {
        auto e = make(Expr::Kind::Dict, next().pos);  // {
        while (!isOp("}")) {
            e->items.push_back(parseExpr(true, depth));
            expectOp(":");
            e->items.push_back(parseExpr(true, depth));
            if (!isOp(",")) break;
            next();
        }
        expectOp("}");
        return e;
    }

    ExprPtr parsePostfix(ExprPtr e, int depth) {
        while (true) {
            if (isOp(".")) {
                const std::size_t pos = next().pos;
                if (cur().type == T::Int) {
                    auto item = make(Expr::Kind::Item, pos);
                    item->a = std::move(e);
                    item->b = make(Expr::Kind::Literal, cur().pos);
                    item->b->literal = Value::integer(std::strtoll(next().text.c_str(), nullptr, 10));
                    e = std::move(item);
                    continue;
                }
                auto attr = make(Expr::Kind::Attr, pos);
                attr->a = std::move(e);
                attr->name = expectName("an attribute name after '.'");
                e = std::move(attr);
            } else if (isOp("[")) {
                e = parseSubscript(std::move(e), depth);
            } else if (isOp("(")) {
                e = parseCall(std::move(e), depth);
            } else {
                return e;
            }
        }
    }

    ExprPtr parseSubscript(ExprPtr obj, int depth) {
        const std::size_t pos = next().pos;  // [
        ExprPtr parts[3];
        int colons = 0;
        while (!isOp("]")) {
            if (isOp(":")) {
                if (++colons > 2) fail("too many ':' in a slice");
                next();
                continue;
            }
            if (parts[colons]) fail("expected ':' or ']'");
            parts[colons] = parseExpr(true, depth);
        }
        next();  // ]
        if (colons == 0) {
            if (!parts[0]) throw JinjaError("empty subscript '[]'", pos);
            auto e = make(Expr::Kind::Item, pos);
            e->a = std::move(obj);
            e->b = std::move(parts[0]);
            return e;
        }
        auto e = make(Expr::Kind::Slice, pos);
        e->a = std::move(obj);
        for (auto& p : parts) e->items.push_back(std::move(p));
        return e;
    }

    void parseCallArgs(Expr& e, int depth) {
        expectOp("(");
        while (!isOp(")")) {
            if (cur().type == T::Name && peek().type == T::Op && peek().text == "=") {
                std::string key = next().text;
                next();
                e.kwargs.emplace_back(std::move(key), parseExpr(true, depth));
            } else {
                if (!e.kwargs.empty()) fail("positional argument after a keyword argument");
                e.items.push_back(parseExpr(true, depth));
            }
            if (!isOp(",")) break;
            next();
        }
        expectOp(")");
    }

    ExprPtr parseCall(ExprPtr callee, int depth) {
        auto e = make(Expr::Kind::Call, cur().pos);
        e->a = std::move(callee);
        parseCallArgs(*e, depth);
        return e;
    }

    std::string dottedName() {
        std::string name = expectName("a filter or test name");
        while (isOp(".") && peek().type == T::Name) {
            next();
            name += "." + next().text;
        }
        return name;
    }

    ExprPtr parseFilterExpr(ExprPtr e, int depth) {
        while (true) {
            if (isOp("|")) {
                auto f = make(Expr::Kind::Filter, next().pos);
                f->name = dottedName();
                f->a = std::move(e);
                if (isOp("(")) parseCallArgs(*f, depth);
                e = std::move(f);
            } else if (isName("is")) {
                e = parseTest(std::move(e), depth);
            } else if (isOp("(")) {
                e = parseCall(std::move(e), depth);
            } else {
                return e;
            }
        }
    }

    ExprPtr parseTest(ExprPtr subject, int depth) {
        auto t = make(Expr::Kind::Test, next().pos);  // is
        if (isName("not")) {
            next();
            t->negated = true;
        }
        t->name = dottedName();
        t->a = std::move(subject);
        if (isOp("(")) {
            parseCallArgs(*t, depth);
        } else if ((cur().type == T::Name || cur().type == T::String || cur().type == T::Int || cur().type == T::Float ||
                    isOp("[") || isOp("{")) &&
                   !isName("else") && !isName("or") && !isName("and")) {
            if (isName("is")) fail("tests cannot be chained with 'is'");
            ExprPtr arg = parsePrimary(depth + 1);
            t->items.push_back(parsePostfix(std::move(arg), depth));
        }
        return t;
    }

    std::vector<Token> toks_;
    std::size_t i_ = 0;
};

}  // namespace

std::shared_ptr<Template> parseTemplate(const std::string& source) {
    auto t = std::make_shared<Template>();
    t->source = normalizeTemplateSource(source);
    Parser p(tokenize(t->source));
    t->body = p.parseTemplateBody();
    return t;
}

}  // namespace srs::tokenizer::jinja
