// Hugging Face tokenizer.json tokenization on small hand-written tokenizers whose ids can be
// worked out by hand: merge order, the byte-level alphabet, byte fallback and unk, added and
// special tokens, normalization, pre-tokenizer regexes, the BOS template, loadTokenizer's choice
// of file, and clear errors (never a crash) for unsupported components and corrupt files.
// Agreement with the reference library on real tokenizers is tests/interop/test_hf_tokenizer_interop.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "support/spm_to_tokenizer_json.h"
#include "support/test_paths.h"

using namespace srs::tokenizer;
using nlohmann::json;
using Ids = std::vector<std::int32_t>;

namespace {

// A byte-level BPE tokenizer (GPT-2 style). Pieces are spelled in the byte-level alphabet:
// ' ' is "Ġ" (U+0120), '\n' "Ċ" (U+010A), '\t' "ĉ" (U+0109), byte 0x00 "Ā" (U+0100), bytes C3 A9
// (é) "Ã©", bytes EF BF BD (U+FFFD) "ï¿½", byte 0x81 "ģ" (U+0123).
json byteLevelTokenizer() {
    json vocab = {{"a", 0},   {"b", 1},   {"c", 2},   {"ab", 3},  {"abc", 4},  {"Ġ", 5},  {"Ġa", 6},  {"aa", 7},  {"aaaa", 8},
                  {"Ċ", 9},   {"ĉ", 10},  {"Ã", 11},  {"©", 12},  {"Ã©", 13},  {"Ā", 14}, {"ï", 15},  {"¿", 16},  {"½", 17},
                  {"e", 18},  {"Ì", 19},  {"ģ", 20}, {"f", 21}, {"i", 22}, {"1", 23}, {"2", 24},  {"3", 25},  {"12", 26},
                  {"'", 27},  {"S", 28},  {"'S", 29}, {"x", 30},  {"Sx", 31},  {"'Sx", 32}, {"t", 33}, {"it", 34}, {"ĊĊ", 35}};
    return {{"version", "1.0"},
            {"added_tokens", json::array()},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
            {"post_processor", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}},
            {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}},
            {"model",
             {{"type", "BPE"},
              {"dropout", nullptr},
              {"unk_token", nullptr},
              {"continuing_subword_prefix", nullptr},
              {"end_of_word_suffix", nullptr},
              {"fuse_unk", false},
              {"byte_fallback", false},
              {"ignore_merges", false},
              {"vocab", vocab},
              {"merges", {"a b", "ab c", "Ġ a", "a a", "aa aa", "Ã ©", "1 2", "' S", "S x", "i t", "Ċ Ċ"}}}}};
}

// A Llama-2 style tokenizer.json: SentencePiece-like BPE over "▁"-joined text with <0xNN> byte
// pieces, a BOS template and the Replace/ByteFallback/Fuse/Strip decoder.
json byteFallbackTokenizer() {
    json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        vocab[name] = 3 + b;
    }
    vocab["▁"] = 259;
    vocab["h"] = 260;
    vocab["i"] = 261;
    vocab["▁h"] = 262;
    vocab["▁hi"] = 263;
    auto special = [](const char* content, int id) {
        return json{{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
                    {"rstrip", false},   {"normalized", false}, {"special", true}};
    };
    return {{"version", "1.0"},
            {"added_tokens", {special("<unk>", 0), special("<s>", 1), special("</s>", 2)}},
            {"normalizer",
             {{"type", "Sequence"},
              {"normalizers",
               {{{"type", "Prepend"}, {"prepend", "▁"}}, {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "▁"}}}}}},
            {"pre_tokenizer", nullptr},
            {"post_processor",
             {{"type", "TemplateProcessing"},
              {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
              {"pair", json::array()},
              {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
            {"decoder",
             {{"type", "Sequence"},
              {"decoders",
               {{{"type", "Replace"}, {"pattern", {{"String", "▁"}}}, {"content", " "}},
                {{"type", "ByteFallback"}},
                {{"type", "Fuse"}},
                {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
            {"model",
             {{"type", "BPE"},
              {"unk_token", "<unk>"},
              {"fuse_unk", true},
              {"byte_fallback", true},
              {"vocab", vocab},
              {"merges", {"▁ h", "▁h i"}}}}};
}

json addedToken(const std::string& content, int id, bool special, bool normalized, bool lstrip = false, bool rstrip = false,
                bool single_word = false) {
    return {{"id", id},         {"content", content}, {"single_word", single_word}, {"lstrip", lstrip},
            {"rstrip", rstrip}, {"normalized", normalized}, {"special", special}};
}

std::unique_ptr<HfTokenizer> parse(const json& tokenizer, const std::string& config = {}) {
    auto t = parseHfTokenizer(tokenizer.dump(), config, "test tokenizer.json");
    if (!t) {
        qWarning("%s", t.error().toString().c_str());
        return nullptr;
    }
    return std::move(*t);
}

// A minimal tokenizer.json whose pre-tokenizer splits on the regex.
std::string withSplitRegex(const std::string& regex) {
    json j = {{"model", {{"type", "BPE"}, {"vocab", {{"a", 0}}}, {"merges", json::array()}}}};
    j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}};
    return j.dump();
}

srs::Error parseError(const std::string& tokenizer_json, const std::string& config = {}) {
    auto t = parseHfTokenizer(tokenizer_json, config, "test tokenizer.json");
    if (t) return srs::makeError(srs::ErrorCode::None, "parsed although it should not");
    return t.error();
}

}  // namespace

class TestHfTokenizer : public QObject {
    Q_OBJECT
private slots:
    void mergesFollowRankNotPosition() {
        auto t = parse(byteLevelTokenizer());
        QVERIFY(t);
        QCOMPARE(t->kind(), std::string("hf-bpe"));
        QCOMPARE(t->encode("abc", false), (Ids{4}));
        // " ab": Ġ a b. "a b" has rank 0 and goes first although "Ġ a" is on the left, so
        // "Ġa" + "b" (left-to-right greedy) would be wrong.
        QCOMPARE(t->encode("ab ab", false), (Ids{3, 5, 3}));
        // Equal ranks: the leftmost pair merges first. a a a a a -> aa a a a -> aa aa a -> aaaa a.
        QCOMPARE(t->encode("aaaaa", false), (Ids{8, 0}));
        QCOMPARE(t->encode("aaa", false), (Ids{7, 0}));
        QCOMPARE(t->decode({8, 0}), std::string("aaaaa"));
        QCOMPARE(t->vocabSize(), 36);
        QCOMPARE(t->piece(5), std::string("Ġ"));
        QCOMPARE(t->piece(999), std::string());
        QCOMPARE(*t->tokenId("Ġa"), 6);
    }

    void ignoreMergesTakesWholeWords() {
        json j = byteLevelTokenizer();
        j["model"]["merges"] = json::array();  // without merges only single characters remain...
        auto plain = parse(j);
        QVERIFY(plain);
        QCOMPARE(plain->encode("abc", false), (Ids{0, 1, 2}));
        j["model"]["ignore_merges"] = true;  // ...unless a whole pre-token is in the vocabulary
        auto whole = parse(j);
        QVERIFY(whole);
        QCOMPARE(whole->encode("abc", false), (Ids{4}));
        QCOMPARE(whole->encode("ab ab", false), (Ids{3, 5, 0, 1}));
    }

    void byteLevelAlphabet() {
        auto t = parse(byteLevelTokenizer());
        QVERIFY(t);
        QCOMPARE(t->encode("é", false), (Ids{13}));                // C3 A9 -> "Ã©"
        QCOMPARE(t->encode("\n\t", false), (Ids{9, 10}));          // one whitespace pre-token: Ċ ĉ
        QCOMPARE(t->encode("\n\n", false), (Ids{35}));
        QCOMPARE(t->encode(std::string(1, '\0'), false), (Ids{14}));  // byte 0 -> "Ā"
        // Text that is not UTF-8: U+FFFD (EF BF BD -> "ï¿½") in place of the bad byte.
        QCOMPARE(t->encode("\xFF", false), (Ids{15, 16, 17}));
        QCOMPARE(t->decode({15, 16, 17}), std::string("\xEF\xBF\xBD"));
        QCOMPARE(t->decode({3, 5, 3, 9, 13}), std::string("ab ab\né"));
        // A lone lead byte decodes to U+FFFD, never to invalid UTF-8.
        QCOMPARE(t->decode({11}), std::string("\xEF\xBF\xBD"));
        // Characters with neither a piece, a byte piece nor an unk token are dropped, as the
        // library drops them: 'z' has no piece here.
        QCOMPARE(t->encode("zab", false), (Ids{3}));
    }

    void byteFallbackAndUnk() {
        auto t = parse(byteFallbackTokenizer());
        QVERIFY(t);
        QCOMPARE(t->encode("hi", false), (Ids{263}));
        // "▁hi▁日": 日 (E6 97 A5) is not a piece, so its bytes are.
        const Ids ids = t->encode("hi 日", false);
        QCOMPARE(ids, (Ids{263, 259, 3 + 0xE6, 3 + 0x97, 3 + 0xA5}));
        QCOMPARE(t->piece(ids[2]), std::string("<0xE6>"));
        QCOMPARE(t->decode(ids), std::string("hi 日"));
        QCOMPARE(t->decode({3 + 0xE6}), std::string("\xEF\xBF\xBD"));  // a lone byte piece

        json j = byteFallbackTokenizer();
        j["model"]["byte_fallback"] = false;
        auto unk = parse(j);
        QVERIFY(unk);
        QCOMPARE(unk->encode("hi 日本", false), (Ids{263, 259, 0}));  // fuse_unk: one <unk> for 日本
        j["model"]["fuse_unk"] = false;
        auto unfused = parse(j);
        QVERIFY(unfused);
        QCOMPARE(unfused->encode("hi 日本", false), (Ids{263, 259, 0, 0}));
    }

    void bosTemplateAndConfig() {
        auto t = parse(byteFallbackTokenizer());
        QVERIFY(t);
        QCOMPARE(t->encode("hi", true), (Ids{1, 263}));
        QCOMPARE(*t->bosId(), 1);
        QVERIFY(t->addsBosByDefault());  // the template adds <s>
        auto cfg = parse(byteFallbackTokenizer(), R"({"bos_token": {"content": "<s>"}, "eos_token": "</s>", "add_bos_token": false})");
        QVERIFY(cfg);
        QVERIFY(!cfg->addsBosByDefault());
        QCOMPARE(*cfg->eosId(), 2);

        // No template: BOS from tokenizer_config is prepended when asked for.
        json j = byteLevelTokenizer();
        j["added_tokens"] = {addedToken("<|bos|>", 40, true, false)};
        auto plain = parse(j, R"({"bos_token": "<|bos|>", "eos_token": null})");
        QVERIFY(plain);
        QVERIFY(!plain->addsBosByDefault());
        QVERIFY(!plain->eosId());
        QCOMPARE(plain->encode("abc", true), (Ids{40, 4}));
        QCOMPARE(plain->encode("abc", false), (Ids{4}));
        QCOMPARE(plain->vocabSize(), 41);  // added ids extend the vocabulary
    }

    void addedAndSpecialTokensSplitFirst() {
        json j = byteLevelTokenizer();
        j["normalizer"] = {{"type", "NFC"}};
        j["added_tokens"] = {addedToken("<|endoftext|>", 40, true, false), addedToken("<mask>", 41, true, false, true, true),
                             addedToken("café", 42, false, true), addedToken("xx", 43, false, false, false, false, true),
                             addedToken("<|end", 44, true, false)};
        auto t = parse(j);
        QVERIFY(t);
        QCOMPARE(t->encode("ab<|endoftext|>abc", false), (Ids{3, 40, 4}));
        QCOMPARE(t->encode("<|endoftext|><|endoftext|>", false), (Ids{40, 40}));
        // Leftmost-longest: "<|endoftext|>" wins over its prefix "<|end"; the prefix alone matches.
        QCOMPARE(t->encode("<|end", false), (Ids{44}));
        // The special token's text never reaches BPE: pre-tokenized, it would start with "Ġ".
        QCOMPARE(t->encode("ab <|endoftext|>", false), (Ids{3, 5, 40}));
        // lstrip/rstrip take the whitespace around <mask> with the token.
        QCOMPARE(t->encode("ab <mask> ab", false), (Ids{3, 41, 3}));
        // A normalized added token matches the normalized text: NFD "cafe\u0301" is NFC "café".
        QCOMPARE(t->encode("café", false), (Ids{42}));
        QCOMPARE(t->encode("cafe\xCC\x81", false), (Ids{42}));
        // single_word: not inside a word.
        QCOMPARE(t->encode("xx", false), (Ids{43}));
        QVERIFY(!t->encode("axx", false).empty());
        for (auto id : t->encode("axx", false)) QVERIFY(id != 43);
        QCOMPARE(t->decode({3, 40, 4}), std::string("ab<|endoftext|>abc"));
        QCOMPARE(t->piece(40), std::string("<|endoftext|>"));
        QCOMPARE(*t->tokenId("<mask>"), 41);
    }

    void nfcNormalization() {
        json j = byteLevelTokenizer();
        auto raw = parse(j);
        QVERIFY(raw);
        // Without a normalizer the decomposed form stays two characters: e + U+0301 (CC 81).
        QCOMPARE(raw->encode("e\xCC\x81", false), (Ids{18, 19, 20}));
        j["normalizer"] = {{"type", "NFC"}};
        auto nfc = parse(j);
        QVERIFY(nfc);
        QCOMPARE(nfc->encode("e\xCC\x81", false), (Ids{13}));
        QCOMPARE(nfc->encode("é", false), (Ids{13}));
        j["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "NFKC"}}}}};
        auto nfkc = parse(j);
        QVERIFY(nfkc);
        QCOMPARE(nfkc->encode("\xEF\xAC\x81", false), (Ids{21, 22}));  // U+FB01 "ﬁ" -> "fi"
    }

    void preTokenizerRegexAndDigits() {
        json j = byteLevelTokenizer();
        // Qwen2/3's pattern: contractions fold case (so "'S" is one), digits one at a time.
        const std::string pattern =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        j["pre_tokenizer"] = {{"type", "Sequence"},
                              {"pretokenizers",
                               {{{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
                                {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
        auto t = parse(j);
        QVERIFY(t);
        QCOMPARE(t->encode("it'Sx", false), (Ids{34, 29, 30}));  // it | 'S | x  (not it | 'Sx)
        QCOMPARE(t->encode("123", false), (Ids{23, 24, 25}));    // \p{N}: no "12" across pre-tokens
        QCOMPARE(t->encode("\n\n", false), (Ids{35}));

        j["pre_tokenizer"]["pretokenizers"][0] = {{"type", "Digits"}, {"individual_digits", false}};
        auto grouped = parse(j);
        QVERIFY(grouped);
        QCOMPARE(grouped->encode("a123", false), (Ids{0, 26, 25}));
        j["pre_tokenizer"]["pretokenizers"][0]["individual_digits"] = true;
        auto single = parse(j);
        QVERIFY(single);
        QCOMPARE(single->encode("a123", false), (Ids{0, 23, 24, 25}));

        // Split behaviours other than Isolated: Removed drops the matches.
        j["pre_tokenizer"]["pretokenizers"][0] = {
            {"type", "Split"}, {"pattern", {{"String", "c"}}}, {"behavior", "Removed"}, {"invert", false}};
        auto removed = parse(j);
        QVERIFY(removed);
        QCOMPARE(removed->encode("abcab", false), (Ids{3, 3}));
    }

    void loadTokenizerPicksTheFile() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string folder = dir.path().toStdString();
        auto none = loadTokenizer(folder);
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, srs::ErrorCode::NotFound);

        QVERIFY(srs::io::writeFileAtomic(folder + "/tokenizer.json", byteFallbackTokenizer().dump()).ok());
        QVERIFY(srs::io::writeFileAtomic(folder + "/tokenizer_config.json", R"({"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": false})").ok());
        auto hf = loadTokenizer(folder);
        QVERIFY2(hf.ok(), hf.ok() ? "" : hf.error().toString().c_str());
        QCOMPARE((*hf)->kind(), std::string("hf-bpe"));
        QCOMPARE(*(*hf)->bosId(), 1);
        QCOMPARE(*(*hf)->eosId(), 2);
        QVERIFY(!(*hf)->addsBosByDefault());
        QCOMPARE((*hf)->encode("hi", false), (Ids{263}));

        auto direct = loadHfTokenizer(folder + "/tokenizer.json", "");
        QVERIFY(direct.ok());
        QVERIFY((*direct)->addsBosByDefault());  // without the config, the template decides
        auto missing = loadHfTokenizer(folder + "/nothing.json", "");
        QVERIFY(!missing.ok());

        // tokenizer.model, where there is one, stays the tokenizer (SentencePiece).
        SRS_REQUIRE_SHARED(spm, "models/stories260K-hf/tokenizer.model");
        QVERIFY(QFile::copy(spm, dir.filePath("tokenizer.model")));
        auto both = loadTokenizer(folder);
        QVERIFY(both.ok());
        QCOMPARE((*both)->kind(), std::string("sentencepiece"));
    }

    void sentencePieceVocabularyAsTokenizerJson() {
        // stories260K's tokenizer.model written as a Llama-2 style tokenizer.json: the same ids as
        // SentencePiece (SpmTokenizer, i.e. the sentencepiece library; test_spm_library checks it)
        // on the whole validation text, line by line, and on text needing byte fallback. The model's
        // remove_extra_whitespaces has no tokenizer.json equivalent, so it is off on both sides.
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        auto bytes = srs::io::readFile((folder + "/tokenizer.model").toStdString());
        QVERIFY(bytes.ok());
        auto v = parseSpmModel(*bytes);
        QVERIFY(v.ok());
        v->remove_extra_whitespaces = false;
        auto spm = SpmTokenizer::fromVocab(*v);
        QVERIFY(spm.ok());
        auto config = srs::io::readFile((folder + "/tokenizer_config.json").toStdString());
        QVERIFY(config.ok());
        auto hf = parseHfTokenizer(srs::test::llamaTokenizerJsonFrom(*v), *config, "stories260K tokenizer.json");
        QVERIFY2(hf.ok(), hf.ok() ? "" : hf.error().toString().c_str());
        QCOMPARE((*hf)->vocabSize(), (*spm)->vocabSize());
        QCOMPARE((*hf)->bosId(), (*spm)->bosId());
        QCOMPARE((*hf)->eosId(), (*spm)->eosId());
        QVERIFY((*hf)->addsBosByDefault());

        auto data = srs::io::readFile(text.toStdString());
        QVERIFY(data.ok());
        QElapsedTimer timer;
        timer.start();
        const Ids whole = (*hf)->encode(*data, true);
        qInfo("whole text: %zu ids in %lld ms", whole.size(), static_cast<long long>(timer.elapsed()));
        QCOMPARE(whole, (*spm)->encode(*data, true));
        int lines = 0;
        for (const QString& line : QString::fromStdString(*data).split('\n')) {
            const std::string l = line.toStdString();
            if (l.empty()) continue;
            ++lines;
            const Ids ids = (*hf)->encode(l, false);
            if (ids != (*spm)->encode(l, false)) QFAIL(("differs on: " + l).c_str());
            if (lines % 50 == 0) QCOMPARE((*hf)->decode(ids), l);
        }
        QVERIFY(lines > 1000);
        for (std::string s : {"Héllo wörld — “quotes” 日本語 🙂", "line one\nline two\n\ttab", "a  b   c", " x ", "<0x41>"}) {
            QCOMPARE((*hf)->encode(s, true), (*spm)->encode(s, true));
            const Ids ids = (*hf)->encode(s, false);
            QCOMPARE(ids, (*spm)->encode(s, false));
            QCOMPARE(QString::fromStdString((*hf)->decode(ids)), QString::fromStdString((*spm)->decode(ids)));
        }
        // Decoding keeps special tokens, as the tokenizers library does by default (SentencePiece
        // drops control pieces).
        QCOMPARE((*hf)->decode((*hf)->encode("Hi", true)), std::string("<s> Hi"));
    }

    void unsupportedComponentsAreNamed_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("named");
        QTest::newRow("WordPiece model") << "model" << R"({"type": "WordPiece", "vocab": {"a": 0}})" << "WordPiece";
        QTest::newRow("Unigram model") << "model" << R"({"type": "Unigram", "vocab": [["a", 0.0]]})" << "Unigram";
        QTest::newRow("BertNormalizer") << "normalizer" << R"({"type": "BertNormalizer"})" << "BertNormalizer";
        QTest::newRow("Precompiled") << "normalizer" << R"({"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": ""}]})"
                                     << "Precompiled";
        QTest::newRow("Whitespace pre-tokenizer") << "pre_tokenizer" << R"({"type": "Whitespace"})" << "Whitespace";
        QTest::newRow("Split behavior") << "pre_tokenizer" << R"({"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"})"
                                        << "Sideways";
        QTest::newRow("Roberta post-processor") << "post_processor" << R"({"type": "RobertaProcessing"})" << "RobertaProcessing";
        QTest::newRow("WordPiece decoder") << "decoder" << R"({"type": "WordPiece"})" << "WordPiece";
        QTest::newRow("Metaspace scheme") << "pre_tokenizer" << R"({"type": "Metaspace", "prepend_scheme": "sometimes"})" << "sometimes";
    }

    void unsupportedComponentsAreNamed() {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, named);
        json j = byteLevelTokenizer();
        j[field.toStdString()] = json::parse(value.toStdString());
        const srs::Error e = parseError(j.dump());
        QCOMPARE(e.code, srs::ErrorCode::Unsupported);
        QVERIFY2(e.message.find(named.toStdString()) != std::string::npos, e.message.c_str());
    }

    void corruptFilesAreClearErrors_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        const std::string good = byteLevelTokenizer().dump();
        QTest::newRow("empty") << "" << "not valid JSON";
        QTest::newRow("truncated") << QString::fromStdString(good.substr(0, good.size() / 2)) << "not valid JSON";
        QTest::newRow("not an object") << "[1, 2]" << "model";
        QTest::newRow("model not an object") << R"({"model": 5})" << "model";
        QTest::newRow("no vocab") << R"({"model": {"type": "BPE", "merges": []}})" << "vocab";
        QTest::newRow("vocab a list") << R"({"model": {"type": "BPE", "vocab": [], "merges": []}})" << "vocab";
        QTest::newRow("merges an object") << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": {}}})" << "merges";
        QTest::newRow("id not a number") << R"({"model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}})" << "'a'";
        QTest::newRow("negative id") << R"({"model": {"type": "BPE", "vocab": {"a": -3}, "merges": []}})" << "'a'";
        QTest::newRow("huge id") << R"({"model": {"type": "BPE", "vocab": {"a": 2000000000}, "merges": []}})" << "ids go up to";
        QTest::newRow("merge outside vocab") << R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}})"
                                             << "outside the vocabulary";
        QTest::newRow("merge of three") << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a a a"]}})" << "merge 0";
        QTest::newRow("merge a number") << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [7]}})" << "merge 0";
        QTest::newRow("added token without id")
            << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "added_tokens": [{"content": "<s>"}]})" << "added_tokens[0].id";
        QTest::newRow("added tokens a number")
            << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "added_tokens": 5})" << "added_tokens must be a list";
        QTest::newRow("template id a number")
            << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": 5}}]}})"
            << "test tokenizer.json";
        QTest::newRow("template unknown token")
            << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}]}})"
            << "<s>";
        // (Built, not raw strings: moc misreads raw strings with unbalanced brackets.)
        for (const char* regex : {"(a", "[a", "\\p{Nonsense}+", "a{2,1}"})
            QTest::newRow((std::string("regex ") + regex).c_str()) << QString::fromStdString(withSplitRegex(regex)) << "regex";
        QTest::newRow("pattern neither") << R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "normalizer": {"type": "Replace", "pattern": 3}})"
                                         << "pattern";
    }

    void corruptFilesAreClearErrors() {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        const srs::Error e = parseError(text.toStdString());
        QVERIFY2(e.code == srs::ErrorCode::CorruptFile || e.code == srs::ErrorCode::Unsupported, e.message.c_str());
        QVERIFY2(e.message.find(mentions.toStdString()) != std::string::npos, e.message.c_str());
        QVERIFY(!e.hint.empty() || e.code == srs::ErrorCode::Unsupported);
    }

    void corruptConfigIsAnError() {
        const std::string good = byteFallbackTokenizer().dump();
        srs::Error e = parseError(good, "{\"bos_token\": ");
        QCOMPARE(e.code, srs::ErrorCode::CorruptFile);
        QVERIFY2(e.message.find("tokenizer_config.json") != std::string::npos, e.message.c_str());
        e = parseError(good, R"({"bos_token": "<nope>"})");
        QCOMPARE(e.code, srs::ErrorCode::CorruptFile);
        QVERIFY2(e.message.find("<nope>") != std::string::npos, e.message.c_str());
    }

    void everyTruncationIsAnErrorNotACrash() {
        // Every prefix of a valid file, cut at many points, and the file with single bytes
        // changed: an error or a working tokenizer, never a crash or an exception.
        const std::string good = byteFallbackTokenizer().dump();
        int errors = 0;
        for (std::size_t cut = 0; cut < good.size(); cut += 5) {
            auto t = parseHfTokenizer(good.substr(0, cut), "", "cut");
            QVERIFY(!t.ok());
            ++errors;
        }
        int parsed = 0;
        for (std::size_t at = 0; at < good.size(); at += 3) {
            for (char c : {'"', '1', '{', ']', 'x'}) {
                std::string bad = good;
                bad[at] = c;
                auto t = parseHfTokenizer(bad, "", "mutated");
                if (t.ok()) {
                    ++parsed;
                    (void)(*t)->encode("hi there 日本 <s>", true);
                    (void)(*t)->decode({0, 1, 2, 3, 259, 263, 100000, -5});
                }
            }
        }
        qInfo("%d truncations rejected; %d single-byte mutations still parse and encode", errors, parsed);
        QVERIFY(errors > 100);
    }
};

QTEST_GUILESS_MAIN(TestHfTokenizer)
#include "test_hf_tokenizer.moc"
