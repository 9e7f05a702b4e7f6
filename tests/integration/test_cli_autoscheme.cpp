// AutoScheme from the command line, as a user checks it: `signround autoscheme` writes a
// layer_config whose weighted average bit width is the one it prints and meets the target, with a
// real mix of widths; `signround quantize --avg_bits` (with the same AutoScheme options) makes the
// same choice, and every layer of its auto_round export is stored at the chosen bits (config.json's
// extra_config and the packed tensors' shapes).
#include <QDirIterator>
#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_harness.h"
#include "core/io/safetensors.h"

using namespace srs::test::cli;

namespace {

nlohmann::json readJson(const QString& path) {
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in, nullptr, false);
}

// [out, in] of every 2-D weight in the model, by module name.
std::map<std::string, std::pair<std::int64_t, std::int64_t>> shapes(const QString& model) {
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> s;
    auto f = srs::io::SafetensorsFile::open((model + "/model.safetensors").toStdString());
    if (!f.ok()) return s;
    for (const auto& t : (*f)->tensors())
        if (t.shape.size() == 2 && t.name.size() > 7 && t.name.compare(t.name.size() - 7, 7, ".weight") == 0)
            s[t.name.substr(0, t.name.size() - 7)] = {t.shape[0], t.shape[1]};
    return s;
}

}  // namespace

class TestCliAutoScheme : public QObject {
    Q_OBJECT
    QString model_, calib_;
    QTemporaryDir dir_;
    nlohmann::json chosen_;  // the autoscheme command's layer_config

private slots:
    void initTestCase() {
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-validation.head.txt");
        model_ = model;
        calib_ = calib;
    }

    void autoschemeMeetsTheTargetWithAMix() {
        const QString out = dir_.path() + "/layer_config.json";
        Run r = cli({"autoscheme", "--model", model_, "--dataset", calib_, "--avg_bits", "3", "--ignore_scale_zp_bits",
                     "--output", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        chosen_ = readJson(out);
        QVERIFY(chosen_.is_object());
        const auto shape = shapes(model_);
        double bits = 0, weights = 0;
        std::set<int> widths;
        for (const auto& [layer, cfg] : chosen_.items()) {
            QVERIFY2(shape.count(layer), layer.c_str());
            const double n = double(shape.at(layer).first * shape.at(layer).second);
            bits += n * cfg["bits"].get<int>();
            weights += n;
            widths.insert(cfg["bits"].get<int>());
        }
        // Every block linear has a choice (7 a block).
        int linears = 0;
        for (const auto& [name, s] : shape) linears += name.rfind("model.layers.", 0) == 0 ? 1 : 0;
        QCOMPARE(int(chosen_.size()), linears);
        const double avg = bits / weights;
        qInfo("layer_config: %d layers, widths %zu, weighted average %.4f bits", int(chosen_.size()), widths.size(), avg);
        QVERIFY2(avg <= 3.0 + 1e-9 && avg > 2.5, qPrintable(QString::number(avg)));
        QVERIFY2(widths.size() >= 2, "AutoScheme chose one width for every layer: no mix");
        auto m = QRegularExpression("average (\\S+) bits per weight \\(target 3.0000, scale/zero bits ignored\\)").match(r.out);
        QVERIFY2(m.hasMatch(), qPrintable(r.out));
        QVERIFY2(std::abs(m.captured(1).toDouble() - avg) < 1e-3, qPrintable(m.captured(1)));
    }

    void quantizeAvgBitsExportsTheSameMix() {
        QVERIFY2(chosen_.is_object(), "needs autoschemeMeetsTheTargetWithAMix");
        const QString out = dir_.path() + "/q";
        Run r = cli({"quantize", "--model", model_, "--dataset", calib_, "--avg_bits", "3", "--ignore_scale_zp_bits", "--iters", "0",
                     "--nsamples", "8", "--seqlen", "64", "--format", "auto_round", "--output_dir", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QString folder;
        for (QDirIterator it(out, {"config.json"}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            const QString f = it.next();
            if (readJson(f).contains("quantization_config")) folder = QFileInfo(f).path();
        }
        QVERIFY2(!folder.isEmpty(), "no auto_round export written");
        const auto qc = readJson(folder + "/config.json")["quantization_config"];
        const int default_bits = qc["bits"].get<int>();
        const auto extra = qc.value("extra_config", nlohmann::json::object());
        auto st = srs::io::SafetensorsFile::open((folder + "/model.safetensors").toStdString());
        QVERIFY(st.ok());
        const auto shape = shapes(model_);
        for (const auto& [layer, cfg] : chosen_.items()) {
            const int want = cfg["bits"].get<int>();
            const int written = extra.contains(layer) ? extra[layer].value("bits", default_bits) : default_bits;
            QVERIFY2(written == want, qPrintable(QString("%1: config.json says %2 bits, autoscheme chose %3")
                                                     .arg(QString::fromStdString(layer)).arg(written).arg(want)));
            const auto* qw = (*st)->find(layer + ".qweight");
            QVERIFY2(qw, layer.c_str());
            const auto [o, i] = shape.at(layer);
            QVERIFY2(qw->shape == (std::vector<std::int64_t>{i * want / 32, o}),
                     qPrintable(QString("%1: qweight shape is not [in*%2/32, out]").arg(QString::fromStdString(layer)).arg(want)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliAutoScheme)
#include "test_cli_autoscheme.moc"
