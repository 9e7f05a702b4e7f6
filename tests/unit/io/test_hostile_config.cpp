// Values read from a model folder are not trusted: the typed JSON accessor (json_field.h), the
// checked config.json parse, the one check of the tensors against it (model_check.h) and the
// bounded, regular-file-only reader (read_text_file.h), on inputs crafted here: wrong types,
// counts that would wrap, configs that disagree with the weights, 0-D and 1-D linear weights, a
// config.json that is a FIFO, a link to /dev/zero or a folder.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

#include "core/common/json_field.h"
#include "core/io/model_check.h"
#include "core/io/model_config.h"
#include "core/io/model_summary.h"
#include "core/io/read_text_file.h"
#include "core/io/weight_source.h"
#include "support/hostile_model.h"

using nlohmann::json;
using srs::test::tinyLlamaConfig;
using srs::test::tinyLlamaTensors;

namespace {

QString msg(const srs::Error& e) { return QString::fromStdString(e.message); }

// Opening the folder both ways (inspect, and as the pipeline does) gives the same error; returns it.
QString openError(const QString& folder) {
    auto s = srs::io::inspectModel(folder.toStdString());
    auto w = srs::io::openWeightSource(folder.toStdString());
    if (s.ok() || w.ok()) return QString("opened (inspect %1, open %2)").arg(s.ok()).arg(w.ok());
    if (s.error().message != w.error().message) return "inspect: " + msg(s.error()) + " | open: " + msg(w.error());
    return msg(w.error());
}

}  // namespace

class TestHostileConfig : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int n_ = 0;
    QString folder() { return dir_.path() + "/m" + QString::number(n_++); }

private slots:
    void fieldsAreTypedAndRangeChecked() {
        const json j = json::parse(
            R"({"eps": "x", "n": 4294967298, "u": 18446744073709551615, "neg": -3, "f": 2.5, "ok": 7, "nul": null, "b": 1, "list": [1, "two"], "obj": {"inner": "y"}})");
        const srs::json::Fields f(j, "config.json");
        auto eps = f.number("eps", srs::json::NumberRange{0, 1, true, true}, 1e-6);
        QVERIFY(!eps.ok());
        QCOMPARE(msg(eps.error()), QString("config.json: eps must be a number in (0, 1) (found the string \"x\")"));
        auto n = f.integer("n", 1, 16384);
        QVERIFY(!n.ok());
        QCOMPARE(msg(n.error()), QString("config.json: n must be an integer in [1, 16384] (found the number 4294967298)"));
        QVERIFY(!f.integer("u", 0, std::numeric_limits<std::int64_t>::max()).ok());  // above int64: out of range, not wrapped
        QVERIFY(!f.integer("neg", 0, 10).ok());
        QVERIFY(!f.integer("f", 0, 10).ok());  // 2.5 is not an integer
        QCOMPARE(*f.integer("ok", 0, 10), std::int64_t(7));
        QCOMPARE(*f.integer("nul", 0, 10, 5), std::int64_t(5));  // null counts as absent
        QCOMPARE(*f.integer("absent", 0, 10, 5), std::int64_t(5));
        QVERIFY(QString::fromStdString(f.integer("absent", 0, 10).error().message).contains("absent is missing"));
        QVERIFY(msg(f.boolean("b", false).error()).contains("b must be true or false (found the number 1)"));
        QVERIFY(msg(f.integerOrList("list", 0, 10, 4).error()).contains("found the string \"two\""));
        auto obj = f.object("obj");
        QVERIFY(obj.ok() && obj->has_value());
        QCOMPARE(msg((*obj)->integer("inner", 0, 1).error()), QString("config.json: obj.inner must be an integer in [0, 1] (found the string \"y\")"));
        QVERIFY(!f.object("ok").ok());
    }

    void parseJsonLimitsDepthAndNamesTheFile() {
        const std::string deep_ok = std::string(64, '[') + std::string(64, ']');
        QVERIFY(srs::json::parseJson(deep_ok, "a.json").ok());
        auto deep = srs::json::parseJson("{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}", "a.json");
        QVERIFY(!deep.ok());
        QVERIFY2(msg(deep.error()).contains("a.json nests arrays or objects deeper than 64 levels"), deep.error().message.c_str());
        auto bad = srs::json::parseJson("{\"a\": x}", "a.json");
        QVERIFY(!bad.ok());
        QVERIFY(msg(bad.error()).startsWith("a.json is not valid JSON: parse error"));
        QVERIFY(!msg(bad.error()).contains("json.exception"));
    }

    // The defect: `"rms_norm_eps": "x"` ended `signround inspect` with an uncaught type_error.
    void rmsNormEpsStringIsACleanError() {
        const QString f = folder();
        json c = tinyLlamaConfig();
        c["rms_norm_eps"] = "x";
        srs::test::writeModelFolder(f, c, tinyLlamaTensors(tinyLlamaConfig()));
        const QString want = "config.json: rms_norm_eps must be a number in (0, 1) (found the string \"x\")";
        auto cfg = srs::io::loadModelConfig(f.toStdString());
        QVERIFY(!cfg.ok());
        QVERIFY2(msg(cfg.error()).endsWith(want), cfg.error().message.c_str());
        QVERIFY(msg(cfg.error()).startsWith(f));  // the file's path
        QVERIFY2(openError(f).endsWith(want), qPrintable(openError(f)));
        for (double bad : {0.0, -1e-5, 1.0, 2.0}) {
            c["rms_norm_eps"] = bad;
            QVERIFY(!srs::io::parseModelConfig(c).ok());
        }
    }

    void countsDoNotWrap_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");  // JSON text
        QTest::addColumn<QString>("expect");
        // 4294967298 is 2 after a 32-bit narrowing: the 2-block model would have passed.
        QTest::newRow("layers 2^32+2") << "num_hidden_layers" << "4294967298" << "num_hidden_layers must be an integer in [1, 16384] (found the number 4294967298)";
        QTest::newRow("layers -1") << "num_hidden_layers" << "-1" << "num_hidden_layers must be an integer in [1, 16384] (found the number -1)";
        QTest::newRow("layers 2^64-1") << "num_hidden_layers" << "18446744073709551615" << "(found the number 18446744073709551615)";
        QTest::newRow("layers 1e30") << "num_hidden_layers" << "1e30" << "num_hidden_layers must be an integer";
        QTest::newRow("layers string") << "num_hidden_layers" << "\"2\"" << "(found the string \"2\")";
        QTest::newRow("heads 2^32+4") << "num_attention_heads" << "4294967300" << "num_attention_heads must be an integer in [1, 65536]";
        QTest::newRow("hidden -32") << "hidden_size" << "-32" << "hidden_size must be an integer in [1, 1048576] (found the number -32)";
        QTest::newRow("vocab 2^40") << "vocab_size" << "1099511627776" << "vocab_size must be an integer in [1, 2147483647]";
        QTest::newRow("context 2^40") << "max_position_embeddings" << "1099511627776" << "max_position_embeddings must be an integer in [1, 2147483647]";
        QTest::newRow("eos 2^33") << "eos_token_id" << "8589934592" << "eos_token_id must be an integer in [0, 63]";
        QTest::newRow("eos list") << "eos_token_id" << "[2, \"x\"]" << "eos_token_id must be an integer in [0, 63] or a list";
        QTest::newRow("bos -1") << "bos_token_id" << "-1" << "bos_token_id must be an integer in [0, 63] (found the number -1)";
        QTest::newRow("kv heads float") << "num_key_value_heads" << "2.0" << "num_key_value_heads must be an integer in [1, 4] (found the number 2.0)";
        QTest::newRow("tie string") << "tie_word_embeddings" << "\"yes\"" << "tie_word_embeddings must be true or false";
        QTest::newRow("theta 0") << "rope_theta" << "0" << "rope_theta must be a number in (0, 1e+12]";
        QTest::newRow("model_type 3") << "model_type" << "3" << "model_type must be a string (found the number 3)";
        QTest::newRow("architectures") << "architectures" << "[1]" << "architectures must be a list of at most 1024 strings (found the number 1)";
        QTest::newRow("rope_scaling list") << "rope_scaling" << "[1]" << "rope_scaling must be an object (found an array of 1)";
        QTest::newRow("rope factor") << "rope_scaling" << R"({"rope_type": "linear", "factor": "2"})" << "rope_scaling.factor must be a number in (0, 1e+06]";
        QTest::newRow("llama3 band") << "rope_scaling" << R"({"rope_type": "llama3", "factor": 8, "low_freq_factor": 4, "high_freq_factor": 4})"
                                     << "rope_scaling.high_freq_factor (4.0) must be larger than low_freq_factor (4.0)";
    }

    void countsDoNotWrap() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, expect);
        json c = tinyLlamaConfig();
        c[key.toStdString()] = json::parse(value.toStdString());
        auto r = srs::io::parseModelConfig(c);
        QVERIFY2(!r.ok(), "accepted");
        QVERIFY2(msg(r.error()).startsWith("config.json: "), r.error().message.c_str());
        QVERIFY2(msg(r.error()).contains(expect), r.error().message.c_str());
    }

    // Counts and sizes against the tensors present, before any loop runs on them.
    void configAgainstTheWeights_data() {
        QTest::addColumn<QString>("config");  // JSON merged into the tiny config; the weights stay those of the tiny config
        QTest::addColumn<QString>("expect");
        QTest::newRow("layers 10000") << R"({"num_hidden_layers": 10000})" << "config.json has num_hidden_layers 10000 but the weights hold 2 blocks (block 2 has no tensors)";
        QTest::newRow("layers 1") << R"({"num_hidden_layers": 1})" << "tensor 'model.layers.1.input_layernorm.weight' belongs to a block past the last one: config.json has num_hidden_layers 1";
        QTest::newRow("heads not dividing hidden") << R"({"num_attention_heads": 5, "num_key_value_heads": 5})" << "hidden_size (32) is not a multiple of num_attention_heads (5) and no head_dim is given";
        QTest::newRow("kv not dividing heads") << R"({"num_key_value_heads": 3})" << "num_attention_heads (4) is not a multiple of num_key_value_heads (3)";
        QTest::newRow("kv above heads") << R"({"num_key_value_heads": 8})" << "num_key_value_heads must be an integer in [1, 4] (found the number 8)";
        QTest::newRow("odd head_dim") << R"({"head_dim": 7})" << "head_dim (7) must be even for RoPE";
        QTest::newRow("heads vs q_proj") << R"({"head_dim": 16})" << "tensor 'model.layers.0.self_attn.q_proj.weight' has shape [32, 32] but config.json implies [64, 32] (num_attention_heads × head_dim, hidden_size)";
        QTest::newRow("kv heads vs k_proj") << R"({"num_key_value_heads": 4})" << "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [16, 32] but config.json implies [32, 32] (num_key_value_heads × head_dim, hidden_size)";
        QTest::newRow("vocab vs embedding") << R"({"vocab_size": 100})" << "tensor 'model.embed_tokens.weight' has shape [64, 32] but config.json implies [100, 32] (vocab_size, hidden_size)";
        QTest::newRow("intermediate vs mlp") << R"({"intermediate_size": 96})" << "tensor 'model.layers.0.mlp.gate_proj.weight' has shape [64, 32] but config.json implies [96, 32] (intermediate_size, hidden_size)";
    }

    void configAgainstTheWeights() {
        QFETCH(QString, config);
        QFETCH(QString, expect);
        json c = tinyLlamaConfig();
        c.merge_patch(json::parse(config.toStdString()));
        const QString f = folder();
        srs::test::writeModelFolder(f, c, tinyLlamaTensors(tinyLlamaConfig()));
        const QString e = openError(f);
        QVERIFY2(e.contains(expect), qPrintable(e));
    }

    // The defect: a linear weight of fewer than two dimensions was indexed as a matrix (SIGSEGV).
    void tensorRanksFollowTheirRoles_data() {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<QList<qlonglong>>("shape");
        QTest::addColumn<QString>("expect");
        QTest::newRow("1-D q_proj") << "model.layers.0.self_attn.q_proj.weight" << QList<qlonglong>{1024}
                                    << "tensor 'model.layers.0.self_attn.q_proj.weight' has 1 dimension [1024] but a linear layer's weight has 2 [out_features, in_features]";
        QTest::newRow("0-D down_proj") << "model.layers.1.mlp.down_proj.weight" << QList<qlonglong>{}
                                       << "tensor 'model.layers.1.mlp.down_proj.weight' has 0 dimensions [] but a linear layer's weight has 2";
        QTest::newRow("3-D gate_proj") << "model.layers.1.mlp.gate_proj.weight" << QList<qlonglong>{64, 32, 1}
                                       << "tensor 'model.layers.1.mlp.gate_proj.weight' has 3 dimensions [64, 32, 1]";
        QTest::newRow("2-D norm") << "model.layers.0.input_layernorm.weight" << QList<qlonglong>{32, 1}
                                  << "tensor 'model.layers.0.input_layernorm.weight' has 2 dimensions [32, 1] but a norm's weight has 1 [hidden_size]";
        QTest::newRow("1-D embedding") << "model.embed_tokens.weight" << QList<qlonglong>{2048}
                                       << "tensor 'model.embed_tokens.weight' has 1 dimension [2048] but the token embedding has 2 [vocab_size, hidden_size]";
    }

    void tensorRanksFollowTheirRoles() {
        QFETCH(QString, tensor);
        QFETCH(QList<qlonglong>, shape);
        QFETCH(QString, expect);
        const QString f = folder();
        srs::test::writeModelFolder(f, tinyLlamaConfig(),
                                    srs::test::withShape(tinyLlamaTensors(tinyLlamaConfig()), tensor.toStdString(),
                                                         std::vector<std::int64_t>(shape.begin(), shape.end())));
        const QString e = openError(f);
        QVERIFY2(e.contains(expect), qPrintable(e));
    }

    void blockIndexWithTooManyDigits() {
        auto t = tinyLlamaTensors(tinyLlamaConfig());
        std::vector<srs::io::TensorShape> shapes;
        for (const auto& x : t) shapes.push_back({x.name, x.shape});
        shapes.push_back({"model.layers.99999999999999999999.mlp.up_proj.weight", {64, 32}});
        auto c = srs::io::parseModelConfig(tinyLlamaConfig());
        QVERIFY(c.ok());
        auto r = srs::io::checkTensorsAgainstConfig(*c, shapes, true);
        QVERIFY(!r.ok());
        QVERIFY2(msg(r.error()).contains("belongs to a block past the last one"), r.error().message.c_str());
    }

    // The defects: a config.json linked to /dev/zero was read until memory ran out; a FIFO hung.
    void configThatIsNotARegularFile() {
        struct Case {
            const char* what;
            std::function<bool(const QString&)> make;
            const char* expect;
        };
        const std::vector<Case> cases = {
            {"link to /dev/zero", [](const QString& p) { return srs::test::makeSymlink("/dev/zero", p); }, "is a character device, not a regular file"},
            {"FIFO", [](const QString& p) { return srs::test::makeFifo(p); }, "is a FIFO (named pipe), not a regular file"},
            {"folder", [](const QString& p) { return QFile::remove(p) && QDir().mkdir(p); }, "is a folder, not a regular file"},
            {"dangling link", [](const QString& p) { return srs::test::makeSymlink("/nonexistent/config.json", p); }, "file not found"},
        };
        for (const auto& k : cases) {
            const QString f = folder();
            srs::test::writeModelFolder(f, tinyLlamaConfig(), tinyLlamaTensors(tinyLlamaConfig()));
            const QString cfg = f + "/config.json";
            QVERIFY2(k.make(cfg), k.what);
            QString e;
            // A reader blocked on the FIFO is released by opening its other end.
            auto unblock = [cfg] {
                const int fd = ::open(cfg.toLocal8Bit().constData(), O_WRONLY | O_NONBLOCK);
                if (fd >= 0) ::close(fd);
            };
            QVERIFY2(srs::test::finishesWithin(20000, [&] { e = openError(f); }, unblock), qPrintable(QString("%1: hung").arg(k.what)));
            QVERIFY2(e.contains(cfg + " " + k.expect) || (QString(k.expect) == "file not found" && e.contains("config.json")),
                     qPrintable(QString("%1: %2").arg(k.what, e)));
        }
    }

    void readTextFileBoundsTheSize() {
        const QString f = folder();
        QVERIFY(QDir().mkpath(f));
        const QString big = f + "/config.json";
        {
            QFile b(big);
            QVERIFY(b.open(QIODevice::WriteOnly));
            QVERIFY(b.resize(static_cast<qint64>(srs::io::kMaxConfigFileBytes) + 1));  // sparse: no disk used
        }
        auto r = srs::io::readTextFile(big.toStdString(), srs::io::kMaxConfigFileBytes);
        QVERIFY(!r.ok());
        QVERIFY2(msg(r.error()).contains("is 16.0 MiB, more than the 16.0 MiB such a file may take"), r.error().message.c_str());
        QFile small(f + "/small.json");
        QVERIFY(small.open(QIODevice::WriteOnly));
        small.write("{\"a\": 1}");
        small.close();
        auto ok = srs::io::readJsonFile((f + "/small.json").toStdString());
        QVERIFY(ok.ok());
        QCOMPARE((*ok)["a"].get<int>(), 1);
        QVERIFY(srs::io::isRegularFile((f + "/small.json").toStdString()));
        QVERIFY(!srs::io::isRegularFile("/dev/zero"));
    }

    // quantization_config is read from config.json too: a wrong type is an error, not a throw.
    void packedQuantizationConfigIsTyped_data() {
        QTest::addColumn<QString>("qc");
        QTest::addColumn<QString>("expect");
        QTest::newRow("bits string") << R"({"quant_method": "gptq", "bits": "x"})" << "quantization_config.bits must be an integer in [2, 8] (found the string \"x\")";
        QTest::newRow("bits 5") << R"({"quant_method": "gptq", "bits": 5})" << "quantization_config.bits must be 2, 3, 4 or 8 (found the number 5)";
        QTest::newRow("group 2^40") << R"({"quant_method": "awq", "group_size": 1099511627776})" << "quantization_config.group_size must be an integer in [-1, 1048576]";
        QTest::newRow("dynamic bad") << "{\"quant_method\": \"auto-round\", \"dynamic\": {\"+:\x28\": {\"bits\": 8}}}" << "quantization_config.dynamic key '+:\x28' is not a valid regular expression";
        QTest::newRow("extra not object") << R"({"quant_method": "auto-round", "extra_config": [1]})" << "quantization_config.extra_config must be an object";
    }

    void packedQuantizationConfigIsTyped() {
        QFETCH(QString, qc);
        QFETCH(QString, expect);
        json c = tinyLlamaConfig();
        c["quantization_config"] = json::parse(qc.toStdString());
        const QString f = folder();
        srs::test::writeModelFolder(f, c, tinyLlamaTensors(tinyLlamaConfig()));
        auto w = srs::io::openWeightSource(f.toStdString());
        QVERIFY(!w.ok());
        QVERIFY2(msg(w.error()).contains("config.json: " + expect), w.error().message.c_str());
    }

    // A model whose tensors agree with its config opens, and its plan-relevant values are read.
    void aConsistentModelOpens() {
        const QString f = folder();
        json c = tinyLlamaConfig();
        c["eos_token_id"] = {2, 3};
        c["head_dim"] = nullptr;  // null: absent, as transformers writes it
        srs::test::writeModelFolder(f, c, tinyLlamaTensors(tinyLlamaConfig()));
        auto w = srs::io::openWeightSource(f.toStdString());
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().message.c_str());
        QCOMPARE((*w)->config().head_dim, std::int64_t(8));
        QCOMPARE((*w)->config().eos_token_ids, (std::vector<std::int64_t>{2, 3}));
        auto s = srs::io::inspectModel(f.toStdString());
        QVERIFY(s.ok());
        QCOMPARE(s->quantizable.size(), std::size_t(14));
    }
};

QTEST_GUILESS_MAIN(TestHostileConfig)
#include "test_hostile_config.moc"
