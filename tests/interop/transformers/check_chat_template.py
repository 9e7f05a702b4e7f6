"""Our chat template renderer (srs_chat_render, core/tokenizer/chat_template.h) against
transformers' for the same templates and conversations; byte-exact equality required.

References:
  - the Qwen3 and Llama 3 tokenizers of shared/data/tokenizers, loaded with AutoTokenizer
    (tokenizer.json.gz gunzipped into the work folder) and rendered with
    tokenizer.apply_chat_template(..., tokenize=False); our side loads the same folder with
    loadChatTemplate (so the template, bos and eos come from our loader), and its bos/eos must
    equal the tokenizer's, and its end-of-turn token must be the one expected for the family;
  - templates written here in the style of popular families (Mistral [INST], Gemma
    <start_of_turn>, Phi-3, ChatML, Llama 3.1 with tools) and a few that exercise the Jinja
    constructs our interpreter implements, rendered with transformers' render_jinja_template
    (its own Jinja environment: sandboxed, trim_blocks, lstrip_blocks, loopcontrols, its tojson).
Where transformers raises (a template's raise_exception), ours must fail with the same message.

usage: check_chat_template.py --tool SRS_CHAT_RENDER --tokenizers DIR --work DIR
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys

import jinja2
import transformers
from transformers import AutoTokenizer
from transformers.utils.chat_template_utils import render_jinja_template

transformers.utils.logging.set_verbosity_error()

CONVERSATIONS = {
    "sys_user": [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "What is 2 + 2?"},
    ],
    "user_only": [{"role": "user", "content": "Hello!"}],
    "multi_turn": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another one?"},
    ],
    "no_system_multi": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello, how can I help?"},
        {"role": "user", "content": "Tell me a joke."},
        {"role": "assistant", "content": "Why did the chicken cross the road?"},
    ],
    "unicode_ws_think": [
        {"role": "user", "content": "  Héllo wörld 😀 \"quoted\" 'single' \\ back\n\n  "},
        {"role": "assistant", "content": "<think>\nI should greet.\n</think>\n\n  Hi there!  "},
        {"role": "user", "content": "Tabs\tand\nnewlines\r\n{{ not a tag }} {% neither %}"},
    ],
}

MISTRAL = """{{- bos_token }}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- for message in loop_messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {%- if loop.first and system_message is defined %}
            {{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}
        {%- else %}
            {{- ' [INST] ' + message['content'] + ' [/INST]' }}
        {%- endif %}
    {%- elif message['role'] == 'assistant' %}
        {{- ' ' + message['content']|trim + eos_token }}
    {%- else %}
        {{- raise_exception('Only user and assistant roles are supported!') }}
    {%- endif %}
{%- endfor %}
"""

GEMMA = """{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"""

GEMMA3 = """{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- set role = "model" if message['role'] == 'assistant' else message['role'] -%}
    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model\n'}}
{%- endif -%}
"""

PHI3 = """{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}"""

CHATML = """{%- for message in messages %}
    {%- if loop.first and message.role != 'system' %}
        {{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}
    {%- endif %}
    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
"""

LLAMA31 = """{{- bos_token }}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\\n" }}
{{- "Today Date: " + date_string + "\\n\\n" }}
{%- if tools is not none %}
    {{- "You have access to the following functions.\\n\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""

# Whitespace control without dashes: trim_blocks / lstrip_blocks / comments / raw / "+" markers.
CONSTRUCTS_WS = """  {# a comment at the start #}
<s>
{% for m in messages %}
  {% if m.role == 'user' %}
    U: {{ m.content }}
  {% elif m.role == "assistant" %}
    A: {{ m.content|trim }} {#- inline -#}   !
  {% else %}
    {{ m.role|upper }}: {{ m.content }}
  {% endif %}
{% endfor %}
{%+ if add_generation_prompt %}   GEN{% endif +%}
  {% raw %}{{ kept }} {% as is %}{% endraw %}
{{- ' tail ' -}}
  end
"""

# Expressions, filters, tests, loops, macros, namespaces, slices, methods.
CONSTRUCTS_EXPR = """{%- macro show(v, label='v') -%}[{{ label }}={{ v }}]{%- endmacro -%}
{%- set ns = namespace(count=0, roles=[]) -%}
{%- for m in messages if m.role != 'system' -%}
    {%- set ns.count = ns.count + 1 -%}
    {%- set ns.roles = ns.roles + [m.role] -%}
    {{- loop.index }}/{{ loop.length }}{{ '(first)' if loop.first }}{{ '(last)' if loop.last else '' }}:{{ m.content|length }};
{%- else -%}
    none
{%- endfor %}
count={{ ns.count }} roles={{ ns.roles }} joined={{ ns.roles|join('+') }}
{{ show(messages|length) }}{{ show(label='last', v=messages[-1].role) }}
{{ messages[::-1]|map(attribute='role')|list }} {{ messages[1:]|length }} {{ 'abcdef'[1:4] }} {{ 'abcdef'[::-2] }}
{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 8 }} {{ 1.5 * 2 }} {{ 10 / 4 * 2 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 3 - -2 }}
{{ 'a' ~ 1 ~ none ~ true }} {{ [1, 'two', none, false, 2.5, {'k': "it's"}] }} {{ (1, 2) }} {{ {'x': [1, {'y': none}]} }}
{{ {'b': 1, 'a': [true, none, 'é"\\n']}|tojson }} {{ [1, 2]|tojson(indent=2) }} {{ 'x'|tojson }} {{ {'u': 'ü'}|tojson(ensure_ascii=true) }}
{{ '  Trim me  '|trim }}|{{ 'xxhixx'.strip('x') }}|{{ '  l'.lstrip() }}|{{ 'r  '.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}
{{ 'hello world'.title() }} {{ 'hello-world (x)'|title }} {{ 'hELLO'|capitalize }} {{ 'Mixed'|upper }}{{ 'Mixed'|lower }} {{ 'abcabc'.replace('b', 'X') }} {{ 'abcabc'|replace('c', 'Y', 1) }}
{{ 'start' if 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'b' in 'abc' }} {{ 'z' not in ['a'] }} {{ 'k' in {'k': 1} }}
{{ x is defined }} {{ x is undefined }} {{ none is none }} {{ 1 is number }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 'a' is sequence }} {{ false is false }} {{ true is true }} {{ 0 is false }} {{ 3 is odd }} {{ 4 is divisibleby 2 }} {{ 'a' is equalto 'a' }} {{ 1 is eq 1 }}
{{ undefined_var|default('dflt') }} {{ ''|default('empty', true) }} {{ none|default('kept') }} {{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|reverse }} {{ [1, 2, 2, 1]|unique|list }}
{%- set d = {'one': 1, 'two': 2} %}
{% for k, v in d.items() %}{{ k }}={{ v }}{{ ', ' if not loop.last }}{% endfor %} | {% for k in d %}{{ k }}{% endfor %} | {{ d.get('one') }} {{ d.get('three', 3) }} {{ d['two'] }} {{ d.two }} {{ d.keys()|list }} {{ d.values()|list }} {{ d|items|list }}
{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %} {{ range(2, 10, 3)|list }} {{ range(3)|sum }} {{ [4, 9, 2]|max }} {{ [4, 9, 2]|min }}
{{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1, 2] == [1, 2] }} {{ not none }} {{ none or 'fallback' }} {{ 0 and 'never' }} {{ 'both' and 'second' }}
{% set captured %}inner {{ 1 + 1 }}{% endset %}{{ captured|upper }} {{ '%s is %d'|format('x', 3) }} {{ 'line1\\nline2'|indent(2) }} {{ messages|selectattr('role', 'equalto', 'user')|list|length }} {{ messages|rejectattr('role', 'equalto', 'user')|map(attribute='role')|join(',') }}
{{ messages[0]['content'][:5] }} {{ messages[0].content.split(' ')[0] }} {{ messages[99] is defined }} {{ (messages|last).role }} {{ 'abc'.find('c') }} {{ 'a-b-c'.count('-') }}
"""

EXTRA_TEMPLATES = {
    "mistral": (MISTRAL, "<s>", "</s>"),
    "gemma": (GEMMA, "<bos>", "<eos>"),
    "gemma3": (GEMMA3, "<bos>", "<eos>"),
    "phi3": (PHI3, "<s>", "<|endoftext|>"),
    "chatml": (CHATML, "", "<|im_end|>"),
    "llama31": (LLAMA31, "<|begin_of_text|>", "<|eot_id|>"),
    "constructs_ws": (CONSTRUCTS_WS, "<s>", "</s>"),
    "constructs_expr": (CONSTRUCTS_EXPR, "<s>", "</s>"),
}

TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city, in °C",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                          "required": ["city"]}}}]

# The end-of-turn token our loader must find for the shared tokenizers.
EXPECTED_END_OF_TURN = {"qwen3": ["<|im_end|>"], "llama3": ["<|eot_id|>"]}


def prepare_folder(src, dst):
    os.makedirs(dst, exist_ok=True)
    shutil.copy(os.path.join(src, "tokenizer_config.json"), dst)
    with gzip.open(os.path.join(src, "tokenizer.json.gz"), "rb") as f, open(os.path.join(dst, "tokenizer.json"), "wb") as g:
        shutil.copyfileobj(f, g)


def reference(render):
    try:
        return {"ok": True, "text": render()}
    except jinja2.exceptions.TemplateError as e:
        return {"ok": False, "error": str(e)}


def build_cases(args):
    cases, refs = [], {}
    for name in ("qwen3", "llama3"):
        folder = os.path.join(args.work, name)
        prepare_folder(os.path.join(args.tokenizers, name), folder)
        tok = AutoTokenizer.from_pretrained(folder)
        variants = [{}] + ([{"enable_thinking": False}, {"enable_thinking": True}] if name == "qwen3" else [])
        for conv_name, conv in CONVERSATIONS.items():
            for agp in (True, False):
                for extra in variants:
                    cid = f"{name}/{conv_name}/agp={agp}/{json.dumps(extra)}"
                    cases.append({"id": cid, "folder": folder, "messages": conv, "add_generation_prompt": agp, "vars": extra})
                    refs[cid] = reference(lambda: tok.apply_chat_template(conv, tokenize=False, add_generation_prompt=agp, **extra))
                    refs[cid]["family"] = name
                    refs[cid]["bos_token"] = tok.bos_token or ""
                    refs[cid]["eos_token"] = tok.eos_token or ""
    for name, (src, bos, eos) in EXTRA_TEMPLATES.items():
        variants = [{}] + ([{"tools": TOOLS}] if name == "llama31" else [])
        for conv_name, conv in CONVERSATIONS.items():
            for agp in (True, False):
                for extra in variants:
                    cid = f"{name}/{conv_name}/agp={agp}/{json.dumps(extra)}"
                    cases.append({"id": cid, "template": src, "bos_token": bos, "eos_token": eos, "messages": conv,
                                  "add_generation_prompt": agp, "vars": extra})
                    kwargs = dict(extra)
                    if bos:
                        kwargs["bos_token"] = bos
                    kwargs["eos_token"] = eos
                    refs[cid] = reference(lambda: render_jinja_template(
                        conversations=[conv], chat_template=src, add_generation_prompt=agp, **kwargs)[0][0])
    return cases, refs


def compare(ours, ref):
    """A list of problems for one case (empty when it passes)."""
    problems = []
    if ref["ok"] != ours["ok"]:
        return [f"transformers {'rendered' if ref['ok'] else 'raised ' + repr(ref['error'])}, "
                f"ours {'rendered' if ours['ok'] else 'failed: ' + ours['error']}"]
    if not ref["ok"]:
        if ref["error"] not in ours["error"]:
            problems.append(f"error message differs: transformers {ref['error']!r}, ours {ours['error']!r}")
        return problems
    if ours["text"] != ref["text"]:
        at = next((i for i, (a, b) in enumerate(zip(ours["text"], ref["text"])) if a != b), min(len(ours["text"]), len(ref["text"])))
        problems.append(f"text differs at character {at}:\n  ours: {ours['text'][max(0, at - 40):at + 60]!r}\n"
                        f"  ref:  {ref['text'][max(0, at - 40):at + 60]!r}")
    if "family" in ref:
        for key in ("bos_token", "eos_token"):
            if ours[key] != ref[key]:
                problems.append(f"{key}: ours {ours[key]!r}, tokenizer {ref[key]!r}")
        if ours["end_of_turn_tokens"] != EXPECTED_END_OF_TURN[ref["family"]]:
            problems.append(f"end_of_turn_tokens {ours['end_of_turn_tokens']}, expected {EXPECTED_END_OF_TURN[ref['family']]}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--tokenizers", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    print(f"transformers {transformers.__version__}, jinja2 {jinja2.__version__}")
    cases, refs = build_cases(args)
    cases_path = os.path.join(args.work, "cases.json")
    out_path = os.path.join(args.work, "ours.json")
    with open(cases_path, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)
    subprocess.run([args.tool, "--cases", cases_path, "--out", out_path], check=True)
    with open(out_path, encoding="utf-8") as f:
        ours = {r["id"]: r for r in json.load(f)}
    failures, raised = 0, 0
    for case in cases:
        cid = case["id"]
        problems = compare(ours[cid], refs[cid])
        raised += not refs[cid]["ok"]
        if problems:
            failures += 1
            print(f"FAIL {cid}")
            for p in problems:
                print("   ", p)
    print(f"{len(cases) - failures}/{len(cases)} cases equal to transformers "
          f"({raised} where the template raises, with the same message)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
