// inspectModel: the real stories260K folder, generated tiny models (single and sharded),
// and folders that are broken in the ways users meet (missing files, mismatched shapes).
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/model_config.h"
#include "core/export/gguf_export.h"
#include "core/io/model_summary.h"
#include "core/io/weight_source.h"
#include "support/test_paths.h"
#include "support/tiny_model.h"

using namespace srs::io;

class TestModelSummary : public QObject {
    Q_OBJECT
private slots:
    void stories260K() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto s = inspectModel(folder.toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(s->config.num_hidden_layers, 5);
        QCOMPARE(s->config.hidden_size, 64);
        QCOMPARE(s->config.num_attention_heads, 8);
        QCOMPARE(s->config.num_key_value_heads, 4);
        QCOMPARE(s->config.vocab_size, 512);
        QCOMPARE(s->param_count, std::uint64_t(260032));
        QCOMPARE(s->params_by_dtype.at("F32"), std::uint64_t(260032));
        QCOMPARE(s->quantizable.size(), size_t(35));  // 7 projections x 5 blocks
        QVERIFY(s->config.tie_word_embeddings);
        // gate/up (172 out) and down (172 in) are not multiples of 32.
        int unpackable = 0;
        for (const auto& l : s->quantizable) unpackable += l.packable ? 0 : 1;
        QCOMPARE(unpackable, 15);
        QString text = QString::fromStdString(formatSummary(*s, true));
        QVERIFY(text.contains("260,032"));
        QVERIFY(text.contains("model.layers.4.mlp.down_proj  [64 x 172]"));
    }

    // The same model as a .gguf (and as the folder holding it) reads as the Hugging Face folder
    // does: architecture, layers, heads and parameters (its output.weight is a copy of the
    // embedding, i.e. tied), with its ggml types and embedded tokenizer.
    void ggufEqualsTheHfFolder() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto hf = inspectModel(folder.toStdString());
        QVERIFY(hf.ok());
        for (const QString& path : {gguf, QFileInfo(gguf).absolutePath()}) {
            if (QFileInfo(path).isDir() && QDir(path).entryList({"*.gguf"}).size() != 1) continue;
            auto g = inspectModel(path.toStdString());
            QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
            QCOMPARE(g->format, ModelFormat::Gguf);
            QCOMPARE(QFileInfo(QString::fromStdString(g->weights_file)).fileName(), QString("stories260K.gguf"));
            QCOMPARE(g->config.architectures, hf->config.architectures);
            QCOMPARE(g->config.num_hidden_layers, hf->config.num_hidden_layers);
            QCOMPARE(g->config.num_attention_heads, hf->config.num_attention_heads);
            QCOMPARE(g->config.num_key_value_heads, hf->config.num_key_value_heads);
            QCOMPARE(g->config.hidden_size, hf->config.hidden_size);
            QCOMPARE(g->param_count, std::uint64_t(260032));
            QCOMPARE(g->quantizable.size(), hf->quantizable.size());
            QVERIFY(g->config.tie_word_embeddings);
            QCOMPARE(g->tokenizer, std::string("embedded (llama)"));
            QVERIFY(!g->quantized_source());
            QString text = QString::fromStdString(formatSummary(*g, false));
            QVERIFY(text.contains("260,032"));
            QVERIFY(text.contains("stories260K.gguf (GGUF)"));
        }
    }

    // A GGUF whose block weights are stored at 4 bits is flagged, with the cost, as a poor source.
    void quantizedGgufIsFlagged() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        auto src = openWeightSource(gguf.toStdString());
        QVERIFY(src.ok());
        QTemporaryDir dir;
        srs::exporter::QuantizedModel m;
        m.source = *src;
        srs::exporter::GgufExportOptions opt;
        opt.file_type = *srs::exporter::parseGgufFileType("q4_0");
        opt.model_name = "stories260K";
        auto rep = srs::exporter::exportGguf(m, (dir.path() + "/q4").toStdString(), opt);
        QVERIFY2(rep.ok(), rep.ok() ? "" : rep.error().message.c_str());
        auto s = inspectModel((dir.path() + "/q4").toStdString());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QVERIFY(s->quantized_source());
        QCOMPARE(s->linear_storage, std::string("Q4_0"));
        QVERIFY(s->linear_bits_per_weight > 4.5 && s->linear_bits_per_weight < 8.0);  // Q4_0, and F16 where a row is not a multiple of 32
        QVERIFY(s->params_by_dtype.count("Q4_0"));
        bool warned = false;
        for (const auto& w : s->warnings) warned = warned || (w.find("already quantized (Q4_0") != std::string::npos && w.find("Q8_0") != std::string::npos);
        QVERIFY(warned);
        // The F32 original is not flagged.
        auto f32 = inspectModel(gguf.toStdString());
        QVERIFY(f32.ok() && !f32->quantized_source() && f32->linear_bits_per_weight == 32.0);
    }

    void tinyShardedEqualsSingle() {
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.tied = false;
        std::uint64_t params = srs::test::writeTinyModel(dir.path() + "/one", spec);
        spec.shards = 3;
        srs::test::writeTinyModel(dir.path() + "/three", spec);
        auto one = inspectModel((dir.path() + "/one").toStdString());
        auto three = inspectModel((dir.path() + "/three").toStdString());
        QVERIFY(one.ok());
        QVERIFY2(three.ok(), three.ok() ? "" : three.error().message.c_str());
        QCOMPARE(one->param_count, params);
        QCOMPARE(three->param_count, params);
        QCOMPARE(three->shard_count, 3);
        QCOMPARE(three->quantizable.size(), one->quantizable.size());
        auto cp = Checkpoint::open((dir.path() + "/three").toStdString());
        QVERIFY(cp.ok());
        auto a = (*cp)->tensor("model.layers.1.mlp.down_proj.weight");
        auto cp1 = Checkpoint::open((dir.path() + "/one").toStdString());
        auto b = (*cp1)->tensor("model.layers.1.mlp.down_proj.weight");
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->toFloat(), b->toFloat());
    }

    void errorsNameTheProblem() {
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        // no folder
        auto missing = inspectModel((dir.path() + "/nothing").toStdString());
        QVERIFY(!missing.ok());
        QVERIFY(QString::fromStdString(missing.error().message).contains("nothing"));
        QVERIFY(QString::fromStdString(missing.error().hint).contains("config.json"));
        // no weights
        QString f = dir.path() + "/noweights";
        srs::test::writeTinyModel(f, spec);
        QFile::remove(f + "/model.safetensors");
        auto noweights = inspectModel(f.toStdString());
        QVERIFY(!noweights.ok());
        QVERIFY(QString::fromStdString(noweights.error().message).contains("no *.safetensors"));
        // config says more heads than the weights have
        QString g = dir.path() + "/mismatch";
        srs::test::writeTinyModel(g, spec);
        QFile cfg(g + "/config.json");
        QVERIFY(cfg.open(QIODevice::ReadOnly));
        QByteArray text = cfg.readAll().replace("\"hidden_size\": 32", "\"hidden_size\": 48");
        cfg.close();
        QVERIFY(cfg.open(QIODevice::WriteOnly | QIODevice::Truncate));
        cfg.write(text);
        cfg.close();
        auto mismatch = inspectModel(g.toStdString());
        QVERIFY(!mismatch.ok());
        QVERIFY2(QString::fromStdString(mismatch.error().message).contains("config.json implies"), mismatch.error().message.c_str());
        // index pointing at a shard that lacks the tensor
        QString h = dir.path() + "/badindex";
        spec.shards = 2;
        srs::test::writeTinyModel(h, spec);
        QFile idx(h + "/model.safetensors.index.json");
        QVERIFY(idx.open(QIODevice::ReadOnly));
        QByteArray itext = idx.readAll();
        idx.close();
        itext.replace("\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\"",
                      "\"model.embed_tokens.weight\": \"model-00002-of-00002.safetensors\"");
        QVERIFY(idx.open(QIODevice::WriteOnly | QIODevice::Truncate));
        idx.write(itext);
        idx.close();
        auto badindex = inspectModel(h.toStdString());
        QVERIFY(!badindex.ok());
        QVERIFY2(QString::fromStdString(badindex.error().message).contains("does not contain"), badindex.error().message.c_str());
    }

    void unsupportedTypeIsAWarningNotAFailure() {
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.model_type = "gpt_neox";
        srs::test::writeTinyModel(dir.path(), spec);
        auto s = inspectModel(dir.path().toStdString());
        QVERIFY(s.ok());
        QCOMPARE(s->warnings.size(), size_t(1));
        QVERIFY(QString::fromStdString(s->warnings[0]).contains("llama, mistral, qwen2, qwen3"));
    }

    // transformers 5 writes RoPE as one rope_parameters object; older configs as top-level
    // rope_theta / rope_scaling. Both give the same settings; a scaling the runtime does not
    // implement makes the model unsupported (it would otherwise run as plain RoPE).
    void ropeParametersAndLegacyKeysAgree() {
        nlohmann::json base = {{"model_type", "llama"}, {"hidden_size", 64}, {"intermediate_size", 128}, {"num_hidden_layers", 2},
                               {"num_attention_heads", 4}, {"num_key_value_heads", 2}, {"vocab_size", 256}};
        nlohmann::json legacy = base, v5 = base;
        legacy["rope_theta"] = 500000.0;
        legacy["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                                  {"original_max_position_embeddings", 64}};
        v5["rope_parameters"] = legacy["rope_scaling"];
        v5["rope_parameters"]["rope_theta"] = 500000.0;
        for (const auto& j : {legacy, v5}) {
            auto c = srs::io::parseModelConfig(j);
            QVERIFY(c.ok());
            QCOMPARE(c->rope_theta, 500000.0);
            QCOMPARE(QString::fromStdString(c->rope_scaling.type), QString("llama3"));
            QCOMPARE(c->rope_scaling.factor, 8.0);
            QCOMPARE(c->rope_scaling.original_max_position_embeddings, std::int64_t(64));
            QVERIFY(c->isSupported());
        }
        nlohmann::json plain = base;
        plain["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1e6}};
        auto p = srs::io::parseModelConfig(plain);
        QVERIFY(p.ok());
        QCOMPARE(p->rope_theta, 1e6);
        QVERIFY(p->rope_scaling.type.empty());
        QVERIFY(p->isSupported());

        nlohmann::json yarn = base;
        yarn["rope_parameters"] = {{"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 64}, {"rope_theta", 1e4}};
        auto y = srs::io::parseModelConfig(yarn);
        QVERIFY(y.ok());  // inspect still works
        QVERIFY(!y->isSupported());
        QVERIFY2(QString::fromStdString(y->unsupportedReason()).contains("RoPE scaling 'yarn' is not supported"), y->unsupportedReason().c_str());
    }
};

QTEST_GUILESS_MAIN(TestModelSummary)
#include "test_model_summary.moc"
