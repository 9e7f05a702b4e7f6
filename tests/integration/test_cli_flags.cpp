// `signround quantize` flags that change the run: each case fails when its flag is ignored.
// --layer_config / --fp_layers reach the tuning and every export (config.json and the tensors);
// --recipe, --scheme, --lr, --minmax_lr, --gradient_accumulate_steps, --not_use_best_mse,
// --dynamic_max_gap and --disable_quanted_input show in the --json events; a .gguf model quantizes
// to auto_round and loads in `signround eval`, whose perplexity is the one in the model card.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <set>

#include "cli_harness.h"
#include "core/io/safetensors.h"

using namespace srs::test::cli;

namespace {

// A --json run: every event line, with look-ups by kind and block.
struct Events {
    Run run;
    QList<QJsonObject> all;

    QList<QJsonObject> of(const QString& kind, int block = -1) const {
        QList<QJsonObject> r;
        for (const auto& e : all)
            if (e["event"].toString() == kind && (block < 0 || e["block"].toInt() == block)) r << e;
        return r;
    }
    QJsonObject one(const QString& kind, int block = -1) const {
        auto r = of(kind, block);
        return r.isEmpty() ? QJsonObject{} : r.first();
    }
    // block_finished's per-layer entry ("self_attn.o_proj"), or an empty object.
    QJsonObject layer(int block, const QString& name) const {
        for (const auto& l : one("block_finished", block)["layers"].toArray())
            if (l.toObject()["name"].toString() == name) return l.toObject();
        return {};
    }
    QList<double> losses(int block) const {
        QList<double> r;
        for (const auto& e : of("iteration", block)) r << e["loss"].toDouble();
        return r;
    }
};

Events quantize(const QString& model, const QString& calib, const QString& out, const QStringList& extra) {
    Events ev;
    ev.run = cli(QStringList{"quantize", "--model", model, "--dataset", calib, "--output_dir", out, "--nsamples", "8", "--seqlen", "64",
                             "--group_size", "32", "--json"} +
                 extra);
    for (const QString& line : ev.run.out.split('\n', Qt::SkipEmptyParts)) {
        auto doc = QJsonDocument::fromJson(line.toUtf8());
        if (doc.isObject()) ev.all << doc.object();
    }
    return ev;
}

QJsonObject readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QString readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// name -> shape of every tensor in a safetensors file.
QMap<QString, QList<qint64>> shapes(const QString& path) {
    QMap<QString, QList<qint64>> r;
    auto f = srs::io::SafetensorsFile::open(path.toStdString());
    if (!f) return r;
    for (const auto& t : (*f)->tensors()) {
        QList<qint64> s;
        for (auto d : t.shape) s << d;
        r[QString::fromStdString(t.name)] = s;
    }
    return r;
}

std::vector<float> tensor(const QString& path, const QString& name) {
    auto f = srs::io::SafetensorsFile::open(path.toStdString());
    if (!f) return {};
    auto t = (*f)->tensor(name.toStdString());
    return t ? t->toFloat() : std::vector<float>{};
}

// Largest number of distinct values in any group of 32 along a row: at most 2^bits for a
// fake-quantized layer, up to 32 for a full-precision one.
int maxDistinctPerGroup(const std::vector<float>& w, int cols) {
    int most = 0;
    for (std::size_t row = 0; row + cols <= w.size(); row += cols)
        for (int g = 0; g < cols; g += 32) {
            std::set<float> s(w.begin() + row + g, w.begin() + row + std::min(g + 32, cols));
            most = std::max<int>(most, static_cast<int>(s.size()));
        }
    return most;
}

// "PPL 4.3087" of `signround eval` on a text with a given window, as printed.
QString evalPpl(const QString& model, const QString& text, int window) {
    Run r = cli({"eval", "--model", model, "--text", text, "--window", QString::number(window), "--quiet"});
    auto m = QRegularExpression("^PPL (\\S+)$", QRegularExpression::MultilineOption).match(r.out);
    if (r.code != 0 || !m.hasMatch()) qWarning("eval failed: %s %s", qPrintable(r.out), qPrintable(r.err));
    return m.hasMatch() ? m.captured(1) : QString();
}

const char* kCalib = "text/tinystories/TinyStories-train.first2MiB.txt";

}  // namespace

class TestCliFlags : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    Events base_;  // --iters 4, fake, seed default: the reference for the flags that change the tuning

    const Events& base(const QString& model, const QString& calib) {
        if (base_.all.isEmpty()) base_ = quantize(model, calib, dir_.path() + "/base", {"--iters", "4", "--format", "fake"});
        return base_;
    }

private slots:
    void layerConfigAndFpLayersReachTheRunAndEveryExport() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        const QString out = dir_.path() + "/lc";
        // Attention projections are 64 wide, so auto_round / auto_gptq can pack them at 8 bits.
        Events ev = quantize(model, calib, out,
                             {"--iters", "4", "--format", "fake,auto_round,auto_gptq", "--layer_config",
                              R"({"self_attn.o_proj": {"bits": 8, "group_size": 32}})", "--fp_layers", "layers.1"});
        QVERIFY2(ev.run.code == 0, qPrintable(ev.run.err));
        // The run: o_proj at 8 bits, q_proj at the default 4, nothing of block 1 tuned.
        QCOMPARE(ev.layer(0, "self_attn.o_proj")["bits"].toInt(), 8);
        QCOMPARE(ev.layer(0, "self_attn.q_proj")["bits"].toInt(), 4);
        QCOMPARE(ev.layer(4, "self_attn.o_proj")["bits"].toInt(), 8);
        QVERIFY(ev.one("block_started", 1)["layers"].toArray().isEmpty());
        QVERIFY(ev.one("block_finished", 1)["layers"].toArray().isEmpty());
        QVERIFY(!ev.one("block_started", 2)["layers"].toArray().isEmpty());

        const QString orig = model + "/model.safetensors";
        const QString stem = out + "/stories260K-hf-w4g32";
        // auto_round: extra_config names the 8-bit and the full-precision layers.
        auto ar = readJson(stem + "-auto_round/config.json")["quantization_config"].toObject();
        QCOMPARE(ar["bits"].toInt(), 4);
        auto extra = ar["extra_config"].toObject();
        QCOMPARE(extra["model.layers.0.self_attn.o_proj"].toObject()["bits"].toInt(), 8);
        QCOMPARE(extra["model.layers.1.self_attn.q_proj"].toObject()["bits"].toInt(), 16);
        QCOMPARE(extra["model.layers.1.self_attn.q_proj"].toObject()["data_type"].toString(), QString("fp"));
        QVERIFY(!extra.contains("model.layers.0.self_attn.q_proj"));
        // auto_gptq: "dynamic" overrides (+ = other scheme, - = not quantized).
        auto dyn = readJson(stem + "-auto_gptq/config.json")["quantization_config"].toObject()["dynamic"].toObject();
        QCOMPARE(dyn["+:^model\\.layers\\.0\\.self_attn\\.o_proj$"].toObject()["bits"].toInt(), 8);
        QVERIFY2(dyn.contains("-:^model\\.layers\\.1\\.self_attn\\.q_proj$"), qPrintable(QJsonDocument(dyn).toJson()));
        QVERIFY(!dyn.contains("-:^model\\.layers\\.0\\.self_attn\\.q_proj$"));
        // The packed tensors: 8-bit qweight has twice the rows of 4-bit; block 1 keeps its weights.
        for (const QString fmt : {"auto_round", "auto_gptq"}) {
            const QString st = stem + "-" + fmt + "/model.safetensors";
            auto s = shapes(st);
            QVERIFY2(!s.isEmpty(), qPrintable(st));
            QCOMPARE(s["model.layers.0.self_attn.o_proj.qweight"], (QList<qint64>{64 * 8 / 32, 64}));
            QCOMPARE(s["model.layers.0.self_attn.q_proj.qweight"], (QList<qint64>{64 * 4 / 32, 64}));
            QCOMPARE(s["model.layers.2.self_attn.o_proj.qweight"], (QList<qint64>{64 * 8 / 32, 64}));
            QVERIFY(!s.contains("model.layers.1.self_attn.q_proj.qweight"));
            QCOMPARE(s["model.layers.1.self_attn.q_proj.weight"], (QList<qint64>{64, 64}));
            QVERIFY(tensor(st, "model.layers.1.self_attn.o_proj.weight") == tensor(orig, "model.layers.1.self_attn.o_proj.weight"));
        }
        // fake: the dequantized o_proj takes more than 16 values per group, q_proj at most 16;
        // block 1 is the original weights.
        const QString fake = stem + "-fake/model.safetensors";
        const int o = maxDistinctPerGroup(tensor(fake, "model.layers.0.self_attn.o_proj.weight"), 64);
        const int q = maxDistinctPerGroup(tensor(fake, "model.layers.0.self_attn.q_proj.weight"), 64);
        qInfo("fake export: o_proj up to %d values per group, q_proj up to %d", o, q);
        QVERIFY(o > 16 && o <= 32);
        QVERIFY(q > 1 && q <= 16);
        QVERIFY(tensor(fake, "model.layers.1.self_attn.q_proj.weight") == tensor(orig, "model.layers.1.self_attn.q_proj.weight"));
        QVERIFY(tensor(fake, "model.layers.0.self_attn.q_proj.weight") != tensor(orig, "model.layers.0.self_attn.q_proj.weight"));
    }

    void layerConfigReachesTheFakeMlp() {
        // Only the fake export quantizes stories260K's 172-wide MLP.
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        const QString out = dir_.path() + "/mlp";
        Events ev = quantize(model, calib, out,
                             {"--iters", "4", "--format", "fake", "--layer_config", R"({"mlp.down_proj": {"bits": 8, "group_size": 32}})",
                              "--fp_layers", "layers.1"});
        QVERIFY2(ev.run.code == 0, qPrintable(ev.run.err));
        QCOMPARE(ev.layer(0, "mlp.down_proj")["bits"].toInt(), 8);
        QCOMPARE(ev.layer(0, "mlp.up_proj")["bits"].toInt(), 4);
        QVERIFY(ev.one("block_finished", 1)["layers"].toArray().isEmpty());
        const QString fake = out + "/stories260K-hf-w4g32-fake/model.safetensors", orig = model + "/model.safetensors";
        auto down = tensor(fake, "model.layers.0.mlp.down_proj.weight");
        const int d = maxDistinctPerGroup(down, 172), u = maxDistinctPerGroup(tensor(fake, "model.layers.0.mlp.up_proj.weight"), 64);
        qInfo("fake export: down_proj up to %d values per group, up_proj up to %d", d, u);
        QVERIFY(d > 16 && down != tensor(orig, "model.layers.0.mlp.down_proj.weight"));
        QVERIFY(u > 1 && u <= 16);
        QVERIFY(tensor(fake, "model.layers.1.mlp.down_proj.weight") == tensor(orig, "model.layers.1.mlp.down_proj.weight"));
    }

    void recipeLightRunsFiftyIterationsPerBlock() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        // applyRecipe: auto-round-light = 50 iters and lr 5e-3; auto-round (default) = 200 iters.
        Events light = quantize(model, calib, dir_.path() + "/light", {"--recipe", "auto-round-light", "--format", "fake"});
        Events dflt = quantize(model, calib, dir_.path() + "/default", {"--format", "fake"});
        QVERIFY2(light.run.code == 0, qPrintable(light.run.err));
        QVERIFY2(dflt.run.code == 0, qPrintable(dflt.run.err));
        for (int b = 0; b < 5; ++b) {
            QCOMPARE(light.one("block_started", b)["iters"].toInt(), 50);
            QCOMPARE(light.of("iteration", b).size(), 50);
            QCOMPARE(dflt.one("block_started", b)["iters"].toInt(), 200);
            QCOMPARE(dflt.of("iteration", b).size(), 200);
        }
        // An explicit --iters wins, the recipe's lr stays: 5e-3 instead of 1/iters.
        Events short_light = quantize(model, calib, dir_.path() + "/light4", {"--recipe", "auto-round-light", "--iters", "4", "--format", "fake"});
        QVERIFY2(short_light.run.code == 0, qPrintable(short_light.run.err));
        QCOMPARE(short_light.of("iteration", 0).size(), 4);
        QCOMPARE(short_light.one("iteration", 0)["lr"].toDouble(), 5e-3);
        QCOMPARE(base(model, calib).one("iteration", 0)["lr"].toDouble(), 0.25);
    }

    void schemeW2A16QuantizesToTwoBits() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        const QString out = dir_.path() + "/w2";
        Events ev = quantize(model, calib, out, {"--iters", "4", "--scheme", "W2A16", "--format", "fake"});
        QVERIFY2(ev.run.code == 0, qPrintable(ev.run.err));
        QCOMPARE(ev.of("block_finished").size(), 5);
        for (const auto& b : ev.of("block_finished")) {
            QCOMPARE(b["layers"].toArray().size(), 7);
            for (const auto& l : b["layers"].toArray()) QCOMPARE(l.toObject()["bits"].toInt(), 2);
        }
        // --group_size 32 on the command line wins over the scheme's 128, as in AutoRound.
        QCOMPARE(ev.layer(0, "self_attn.q_proj")["group_size"].toInt(), 32);
        QVERIFY(QFileInfo::exists(out + "/stories260K-hf-w2g32-fake/model.safetensors"));
        QVERIFY(maxDistinctPerGroup(tensor(out + "/stories260K-hf-w2g32-fake/model.safetensors", "model.layers.0.self_attn.q_proj.weight"), 64) <= 4);
    }

    void lrAndMinmaxLrChangeTheSteps() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        const Events& ref = base(model, calib);
        QVERIFY2(ref.run.code == 0, qPrintable(ref.run.err));
        Events lr = quantize(model, calib, dir_.path() + "/lr", {"--iters", "4", "--lr", "0.01", "--format", "fake"});
        QVERIFY2(lr.run.code == 0, qPrintable(lr.run.err));
        QCOMPARE(lr.one("iteration", 0)["lr"].toDouble(), 0.01);  // default 1/iters = 0.25
        QVERIFY(lr.losses(0)[1] != ref.losses(0)[1]);
        // --minmax_lr changes only the min/max step: same lr events, other losses after the first step.
        Events mm = quantize(model, calib, dir_.path() + "/mm", {"--iters", "4", "--minmax_lr", "0.01", "--format", "fake"});
        QVERIFY2(mm.run.code == 0, qPrintable(mm.run.err));
        QCOMPARE(mm.one("iteration", 0)["lr"].toDouble(), 0.25);
        const double a = ref.losses(0)[1], b = mm.losses(0)[1];
        qInfo("block 0 iteration 1 loss: default %.6g, --minmax_lr 0.01 %.6g", a, b);
        QVERIFY(std::abs(a - b) > 0.01 * a);
    }

    void gradientAccumulateStepsWidensTheBatch() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        // batch 4 of 8 samples: with 2 accumulation steps each step sees all 8, so even the first
        // loss differs.
        Events one = quantize(model, calib, dir_.path() + "/gas1", {"--iters", "4", "--batch_size", "4", "--format", "fake"});
        Events two = quantize(model, calib, dir_.path() + "/gas2",
                              {"--iters", "4", "--batch_size", "4", "--gradient_accumulate_steps", "2", "--format", "fake"});
        QVERIFY2(one.run.code == 0, qPrintable(one.run.err));
        QVERIFY2(two.run.code == 0, qPrintable(two.run.err));
        QCOMPARE(two.of("iteration").size(), 20);
        const auto l1 = one.losses(0), l2 = two.losses(0);
        qInfo("block 0 losses: batch 4 %.6g %.6g, batch 4 x 2 %.6g %.6g", l1[0], l1[1], l2[0], l2[1]);
        QVERIFY(l1[0] != l2[0]);
        QVERIFY(std::abs(l1[1] - l2[1]) > 0.01 * l1[1]);
    }

    void notUseBestMseKeepsTheLastIteration() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        const Events& ref = base(model, calib);
        QVERIFY2(ref.run.code == 0, qPrintable(ref.run.err));
        int ref_not_last = 0;
        for (const auto& b : ref.of("block_finished")) ref_not_last += b["best_iter"].toInt() != 3;
        QVERIFY2(ref_not_last > 0, "precondition: by default some block keeps an earlier iteration than the last");
        Events ev = quantize(model, calib, dir_.path() + "/nub", {"--iters", "4", "--not_use_best_mse", "--format", "fake"});
        QVERIFY2(ev.run.code == 0, qPrintable(ev.run.err));
        QCOMPARE(ev.of("block_finished").size(), 5);
        for (int b = 0; b < 5; ++b) {
            const auto fin = ev.one("block_finished", b);
            QCOMPARE(fin["best_iter"].toInt(), 3);
            QCOMPARE(fin["best_loss"].toDouble(), ev.losses(b).last());
        }
    }

    void dynamicMaxGapStopsEarly() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        Events full = quantize(model, calib, dir_.path() + "/gap-", {"--iters", "20", "--format", "fake"});
        Events gap = quantize(model, calib, dir_.path() + "/gap1", {"--iters", "20", "--dynamic_max_gap", "1", "--format", "fake"});
        QVERIFY2(full.run.code == 0, qPrintable(full.run.err));
        QVERIFY2(gap.run.code == 0, qPrintable(gap.run.err));
        QCOMPARE(full.of("iteration").size(), 100);
        int shortest = 20;
        for (int b = 0; b < 5; ++b) shortest = std::min<int>(shortest, gap.of("iteration", b).size());
        qInfo("--dynamic_max_gap 1: %d iterations in all, shortest block %d", int(gap.of("iteration").size()), shortest);
        QVERIFY(gap.of("iteration").size() < 100);
        QVERIFY(shortest < 20);
    }

    void disableQuantedInputChangesLaterBlocks() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        const Events& ref = base(model, calib);
        QVERIFY2(ref.run.code == 0, qPrintable(ref.run.err));
        Events ev = quantize(model, calib, dir_.path() + "/dqi", {"--iters", "4", "--disable_quanted_input", "--format", "fake"});
        QVERIFY2(ev.run.code == 0, qPrintable(ev.run.err));
        // Block 0 sees the same inputs either way; block 1 on sees the full-precision outputs.
        const double a0 = ref.losses(0)[0], b0 = ev.losses(0)[0];
        QVERIFY2(std::abs(a0 - b0) <= 1e-3 * a0, qPrintable(QString("block 0: %1 vs %2").arg(a0).arg(b0)));
        for (int b = 1; b < 5; ++b) {
            const double x = ref.losses(b)[0], y = ev.losses(b)[0];
            qInfo("block %d first loss: default %.6g, --disable_quanted_input %.6g", b, x, y);
            QVERIFY(std::abs(x - y) > 0.01 * x);
        }
    }

    void ggufModelQuantizesAndTheCardMatchesEval() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        SRS_REQUIRE_SHARED(calib, kCalib);
        SRS_REQUIRE_SHARED(valid, "text/tinystories/TinyStories-validation.head.txt");
        QFile in(valid);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QString text = dir_.path() + "/eval.txt";
        QFile t(text);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write(in.read(6000));
        t.close();
        const QString out = dir_.path() + "/gguf";
        // --eval_window defaults to 2048 (more than the text): pass the window to both sides.
        Events ev = quantize(gguf, calib, out, {"--iters", "4", "--format", "auto_round", "--eval_text", text, "--eval_window", "128"});
        QVERIFY2(ev.run.code == 0, qPrintable(ev.run.err));
        const QString exp = out + "/stories260K-w4g32-auto_round";
        QCOMPARE(ev.one("finished")["files"].toArray().size(), 1);
        QCOMPARE(ev.one("finished")["files"].toArray()[0].toObject()["path"].toString(), exp);
        QCOMPARE(readJson(exp + "/config.json")["quantization_config"].toObject()["quant_method"].toString(), QString("auto-round"));
        QVERIFY(shapes(exp + "/model.safetensors").contains("model.layers.0.self_attn.q_proj.qweight"));

        const QString quant = evalPpl(exp, text, 128), orig = evalPpl(gguf, text, 128);
        QVERIFY(!quant.isEmpty() && !orig.isEmpty());
        const QString card = readText(exp + "/README.md");
        qInfo("eval: export PPL %s, original PPL %s", qPrintable(quant), qPrintable(orig));
        QVERIFY2(card.contains(QRegularExpression("\\| auto_round \\(this model\\) \\| eval\\.txt \\| [0-9.]+ \\| " +
                                                  QRegularExpression::escape(quant) + " \\|")),
                 qPrintable(card));
        QVERIFY2(card.contains(QRegularExpression("\\| original \\| eval\\.txt \\| [0-9.]+ \\| " + QRegularExpression::escape(orig) + " \\|")),
                 qPrintable(card));
        for (const auto& e : ev.one("finished")["evaluations"].toArray()) {
            const auto o = e.toObject();
            const QString want = o["model"].toString() == "original" ? orig : quant;
            QCOMPARE(QString::number(o["ppl"].toDouble(), 'f', 4), want);
        }
        QCOMPARE(ev.one("finished")["evaluations"].toArray().size(), 2);
        QVERIFY(quant.toDouble() > orig.toDouble() && quant.toDouble() < 1.2 * orig.toDouble());
    }
};

QTEST_GUILESS_MAIN(TestCliFlags)
#include "test_cli_flags.moc"
