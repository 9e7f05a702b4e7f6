#include "core/tokenizer/jinja_eval.h"

#include "core/tokenizer/jinja_builtins.h"

namespace srs::tokenizer::jinja {

const Value* Interpreter::Scope::lookup(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent)
        for (const auto& [k, v] : s->vars)
            if (k == name) return &v;
    return nullptr;
}

void Interpreter::Scope::set(const std::string& name, Value v) {
    for (auto& [k, old] : vars)
        if (k == name) {
            old = std::move(v);
            return;
        }
    vars.emplace_back(name, std::move(v));
}

namespace {

// A namespace inside a namespace could make a cycle (ns.a = ns), which printing would follow
// forever; chat templates never need it, so it is refused.
bool holdsNamespace(const Value& v) {
    if (v.isNamespace()) return true;
    if (v.isList())
        for (const auto& x : v.items())
            if (holdsNamespace(x)) return true;
    if (v.isDict())
        for (const auto& [k, x] : v.entries())
            if (holdsNamespace(x)) return true;
    return false;
}

}  // namespace

Interpreter::Interpreter(const Template& tmpl, RenderLimits limits) : tmpl_(tmpl), limits_(limits) {
    globals_.vars = makeGlobals();
}

std::string Interpreter::render(const Dict& variables) {
    Scope root{&globals_, variables};
    root_ = &root;
    scope_ = &root;
    std::string out;
    out_ = &out;
    meter_ = WorkMeter{0, limits_.max_steps};
    WorkMeterScope metering(&meter_);
    exec(tmpl_.body);
    root_ = scope_ = nullptr;
    out_ = nullptr;
    return out;
}

void Interpreter::step(std::size_t pos) { chargeWork(1, pos); }

void Interpreter::checkSize(std::size_t bytes, std::size_t pos) const {
    if (bytes > limits_.max_output_bytes)
        throw JinjaError("the template built a string over " + std::to_string(limits_.max_output_bytes >> 20) + " MiB; stopped", pos);
}

void Interpreter::write(const std::string& text, std::size_t pos) {
    checkSize(out_->size() + text.size(), pos);
    chargeWork(text.size() / 256, pos);
    out_->append(text);
}

Interpreter::Flow Interpreter::exec(const Body& body) {
    for (const auto& s : body) {
        const Flow f = execStmt(*s);
        if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::execStmt(const Stmt& s) {
    step(s.pos);
    switch (s.kind) {
        case Stmt::Kind::Text: write(s.text, s.pos); return Flow::Normal;
        case Stmt::Kind::Output: write(eval(*s.expr).toStr(), s.pos); return Flow::Normal;
        case Stmt::Kind::If: return execIf(s);
        case Stmt::Kind::For: return execFor(s);
        case Stmt::Kind::Set: execSet(s); return Flow::Normal;
        case Stmt::Kind::SetBlock: scope_->set(s.targets[0], Value::string(capture(s.body))); return Flow::Normal;
        case Stmt::Kind::Macro: defineMacro(s); return Flow::Normal;
        case Stmt::Kind::Break: return Flow::Break;
        case Stmt::Kind::Continue: return Flow::Continue;
        case Stmt::Kind::Block: return exec(s.body);
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::execIf(const Stmt& s) {
    for (const auto& [cond, body] : s.branches) {
        if (!cond || eval(*cond).truthy()) return exec(body);
    }
    return Flow::Normal;
}

void Interpreter::bindTargets(Scope& scope, const Stmt& s, const Value& item) {
    if (!s.unpack) {
        scope.set(s.targets[0], item);
        return;
    }
    const List parts = item.isString() ? iterate(item, s.pos) : item.isList() ? item.items() : List{};
    if (!item.isString() && !item.isList())
        throw JinjaError("cannot unpack a " + item.typeName() + " into " + std::to_string(s.targets.size()) + " names", s.pos);
    if (parts.size() != s.targets.size())
        throw JinjaError("cannot unpack " + std::to_string(parts.size()) + " values into " + std::to_string(s.targets.size()) + " names", s.pos);
    for (std::size_t i = 0; i < parts.size(); ++i) scope.set(s.targets[i], parts[i]);
}

Interpreter::Flow Interpreter::execFor(const Stmt& s) {
    List items = iterate(eval(*s.expr), s.expr->pos);
    Scope* outer = scope_;
    if (s.filter) {  // "for x in xs if cond": the loop (and loop.*) sees only the kept items
        List kept;
        for (const auto& item : items) {
            Scope probe{outer, {}};
            bindTargets(probe, s, item);
            scope_ = &probe;
            const bool keep = eval(*s.filter).truthy();
            scope_ = outer;
            if (keep) kept.push_back(item);
        }
        items = std::move(kept);
    }
    const auto n = static_cast<std::int64_t>(items.size());
    for (std::int64_t i = 0; i < n; ++i) {
        step(s.pos);
        Scope iter{outer, {}};
        bindTargets(iter, s, items[static_cast<std::size_t>(i)]);
        Dict loop = {{"index", Value::integer(i + 1)},
                     {"index0", Value::integer(i)},
                     {"revindex", Value::integer(n - i)},
                     {"revindex0", Value::integer(n - i - 1)},
                     {"first", Value::boolean(i == 0)},
                     {"last", Value::boolean(i == n - 1)},
                     {"length", Value::integer(n)},
                     {"previtem", i > 0 ? items[static_cast<std::size_t>(i - 1)] : Value::undefined("there is no previous item")},
                     {"nextitem", i + 1 < n ? items[static_cast<std::size_t>(i + 1)] : Value::undefined("there is no next item")}};
        loop.emplace_back("cycle", Value::function("loop.cycle", [i](const CallArgs& a) {
                              if (a.args.empty()) throw JinjaError("loop.cycle needs at least one argument", a.pos);
                              return a.args[static_cast<std::size_t>(i) % a.args.size()];
                          }));
        iter.set("loop", Value::dict(std::move(loop)));
        scope_ = &iter;
        const Flow f = exec(s.body);
        scope_ = outer;
        if (f == Flow::Break) break;
    }
    if (n == 0 && !s.else_body.empty()) {
        Scope other{outer, {}};
        scope_ = &other;
        const Flow f = exec(s.else_body);
        scope_ = outer;
        return f;
    }
    return Flow::Normal;
}

void Interpreter::execSet(const Stmt& s) {
    Value v = eval(*s.expr);
    if (!s.attr.empty()) {
        const Value* target = scope_->lookup(s.targets[0]);
        if (!target || !target->isNamespace())
            throw JinjaError("cannot assign attribute '" + s.attr + "' on '" + s.targets[0] + "': only namespace() objects take attributes", s.pos);
        if (!s.attr.empty() && s.attr[0] == '_') throw JinjaError("namespace attributes may not start with '_'", s.pos);
        if (holdsNamespace(v)) throw JinjaError("a namespace attribute cannot hold a namespace", s.pos);
        Dict& entries = target->mutableEntries();
        for (auto& [k, old] : entries)
            if (k == s.attr) {
                old = std::move(v);
                return;
            }
        entries.emplace_back(s.attr, std::move(v));
        return;
    }
    bindTargets(*scope_, s, v);
}

std::string Interpreter::capture(const Body& body) {
    std::string buffer;
    std::string* saved = out_;
    out_ = &buffer;
    try {
        exec(body);
    } catch (...) {
        out_ = saved;
        throw;
    }
    out_ = saved;
    return buffer;
}

void Interpreter::defineMacro(const Stmt& s) {
    const Stmt* def = &s;
    scope_->set(s.name, Value::function(s.name, [this, def](const CallArgs& a) { return callMacro(*def, a); }));
}

Value Interpreter::callMacro(const Stmt& s, const CallArgs& args) {
    if (args.args.size() > s.params.size())
        throw JinjaError("macro '" + s.name + "' takes not more than " + std::to_string(s.params.size()) + " argument(s)", args.pos);
    if (call_depth_ >= limits_.max_call_depth)
        throw JinjaError("macro calls nested deeper than " + std::to_string(limits_.max_call_depth) + " (runaway recursion?)", args.pos);
    Scope frame{root_, {}};
    Scope* saved = scope_;
    scope_ = &frame;
    ++call_depth_;
    std::string result;
    try {
        for (std::size_t i = 0; i < s.params.size(); ++i) {
            const auto& [name, def] = s.params[i];
            const Value* given = args.get(i, name.c_str());
            frame.set(name, given ? *given : def ? eval(*def) : Value::undefined("parameter '" + name + "' was not given"));
        }
        for (const auto& [k, v] : args.kwargs) {
            bool known = false;
            for (const auto& p : s.params) known = known || p.first == k;
            if (!known) throw JinjaError("macro '" + s.name + "' takes no keyword argument '" + k + "'", args.pos);
        }
        result = capture(s.body);
    } catch (...) {
        scope_ = saved;
        --call_depth_;
        throw;
    }
    scope_ = saved;
    --call_depth_;
    return Value::string(std::move(result));
}

Value Interpreter::call(const Value& callee, const CallArgs& args) {
    requireDefined(callee, args.pos);
    if (!callee.isFunction()) throw JinjaError("'" + callee.typeName() + "' object is not callable", args.pos);
    return callee.fn().fn(args);
}

CallArgs Interpreter::evalArgs(const Expr& e) {
    CallArgs a;
    a.pos = e.pos;
    for (const auto& x : e.items) a.args.push_back(eval(*x));
    for (const auto& [k, x] : e.kwargs) a.kwargs.emplace_back(k, eval(*x));
    return a;
}

Value Interpreter::evalCall(const Expr& e) {
    Value callee = eval(*e.a);
    return call(callee, evalArgs(e));
}

Value Interpreter::evalCollection(const Expr& e) {
    if (e.kind == Expr::Kind::Dict) {
        Dict d;
        for (std::size_t i = 0; i + 1 < e.items.size(); i += 2) {
            Value k = eval(*e.items[i]);
            if (!k.isString()) throw JinjaError("dict keys must be strings here, got " + k.typeName(), e.items[i]->pos);
            Value v = eval(*e.items[i + 1]);
            bool replaced = false;
            for (auto& [key, old] : d)
                if (key == k.str()) {
                    old = v;
                    replaced = true;
                }
            if (!replaced) d.emplace_back(k.str(), std::move(v));
        }
        return Value::dict(std::move(d));
    }
    List items;
    for (const auto& x : e.items) items.push_back(eval(*x));
    return Value::list(std::move(items), e.kind == Expr::Kind::Tuple);
}

Value Interpreter::evalSlice(const Expr& e) {
    Value obj = eval(*e.a);
    Value parts[3];
    const Value* ptr[3] = {nullptr, nullptr, nullptr};
    for (int i = 0; i < 3; ++i)
        if (e.items[static_cast<std::size_t>(i)]) {
            parts[i] = eval(*e.items[static_cast<std::size_t>(i)]);
            ptr[i] = &parts[i];
        }
    return sliceValue(obj, ptr[0], ptr[1], ptr[2], e.pos);
}

Value Interpreter::evalBinary(const Expr& e) {
    Value a = eval(*e.a);
    Value b = eval(*e.b);
    return binaryOp(*this, e.name, a, b, e.pos);
}

Value Interpreter::evalCompare(const Expr& e) {
    Value left = eval(*e.a);
    for (std::size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.items[i]);
        const std::string& op = e.ops[i];
        bool r = false;
        if (op == "==") r = equals(left, right);
        else if (op == "!=") r = !equals(left, right);
        else if (op == "in") r = containsValue(right, left, e.pos);
        else if (op == "not in") r = !containsValue(right, left, e.pos);
        else {
            requireDefined(left, e.pos);
            requireDefined(right, e.pos);
            try {
                if (op == "<") r = lessThan(left, right);
                else if (op == ">") r = lessThan(right, left);
                else if (op == "<=") r = !lessThan(right, left);
                else r = !lessThan(left, right);
            } catch (const JinjaError& err) {
                throw JinjaError(err.what(), e.pos);
            }
        }
        if (!r) return Value::boolean(false);
        left = std::move(right);
    }
    return Value::boolean(true);
}

Value Interpreter::eval(const Expr& e) {
    step(e.pos);
    switch (e.kind) {
        case Expr::Kind::Literal: return e.literal;
        case Expr::Kind::Name: {
            const Value* v = scope_->lookup(e.name);
            return v ? *v : Value::undefined("'" + e.name + "' is undefined");
        }
        case Expr::Kind::List:
        case Expr::Kind::Tuple:
        case Expr::Kind::Dict: return evalCollection(e);
        case Expr::Kind::Attr: return getAttribute(eval(*e.a), e.name, e.pos);
        case Expr::Kind::Item: {
            Value obj = eval(*e.a);
            return getItem(obj, eval(*e.b), e.pos);
        }
        case Expr::Kind::Slice: return evalSlice(e);
        case Expr::Kind::Call: return evalCall(e);
        case Expr::Kind::Filter: {
            Value input = eval(*e.a);
            return applyFilter(*this, e.name, input, evalArgs(e));
        }
        case Expr::Kind::Test: {
            Value input = eval(*e.a);
            const bool r = applyTest(*this, e.name, input, evalArgs(e));
            return Value::boolean(e.negated ? !r : r);
        }
        case Expr::Kind::Unary: {
            Value v = eval(*e.a);
            if (e.name == "not") return Value::boolean(!v.truthy());
            return binaryOp(*this, e.name == "-" ? "neg" : "pos", v, Value(), e.pos);
        }
        case Expr::Kind::Binary: return evalBinary(e);
        case Expr::Kind::Compare: return evalCompare(e);
        case Expr::Kind::And: {
            Value a = eval(*e.a);
            return a.truthy() ? eval(*e.b) : a;
        }
        case Expr::Kind::Or: {
            Value a = eval(*e.a);
            return a.truthy() ? a : eval(*e.b);
        }
        case Expr::Kind::Cond:
            if (eval(*e.b).truthy()) return eval(*e.a);
            return e.c ? eval(*e.c) : Value::undefined("the condition of an 'if' expression without 'else' was false");
    }
    return Value();
}

List iterate(const Value& v, std::size_t pos) {
    switch (v.kind()) {
        case Value::Kind::Undefined: return {};
        case Value::Kind::List: return v.items();
        case Value::Kind::Dict: {
            List keys;
            for (const auto& [k, x] : v.entries()) keys.push_back(Value::string(k));
            return keys;
        }
        case Value::Kind::String: {
            List chars;
            for (auto& c : codePoints(v.str())) chars.push_back(Value::string(std::move(c)));
            return chars;
        }
        default: throw JinjaError("'" + v.typeName() + "' object is not iterable", pos);
    }
}

}  // namespace srs::tokenizer::jinja
