// A bounded, seeded mutation run over what reads MEANING out of a model's own files
// (fuzz/model_file_targets.cpp): a tiny valid llama GGUF (support/tiny_gguf.h) and a tokenizer.json
// using most components are damaged mostly at the level of values — a metadata key given another
// GGUF type or an interesting number, a key dropped or added, a tensor renamed, reshaped or moved
// to another block; a JSON value replaced by one of another type, a huge number, an empty string
// or a catastrophically backtracking regex, a component's type swapped — and some at the byte
// level. Every input must end in a working model / tokenizer or a clean error; a crash, an
// escaping exception, an unclean message or an id outside the vocabulary aborts the test.
// With SRS_FUZZ_SEED_DIR set, the seeds are written there for a libFuzzer corpus
// (fuzz_gguf_model, fuzz_tokenizer_meaning).
#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "fuzz/model_file_targets.h"
#include "support/tiny_gguf.h"

using nlohmann::json;
using srs::fuzz::MeaningStage;
using srs::test::GgufBuilder;

namespace {

// --- GGUF: value-level mutations of a GgufBuilder ------------------------------------------

const std::vector<std::string>& knownKeys() {
    static const std::vector<std::string> kKeys = {
        "general.architecture", "general.alignment", "llama.block_count", "llama.embedding_length", "llama.feed_forward_length",
        "llama.attention.head_count", "llama.attention.head_count_kv", "llama.context_length", "llama.attention.layer_norm_rms_epsilon",
        "llama.rope.freq_base", "llama.vocab_size", "llama.attention.key_length", "llama.rope.dimension_count", "llama.rope.scaling.type",
        "llama.rope.scaling.factor", "llama.rope.scaling.original_context_length", "tokenizer.ggml.model", "tokenizer.ggml.tokens",
        "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
        "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id", "tokenizer.ggml.add_bos_token", "tokenizer.chat_template"};
    return kKeys;
}

std::uint64_t interestingInt(std::mt19937_64& rng) {
    static const std::uint64_t kInts[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 255, 65535, 0x7fffffff, 0x80000000, 0xffffffff,
                                          1ull << 32, 1ull << 40, 0x7fffffffffffffffull, 0xffffffffffffffffull};
    return kInts[rng() % (sizeof kInts / sizeof kInts[0])];
}

// One scalar of GGUF type `type` (0..12 but 9), as bytes.
std::vector<std::uint8_t> scalar(std::uint32_t type, std::mt19937_64& rng) {
    std::vector<std::uint8_t> b;
    const std::uint64_t v = interestingInt(rng);
    static const float kFloats[] = {0.0f, 1.0f, -1.0f, 1e-5f, 1e30f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};
    static const char* const kStrings[] = {"", "llama", "qwen3", "gpt2", "two", "none", "linear", "<s>", "\xFF\xFE"};
    switch (type) {
    case 0: case 1: case 7: GgufBuilder::put<std::uint8_t>(b, static_cast<std::uint8_t>(type == 7 ? v % 3 : v)); break;
    case 2: case 3: GgufBuilder::put<std::uint16_t>(b, static_cast<std::uint16_t>(v)); break;
    case 4: case 5: GgufBuilder::put<std::uint32_t>(b, static_cast<std::uint32_t>(v)); break;
    case 6: GgufBuilder::put<float>(b, kFloats[rng() % 7]); break;
    case 8: GgufBuilder::putStr(b, kStrings[rng() % 9]); break;
    case 12: GgufBuilder::put<double>(b, static_cast<double>(kFloats[rng() % 7])); break;
    default: GgufBuilder::put<std::uint64_t>(b, v); break;
    }
    return b;
}

// A value of a random GGUF type: a scalar, or an array of 0..8 elements (sometimes as long as the
// vocabulary, so that the length checks pass and the element checks are reached).
std::pair<std::uint32_t, std::vector<std::uint8_t>> randomValue(std::mt19937_64& rng) {
    std::uint32_t type = static_cast<std::uint32_t>(rng() % 13);
    if (type != 9) return {type, scalar(type, rng)};
    std::uint32_t elem = static_cast<std::uint32_t>(rng() % 13);
    if (elem == 9) elem = 8;
    const std::uint64_t n = rng() % 3 == 0 ? 6 : rng() % 9;
    std::vector<std::uint8_t> b;
    GgufBuilder::put(b, elem);
    GgufBuilder::put(b, n);
    for (std::uint64_t i = 0; i < n; ++i) {
        auto e = elem == 8 && rng() % 2 ? std::vector<std::uint8_t>() : scalar(elem, rng);
        if (e.empty()) GgufBuilder::putStr(e, "p" + std::to_string(i));
        b.insert(b.end(), e.begin(), e.end());
    }
    return {type, b};
}

std::vector<std::uint64_t> randomShape(std::mt19937_64& rng) {
    static const std::uint64_t kDims[] = {0, 1, 2, 4, 6, 8, 16, 32, 1ull << 32, 1ull << 40};
    std::vector<std::uint64_t> ne(1 + rng() % 3);
    for (auto& d : ne) d = kDims[rng() % 10];
    return ne;
}

GgufBuilder mutateGguf(GgufBuilder g, std::mt19937_64& rng) {
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
        const int op = static_cast<int>(rng() % 10);
        if (op < 4 && !g.kv.empty()) {  // a key gets another value, often of another type
            const std::string key = g.kv[rng() % g.kv.size()].first;
            auto [type, bytes] = randomValue(rng);
            g.remove(key);
            g.addRaw(key, type, bytes);
        } else if (op == 4 && !g.kv.empty()) {
            g.kv.erase(g.kv.begin() + static_cast<long>(rng() % g.kv.size()));
        } else if (op == 5) {
            const std::string key = knownKeys()[rng() % knownKeys().size()];
            auto [type, bytes] = randomValue(rng);
            g.remove(key);
            g.addRaw(key, type, bytes);
        } else if (op == 6 && !g.tensors.empty()) {  // reshape, keeping the data
            auto& t = g.tensors[rng() % g.tensors.size()];
            if (rng() % 2 && t.ne.size() == 2) std::swap(t.ne[0], t.ne[1]);
            else t.ne = randomShape(rng);
        } else if (op == 7 && !g.tensors.empty()) {  // rename: another block, an unknown part, a duplicate
            auto& t = g.tensors[rng() % g.tensors.size()];
            static const char* const kNames[] = {"blk.2.attn_q.weight", "blk.7.ffn_up.weight", "blk.1.attn_k.bias", "blk.0.attn_q_norm.weight",
                                                 "blk.99999999999999999999.attn_v.weight", "blk..weight", "blk.0", "output.weight", "rope_freqs.weight"};
            t.name = kNames[rng() % 9];
        } else if (op == 8 && !g.tensors.empty()) {
            g.tensors.erase(g.tensors.begin() + static_cast<long>(rng() % g.tensors.size()));
        } else if (!g.tensors.empty()) {  // another type over the same bytes (F16, BF16, Q8_0, an unknown one)
            static const std::uint32_t kTypes[] = {1, 30, 8, 12, 99};
            g.tensors[rng() % g.tensors.size()].type = kTypes[rng() % 5];
        }
    }
    return g;
}

void mutateBytes(std::vector<std::uint8_t>& b, std::mt19937_64& rng) {
    for (int e = 0; e < 2 && !b.empty(); ++e) {
        const std::size_t pos = rng() % b.size();
        if (rng() % 2) b[pos] = static_cast<std::uint8_t>(b[pos] ^ (1u << (rng() % 8)));
        else b.resize(pos);
    }
}

// --- tokenizer.json: value-level mutations of the JSON ---------------------------------------

json tokenizerSeed() {
    json vocab = json::object();
    int id = 0;
    for (const char* p : {"H", "e", "l", "o", "\xC4\xA0", "w", "r", "d", "He", "ll", "llo", "Hello", "\xC4\xA0w", "1", "2", "'", "t", "a", "b",
                          "\xC4\x8A", "<0x41>", "<unk>"})
        vocab[p] = id++;
    return {{"added_tokens",
             {{{"id", id}, {"content", "<|endoftext|>"}, {"special", true}, {"normalized", false}},
              {{"id", id + 1}, {"content", "<s>"}, {"special", true}, {"normalized", false}, {"lstrip", true}},
              {{"id", id + 2}, {"content", "wor"}, {"special", false}, {"normalized", true}, {"single_word", true}}}},
            {"normalizer",
             {{"type", "Sequence"},
              {"normalizers", {{{"type", "NFC"}}, {{"type", "Replace"}, {"pattern", {{"Regex", "\\t+"}}}, {"content", " "}}, {{"type", "Strip"}}}}}},
            {"pre_tokenizer",
             {{"type", "Sequence"},
              {"pretokenizers",
               {{{"type", "Split"}, {"pattern", {{"Regex", "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|\\s+(?!\\S)|\\s+"}}}, {"behavior", "Isolated"},
                 {"invert", false}},
                {{"type", "Digits"}, {"individual_digits", true}},
                {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
            {"post_processor",
             {{"type", "TemplateProcessing"},
              {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
              {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {id + 1}}, {"tokens", {"<s>"}}}}}}}},
            {"decoder",
             {{"type", "Sequence"},
              {"decoders",
               {{{"type", "ByteLevel"}},
                {{"type", "Replace"}, {"pattern", {{"String", "\xE2\x96\x81"}}}, {"content", " "}},
                {{"type", "ByteFallback"}},
                {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
            {"model",
             {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", "<unk>"}, {"byte_fallback", true}, {"fuse_unk", false}, {"vocab", vocab},
              {"merges", {"H e", "l l", "ll o", "He llo", "\xC4\xA0 w"}}}}};
}

json interestingJson(std::mt19937_64& rng) {
    static const std::vector<json> kValues = {
        "x", "", " ", "<s>", "Isolated", "Removed", "Contiguous", "first", "never", -1, 0, 1, 3, 255, 70000, 4294967298LL,
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::uint64_t>::max(), 1e300, 0.5, true, false, nullptr,
        json::array(), json::array({1, "a", nullptr}), json::object(), json{{"Regex", "(a+)+$"}}, json{{"Regex", "("}},
        json{{"String", ""}}, json{{"String", "a"}}, json{{"Regex", "\\s+"}}};
    return kValues[rng() % kValues.size()];
}

std::string hostileRegex(std::mt19937_64& rng) {
    static const char* const kRegexes[] = {"(a+)+$", "(x+x+)+y", "(a|aa)+$", "(\\s*)*$", "(.*a){12}", "(a|a?)+b$", "((a+)*)+c"};
    return kRegexes[rng() % (sizeof kRegexes / sizeof kRegexes[0])];
}

// A value of the same kind as v: a bool flipped, another string (a regex when the key is
// "Regex"), another number.
json sameKind(const json& v, const std::string& key, std::mt19937_64& rng) {
    static const char* const kStrings[] = {"", " ", "a", "<s>", "<|endoftext|>", "\xe2\x96\x81", "Isolated", "Removed", "MergedWithNext",
                                           "Contiguous", "first", "always", "never", "Hello", "\t"};
    static const char* const kRegexes[] = {"\\s+", "\\p{L}+|\\p{N}", "[", "(?i:'s)|.", "\\h+", "a*", "(?=a)", "\\G"};
    if (v.is_boolean()) return !v.get<bool>();
    if (v.is_number()) return static_cast<std::int64_t>(rng() % 40) - 2;
    if (v.is_string() && key == "Regex") return rng() % 4 == 0 ? hostileRegex(rng) : kRegexes[rng() % (sizeof kRegexes / sizeof kRegexes[0])];
    if (v.is_string()) return kStrings[rng() % (sizeof kStrings / sizeof kStrings[0])];
    return interestingJson(rng);
}

void collectPointers(const json& v, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
    out.push_back(at);
    if (v.is_object())
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (it.key() == "vocab") {
                out.push_back(at / it.key());  // the vocabulary itself, not each entry
                continue;
            }
            collectPointers(it.value(), at / it.key(), out);
        }
    else if (v.is_array())
        for (std::size_t i = 0; i < v.size(); ++i) collectPointers(v[i], at / i, out);
}

std::string mutateTokenizer(const json& seed, std::mt19937_64& rng) {
    static const char* const kTypes[] = {"Sequence", "Split", "ByteLevel", "Digits", "Metaspace", "Replace", "Strip", "Prepend", "NFC", "NFKD",
                                         "Lowercase", "StripAccents", "ByteFallback", "Fuse", "TemplateProcessing", "BPE", "WordPiece"};
    static const char* const kKeys[] = {"behavior", "invert", "replacement", "prepend_scheme", "use_regex", "add_prefix_space", "individual_digits",
                                        "content", "start", "stop", "special", "normalized", "lstrip", "rstrip", "single_word", "ids",
                                        "pattern", "split", "prepend", "strip_left", "continuing_subword_prefix", "end_of_word_suffix"};
    json doc = seed;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
        std::vector<json::json_pointer> ptrs;
        collectPointers(doc, json::json_pointer(), ptrs);
        const json::json_pointer p = ptrs[rng() % ptrs.size()];
        if (p.empty()) continue;
        json& parent = doc.at(p.parent_pointer());
        const int op = static_cast<int>(rng() % 10);
        if (op < 3) {
            doc[p] = interestingJson(rng);
        } else if (op < 6) {
            doc[p] = sameKind(doc[p], p.back(), rng);
        } else if (op == 6) {
            if (parent.is_object()) parent.erase(p.back());
        } else if (op == 7) {
            if (parent.is_object()) parent[kKeys[rng() % (sizeof kKeys / sizeof kKeys[0])]] = interestingJson(rng);
        } else if (op == 8) {
            if (parent.is_object()) parent["type"] = kTypes[rng() % (sizeof kTypes / sizeof kTypes[0])];
        } else if (rng() % 3 == 0) {  // a regex that backtracks without end on some text: the budget must stop it
            std::vector<json::json_pointer> regexes;
            for (const auto& q : ptrs)
                if (!q.empty() && q.back() == "Regex") regexes.push_back(q);
            if (!regexes.empty()) doc[regexes[rng() % regexes.size()]] = hostileRegex(rng);
        }
    }
    std::string out = doc.dump(-1, ' ', false, json::error_handler_t::replace);
    if (rng() % 8 == 0) {  // and a tokenizer_config.json
        static const char* const kConfigs[] = {R"({"bos_token": "<s>", "add_bos_token": true})", R"({"bos_token": 5})", R"({"add_bos_token": "yes"})",
                                               R"({"eos_token": {"content": "<|endoftext|>"}})", R"({"eos_token": {"content": 1}})", "[]", "{"};
        out += '\0';
        out += kConfigs[rng() % 7];
    }
    return out;
}

// A fixed count of inputs, the same ones every run (seeded): bounded by count, not by time.
constexpr int kGgufRuns = 40000;
constexpr int kTokenizerRuns = 3000;

}  // namespace

class TestModelFileFuzz : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (const QByteArray dir = qgetenv("SRS_FUZZ_SEED_DIR"); !dir.isEmpty()) {
            const auto gguf = srs::test::tinyLlamaGguf().build();
            const std::string tok = tokenizerSeed().dump();
            QFile g(QString::fromUtf8(dir) + "/gguf_model.seed"), t(QString::fromUtf8(dir) + "/tokenizer_meaning.seed");
            QVERIFY(g.open(QIODevice::WriteOnly) && t.open(QIODevice::WriteOnly));
            g.write(reinterpret_cast<const char*>(gguf.data()), static_cast<qint64>(gguf.size()));
            t.write(QByteArray::fromStdString(tok));
        }
    }

    // The seeds work all the way: mutations start from the deepest path.
    void seedsWork() {
        const auto gguf = srs::test::tinyLlamaGguf().build();
        QCOMPARE(srs::fuzz::fuzzGgufModel(gguf.data(), gguf.size()), MeaningStage::Worked);
        const std::string tok = tokenizerSeed().dump();
        QCOMPARE(srs::fuzz::fuzzTokenizerMeaning(reinterpret_cast<const std::uint8_t*>(tok.data()), tok.size()), MeaningStage::Worked);
    }

    void ggufModel() {
        const GgufBuilder seed = srs::test::tinyLlamaGguf();
        std::mt19937_64 rng(21);
        std::map<MeaningStage, int> stages;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < kGgufRuns; ++i) {
            auto bytes = mutateGguf(seed, rng).build();
            if (rng() % 10 == 0) mutateBytes(bytes, rng);
            ++stages[srs::fuzz::fuzzGgufModel(bytes.data(), bytes.size())];
        }
        qInfo("GGUF model: %d inputs in %lld ms: %d refused when parsed, %d as a model, %d as a tokenizer, %d when encoding, %d worked", kGgufRuns,
              static_cast<long long>(t.elapsed()), stages[MeaningStage::ParseRejected], stages[MeaningStage::ModelRejected],
              stages[MeaningStage::TokenizerRejected], stages[MeaningStage::EncodeRejected], stages[MeaningStage::Worked]);
        // The mutations reach every stage (else the run tests less than it claims).
        QVERIFY(stages[MeaningStage::ParseRejected] > kGgufRuns / 50);
        QVERIFY(stages[MeaningStage::ModelRejected] > kGgufRuns / 10);
        QVERIFY(stages[MeaningStage::TokenizerRejected] > kGgufRuns / 200);
        QVERIFY(stages[MeaningStage::Worked] > kGgufRuns / 10);
    }

    void tokenizerMeaning() {
        const json seed = tokenizerSeed();
        std::mt19937_64 rng(22);
        std::map<MeaningStage, int> stages;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < kTokenizerRuns; ++i) {
            const std::string in = mutateTokenizer(seed, rng);
            ++stages[srs::fuzz::fuzzTokenizerMeaning(reinterpret_cast<const std::uint8_t*>(in.data()), in.size())];
        }
        qInfo("tokenizer.json: %d inputs in %lld ms: %d refused when loaded, %d encodes refused (a regex out of its budget), %d worked",
              kTokenizerRuns, static_cast<long long>(t.elapsed()), stages[MeaningStage::TokenizerRejected], stages[MeaningStage::EncodeRejected],
              stages[MeaningStage::Worked]);
        QVERIFY(stages[MeaningStage::TokenizerRejected] > kTokenizerRuns / 20);
        QVERIFY(stages[MeaningStage::EncodeRejected] > 0);
        QVERIFY(stages[MeaningStage::Worked] > kTokenizerRuns / 10);
    }
};

QTEST_GUILESS_MAIN(TestModelFileFuzz)
#include "test_model_file_fuzz.moc"
