// Chat templates rendered by our Jinja interpreter (core/tokenizer/jinja*.{h,cpp}) and loaded by
// core/tokenizer/chat_template.h: small templates for each construct with outputs worked out by
// hand (and checked against Jinja 2 in transformers' environment), whitespace control as
// trim_blocks/lstrip_blocks set it, errors for malformed and runaway templates (never a crash or
// a hang), and the real Qwen3 and Llama 3 templates of shared/data/tokenizers on a system + user
// conversation. Byte-exact agreement with transformers over many conversations and more
// templates is tests/interop/transformers/check_chat_template.py.
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <ctime>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/gguf_writer.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/jinja.h"
#include "support/test_paths.h"

using namespace srs::tokenizer;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(std::string)

namespace {

srs::Result<std::string> render(const std::string& src, const std::string& vars_json = "{}", const jinja::RenderLimits& limits = {}) {
    return renderJinja(src, ordered_json::parse(vars_json), limits);
}

QString q(const std::string& s) { return QString::fromStdString(s); }

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

const char* kMessagesVars = R"({"messages": [{"role": "system", "content": "Be brief."},
                                             {"role": "user", "content": "Hi  "},
                                             {"role": "assistant", "content": "Hello"}],
                                "add_generation_prompt": true, "bos_token": "<s>"})";

}  // namespace

class TestChatTemplate : public QObject {
    Q_OBJECT

private slots:
    void renders_data();
    void renders();
    void errors_data();
    void errors();
    void raiseExceptionSurfacesMessage();
    void runawayTemplatesStop();
    void deepNestingIsAnErrorNotACrash();
    void errorsNamePosition();
    void strftimeNow();
    void qwen3Template();
    void llama3Template();
    void folderLoaderSources();
    void ggufLoader();
};

void TestChatTemplate::renders_data() {
    QTest::addColumn<std::string>("tmpl");
    QTest::addColumn<std::string>("vars");
    QTest::addColumn<std::string>("expected");
    auto row = [](const char* name, std::string t, std::string v, std::string e) { QTest::newRow(name) << t << v << e; };
    // Text, output, comments; the one trailing newline of a template is dropped.
    row("text", "plain text\n", "{}", "plain text");
    row("output", "{{ 'a' }}{{ 1 }}{{ 2.5 }}{{ true }}{{ none }}{{ x }}|", "{}", "a12.5TrueNone|");
    row("comment", "a{# gone #}b", "{}", "ab");
    // Whitespace: trim_blocks, lstrip_blocks, "-" and "+" markers.
    row("trim_lstrip", "  {% if true %}\n  x\n  {% endif %}\n  {{ 'v' }}  \n{# c #}\nend\n", "{}", "  x\n  v  \nend");
    row("dash", "a  {%- if true -%}  b  {%- endif -%}  c {{- ' d ' -}} e", "{}", "abc d e");
    row("plus", "{%+ if true %}x{% endif +%}\ny", "{}", "x\ny");
    row("raw", "{% raw %}{{ x }}{% endraw %}", "{}", "{{ x }}");
    // Literals.
    row("string_escapes", R"({{ 'a\nb\t\'c\'' }}{{ "\"q\"" }}{{ '\x41\u00e9' }}{{ 'x' 'y' }})", "{}", "a\nb\t'c'\"q\"A\xc3\xa9xy");
    row("list_repr", "{{ [1, 'two', none, false, 2.5, {'k': \"it's\"}] }}", "{}", "[1, 'two', None, False, 2.5, {'k': \"it's\"}]");
    row("tuple_repr", "{{ (1, 2) }}{{ (1,) }}{{ () }}", "{}", "(1, 2)(1,)()");
    row("floats", "{{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e15 }} {{ 1e-5 }} {{ 10 / 2 }} {{ 1.0 }}", "{}",
        "0.30000000000000004 1e+20 1000000000000000.0 1e-05 5.0 1.0");
    // Operators.
    row("arith", "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 3 - -2 }} {{ true + 1 }}", "{}", "3 -4 2 3.5 1024 5 2");
    row("concat", "{{ 'a' + 'b' }} {{ 'a' ~ 1 ~ none }} {{ [1] + [2] }} {{ 'ab' * 2 }}", "{}", "ab a1None [1, 2] abab");
    row("compare", "{{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }} {{ x == y }} {{ [1, 2] == [1, 2] }}", "{}",
        "True True True True True True");
    row("logic", "{{ none or 'f' }} {{ 0 and 'n' }} {{ 'a' and 'b' }} {{ not '' }}", "{}", "f 0 b True");
    row("in", "{{ 'b' in 'abc' }} {{ 1 in [1] }} {{ 'k' in {'k': 1} }} {{ 'z' not in ['a'] }} {{ 'a' in u }}", "{}",
        "True True True True False");
    row("ternary", "{{ 'y' if 1 else 'n' }}{{ 'y' if 0 else 'n' }}[{{ 'y' if 0 }}]", "{}", "yn[]");
    // Access: attributes, subscripts, slices, missing values are undefined.
    row("access", "{{ m.role }} {{ m['content'] }} {{ m.missing }}|{{ l[-1] }} {{ l[5] }}|{{ none.x }}", R"({"m": {"role": "r", "content": "c"}, "l": [1, 2]})",
        "r c |2 |");
    row("slices", "{{ 'abcdef'[1:4] }} {{ 'abcdef'[::-2] }} {{ [1, 2, 3][1:] }} {{ [1, 2, 3][::-1] }} {{ [1, 2, 3][-5:2] }} {{ 'h\xc3\xa9llo'[1] }}", "{}",
        "bcd fdb [2, 3] [3, 2, 1] [1, 2] \xc3\xa9");
    // Statements.
    row("if_elif", "{% for i in [1, 2, 3] %}{% if i == 1 %}a{% elif i == 2 %}b{% else %}c{% endif %}{% endfor %}", "{}", "abc");
    row("for_loop", "{% for x in 'ab' %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }};{% endfor %}", "{}",
        "10TrueFalse22;21FalseTrue21;");
    row("for_filter_else", "{% for a in [1, 2, 3] if a != 2 %}{{ loop.index }}/{{ loop.length }}{% else %}E{% endfor %}{% for a in [] %}x{% else %}E{% endfor %}", "{}",
        "1/22/2E");
    row("for_unpack_dict", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}", R"({"d": {"b": 1, "a": 2}})", "b=1;a=2;ba");
    row("break_continue", "{% for i in range(6) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}", "{}", "023");
    row("loop_cycle_prev", "{% for i in [1, 2] %}{{ loop.cycle('a', 'b') }}{{ loop.previtem }}{% endfor %}", "{}", "ab1");
    row("set_scope", "{% set x = 5 %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}|{{ x }}", "{}", "5152|5");
    row("set_in_if_leaks", "{% if true %}{% set y = 'in' %}{% endif %}{{ y }}", "{}", "in");
    row("namespace", "{% set ns = namespace(a=1, l=[]) %}{% for i in range(3) %}{% set ns.a = ns.a + i %}{% set ns.l = ns.l + [i] %}{% endfor %}{{ ns.a }} {{ ns.l }}", "{}",
        "4 [0, 1, 2]");
    row("set_tuple_block", "{% set a, b = [1, 2] %}{% set c %}x{{ a + b }}{% endset %}{{ c }}", "{}", "x3");
    row("macro", "{% macro m(v, label='v') %}[{{ label }}={{ v }}{{ g }}]{% endmacro %}{% set g = '!' %}{{ m(1) }}{{ m(label='k', v=2) }}", "{}", "[v=1!][k=2!]");
    row("generation_tag", "{% generation %}kept{% endgeneration %}", "{}", "kept");
    row("unknown_filter_not_reached", "{% if false %}{{ x | nosuch }}{% endif %}ok{{ [u] }}", "{}", "ok[Undefined]");
    // Filters.
    row("filters_text", "{{ '  t  '|trim }}|{{ 'xxhixx'|trim('x') }}|{{ 'aB'|upper }}{{ 'aB'|lower }}|{{ 'hELLO wORLD'|capitalize }}|{{ 'hello-world x'|title }}|{{ 5|string + 'a' }}", "{}",
        "t|hi|ABab|Hello world|Hello-World X|5a");
    row("filters_seq", "{{ [3, 1, 2]|length }} {{ 'abc'|count }} {{ [1, 2]|first }} {{ 'abc'|last }} {{ [1, 2]|join(', ') }} {{ 'abc'|reverse }} {{ [3, 1, 2]|sort }} {{ ['b', 'A']|sort }} {{ [1, 1, 2]|unique|list }}", "{}",
        "3 3 1 c 1, 2 cba [1, 2, 3] ['A', 'b'] [1, 2]");
    row("filters_default", "{{ u|default('d') }} {{ ''|default('d') }}|{{ ''|default('d', true) }} {{ none|default('d') }} {{ u|length }}", "{}", "d |d None 0");
    row("filters_replace_items", "{{ 'aXbX'|replace('X', '-') }} {{ 'aXbX'|replace('X', '-', 1) }} {{ {'a': 1}|items|list }}", "{}", "a-b- a-bX [('a', 1)]");
    row("filters_map_select", "{{ ms|map(attribute='role')|join(',') }} {{ ms|selectattr('role', 'equalto', 'user')|list|length }} {{ [1, 2, 3, 4]|select('odd')|list }} {{ ['a', 'b']|map('upper')|list }}",
        R"({"ms": [{"role": "user"}, {"role": "assistant"}, {"role": "user"}]})", "user,assistant,user 2 [1, 3] ['A', 'B']");
    row("filters_numbers", "{{ '12'|int + 1 }} {{ 'x'|int }} {{ '2.5'|float }} {{ -3|abs }} {{ 2.567|round(1) }} {{ [1, 2, 3]|sum }} {{ [4, 9, 2]|max }}", "{}",
        "13 0 2.5 3 2.6 6 9");
    row("tojson", R"({{ d|tojson }} {{ [1, 2]|tojson(indent=2) }} {{ 'é"\n'|tojson }} {{ 'é'|tojson(ensure_ascii=true) }} {{ 1.0|tojson }})",
        R"({"d": {"b": 1, "a": [true, null, "x"]}})", "{\"b\": 1, \"a\": [true, null, \"x\"]} [\n  1,\n  2\n] \"\xc3\xa9\\\"\\n\" \"\\u00e9\" 1.0");
    row("indent_format", "{{ 'a\\nb'|indent(2) }}|{{ '%s=%d'|format('x', 3) }}", "{}", "a\n  b|x=3");
    // Tests.
    row("tests", "{{ x is defined }}{{ x is undefined }}{{ none is none }}{{ 'a' is string }}{{ 1 is number }}{{ {} is mapping }}{{ [] is iterable }}{{ 'a' is sequence }}{{ 0 is false }}{{ false is false }}{{ true is true }}{{ 3 is odd }}{{ 4 is divisibleby 2 }}{{ 'a' is equalto 'a' }}{{ 1 is not none }}",
        "{}", "FalseTrueTrueTrueTrueTrueTrueTrueFalseTrueTrueTrueTrueTrueTrue");
    // str and dict methods.
    row("str_methods", "{{ 'ab'.startswith('a') }}{{ 'ab'.endswith(('x', 'b')) }}|{{ ' s '.strip() }}|{{ 'xsx'.strip('x') }}|{{ ' l'.lstrip() }}|{{ 'r '.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'hi you'.title() }}|{{ 'aB'.upper() }}{{ 'aB'.lower() }}|{{ 'abab'.replace('b', 'c') }}",
        "{}", "TrueTrue|s|s|l|r|['a', 'b', '', 'c']|['a', 'b']|Hi You|ABab|acac");
    row("dict_methods", "{{ d.get('a') }} {{ d.get('z', 0) }} {{ d.get('z') }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }}", R"({"d": {"a": 1, "b": 2}})",
        "1 0 None ['a', 'b'] [1, 2] [('a', 1), ('b', 2)]");
    // transformers' variables as a chat template sees them.
    row("chat_like", "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content | trim }}</{{ m.role }}>\n{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
        kMessagesVars, "<s><system>Be brief.</system>\n<user>Hi</user>\n<assistant>Hello</assistant>\n<assistant>");
}

void TestChatTemplate::renders() {
    QFETCH(std::string, tmpl);
    QFETCH(std::string, vars);
    QFETCH(std::string, expected);
    auto out = render(tmpl, vars);
    QVERIFY2(out.ok(), out.ok() ? "" : out.error().toString().c_str());
    QCOMPARE(q(*out), q(expected));
}

void TestChatTemplate::errors_data() {
    QTest::addColumn<std::string>("tmpl");
    QTest::addColumn<std::string>("message_part");
    auto row = [](const char* name, std::string t, std::string m) { QTest::newRow(name) << t << m; };
    row("unclosed_var", "a {{ x ", "unclosed tag: missing '}}'");
    row("unclosed_block", "{% if true ", "unclosed tag: missing '%}'");
    row("unclosed_comment", "{# never ends", "missing end of comment tag");
    row("missing_endif", "{% if true %}x", "missing '{% endif %}'");
    row("missing_endfor", "{% for x in y %}x", "missing '{% endfor %}'");
    row("unknown_filter", "{{ x | nosuchfilter }}", "unknown filter 'nosuchfilter'");
    row("unknown_filter_in_loop", "{% for m in [1] %}{% if m %}{{ m | nosuch(1) }}{% endif %}{% endfor %}", "unknown filter 'nosuch'");
    row("unknown_test", "{{ x is nosuchtest }}", "unknown test 'nosuchtest'");
    row("unknown_tag", "{% include 'x' %}", "unknown or unexpected tag 'include'");
    row("stray_end", "{% endif %}", "unknown or unexpected tag 'endif'");
    row("bad_expr", "{{ 1 + }}", "expected an expression");
    row("unbalanced", "{{ (1 }}", "expected ')'");
    row("undefined_arith", "{{ x + 1 }}", "'x' is undefined");
    row("undefined_attr_chain", "{{ x.y.z }}", "'x' is undefined");
    row("type_error", "{{ 'a' + 1 }}", "unsupported operand types for +: 'str' and 'int'");
    row("div_zero", "{{ 1 // 0 }}", "division by zero");
    row("not_callable", "{{ 'a'() }}", "not callable");
    row("ns_attr_on_non_ns", "{% set d = {} %}{% set d.x = 1 %}", "only namespace() objects take attributes");
    row("iterate_none", "{% for x in none %}{% endfor %}", "'NoneType' object is not iterable");
    row("unterminated_string", "{{ 'abc }}", "unterminated string literal");
}

void TestChatTemplate::errors() {
    QFETCH(std::string, tmpl);
    QFETCH(std::string, message_part);
    auto out = render(tmpl);
    QVERIFY2(!out.ok(), "rendered a malformed template");
    QVERIFY2(out.error().message.find(message_part) != std::string::npos, out.error().toString().c_str());
    QVERIFY(!out.error().hint.empty());
}

void TestChatTemplate::raiseExceptionSurfacesMessage() {
    const std::string gemma_like =
        "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}ok";
    auto out = render(gemma_like, kMessagesVars);
    QVERIFY(!out.ok());
    QCOMPARE(q(out.error().message), QStringLiteral("the template raised an error: System role not supported"));
    QVERIFY(render(gemma_like, R"({"messages": [{"role": "user", "content": "x"}]})").ok());
}

void TestChatTemplate::runawayTemplatesStop() {
    jinja::RenderLimits limits;
    limits.max_steps = 200000;
    // Nested loops of 10^10 iterations: stopped by the step budget, quickly.
    QElapsedTimer t;
    t.start();
    auto loops = render("{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}", "{}", limits);
    QVERIFY(!loops.ok());
    QVERIFY2(loops.error().message.find("ran too long") != std::string::npos, loops.error().toString().c_str());
    QVERIFY(t.elapsed() < 10000);
    // Unbounded recursion through a macro: stopped by the call depth.
    auto rec = render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    QVERIFY(!rec.ok());
    QVERIFY2(rec.error().message.find("nested deeper") != std::string::npos, rec.error().toString().c_str());
    // A string too large to build, and a range too long.
    auto big = render("{{ 'x' * 1000000000 }}");
    QVERIFY(!big.ok());
    QVERIFY2(big.error().message.find("MiB") != std::string::npos, big.error().toString().c_str());
    auto doubling = render("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}");
    QVERIFY(!doubling.ok());
    // Work proportional to data counts too: copying a 10 MB string in a loop stops long before
    // the 100000 iterations (few steps each) are done.
    t.restart();
    auto copies = render("{% set s = 'x' * 10000000 %}{% for i in range(100000) %}{% set t = s + 'y' %}{% endfor %}done");
    QVERIFY(!copies.ok());
    QVERIFY2(copies.error().message.find("ran too long") != std::string::npos, copies.error().toString().c_str());
    QVERIFY(t.elapsed() < 10000);
    // Values nested without bound, and a namespace holding itself (a cycle), are refused.
    auto nested = render("{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = [ns.l] %}{% endfor %}{{ ns.l }}");
    QVERIFY(!nested.ok());
    QVERIFY2(nested.error().message.find("nested deeper") != std::string::npos, nested.error().toString().c_str());
    auto cycle = render("{% set ns = namespace(a=1) %}{% set ns.me = [ns] %}{{ ns }}");
    QVERIFY(!cycle.ok());
    QVERIFY2(cycle.error().message.find("cannot hold a namespace") != std::string::npos, cycle.error().toString().c_str());
    auto range = render("{{ range(1000000000)|length }}");
    QVERIFY(!range.ok());
    QVERIFY2(range.error().message.find("range() too big") != std::string::npos, range.error().toString().c_str());
}

void TestChatTemplate::deepNestingIsAnErrorNotACrash() {
    std::string deep = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
    auto out = render(deep);
    QVERIFY(!out.ok());
    QVERIFY2(out.error().message.find("nested too deeply") != std::string::npos, out.error().toString().c_str());
    std::string ifs;
    for (int i = 0; i < 3000; ++i) ifs += "{% if true %}";
    QVERIFY(!render(ifs).ok());
    std::string nots = "{{ " + [] { std::string s; for (int i = 0; i < 5000; ++i) s += "not "; return s; }() + "1 }}";
    QVERIFY(!render(nots).ok());
}

void TestChatTemplate::errorsNamePosition() {
    auto out = render("line one\n{{ 'ok' }}\n  {{ x | nosuch }}");
    QVERIFY(!out.ok());
    QVERIFY2(out.error().message.find("line 3, column 8") != std::string::npos, out.error().toString().c_str());
    auto rt = render("a\n{% for m in msgs %}{{ m.content + 1 }}{% endfor %}", R"({"msgs": [{"content": "c"}]})");
    QVERIFY(!rt.ok());
    QVERIFY2(rt.error().message.find("line 2") != std::string::npos, rt.error().toString().c_str());
}

void TestChatTemplate::strftimeNow() {
    auto out = render("{{ strftime_now('%Y') }}");
    QVERIFY(out.ok());
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    QCOMPARE(q(*out), QString::number(local.tm_year + 1900));
}

void TestChatTemplate::qwen3Template() {
    SRS_REQUIRE_SHARED(dir, "tokenizers/qwen3/tokenizer_config.json");
    auto t = loadChatTemplate(QFileInfo(dir).absolutePath().toStdString());
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
    QVERIFY(t->has_value());
    const ChatTemplate& tmpl = **t;
    QCOMPARE(q(tmpl.bos_token), QString());
    QCOMPARE(q(tmpl.eos_token), QStringLiteral("<|im_end|>"));
    QCOMPARE(tmpl.end_of_turn_tokens, std::vector<std::string>{"<|im_end|>"});
    const std::vector<ChatMessage> chat = {{"system", "You are a terse assistant."}, {"user", "What is 2 + 2?"}};
    auto out = renderChat(tmpl, chat, true);
    QVERIFY2(out.ok(), out.ok() ? "" : out.error().toString().c_str());
    QCOMPARE(q(*out), QStringLiteral("<|im_start|>system\nYou are a terse assistant.<|im_end|>\n"
                                     "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n"));
    auto no_think = renderChat(tmpl, chat, true, ordered_json{{"enable_thinking", false}});
    QVERIFY(no_think.ok());
    QCOMPARE(q(*no_think), q(*out) + QStringLiteral("<think>\n\n</think>\n\n"));
    // A past assistant turn's reasoning is dropped; the reply is kept.
    auto multi = renderChat(tmpl, {{"user", "Hi"}, {"assistant", "<think>\nhmm\n</think>\n\nHello!"}, {"user", "Bye"}}, false);
    QVERIFY(multi.ok());
    QCOMPARE(q(*multi), QStringLiteral("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
                                       "<|im_start|>user\nBye<|im_end|>\n"));
}

void TestChatTemplate::llama3Template() {
    SRS_REQUIRE_SHARED(dir, "tokenizers/llama3/tokenizer_config.json");
    auto t = loadChatTemplate(QFileInfo(dir).absolutePath().toStdString());
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
    QVERIFY(t->has_value());
    const ChatTemplate& tmpl = **t;
    QCOMPARE(q(tmpl.bos_token), QStringLiteral("<|begin_of_text|>"));
    QCOMPARE(q(tmpl.eos_token), QStringLiteral("<|end_of_text|>"));
    QCOMPARE(tmpl.end_of_turn_tokens, std::vector<std::string>{"<|eot_id|>"});
    auto out = renderChat(tmpl, {{"system", "You are a terse assistant."}, {"user", "What is 2 + 2?"}}, true);
    QVERIFY2(out.ok(), out.ok() ? "" : out.error().toString().c_str());
    QCOMPARE(q(*out), QStringLiteral("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a terse assistant.<|eot_id|>"
                                     "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|>"
                                     "<|start_header_id|>assistant<|end_header_id|>\n\n"));
}

void TestChatTemplate::folderLoaderSources() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    // No template at all: nullopt, not an error.
    writeText(dir / "tokenizer_config.json", R"({"bos_token": "<s>"})");
    auto none = loadChatTemplate(dir.string());
    QVERIFY(none.ok());
    QVERIFY(!none->has_value());
    // The list form: the "default" entry; tokens as {"content": ...}; special tokens from
    // added_tokens_decoder; the end-of-turn token follows the assistant's reply.
    writeText(dir / "tokenizer_config.json", R"({
        "chat_template": [{"name": "tool_use", "template": "TOOLS"},
                          {"name": "default", "template": "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>\n{% endfor %}"}],
        "bos_token": {"content": "<s>", "special": true}, "eos_token": null,
        "added_tokens_decoder": {"1": {"content": "<s>", "special": true}, "2": {"content": "<|end|>", "special": true},
                                 "3": {"content": "<|user|>", "special": true}, "4": {"content": "plain", "special": false}}})");
    writeText(dir / "special_tokens_map.json", R"({"eos_token": {"content": "</s>"}})");
    auto listed = loadChatTemplate(dir.string());
    QVERIFY2(listed.ok(), listed.ok() ? "" : listed.error().toString().c_str());
    QVERIFY(listed->has_value());
    QCOMPARE(q((*listed)->bos_token), QStringLiteral("<s>"));
    QCOMPARE(q((*listed)->eos_token), QStringLiteral("</s>"));
    QCOMPARE((*listed)->end_of_turn_tokens, std::vector<std::string>{"<|end|>"});
    auto out = renderChat(**listed, {{"user", "a"}, {"assistant", "b"}}, false);
    QVERIFY(out.ok());
    QCOMPARE(q(*out), QStringLiteral("<|user|>a<|end|>\n<|assistant|>b<|end|>\n"));
    // chat_template.jinja wins over the config (as transformers 5 loads it).
    writeText(dir / "chat_template.jinja", "JINJA FILE {{ messages|length }}\n");
    auto file = loadChatTemplate(dir.string());
    QVERIFY(file.ok() && file->has_value());
    QCOMPARE(q(*renderChat(**file, {{"user", "a"}}, false)), QStringLiteral("JINJA FILE 1"));
    // Corrupt JSON is an error naming the file.
    writeText(dir / "tokenizer_config.json", "{ not json");
    auto bad = loadChatTemplate(dir.string());
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, srs::ErrorCode::CorruptFile);
    QVERIFY(bad.error().message.find("tokenizer_config.json") != std::string::npos);
}

void TestChatTemplate::ggufLoader() {
    QTemporaryDir tmp;
    const std::string path = (fs::path(tmp.path().toStdString()) / "chat.gguf").string();
    srs::io::GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("tokenizer.ggml.model", "llama");
    w.setStringArray("tokenizer.ggml.tokens", {"<unk>", "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|start_header_id|>", "hi"});
    w.setI32Array("tokenizer.ggml.token_type", {2, 3, 3, 3, 3, 1});
    w.setU32("tokenizer.ggml.bos_token_id", 1);
    w.setU32("tokenizer.ggml.eos_token_id", 2);
    w.setString("tokenizer.chat_template",
                "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m.role }}\n{{ m.content }}<|eot_id|>{% endfor %}");
    auto written = w.write(path, [](std::size_t) { return srs::Result<std::vector<std::uint8_t>>(std::vector<std::uint8_t>{}); });
    QVERIFY2(written.ok(), written.ok() ? "" : written.error().toString().c_str());
    auto t = loadChatTemplate(path);
    QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
    QVERIFY(t->has_value());
    QCOMPARE(q((*t)->bos_token), QStringLiteral("<|begin_of_text|>"));
    QCOMPARE(q((*t)->eos_token), QStringLiteral("<|end_of_text|>"));
    QCOMPARE((*t)->end_of_turn_tokens, std::vector<std::string>{"<|eot_id|>"});
    auto out = renderChat(**t, {{"user", "hi"}}, true);
    QVERIFY(out.ok());
    QCOMPARE(q(*out), QStringLiteral("<|begin_of_text|><|start_header_id|>user\nhi<|eot_id|>"));
    // stories260K.gguf carries no chat template: nullopt.
    const QString stories = srs::test::sharedPath("models/stories260K/stories260K.gguf");
    if (!stories.isEmpty()) {
        auto plain = loadChatTemplate(stories.toStdString());
        QVERIFY(plain.ok());
        QVERIFY(!plain->has_value());
    }
}

QTEST_APPLESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
