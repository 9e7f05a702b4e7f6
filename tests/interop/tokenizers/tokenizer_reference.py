#!/usr/bin/env python3
"""Reference token ids for tests/interop/tokenizers (test tokenizer_hf_interop).

No code of ours runs here: the ids, the ids with special tokens and the decoded texts all come
from the reference libraries of the test venv (tests/interop/pyenv):

  * tokenizer.json files: Hugging Face `tokenizers` (Tokenizer.from_file; encode with
    add_special_tokens False and True), decoded by `transformers` (AutoTokenizer on the same folder,
    decode(ids, skip_special_tokens=False), which applies tokenizer_config's
    clean_up_tokenization_spaces as the app does);
  * SentencePiece tokenizer.model files: the `sentencepiece` library itself (encode, encode with
    add_bos as tokenizer_config's add_bos_token says, decode);
  * the same tokenizer.model converted to tokenizer.json by `transformers` (its LlamaTokenizer
    conversion, saved from backend_tokenizer), then run through `tokenizers` as above. The converted
    file goes into a folder without tokenizer.model, so the app loads it as tokenizer.json.

usage: tokenizer_reference.py SHARED_DATA WORK_DIR OUT.json

Writes OUT.json: {"libraries": {...}, "tokenizers": [{"name", "folder", "kind", "reference",
"cases": [{"group", "text", "ids", "decoded", and either "default_prefix" + "default_suffix" (the
ids with special tokens are prefix + ids + suffix) or "ids_default"}]}], "invalid_utf8": [{"hex",
"lossy"}], "same_as": [{"file", "covered_by", "sha256"}]} (tokenizer.model files with the same bytes
and BOS setting as one already run). WORK_DIR receives one folder per tokenizer (tokenizer files as the app loads them).

Texts: hand-picked tricky ones; a hostile set (CJK, emoji with ZWJ and skin tones, combining
marks, Arabic and Hebrew with bidi controls, every C0/C1 control, long runs of spaces, tabs,
newlines and digits, mixed scripts); seeded random mixes; the TinyStories validation head and the
WikiText-2 test text with CRLF line ends, in chunks of about 4 KB cut at line ends and each file
as one text; invalid UTF-8 byte strings, given to the libraries (which take Python str) as their
lossy decoding, bytes.decode("utf-8", "replace"), U+FFFD for each maximal invalid subpart. The C++
test feeds that same lossy string to the app's tokenizer, and separately the raw bytes (which must
not crash it).
"""
import gzip
import hashlib
import json
import os
import random
import shutil
import sys
import time
from importlib.metadata import version


def tricky_texts():
    return [
        "", " ", "\n", "Hello world", "Hello World! How are you?",
        "12345", "1234567890 3.14159 1,000,000 2024-06-01 0.5e-10",
        "I have 42 apples and 7 oranges; 100% sure, $19.99 each.",
        "don't I'll we're they've she'd it's you'm", "DON'T I'LL WE'RE THEY'VE SHE'D IT'S",
        "'s 't 're 've 'm 'll 'd 'S 'T 'Re", "rock'n'roll o'clock 'quoted' ''double''",
        "I love pizza \U0001F355 and ice cream \U0001F366!",
        "\U0001F642\U0001F642\U0001F642",
        "café naïve résumé Ångström Crème brûlée",
        "cafe\u0301 nai\u0308ve re\u0301sume\u0301 A\u030Angstro\u0308m",
        "ﬁ ligature, ＡＢＣ１２３ full width, x² H₂O ½ ⅓", "Straße STRASSE ſ 'ſ",
        "a  b   c    d", "  leading and trailing  ", "line one\nline two\r\n\tindented\n\n\nend",
        "tabs\t\tand\t spaces \t mixed", "\n\n\n", "    ", "trailing newline\n",
        "nbsp\u00A0here, ideographic\u3000space, thin\u2009space, nel\u0085x, vt\u000Bx, ff\u000Cx",
        "zero\u200Bwidth\u200Djoiner\uFEFFbom",
        "a\u000B\u000Bb c\u0085\u0085d e\u000B \u0085 f\u0085", "x\u000C\u000C\u000Cy\u2028\u2028z\u00A0\u00A0w",
        "'ſx 'Sx 'ſ 'Kx \u212Aelvin",
        "<|endoftext|>", "Hello<|endoftext|>world", "Hello <|endoftext|> world",
        "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nsimple\n</think>\n4<|im_end|>",
        "<|begin_of_text|>Hello<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi",
        "<|endoftext|><|endoftext|>", "<|endoftext", "<|im_start|", "<s>Hello</s> <unk> x<s>",
        "def f(x):\n    return x**2  # square\n", "if (a && b || !c) { return a->b[0]; }",
        "https://example.com/path?query=1&b=2#frag user@mail.org", "...!!!???---___***",
        "\"Quoted,\" she said. 'Single'— “curly” ‘quotes’ «guillemets»", "∑ ∫ √ ≤ ≥ ≠ ∞ → ← ©®™",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "a" * 600, " " * 40 + "x",
    ]


def hostile_texts():
    zwj = "\u200D"
    family = "\U0001F468" + zwj + "\U0001F469" + zwj + "\U0001F467" + zwj + "\U0001F466"
    tones = "".join("\U0001F44D" + chr(0x1F3FB + k) for k in range(5))
    out = [
        # CJK: Chinese, Japanese (kana, kanji), Korean (syllables and conjoining jamo), CJK ext. B
        "中文测试，你好世界！我们今天去公园。", "日本語のテキストです。東京タワー、カタカナとひらがな",
        "한국어 텍스트입니다", "\u1100\u1161\u11A8\u1102\u1165 jamo", "𠀀𠀁𪚥 extension B 𩸽",
        # emoji: ZWJ families, skin tones, flags, keycaps, variation selectors, tags
        "Family: " + family + " thumbs " + tones,
        "\U0001F469\U0001F3FD" + zwj + "\U0001F4BB woman technologist, \U0001F3F3\uFE0F" + zwj + "\U0001F308 flag",
        "flags \U0001F1FA\U0001F1F8\U0001F1EF\U0001F1F5\U0001F1E9\U0001F1EA keycap 1\uFE0F\u20E3 #\uFE0F\u20E3 heart \u2764\uFE0F",
        "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F Scotland",
        "\U0001F9D1\U0001F3FF" + zwj + "\U0001F91D" + zwj + "\U0001F9D1\U0001F3FB" * 3,
        # combining marks: stacked, alone, on digits, Zalgo-like
        "\u0301\u0308 combining marks alone", "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308 stacked",
        "Z\u0351\u036B\u0343\u036A\u0302\u036B\u033D\u034F\u0334\u0319\u0324\u031E\u0349\u035A\u032F\u031E\u0320\u034DA\u036B\u0357\u0334\u0362\u0335\u031C\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030E\u0305\u035B\u0341\u0334\u033B\u0348\u034D\u0354\u0339O",
        "1\u20DD 2\u20DE a\u0332b\u0332c\u0332 Hindi हिन्दी क्षत्रिय Thai ภาษาไทย น้ำ",
        # right-to-left: Arabic (with harakat), Hebrew (with niqqud), bidi controls, mixed with LTR
        "العربية: مرحبا بالعالم، كَيْفَ حَالُكَ؟ ١٢٣٤٥٦٧٨٩٠",
        "עברית: שָׁלוֹם עוֹלָם, מה שלומך? 123",
        "\u202Bright-to-left embedding\u202C \u202Eoverride\u202C \u200Fmark\u200E \u2067isolate\u2069",
        "English then עברית then العربية then English again 42",
        # control characters: every C0 and C1 code point and DEL, alone and inside words
        "".join(chr(c) for c in range(0x00, 0x20)) + "\x7F" + "".join(chr(c) for c in range(0x80, 0xA0)),
        "info\u001C\u001Dsep\u001E\u001F end\u0000nul\u007Fdel\u0007bell\u001B[31mred\u001B[0m",
        "word\u0008back\u0000space",
        # long runs: spaces, tabs, newlines, CRLF, digits, mixed whitespace
        " " * 257 + "x", "x" + " " * 1000, "\t" * 64 + "tabbed", "\n" * 200, "\r\n" * 120 + "end",
        "a" + " \t" * 90 + "b", "9" * 50, "0" * 1001, "1234567890" * 40 + " 3" * 40,
        " \u00A0\u2002\u2003\u3000" * 30,
        # mixed scripts in one word and one line
        "Ελληνικά κείμενο, Русский текст, עברית, العربية, हिन्दी, ภาษาไทย, ქართული, Հայերեն, አማርኛ",
        "mixedРусскийEnglish中文123عربي\U0001F642ελληνικά",
        "𝐀𝐁𝐂 𝕏𝕐 𝟙𝟚𝟛 math alphanumerics; Ⅻ ⅻ roman; ① ② circled",
        "private use \uE000\uE001\uF8FF, noncharacters \uFDD0\uFFFE\uFFFF, replacement \uFFFD",
    ]
    return out


def invalid_utf8_bytes():
    return [
        b"abc\x80def",                      # lone continuation byte
        b"\xff\xfe hello \xfe\xff",           # bytes never valid in UTF-8
        b"\xc3\x28 bad 2-byte",               # bad continuation
        b"\xe2\x82 truncated 3-byte",        # truncated sequence
        b"\xf0\x9f\x98 truncated emoji",     # truncated 4-byte
        b"end truncated \xe6\x97",           # truncated at the end
        b"\xc0\xaf overlong slash \xe0\x80\xaf",
        b"\xed\xa0\x80\xed\xb0\x80 CESU surrogate pair",
        b"\xf4\x90\x80\x80 above U+10FFFF",
        b"\xf8\x88\x80\x80\x80 5-byte form",
        b"ok \xe4\xb8\xad\xe6\x96\x87 then \x80\x81\x82\x83 then \xe6\x96\x87",
        b"\x80" * 40,
        b"caf\xe9 latin-1 text \xbfqu\xe9?",
        b"\x00\xc0\x00\xff\x00",
    ]


def random_texts(count, seed):
    rng = random.Random(seed)
    pick = rng.choice

    def cp(lo, hi):
        return chr(rng.randint(lo, hi))

    atoms = [
        lambda: pick(["the", "The", "THE", "cat", "Hello", "world", "running", "x", "I", "a", "Lily", "tokenizer"]),
        lambda: pick(["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "n't", "'", "''"]),
        lambda: str(rng.randrange(10 ** rng.randint(1, 12))),
        lambda: pick([" ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n ", "\u00A0", "\u3000", "\u2028", "\u0085", "\u000B"]),
        lambda: pick([".", ",", "!", "?", "...", "--", "(", ")", "[", "]", "{", "}", "#", "@", "$", "%", "&&", "->", '"', "“", "”", "—", "«", "»"]),
        lambda: pick(["é", "ü", "ñ", "ç", "ø", "ß", "Å", "ǅ", "ﬁ", "ﬀ", "Ⅸ", "²", "½", "①"]),
        lambda: pick(["e", "a", "o", "n", "A"]) + pick(["\u0301", "\u0308", "\u0303", "\u0327", "\u030A\u0301"]),
        lambda: cp(0x4E00, 0x9FFF) + cp(0x4E00, 0x9FFF),
        lambda: cp(0x3040, 0x30FF) + cp(0x3040, 0x30FF),
        lambda: cp(0xAC00, 0xD7A3),
        lambda: cp(0x1100, 0x1112) + cp(0x1161, 0x1175),
        lambda: cp(0x0600, 0x06FF) + cp(0x05D0, 0x05EA) + cp(0x0900, 0x097F) + cp(0x0E00, 0x0E7F),
        lambda: cp(0x0370, 0x03FF) + cp(0x0400, 0x04FF),
        lambda: pick(["\U0001F642", "\U0001F44D\U0001F3FD", "\U0001F468\u200D\U0001F469\u200D\U0001F467",
                      "\U0001F1EB\U0001F1F7", "\u2764\uFE0F", "1\uFE0F\u20E3", "\U0001F916", "\U0001D400\U0001D401"]),
        lambda: cp(0x1F300, 0x1FAFF),
        lambda: cp(0x0000, 0x001F) + cp(0x007F, 0x009F),
        lambda: cp(0xE000, 0xF8FF),
        lambda: pick(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<|begin_of_text|>",
                      "<|eot_id|>", "<|end_of_text|>", "<|endoftext", "<|im_", "<tool_call>", "<s>", "</s>", "<unk>"]),
    ]
    out = []
    for _ in range(count):
        out.append("".join(pick(atoms)() for _ in range(rng.randint(1, 40))))
    return out


def file_chunks(path, size=4096):
    """The file as text (newlines kept as they are, CRLF included) in chunks cut after a line end."""
    with open(path, "rb") as f:
        whole = f.read().decode("utf-8")
    chunks, start = [], 0
    while start < len(whole):
        end = min(start + size, len(whole))
        cut = whole.find("\n", end)
        end = len(whole) if cut < 0 else cut + 1
        chunks.append(whole[start:end])
        start = end
    return chunks, whole


def write_folder(folder, tokenizer_json_text=None, config_path=None, spm_path=None):
    os.makedirs(folder, exist_ok=True)
    if tokenizer_json_text is not None:
        with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
            f.write(tokenizer_json_text)
    if config_path:
        shutil.copy(config_path, os.path.join(folder, "tokenizer_config.json"))
    if spm_path:
        shutil.copy(spm_path, os.path.join(folder, "tokenizer.model"))


def hf_cases(folder, groups):
    """ids / ids_default from `tokenizers`, decoded text from `transformers` on the same folder."""
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    # transformers 5 no longer applies a BPE tokenizer_config's clean_up_tokenization_spaces unless
    # told to; the app (like transformers 4 and transformers.js) follows the config, so ask for it.
    tf = AutoTokenizer.from_pretrained(folder, clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output=True)
    cases = []
    for group, texts in groups:
        plain = tok.encode_batch_fast(texts, add_special_tokens=False) if texts else []
        special = tok.encode_batch_fast(texts, add_special_tokens=True) if texts else []
        for text, a, b in zip(texts, plain, special):
            cases.append(case(group, text, a.ids, b.ids, tf.decode(a.ids, skip_special_tokens=False)))
    return cases


def case(group, text, ids, ids_default, decoded):
    """One text's reference; ids_default is stored as the special ids around ids when it is that."""
    c = {"group": group, "text": text, "ids": ids, "decoded": decoded}
    n = len(ids)
    for k in range(len(ids_default) - n + 1):
        if ids_default[k:k + n] == ids:
            c["default_prefix"], c["default_suffix"] = ids_default[:k], ids_default[k + n:]
            return c
    c["ids_default"] = ids_default
    return c


def spm_cases(model_path, add_bos, groups):
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=model_path)
    cases = []
    for group, texts in groups:
        for text in texts:
            ids = sp.encode(text)
            cases.append(case(group, text, ids, sp.encode(text, add_bos=add_bos), sp.decode(ids)))
    return cases


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: tokenizer_reference.py SHARED_DATA WORK_DIR OUT.json")
    shared, work, out_path = sys.argv[1:]
    os.makedirs(work, exist_ok=True)

    invalid = invalid_utf8_bytes()
    groups = [("tricky", tricky_texts()), ("hostile", hostile_texts()),
              ("invalid-utf8-lossy", [b.decode("utf-8", "replace") for b in invalid]),
              ("random", random_texts(400, 20240601))]
    for rel, name in (("text/tinystories/TinyStories-validation.head.txt", "tinystories"),
                      ("text/wikitext2/wiki.test.hfjoin.crlf.raw", "wikitext-crlf")):
        path = os.path.join(shared, rel)
        if not os.path.exists(path):
            print(f"note: {path} absent, left out", flush=True)
            continue
        chunks, whole = file_chunks(path)
        groups.append((name + "-chunks", chunks))
        # The chunks cover the whole file; one long text (the first 256 KB) checks what crosses them.
        groups.append((name + "-long", [whole[:262144]]))

    result = {
        "libraries": {p: version(p) for p in ("tokenizers", "transformers", "sentencepiece")},
        "tokenizers": [],
        "invalid_utf8": [{"hex": b.hex(), "lossy": b.decode("utf-8", "replace")} for b in invalid],
        "same_as": [],
    }

    # 1. The real Qwen3 and Llama-3 tokenizer.json files (gzip in shared data).
    for name in ("qwen3", "llama3"):
        src = os.path.join(shared, "tokenizers", name)
        gz = os.path.join(src, "tokenizer.json.gz")
        if not os.path.exists(gz):
            print(f"note: {gz} absent, left out", flush=True)
            continue
        folder = os.path.join(work, name)
        with gzip.open(gz, "rt", encoding="utf-8") as f:
            write_folder(folder, f.read(), os.path.join(src, "tokenizer_config.json"))
        t0 = time.time()
        cases = hf_cases(folder, groups)
        print(f"{name}: {len(cases)} texts, {sum(len(c['ids']) for c in cases)} ids from tokenizers in {time.time() - t0:.1f} s", flush=True)
        result["tokenizers"].append({"name": name, "folder": folder, "kind": "hf-bpe",
                                     "reference": f"tokenizers {version('tokenizers')} on {name} tokenizer.json", "cases": cases})

    # 2. Every SentencePiece tokenizer.model under models/: the sentencepiece library on the file,
    #    and transformers' conversion of it to tokenizer.json run through tokenizers.
    models = os.path.join(shared, "models")
    seen = {}
    # Folders with their own tokenizer_config.json first, so a bare copy of the same file is the one left out.
    names = sorted(os.listdir(models), key=lambda m: (not os.path.exists(os.path.join(models, m, "tokenizer_config.json")), m)) \
        if os.path.isdir(models) else []
    for model in names:
        mdir = os.path.join(models, model)
        if not os.path.isdir(mdir):
            continue
        spm_files = sorted(f for f in os.listdir(mdir) if f.endswith(".model"))
        for spm_file in spm_files:
            spm_path = os.path.join(mdir, spm_file)
            digest = sha256(spm_path)
            label = f"{model}/{spm_file}"
            config = os.path.join(mdir, "tokenizer_config.json")
            if not os.path.exists(config):
                # A bare SentencePiece file (llama2.c's tok512.model): give it the Llama defaults.
                config = os.path.join(work, f"{model}-default-config.json")
                with open(config, "w") as f:
                    json.dump({"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>",
                               "unk_token": "<unk>", "add_bos_token": True, "add_eos_token": False}, f)
            with open(config) as f:
                add_bos = bool(json.load(f).get("add_bos_token", True))
            # The same tokenizer.model bytes with the same BOS behaviour give the same ids: run once.
            if (digest, add_bos) in seen:
                print(f"{label}: same bytes as {seen[(digest, add_bos)]} (sha256 {digest[:12]}), add_bos_token {add_bos}: covered there", flush=True)
                result["same_as"].append({"file": label, "covered_by": seen[(digest, add_bos)], "sha256": digest})
                continue
            seen[(digest, add_bos)] = label

            spm_folder = os.path.join(work, f"{model}-spm")
            write_folder(spm_folder, None, config, spm_path)
            t0 = time.time()
            cases = spm_cases(spm_path, add_bos, groups)
            print(f"{label} (sentencepiece): {len(cases)} texts, {sum(len(c['ids']) for c in cases)} ids in {time.time() - t0:.1f} s", flush=True)
            result["tokenizers"].append({"name": f"{model}-spm", "folder": spm_folder, "kind": "sentencepiece",
                                         "reference": f"sentencepiece {version('sentencepiece')} on {label}", "cases": cases})

            # transformers converts tokenizer.model (LlamaTokenizer) to the tokenizers pipeline.
            from transformers import AutoTokenizer
            converted = AutoTokenizer.from_pretrained(spm_folder).backend_tokenizer.to_str(pretty=True)
            json_folder = os.path.join(work, f"{model}-json")
            write_folder(json_folder, converted, config)
            t0 = time.time()
            cases = hf_cases(json_folder, groups)
            print(f"{label} (transformers-converted tokenizer.json): {len(cases)} texts, {sum(len(c['ids']) for c in cases)} ids in {time.time() - t0:.1f} s", flush=True)
            result["tokenizers"].append({"name": f"{model}-json", "folder": json_folder, "kind": "hf-bpe",
                                         "reference": f"tokenizers {version('tokenizers')} on transformers {version('transformers')}'s conversion of {label}",
                                         "cases": cases})

    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=True)


if __name__ == "__main__":
    main()
