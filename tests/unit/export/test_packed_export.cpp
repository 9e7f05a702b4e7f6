// auto_round / auto_gptq / auto_awq exports of a tiny model: the folder reads back (through our
// own packed reader) to exactly the dequantized weights, configs carry the right keys, an
// independent numpy unpacker agrees, and failures leave no folder under the final name.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/export/packed_export.h"
#include "core/io/atomic_file.h"
#include "core/io/weight_source.h"
#include "support/file_size_limit.h"
#include "support/rtn_layer.h"
#include "support/test_paths.h"
#include "support/tiny_model.h"

using namespace srs::exporter;

namespace {

QuantizedModel quantizeTiny(std::shared_ptr<srs::io::WeightSource> src, int bits, int gs, bool sym, bool mixed) {
    QuantizedModel m;
    m.source = src;
    m.scheme = {bits, gs, sym};
    m.tuning = {{"iters", 0}};
    for (const auto& n : src->tensorNames()) {
        if (n.rfind("model.layers.", 0) != 0 || n.size() < 7 || n.compare(n.size() - 7, 7, ".weight") != 0) continue;
        auto w = src->loadFloat(n);
        if (w->shape.size() != 2) continue;
        std::string layer = n.substr(0, n.size() - 7);
        if (mixed && layer == "model.layers.0.mlp.down_proj") {
            m.fp_layers.push_back(layer);
            continue;
        }
        int b = mixed && layer == "model.layers.1.self_attn.v_proj" ? 8 : bits;
        m.layers[layer] = srs::test::rtnLayer(layer, *w, b, gs, sym);
    }
    return m;
}

}  // namespace

class TestPackedExport : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data() {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("bits");
        QTest::addColumn<int>("group");
        QTest::addColumn<bool>("sym");
        QTest::addColumn<bool>("mixed");
        QTest::addColumn<QString>("packing");
        QTest::newRow("auto_round W4G32 sym") << "auto_round" << 4 << 32 << true << false << "auto_round:auto_gptq";
        QTest::newRow("auto_round W4G32 asym") << "auto_round" << 4 << 32 << false << false << "auto_round:auto_awq";
        QTest::newRow("auto_round W2G32 asym") << "auto_round" << 2 << 32 << false << false << "auto_round";
        QTest::newRow("auto_round W3G64 sym") << "auto_round" << 3 << 64 << true << false << "auto_round:auto_gptq";
        QTest::newRow("auto_round W8 per-channel") << "auto_round" << 8 << -1 << true << false << "auto_round:auto_gptq";
        QTest::newRow("auto_round mixed") << "auto_round" << 4 << 32 << true << true << "auto_round:auto_gptq";
        QTest::newRow("auto_gptq W4G32 sym") << "auto_gptq" << 4 << 32 << true << false << "auto_gptq";
        QTest::newRow("auto_gptq W2G64 sym") << "auto_gptq" << 2 << 64 << true << false << "auto_gptq";
        QTest::newRow("auto_gptq mixed") << "auto_gptq" << 4 << 64 << true << true << "auto_gptq";
        QTest::newRow("auto_awq W4G32 asym") << "auto_awq" << 4 << 32 << false << false << "auto_awq";
        QTest::newRow("auto_awq W4G64 sym") << "auto_awq" << 4 << 64 << true << false << "auto_awq";
    }
    void roundTrip() {
        QFETCH(QString, format);
        QFETCH(int, bits);
        QFETCH(int, group);
        QFETCH(bool, sym);
        QFETCH(bool, mixed);
        QFETCH(QString, packing);
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.hidden = 64;
        spec.intermediate = 128;
        spec.heads = 4;
        spec.kv_heads = 2;
        spec.tied = false;
        srs::test::writeTinyModel(dir.path() + "/src", spec);
        std::ofstream(dir.path().toStdString() + "/src/tokenizer_config.json") << "{\"add_bos_token\": true}";
        auto src = srs::io::openWeightSource((dir.path() + "/src").toStdString());
        QVERIFY(src.ok());
        QuantizedModel m = quantizeTiny(*src, bits, group, sym, mixed);
        PackedExportOptions opt;
        opt.format = *parsePackedFormat(format.toStdString());
        opt.max_shard_bytes = 40000;  // force several shards
        opt.model_card = "---\nbase_model: tiny\n---\n# tiny\n";
        std::string out = (dir.path() + "/out").toStdString();
        auto report = exportPacked(m, out, opt);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
        QCOMPARE(QString::fromStdString(report->packing_format), packing);
        QVERIFY(std::filesystem::exists(out + "/model.safetensors.index.json"));
        QVERIFY(std::filesystem::exists(out + "/quantization_config.json"));
        QVERIFY(std::filesystem::exists(out + "/tokenizer_config.json"));
        QVERIFY(std::filesystem::exists(out + "/README.md"));

        auto cfg = nlohmann::json::parse(*srs::io::readFile(out + "/config.json"));
        const auto& qc = cfg["quantization_config"];
        QCOMPARE(qc["bits"].get<int>(), bits);
        QCOMPARE(qc["group_size"].get<int>(), group);
        if (format == "auto_round") {
            QCOMPARE(qc["quant_method"].get<std::string>(), std::string("auto-round"));
            QCOMPARE(QString::fromStdString(qc["packing_format"].get<std::string>()), packing);
            QCOMPARE(qc["block_name_to_quantize"].get<std::string>(), std::string("model.layers"));
            QCOMPARE(qc.contains("extra_config"), mixed);
            if (mixed) {
                QCOMPARE(qc["extra_config"]["model.layers.0.mlp.down_proj"]["bits"].get<int>(), 16);
                QCOMPARE(qc["extra_config"]["model.layers.1.self_attn.v_proj"]["bits"].get<int>(), 8);
            }
        } else if (format == "auto_gptq") {
            QCOMPARE(qc["quant_method"].get<std::string>(), std::string("gptq"));
            QCOMPARE(qc["desc_act"].get<bool>(), false);
            QCOMPARE(cfg["torch_dtype"].get<std::string>(), std::string("float16"));
            QCOMPARE(qc.contains("dynamic"), mixed);
        } else {
            QCOMPARE(qc["quant_method"].get<std::string>(), std::string("awq"));
            QCOMPARE(qc["zero_point"].get<bool>(), !sym);
            QCOMPARE(qc["version"].get<std::string>(), std::string("gemm"));
        }

        // Our reader gives back exactly the dequantized weights, and everything else unchanged.
        auto back = srs::io::openWeightSource(out);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE((*back)->tensorNames(), (*src)->tensorNames());
        for (const auto& n : (*src)->tensorNames()) {
            auto got = (*back)->loadFloat(n);
            QVERIFY2(got.ok(), n.c_str());
            std::string layer = n.size() > 7 ? n.substr(0, n.size() - 7) : n;
            if (m.layers.count(layer)) {
                QCOMPARE(got->data, m.layers[layer].dequantize());
                QCOMPARE(got->shape, (std::vector<std::int64_t>{m.layers[layer].out_features, m.layers[layer].in_features}));
            } else {
                QCOMPARE(got->data, (*src)->loadFloat(n)->data);
            }
        }

        // An independent reader (Python + numpy, no code of ours) agrees on every packed layer.
        if (!QFileInfo::exists("/usr/bin/python3")) QSKIP("python3 not installed");
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import numpy"});
        probe.waitForFinished();
        if (probe.exitCode() != 0) QSKIP("python3-numpy not installed (installer/install-deps.sh installs it)");
        QString expected_dir = dir.path() + "/expected";
        QDir().mkpath(expected_dir);
        for (const auto& [name, layer] : m.layers) {
            auto w = layer.dequantize();
            std::ofstream((expected_dir + "/").toStdString() + name + ".f32", std::ios::binary)
                .write(reinterpret_cast<const char*>(w.data()), w.size() * 4);
        }
        QProcess py;
        py.start("/usr/bin/python3", {srs::test::sourceDir() + "/tests/interop/unpack_packed.py", QString::fromStdString(out), expected_dir});
        QVERIFY(py.waitForFinished(120000));
        QByteArray said = py.readAllStandardOutput() + py.readAllStandardError();
        QVERIFY2(py.exitCode() == 0, said.constData());
        QCOMPARE(said.count("exact"), static_cast<int>(m.layers.size()));
    }

    void refusesUnpackableShapesAndLeavesNothing() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto src = srs::io::openWeightSource(folder.toStdString());
        QVERIFY(src.ok());
        QuantizedModel m = quantizeTiny(*src, 4, 32, true, false);  // includes 172-wide MLP layers
        QTemporaryDir dir;
        std::string out = (dir.path() + "/out").toStdString();
        auto report = exportPacked(m, out, {});
        QVERIFY(!report.ok());
        QVERIFY2(QString::fromStdString(report.error().message).contains("multiple of 32"), report.error().message.c_str());
        QVERIFY(!std::filesystem::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);
    }

    void cancelLeavesNoFolderAndKeepsTheOldOne() {
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.hidden = 64;
        spec.intermediate = 128;
        srs::test::writeTinyModel(dir.path() + "/src", spec);
        auto src = srs::io::openWeightSource((dir.path() + "/src").toStdString());
        QuantizedModel m = quantizeTiny(*src, 4, 32, true, false);
        std::string out = (dir.path() + "/out").toStdString();
        QVERIFY(exportPacked(m, out, {}).ok());
        auto before = *srs::io::readFile(out + "/config.json");
        srs::CancelToken cancel;
        int calls = 0;
        auto r = exportPacked(m, out, {}, [&](int, int, const std::string&) {
            if (++calls == 3) cancel.cancel();
        }, cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, srs::ErrorCode::Cancelled);
        // The earlier complete export is untouched and no temporary folder is left behind.
        QCOMPARE(*srs::io::readFile(out + "/config.json"), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 2);
    }
    void fullDiskIsAClearErrorAndLeavesNothing() {
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.hidden = 64;
        spec.intermediate = 128;
        srs::test::writeTinyModel(dir.path() + "/src", spec);
        auto src = srs::io::openWeightSource((dir.path() + "/src").toStdString());
        QuantizedModel m = quantizeTiny(*src, 4, 32, true, false);
        const std::string out = (dir.path() + "/out").toStdString();
        srs::Result<ExportReport> r = srs::makeError(srs::ErrorCode::Internal, "not run");
        {
            srs::test::FileSizeLimit limit(16 * 1024);  // the shard is larger than this
            QVERIFY(limit.active());
            r = exportPacked(m, out, {});
        }
        QVERIFY(!r.ok());
        qInfo("%s", r.error().message.c_str());
        QVERIFY2(r.error().message.find("model") != std::string::npos, r.error().message.c_str());  // names the file
        QVERIFY(!std::filesystem::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList{"src"});
        QVERIFY(exportPacked(m, out, {}).ok());  // with room again, the same export works
    }
};

QTEST_GUILESS_MAIN(TestPackedExport)
#include "test_packed_export.moc"
