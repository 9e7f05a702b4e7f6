// The GGUF reader and importer: stories260K.gguf against its Hugging Face conversion (every
// tensor identical, config identical), the embedded vocabulary, Q8_0 dequantization, and hand-made
// damaged files — truncated at every length, bad magic, impossible counts, bad strings, unknown
// types, tensors past the end or overlapping — each a clear error, never a crash.
#include <QtTest>

#include "core/io/gguf.h"
#include "core/io/gguf_source.h"
#include "core/io/weight_source.h"
#include "core/tokenizer/load_tokenizer.h"
#include "support/gguf_builder.h"
#include "support/test_paths.h"

using namespace srs;

namespace {
Result<std::shared_ptr<io::GgufFile>> parse(std::vector<std::uint8_t> b) {
    return io::GgufFile::parse(io::MappedFile::fromBuffer(std::move(b), "test.gguf"), "test.gguf");
}
test::GgufBuilder small() {
    test::GgufBuilder g;
    g.addString("general.architecture", "llama");
    g.addU32("general.alignment", 32);
    g.addStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a"});
    std::vector<std::uint8_t> f32(4 * 8);
    for (int i = 0; i < 8; ++i) {
        float v = static_cast<float>(i) - 3.5f;
        std::memcpy(&f32[4 * i], &v, 4);
    }
    g.tensors.push_back({"a.weight", {4, 2}, 0, f32});
    std::vector<std::uint8_t> q8(34);  // one Q8_0 block: scale 0.5, values -16..15
    std::uint16_t half = 0x3800;       // 0.5 in fp16
    std::memcpy(q8.data(), &half, 2);
    for (int j = 0; j < 32; ++j) q8[2 + j] = static_cast<std::uint8_t>(static_cast<std::int8_t>(j - 16));
    g.tensors.push_back({"b.weight", {32}, 8, q8});
    return g;
}
}  // namespace

class TestGguf : public QObject {
    Q_OBJECT
private slots:
    void stories260KStructure() {
        SRS_REQUIRE_SHARED(path, "models/stories260K/stories260K.gguf");
        auto g = io::GgufFile::open(path.toStdString());
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE((*g)->version(), 3u);
        QCOMPARE((*g)->tensors().size(), size_t(48));
        QCOMPARE((*g)->metadata().size(), size_t(19));
        QCOMPARE((*g)->alignment(), std::uint64_t(32));
        QCOMPARE((*g)->dataOffset(), std::uint64_t(14176));
        QCOMPARE((*g)->meta("llama.embedding_length")->get<int>(), 64);
        QCOMPARE((*g)->find("blk.0.ffn_down.weight")->ne, (std::vector<std::uint64_t>{172, 64}));
    }

    void importEqualsTheHfConversion() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        SRS_REQUIRE_SHARED(hf, "models/stories260K-hf");
        auto a = io::openWeightSource(gguf.toStdString());
        auto b = io::openWeightSource(hf.toStdString());
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().message.c_str());
        QVERIFY(b.ok());
        const auto &ca = (*a)->config(), &cb = (*b)->config();
        QCOMPARE(ca.model_type, cb.model_type);
        QCOMPARE(ca.hidden_size, cb.hidden_size);
        QCOMPARE(ca.intermediate_size, cb.intermediate_size);
        QCOMPARE(ca.num_hidden_layers, cb.num_hidden_layers);
        QCOMPARE(ca.num_attention_heads, cb.num_attention_heads);
        QCOMPARE(ca.num_key_value_heads, cb.num_key_value_heads);
        QCOMPARE(ca.head_dim, cb.head_dim);
        QCOMPARE(ca.vocab_size, cb.vocab_size);
        QCOMPARE(static_cast<float>(ca.rms_norm_eps), static_cast<float>(cb.rms_norm_eps));  // GGUF stores it as f32
        QCOMPARE(ca.rope_theta, cb.rope_theta);
        // The converter wrote output.weight as a copy of the embedding, so the GGUF is untied.
        QVERIFY(!ca.tie_word_embeddings);
        for (const auto& name : (*b)->tensorNames()) {
            auto x = (*a)->loadFloat(name);
            QVERIFY2(x.ok(), name.c_str());
            auto y = (*b)->loadFloat(name);
            QCOMPARE(x->shape, y->shape);
            QVERIFY2(x->data == y->data, qPrintable(QString::fromStdString(name) + " differs (q/k permutation?)"));
        }
        QCOMPARE((*a)->loadFloat("lm_head.weight")->data, (*b)->loadFloat("model.embed_tokens.weight")->data);
        QCOMPARE((*a)->storedDtype("model.layers.0.self_attn.q_proj.weight"), std::string("F32"));
    }

    void embeddedVocabulary() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        auto src = io::openWeightSource(gguf.toStdString());
        auto tok = tokenizer::loadTokenizerFor(**src);
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().message.c_str());
        QCOMPARE((*tok)->vocabSize(), 512);
        QCOMPARE(*(*tok)->bosId(), 1);
        QCOMPARE(*(*tok)->eosId(), 2);
        QCOMPARE((*tok)->piece(3), std::string("<0x00>"));
        QCOMPARE((*tok)->piece(258), std::string("<0xFF>"));
        QCOMPARE((*tok)->encode("Once upon a time, there was a little girl named Lily.", false),
                 (std::vector<std::int32_t>{403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426}));
    }

    void smallFileAndQ8() {
        auto g = parse(small().build());
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE((*g)->meta("tokenizer.ggml.tokens")->size(), size_t(4));
        const auto* a = (*g)->find("a.weight");
        auto fa = io::dequantizeGgml(*a, (*g)->tensorData(*a));
        QCOMPARE((*fa)[0], -3.5f);
        QCOMPARE((*fa)[7], 3.5f);
        const auto* b = (*g)->find("b.weight");
        auto fb = io::dequantizeGgml(*b, (*g)->tensorData(*b));
        QVERIFY(fb.ok());
        QCOMPARE((*fb)[0], -8.0f);
        QCOMPARE((*fb)[31], 7.5f);
        io::GgufTensorInfo iq2{"c", {256}, 16, 0, 66};  // IQ2_XXS: not a type we read
        auto unsupported = io::dequantizeGgml(iq2, nullptr);
        QVERIFY(!unsupported.ok());
        QVERIFY2(QString::fromStdString(unsupported.error().message).contains("Q4_0"), unsupported.error().message.c_str());
    }

    void truncatedAtEveryLength() {
        auto bytes = small().build();
        // Every length short of the last tensor's last byte (trailing padding is optional).
        auto whole = parse(bytes);
        QVERIFY(whole.ok());
        std::uint64_t needed = 0;
        for (const auto& t : (*whole)->tensors()) needed = std::max(needed, (*whole)->dataOffset() + t.offset + t.size_bytes);
        for (std::size_t n = 0; n < needed; ++n) {
            std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + n);
            auto g = parse(cut);
            QVERIFY2(!g.ok(), qPrintable(QString("a file cut at %1 of %2 bytes was accepted").arg(n).arg(bytes.size())));
            QVERIFY(!g.error().message.empty());
        }
    }

    void damagedHeaders_data() {
        QTest::addColumn<int>("offset");
        QTest::addColumn<QByteArray>("patch");
        QTest::addColumn<QString>("expect");
        QTest::newRow("bad magic") << 0 << QByteArray("GGML") << "no GGUF magic";
        QTest::newRow("version 7") << 4 << QByteArray("\x07\0\0\0", 4) << "version 7";
        QTest::newRow("huge tensor count") << 8 << QByteArray("\xff\xff\xff\xff\xff\xff\0\0", 8) << "cannot fit";
        QTest::newRow("huge metadata count") << 16 << QByteArray("\xff\xff\xff\xff\0\0\0\0", 8) << "cannot fit";
        QTest::newRow("key length past end") << 24 << QByteArray("\xff\xff\xff\x7f\0\0\0\0", 8) << "remain";
    }
    void damagedHeaders() {
        QFETCH(int, offset);
        QFETCH(QByteArray, patch);
        QFETCH(QString, expect);
        auto bytes = small().build();
        std::memcpy(bytes.data() + offset, patch.constData(), patch.size());
        auto g = parse(bytes);
        QVERIFY(!g.ok());
        QVERIFY2(QString::fromStdString(g.error().message).contains(expect), g.error().message.c_str());
        QVERIFY(QString::fromStdString(g.error().message).contains("test.gguf"));
    }

    void damagedTensors() {
        auto unknown = small();
        unknown.tensors[0].type = 99;
        QVERIFY(QString::fromStdString(parse(unknown.build()).error().message).contains("ggml type 99"));
        auto dims = small();
        dims.tensors[0].ne = {1, 1, 1, 1, 8};
        QVERIFY(QString::fromStdString(parse(dims.build()).error().message).contains("5 dimensions"));
        auto big = small();
        big.tensors[0].ne = {4, 2000};  // claims far more data than the file has
        QVERIFY(QString::fromStdString(parse(big.build()).error().message).contains("truncated"));
        auto row = small();
        row.tensors[1].ne = {31};  // not a whole Q8_0 block
        QVERIFY(QString::fromStdString(parse(row.build()).error().message).contains("multiple of its block"));
        auto align = small();
        align.addU32("general.alignment", 3);
        QVERIFY(QString::fromStdString(parse(align.build()).error().message).contains("power of two"));
    }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "test_gguf.moc"
