// A bounded, deterministic mutation fuzzer over the safetensors, GGUF and tokenizer.json parsers, run in CI:
// valid seed files are damaged in many seeded ways (bit flips, interesting values, cuts,
// insertions, length fields rewritten) and every result must be a value or an Error.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include <nlohmann/json.hpp>

#include "core/io/safetensors_writer.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "fuzz/parser_targets.h"
#include "support/gguf_builder.h"

namespace {

std::vector<std::uint8_t> safetensorsSeed() {
    QTemporaryDir dir;
    std::vector<float> a(6, 1.5f);
    std::vector<std::uint16_t> b(4, 0x3c00);
    std::string path = (dir.path() + "/seed.safetensors").toStdString();
    srs::io::writeSafetensors(path, {{"a", srs::io::DType::F32, {2, 3}, a.data()}, {"b", srs::io::DType::F16, {4}, b.data()}}, {{"format", "pt"}});
    QFile f(QString::fromStdString(path));
    f.open(QIODevice::ReadOnly);
    QByteArray bytes = f.readAll();
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> ggufSeed() {
    srs::test::GgufBuilder g;
    g.addString("general.architecture", "llama");
    g.addU32("llama.block_count", 1);
    g.addF32("llama.rope.freq_base", 10000.0f);
    g.addStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "a", "b"});
    g.tensors.push_back({"token_embd.weight", {4, 4}, 0, std::vector<std::uint8_t>(64, 0x3f)});
    std::vector<std::uint8_t> q8(34, 1);
    g.tensors.push_back({"blk.0.attn_q.weight", {32}, 8, q8});
    return g.build();
}

// A small tokenizer.json using most components: NFC, a Split regex with ByteLevel, BPE merges,
// added tokens (special, lstrip, normalized), a BOS template and a decoder sequence.
std::vector<std::uint8_t> tokenizerJsonSeed() {
    using nlohmann::json;
    json vocab = json::object();
    int id = 0;
    for (const char* p : {"H", "e", "l", "o", "Ġ", "w", "r", "d", "He", "ll", "llo", "Hello", "Ġw", "1", "2", "'", "t", "Ċ", "ĉ", "Ã", "©"})
        vocab[p] = id++;
    json tok = {
        {"added_tokens",
         {{{"id", id}, {"content", "<|endoftext|>"}, {"special", true}, {"normalized", false}},
          {{"id", id + 1}, {"content", "<s>"}, {"special", true}, {"normalized", false}, {"lstrip", true}},
          {{"id", id + 2}, {"content", "wor"}, {"special", false}, {"normalized", true}}}},
        {"normalizer", {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "Replace"}, {"pattern", {{"Regex", "\\t+"}}}, {"content", " "}}}}}},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"}, {"pattern", {{"Regex", "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|\\s+(?!\\S)|\\s+"}}}, {"behavior", "Isolated"}},
            {{"type", "Digits"}, {"individual_digits", true}},
            {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", {{{"SpecialToken", {{"id", "<s>"}}}}, {{"Sequence", {{"id", "A"}}}}}},
          {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {id + 1}}}}}}}},
        {"decoder", {{"type", "Sequence"}, {"decoders", {{{"type", "ByteLevel"}}, {{"type", "Strip"}, {"content", " "}, {"start", 1}}}}}},
        {"model",
         {{"type", "BPE"}, {"byte_fallback", false}, {"vocab", vocab}, {"merges", {"H e", "l l", "ll o", "He llo", "Ġ w"}}}}};
    const std::string s = tok.dump();
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

std::vector<std::uint8_t> mutate(const std::vector<std::uint8_t>& seed, std::mt19937_64& rng) {
    std::vector<std::uint8_t> b = seed;
    static const std::uint64_t kInteresting[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0xffffffff, 0xffffffffffffffffull, 1ull << 40};
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !b.empty(); ++e) {
        const std::size_t pos = rng() % b.size();
        switch (rng() % 6) {
        case 0: b[pos] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
        case 1: b[pos] = static_cast<std::uint8_t>(rng()); break;
        case 2: b.resize(pos); break;
        case 3: b.insert(b.begin() + static_cast<long>(pos), static_cast<std::uint8_t>(rng())); break;
        case 4: {  // overwrite 8 bytes with an interesting little-endian value (lengths, counts, offsets)
            std::uint64_t v = kInteresting[rng() % (sizeof kInteresting / sizeof kInteresting[0])];
            for (int i = 0; i < 8 && pos + i < b.size(); ++i) b[pos + i] = static_cast<std::uint8_t>(v >> (8 * i));
            break;
        }
        default: b.erase(b.begin() + static_cast<long>(pos)); break;
        }
    }
    return b;
}

}  // namespace

// A fixed count of mutated inputs per parser, the same ones every run (seeded): bounded by count,
// not by time, so a loaded machine runs them all too (about 2 s in all on an idle one here).
constexpr int kRuns = 60000;

class TestParserFuzz : public QObject {
    Q_OBJECT
private slots:
    void safetensors() {
        auto seed = safetensorsSeed();
        QVERIFY(seed.size() > 16);
        std::mt19937_64 rng(1);
        QElapsedTimer t;
        t.start();
        int runs = 0;
        for (; runs < kRuns; ++runs) {
            auto m = mutate(seed, rng);
            srs::fuzz::fuzzSafetensors(m.data(), m.size());
        }
        qInfo("safetensors: %d mutated inputs parsed in %lld ms", runs, static_cast<long long>(t.elapsed()));
    }

    void gguf() {
        auto seed = ggufSeed();
        std::mt19937_64 rng(2);
        QElapsedTimer t;
        t.start();
        int runs = 0;
        for (; runs < kRuns; ++runs) {
            auto m = mutate(seed, rng);
            srs::fuzz::fuzzGguf(m.data(), m.size());
        }
        qInfo("gguf: %d mutated inputs parsed in %lld ms", runs, static_cast<long long>(t.elapsed()));
    }

    void tokenizerJson() {
        auto seed = tokenizerJsonSeed();
        srs::fuzz::fuzzTokenizerJson(seed.data(), seed.size());
        QVERIFY(srs::tokenizer::parseHfTokenizer(std::string(seed.begin(), seed.end()), "", "seed").ok());
        std::mt19937_64 rng(3);
        QElapsedTimer t;
        t.start();
        int runs = 0;
        for (; runs < kRuns; ++runs) {
            auto m = mutate(seed, rng);
            srs::fuzz::fuzzTokenizerJson(m.data(), m.size());
        }
        qInfo("tokenizer.json: %d mutated inputs parsed in %lld ms", runs, static_cast<long long>(t.elapsed()));
    }
};

QTEST_GUILESS_MAIN(TestParserFuzz)
#include "test_parser_fuzz.moc"
