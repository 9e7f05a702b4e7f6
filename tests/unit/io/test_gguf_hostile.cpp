// GGUF files that lie, made by the test from a tiny valid llama GGUF: every metadata key a model
// or its tokenizer reads, given the wrong type or a value out of range, and counts that the
// tensors do not back (block_count past the blk.N tensors, heads that do not divide the q/k/v
// shapes, a vocabulary larger than the embedding, an array longer than the file): each is a clean
// error naming the file, the key and what was expected and found — never an exception, a crash or
// a loop over a count nobody checked. A FIFO or a folder given as the GGUF is refused at once.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <limits>

#include "core/io/gguf.h"
#include "core/io/gguf_source.h"
#include "core/io/weight_source.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/load_tokenizer.h"
#include "support/tiny_gguf.h"

using namespace srs;
using srs::test::GgufBuilder;

namespace {

std::vector<std::uint8_t> u32(std::uint32_t v) {
    std::vector<std::uint8_t> b;
    GgufBuilder::put(b, v);
    return b;
}
std::vector<std::uint8_t> str(const std::string& s) {
    std::vector<std::uint8_t> b;
    GgufBuilder::putStr(b, s);
    return b;
}
// An array header claiming `count` elements of `elem` type, followed by `bytes`.
std::vector<std::uint8_t> arrayOf(std::uint32_t elem, std::uint64_t count, const std::vector<std::uint8_t>& bytes) {
    std::vector<std::uint8_t> b;
    GgufBuilder::put(b, elem);
    GgufBuilder::put(b, count);
    b.insert(b.end(), bytes.begin(), bytes.end());
    return b;
}
// Replaces key k with a raw value of the given type.
void setRaw(GgufBuilder& g, const std::string& k, std::uint32_t type, const std::vector<std::uint8_t>& v) {
    g.remove(k);
    g.addRaw(k, type, v);
}

struct Case {
    const char* name;
    std::function<void(GgufBuilder&)> mutate;
    std::vector<const char*> mentions;  // each must appear in the error
};

const std::vector<Case>& cases() {
    constexpr std::uint32_t kU32 = 4, kI32 = 5, kF32 = 6, kString = 8, kArray = 9;
    static const std::vector<Case> kCases = {
        {"tokens an array of i32",
         [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.tokens", kArray, arrayOf(kI32, 2, {1, 0, 0, 0, 2, 0, 0, 0})); },
         {"'tokenizer.ggml.tokens'", "must be an array of at most", "strings", "an array of i32 (2 elements)"}},
        {"tokens a string", [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.tokens", kString, str("abc")); },
         {"'tokenizer.ggml.tokens'", "the string \"abc\""}},
        {"scores strings",
         [](GgufBuilder& g) {
             g.remove("tokenizer.ggml.scores");
             g.addStringArray("tokenizer.ggml.scores", {"1", "2", "3", "4", "5", "6"});
         },
         {"'tokenizer.ggml.scores'", "finite numbers", "an array of string (6 elements)"}},
        {"scores one short",
         [](GgufBuilder& g) {
             g.remove("tokenizer.ggml.scores");
             g.addF32Array("tokenizer.ggml.scores", {0, 0, 0, 0, 0});
         },
         {"'tokenizer.ggml.scores'", "one number per token (6)"}},
        {"scores NaN",
         [](GgufBuilder& g) {
             g.remove("tokenizer.ggml.scores");
             g.addF32Array("tokenizer.ggml.scores", {0, 0, std::numeric_limits<float>::quiet_NaN(), 0, 0, 0});
         },
         {"'tokenizer.ggml.scores'", "element 2"}},
        {"token types strings",
         [](GgufBuilder& g) {
             g.remove("tokenizer.ggml.token_type");
             g.addStringArray("tokenizer.ggml.token_type", {"1", "1", "1", "1", "1", "1"});
         },
         {"'tokenizer.ggml.token_type'", "integers from 0 to 6"}},
        {"token type 9",
         [](GgufBuilder& g) {
             g.remove("tokenizer.ggml.token_type");
             g.addI32Array("tokenizer.ggml.token_type", {2, 3, 3, 9, 1, 1});
         },
         {"'tokenizer.ggml.token_type'", "element 3 is 9"}},
        {"model a number", [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.model", kU32, u32(1)); }, {"'tokenizer.ggml.model'", "a string", "the u32 1"}},
        {"bos id a string", [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.bos_token_id", kString, str("<s>")); },
         {"'tokenizer.ggml.bos_token_id'", "the string \"<s>\""}},
        {"bos id past the tokens", [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.bos_token_id", kU32, u32(99)); },
         {"'tokenizer.ggml.bos_token_id'", "below the token count 6", "the u32 99"}},
        {"unk id past the tokens", [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.unknown_token_id", kU32, u32(6)); },
         {"'tokenizer.ggml.unknown_token_id'", "below the token count 6"}},
        {"add_bos a u32", [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.add_bos_token", kU32, u32(1)); }, {"'tokenizer.ggml.add_bos_token'", "a bool"}},
        {"more tokens than the embedding has rows",
         [](GgufBuilder& g) {
             g.remove("tokenizer.ggml.tokens");
             g.remove("tokenizer.ggml.scores");
             g.remove("tokenizer.ggml.token_type");
             g.addStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a", "b", "c", "d"});
         },
         {"'tokenizer.ggml.tokens'", "at most 6 tokens", "token_embd.weight"}},
        {"architecture a number", [](GgufBuilder& g) { setRaw(g, "general.architecture", kU32, u32(7)); }, {"'general.architecture'", "a string"}},
        {"block_count a string", [](GgufBuilder& g) { setRaw(g, "llama.block_count", kString, str("two")); },
         {"'llama.block_count'", "an integer from 1 to", "the string \"two\""}},
        {"block_count an f32", [](GgufBuilder& g) { setRaw(g, "llama.block_count", kF32, {0, 0, 0, 0x40}); }, {"'llama.block_count'", "the f32 2"}},
        {"block_count missing", [](GgufBuilder& g) { g.remove("llama.block_count"); }, {"'llama.block_count'", "missing"}},
        {"block_count a million", [](GgufBuilder& g) { setRaw(g, "llama.block_count", kU32, u32(1000000)); }, {"'llama.block_count'", "the u32 1000000"}},
        {"block_count past the tensors", [](GgufBuilder& g) { setRaw(g, "llama.block_count", kU32, u32(3)); },
         {"llama.block_count is 3 but the file holds tensors for 2 blocks"}},
        {"a tensor past block_count", [](GgufBuilder& g) { setRaw(g, "llama.block_count", kU32, u32(1)); },
         {"tensor 'blk.1.", "belongs to a block past llama.block_count (1)"}},
        {"a block number of 20 digits",
         [](GgufBuilder& g) { g.tensors.push_back({"blk.99999999999999999999.attn_norm.weight", {8}, 0, srs::test::f32Bytes(8, 1)}); },
         {"blk.99999999999999999999.attn_norm.weight", "belongs to a block past"}},
        {"head_count a string", [](GgufBuilder& g) { setRaw(g, "llama.attention.head_count", kString, str("2")); }, {"'llama.attention.head_count'"}},
        {"head_count 0", [](GgufBuilder& g) { setRaw(g, "llama.attention.head_count", kU32, u32(0)); }, {"'llama.attention.head_count'", "the u32 0"}},
        {"head_count_kv above head_count", [](GgufBuilder& g) { setRaw(g, "llama.attention.head_count_kv", kU32, u32(4)); },
         {"'llama.attention.head_count_kv'", "from 1 to 2", "the u32 4"}},
        {"heads that do not fit the k shape", [](GgufBuilder& g) { setRaw(g, "llama.attention.head_count", kU32, u32(4)); },
         {"tensor 'blk.0.attn_k.weight' is [8, 4]", "needs [8, 2]"}},
        {"embedding_length not the embedding's", [](GgufBuilder& g) { setRaw(g, "llama.embedding_length", kU32, u32(16)); },
         {"token_embd.weight", "llama.embedding_length 16"}},
        {"feed_forward_length not the ffn's", [](GgufBuilder& g) { setRaw(g, "llama.feed_forward_length", kU32, u32(32)); },
         {"tensor 'blk.0.ffn_", "feed-forward 32"}},
        {"vocab_size not the embedding's rows", [](GgufBuilder& g) { g.addU32("llama.vocab_size", 7); },
         {"'llama.vocab_size'", "the rows of token_embd.weight (6)", "the u32 7"}},
        {"eps a string", [](GgufBuilder& g) { setRaw(g, "llama.attention.layer_norm_rms_epsilon", kString, str("1e-5")); },
         {"'llama.attention.layer_norm_rms_epsilon'", "a number from"}},
        {"freq_base infinite", [](GgufBuilder& g) { setRaw(g, "llama.rope.freq_base", kF32, {0, 0, 0x80, 0x7f}); }, {"'llama.rope.freq_base'", "the f32"}},
        {"context_length negative", [](GgufBuilder& g) { setRaw(g, "llama.context_length", kI32, {0xfb, 0xff, 0xff, 0xff}); },
         {"'llama.context_length'", "the i32 -5"}},
        {"key_length odd", [](GgufBuilder& g) { g.addU32("llama.attention.key_length", 3); },
         {"(GGUF metadata)", "head_dim (3) must be even"}},
        {"key_length a string", [](GgufBuilder& g) { g.addString("llama.attention.key_length", "4"); }, {"'llama.attention.key_length'"}},
        {"no token embedding", [](GgufBuilder& g) { g.tensors.erase(g.tensors.begin()); }, {"holds no token_embd.weight"}},
        {"alignment a string", [](GgufBuilder& g) { g.addString("general.alignment", "32"); }, {"'general.alignment'", "the string \"32\""}},
        {"array longer than the file",
         [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.merges", kArray, arrayOf(kString, std::uint64_t(1) << 40, str("a b"))); },
         {"an array claims 1099511627776 elements, more than the file holds"}},
        {"more metadata values than any model",
         [](GgufBuilder& g) { setRaw(g, "tokenizer.ggml.extra", kArray, arrayOf(0, (std::uint64_t(1) << 24) + 1, std::vector<std::uint8_t>((1u << 24) + 1))); },
         {"more than 16777216 values"}},
        {"a dimension of 2^41 beside a 0",
         [](GgufBuilder& g) { g.tensors.push_back({"huge.weight", {0, std::uint64_t(1) << 41}, 0, {}}); },
         {"tensor 'huge.weight' has a dimension of 2199023255552"}},
    };
    return kCases;
}

std::string writeGguf(const QTemporaryDir& dir, const GgufBuilder& g) {
    const std::string path = dir.path().toStdString() + "/model.gguf";
    const auto bytes = g.build();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
}

}  // namespace

class TestGgufHostile : public QObject {
    Q_OBJECT
private slots:
    void theValidFileLoads() {
        // The base every case changes: a model, its tokenizer and its chat template all load.
        QTemporaryDir dir;
        const std::string path = writeGguf(dir, srs::test::tinyLlamaGguf());
        auto source = io::openWeightSource(path);
        QVERIFY2(source.ok(), source.ok() ? "" : source.error().toString().c_str());
        QCOMPARE((*source)->config().num_hidden_layers, std::int64_t(2));
        QCOMPARE((*source)->config().vocab_size, std::int64_t(6));
        auto q = (*source)->loadFloat("model.layers.1.self_attn.q_proj.weight");
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().toString().c_str());
        QCOMPARE(q->shape, (std::vector<std::int64_t>{8, 8}));
        auto tok = tokenizer::loadTokenizerFor(**source);
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        QCOMPARE((*tok)->vocabSize(), std::int64_t(6));
        QVERIFY(!(*tok)->encode("a b", true).empty());
        auto chat = tokenizer::loadChatTemplate(**source);
        QVERIFY2(chat.ok() && chat->has_value(), chat.ok() ? "no template" : chat.error().toString().c_str());
        QCOMPARE((*chat)->eos_token, std::string("</s>"));
    }

    void lyingFilesAreCleanErrors_data() {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < cases().size(); ++i) QTest::newRow(cases()[i].name) << static_cast<int>(i);
    }
    void lyingFilesAreCleanErrors() {
        QFETCH(int, index);
        const Case& c = cases()[static_cast<std::size_t>(index)];
        GgufBuilder g = srs::test::tinyLlamaGguf();
        c.mutate(g);
        QTemporaryDir dir;
        const std::string path = writeGguf(dir, g);
        // Every way in: the model, its tokenizer, its chat template. At least the first that
        // reads the key refuses; none may succeed with the bad value or throw.
        auto source = io::openWeightSource(path);
        srs::Error e;
        if (!source.ok()) {
            e = source.error();
        } else {
            auto tok = tokenizer::loadTokenizerFor(**source);
            QVERIFY2(!tok.ok(), "the tokenizer loaded");
            e = tok.error();
        }
        QVERIFY2(e.code == ErrorCode::CorruptFile || e.code == ErrorCode::InvalidArgument, e.toString().c_str());
        QVERIFY2(e.message.find(path) != std::string::npos, e.toString().c_str());
        for (const char* m : c.mentions) QVERIFY2(e.message.find(m) != std::string::npos, qPrintable(QString("'%1' not in: %2").arg(m, e.toString().c_str())));
        QVERIFY2(e.message.find("json.exception") == std::string::npos, e.message.c_str());
        QVERIFY2(e.message.find("config.json") == std::string::npos, e.message.c_str());  // there is none
        auto chat = tokenizer::loadChatTemplate(path);
        (void)chat;  // an error or a template; reaching here without an exception is the check
    }

    void chatTemplateOfTheWrongType() {
        GgufBuilder g = srs::test::tinyLlamaGguf();
        setRaw(g, "tokenizer.chat_template", 4, u32(3));
        QTemporaryDir dir;
        const std::string path = writeGguf(dir, g);
        auto chat = tokenizer::loadChatTemplate(path);
        QVERIFY(!chat.ok());
        QVERIFY2(chat.error().message.find("'tokenizer.chat_template' must be a string, but it is the u32 3") != std::string::npos,
                 chat.error().message.c_str());
    }

    void typedAccessors() {
        GgufBuilder g;
        g.addU32("u", 7);
        g.addRaw("big", 10, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});  // u64 max
        g.addString("s", "x");
        g.addF32("f", 0.5f);
        g.addBool("b", true);
        auto f = io::GgufFile::parse(io::MappedFile::fromBuffer(g.build(), "acc.gguf"), "acc.gguf");
        QVERIFY(f.ok());
        QCOMPARE(*(*f)->metaInt("u", 0, 10).value(), std::int64_t(7));
        QVERIFY(!(*f)->metaInt("u", 0, 6).ok());
        QVERIFY(!(*f)->metaInt("missing", 0, 6).value().has_value());
        auto big = (*f)->metaInt("big", 0, std::numeric_limits<std::int64_t>::max());  // never wraps to -1
        QVERIFY(!big.ok());
        QVERIFY2(big.error().message.find("the u64 18446744073709551615") != std::string::npos, big.error().message.c_str());
        QVERIFY(!(*f)->metaInt("s", 0, 6).ok());
        QVERIFY(!(*f)->metaInt("f", 0, 6).ok());
        QCOMPARE(*(*f)->metaNumber("u", 0, 10).value(), 7.0);
        QVERIFY(!(*f)->metaString("u").ok());
        QVERIFY(!(*f)->metaBool("u").ok());
        QCOMPARE(*(*f)->metaBool("b").value(), true);
        QVERIFY(!(*f)->metaStringArray("s", 10).ok());
        QCOMPARE((*f)->metaTypeName("b"), std::string("bool"));
    }

    void notRegularFilesAreRefused_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("FIFO") << "fifo";
        QTest::newRow("folder named .gguf") << "folder";
        QTest::newRow("link to /dev/zero") << "zero";
    }
    void notRegularFilesAreRefused() {
        // Nobody writes to the FIFO: a reader that opened it blocking would hang here.
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/model.gguf";
        if (kind == "fifo") QCOMPARE(::mkfifo(path.c_str(), 0600), 0);
        if (kind == "folder") QVERIFY(std::filesystem::create_directory(path));
        if (kind == "zero") std::filesystem::create_symlink("/dev/zero", path);
        QElapsedTimer timer;
        timer.start();
        auto g = io::GgufFile::open(path);
        QVERIFY(!g.ok());
        QVERIFY2(g.error().message.find(path + " is not a regular file") != std::string::npos, g.error().message.c_str());
        auto model = io::openGgufModel(path);
        QVERIFY(!model.ok());
        if (kind != "folder") QVERIFY(!tokenizer::loadChatTemplate(path).ok());  // (a folder is read as a model folder)
        QVERIFY(timer.elapsed() < 10000);
    }
};

QTEST_GUILESS_MAIN(TestGgufHostile)
#include "test_gguf_hostile.moc"
