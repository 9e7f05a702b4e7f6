// Issue 20 (hostile input): a model that computes NaN or infinity is never quantized or scored as
// if it were fine. Each test copies stories260K into a temporary folder and rewrites one value of
// one tensor of its model.safetensors, then drives the real `signround`:
//   quantize (SignRound and iters 0) stops with exit 1, an error naming the block, the layer or
//   tensor and what was not finite, writes no export, and prints no nan / null as a figure (text
//   and --json events alike); eval fails naming the cause instead of printing `PPL nan`.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "integration/cli_harness.h"
#include "support/test_paths.h"

using srs::test::cli::cli;
using srs::test::cli::Run;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// A copy of `source` in `dir` whose F32 tensor `name` holds `value` at flat index `index`.
bool writeHostileCopy(const QString& source, const QString& dir, const QString& name, qint64 index, float value) {
    for (const QString& f : QDir(source).entryList(QDir::Files))
        if (!QFile::copy(source + "/" + f, dir + "/" + f)) return false;
    QFile st(dir + "/model.safetensors");
    QFile::setPermissions(st.fileName(), QFile::ReadOwner | QFile::WriteOwner);
    if (!st.open(QIODevice::ReadWrite)) return false;
    QByteArray bytes = st.readAll();
    quint64 header_len = 0;
    std::memcpy(&header_len, bytes.constData(), 8);
    const QJsonObject header = QJsonDocument::fromJson(bytes.mid(8, static_cast<int>(header_len))).object();
    const QJsonObject entry = header.value(name).toObject();
    if (entry.value("dtype").toString() != "F32") return false;
    const qint64 at = 8 + static_cast<qint64>(header_len) + entry.value("data_offsets").toArray().at(0).toInteger() + 4 * index;
    std::memcpy(bytes.data() + at, &value, 4);
    st.seek(0);
    return st.write(bytes) == bytes.size();
}

// Lines that report figures (everything but the error and its hint) hold no nan / inf / null.
void verifyNoNonFiniteFigure(const QString& out) {
    static const QRegularExpression figure("(^|[^A-Za-z])(-?nan|-?inf|null)([^A-Za-z]|$)");
    for (const QString& line : out.split('\n')) {
        if (line.startsWith("error:") || line.startsWith("hint:")) continue;
        QVERIFY2(!figure.match(line).hasMatch(), qPrintable("a non-finite figure was printed: " + line));
    }
}

// Every --json event parses, and no figure in it is null (how nlohmann writes a NaN). The
// started event's "settings" echo the run's options, where null means "not given".
void verifyJsonEvents(const QString& out, QString* finished_message) {
    std::function<bool(const nlohmann::json&)> hasNull = [&](const nlohmann::json& j) {
        if (j.is_null()) return true;
        if (j.is_object()) {
            for (const auto& [key, v] : j.items())
                if (key != "settings" && hasNull(v)) return true;
        } else if (j.is_array()) {
            for (const auto& v : j)
                if (hasNull(v)) return true;
        }
        return false;
    };
    for (const QString& line : out.split('\n', Qt::SkipEmptyParts)) {
        const auto j = nlohmann::json::parse(line.toStdString(), nullptr, false);
        QVERIFY2(!j.is_discarded(), qPrintable("not JSON: " + line));
        QVERIFY2(!hasNull(j), qPrintable("null in an event: " + line));
        if (j.value("event", "") == "finished") *finished_message = QString::fromStdString(j.value("message", ""));
    }
}

// The export folders in `out` (anything but the run folder).
QStringList exportsIn(const QString& out) { return QDir(out).entryList(QDir::Dirs | QDir::NoDotAndDotDot); }

}  // namespace

class TestCliNonFinite : public QObject {
    Q_OBJECT
    QString model_, text_;

    Run quantize(const QString& model, const QString& out, int iters, bool json) {
        QStringList args{"quantize", "--model", model, "--dataset", text_, "--output_dir", out, "--seqlen", "64", "--nsamples", "8",
                         "--iters", QString::number(iters), "--format", "fake"};
        if (json) args << "--json";
        return cli(args);
    }

private slots:
    void initTestCase() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        model_ = model;
        text_ = text;
    }

    // A NaN / infinity stored in a linear's weight: refused when its block is loaded, naming the
    // block, the layer and the tensor, before anything of that block is tuned.
    void quantizeRefusesANonFiniteWeight_data() {
        QTest::addColumn<int>("iters");
        QTest::addColumn<float>("value");
        QTest::addColumn<bool>("json");
        QTest::newRow("NaN, SignRound") << 5 << kNaN << false;
        QTest::newRow("NaN, iters 0, --json") << 0 << kNaN << true;
        QTest::newRow("+inf, iters 0") << 0 << kInf << false;
        QTest::newRow("-inf, SignRound, --json") << 5 << -kInf << true;
    }
    void quantizeRefusesANonFiniteWeight() {
        QFETCH(int, iters);
        QFETCH(float, value);
        QFETCH(bool, json);
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/model");
        QVERIFY(writeHostileCopy(model_, dir.path() + "/model", "model.layers.1.mlp.down_proj.weight", 5, value));
        const Run r = quantize(dir.path() + "/model", dir.path() + "/out", iters, json);
        QCOMPARE(r.code, 1);
        QString message = r.err;
        if (json) verifyJsonEvents(r.out, &message);
        const QString expected = QString("block 2, layer model.layers.1.mlp.down_proj: the source tensor model.layers.1.mlp.down_proj.weight holds 1 %1 value among 11008 (the first at [0, 5])")
                                     .arg(std::isnan(value) ? "NaN" : "infinite");
        QVERIFY2(message.contains(expected), qPrintable(r.out + r.err));
        QVERIFY2(exportsIn(dir.path() + "/out").isEmpty(), qPrintable(exportsIn(dir.path() + "/out").join(", ")));
        if (!json) verifyNoNonFiniteFigure(r.out);
    }

    // Outside the blocks (the embedding): refused before calibration.
    void quantizeRefusesANonFiniteEmbedding() {
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/model");
        QVERIFY(writeHostileCopy(model_, dir.path() + "/model", "model.embed_tokens.weight", 70, kNaN));
        const Run r = quantize(dir.path() + "/model", dir.path() + "/out", 5, false);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("the source tensor model.embed_tokens.weight holds 1 NaN value among 32768 (the first at [1, 6])"), qPrintable(r.err));
        QVERIFY(!r.out.contains("block 1/5"));  // nothing was tuned
        QVERIFY(exportsIn(dir.path() + "/out").isEmpty());
    }

    // Finite weights whose activations overflow float32: a norm weight of 1e30 sends the MLP's
    // inputs to ~1e30 and their products past float32; the full-precision block's output is
    // NaN. The run stops at that block, naming the layer whose inputs overflow and the weight.
    void quantizeStopsWhereActivationsOverflow_data() {
        QTest::addColumn<int>("iters");
        QTest::newRow("SignRound") << 5;
        QTest::newRow("iters 0") << 0;
    }
    void quantizeStopsWhereActivationsOverflow() {
        QFETCH(int, iters);
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/model");
        QVERIFY(writeHostileCopy(model_, dir.path() + "/model", "model.layers.1.post_attention_layernorm.weight", 5, 1.0e30f));
        const Run r = quantize(dir.path() + "/model", dir.path() + "/out", iters, false);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("block 2, layer model.layers.1.mlp.gate_proj: the full-precision block's output holds "), qPrintable(r.err));
        QVERIFY2(r.err.contains("although its inputs and weights are finite: the activations entering this layer overflow float32"), qPrintable(r.err));
        QVERIFY2(r.err.contains("the block's largest weight magnitude, 1e+30, is in model.layers.1.post_attention_layernorm.weight"), qPrintable(r.err));
        QVERIFY(r.out.contains("block 1/5"));  // the first block was fine
        QVERIFY(exportsIn(dir.path() + "/out").isEmpty());
        verifyNoNonFiniteFigure(r.out);
    }

    // A finite linear weight of 1e30: its round-to-nearest scale is past float16's range, the
    // type the scales are exported in; refused naming the layer.
    void quantizeRefusesAScaleBeyondFloat16() {
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/model");
        QVERIFY(writeHostileCopy(model_, dir.path() + "/model", "model.layers.1.mlp.up_proj.weight", 5, 1.0e30f));
        const Run r = quantize(dir.path() + "/model", dir.path() + "/out", 5, true);
        QCOMPARE(r.code, 1);
        QString message;
        verifyJsonEvents(r.out, &message);
        QVERIFY2(message.startsWith("block 2, layer model.layers.1.mlp.up_proj: round-to-nearest gives a scale holding 1 infinite value"), qPrintable(message));
        QVERIFY2(message.contains("float16"), qPrintable(message));
        QVERIFY(exportsIn(dir.path() + "/out").isEmpty());
    }

    // eval of a model with a NaN weight: exit 1, the tensor named, no perplexity printed.
    void evalRefusesNonFiniteLogits_data() {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<float>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("NaN weight") << "model.layers.1.mlp.down_proj.weight" << kNaN
                                    << "its tensor model.layers.1.mlp.down_proj.weight holds 1 NaN value among 11008 (the first at [0, 5])";
        QTest::newRow("overflowing norm") << "model.layers.1.post_attention_layernorm.weight" << 1.0e30f
                                          << "block 2 (model.layers.1) is the first whose output is not finite, on finite weights";
    }
    void evalRefusesNonFiniteLogits() {
        QFETCH(QString, tensor);
        QFETCH(float, value);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(writeHostileCopy(model_, dir.path(), tensor, 5, value));
        for (const bool json : {false, true}) {
            QStringList args{"eval", "--model", dir.path(), "--text", text_, "--window", "64", "--max_windows", "8", "--quiet"};
            if (json) args << "--json";
            const Run r = cli(args);
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("the model " + dir.path() + " gives ") && r.err.contains("logits on windows 1-"), qPrintable(r.err));
            QVERIFY2(r.err.contains(expected), qPrintable(r.err));
            QVERIFY2(r.out.trimmed().isEmpty(), qPrintable(r.out));  // no PPL line, no JSON report
        }
    }

    // AutoScheme scores gradients × deviations on the same models: the cause is named instead of
    // "no allocation within the budget".
    void autoschemeRefusesANonFiniteModel_data() {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<float>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("NaN weight") << "model.layers.1.mlp.down_proj.weight" << kNaN
                                    << "block 2, layer model.layers.1.mlp.down_proj: the source tensor model.layers.1.mlp.down_proj.weight holds 1 NaN value";
        QTest::newRow("overflowing norm") << "model.layers.1.post_attention_layernorm.weight" << 1.0e30f
                                          << "AutoScheme: the model's loss with W2A16G64 weights on calibration samples 1-4 came out NaN";
    }
    void autoschemeRefusesANonFiniteModel() {
        QFETCH(QString, tensor);
        QFETCH(float, value);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/model");
        QVERIFY(writeHostileCopy(model_, dir.path() + "/model", tensor, 5, value));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CACHE_HOME", dir.path() + "/cache");  // the score cache stays in the test's folder
        p.setProcessEnvironment(env);
        p.start(srs::test::executable("signround"), {"autoscheme", "--model", dir.path() + "/model", "--dataset", text_, "--avg_bits", "3.0", "--options",
                                                     "W2A16G64,W4A16,W8A16", "--nsamples", "4", "--seqlen", "64"});
        QVERIFY(p.waitForFinished(600000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(expected), qPrintable(err));
    }

    // The same as the reference of a KL divergence: named as the reference.
    void evalRefusesANonFiniteReference() {
        QTemporaryDir dir;
        QVERIFY(writeHostileCopy(model_, dir.path(), "model.layers.2.self_attn.v_proj.weight", 9, kInf));
        const Run r = cli({"eval", "--model", model_, "--reference", dir.path(), "--text", text_, "--window", "64", "--max_windows", "8", "--quiet"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("the reference " + dir.path() + " gives "), qPrintable(r.err));
        QVERIFY2(r.err.contains("its tensor model.layers.2.self_attn.v_proj.weight holds 1 infinite value"), qPrintable(r.err));
        QVERIFY2(!r.out.contains("PPL") && !r.out.contains("KLD"), qPrintable(r.out));
    }

    // convert copies the source's tensors into GGUF (converted or requantized): a NaN or infinity
    // there is refused, naming the tensor, and no file is left behind.
    void convertRefusesNonFiniteWeights_data() {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<float>("value");
        QTest::newRow("f16, a linear") << "gguf:f16" << "model.layers.1.mlp.down_proj.weight" << kNaN;
        QTest::newRow("q8_0, the embedding") << "gguf:q8_0" << "model.embed_tokens.weight" << kInf;
        QTest::newRow("f32, a norm") << "gguf:f32" << "model.layers.0.input_layernorm.weight" << kNaN;
    }
    void convertRefusesNonFiniteWeights() {
        QFETCH(QString, format);
        QFETCH(QString, tensor);
        QFETCH(float, value);
        QTemporaryDir dir;
        QDir().mkpath(dir.path() + "/model");
        QVERIFY(writeHostileCopy(model_, dir.path() + "/model", tensor, 3, value));
        const Run r = cli({"convert", "--model", dir.path() + "/model", "--format", format, "--output_dir", dir.path() + "/out"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("the source tensor " + tensor + " of " + dir.path() + "/model holds 1 NaN or infinite value"), qPrintable(r.err));
        QVERIFY2(r.err.contains("nothing was exported"), qPrintable(r.err));
        QVERIFY2(exportsIn(dir.path() + "/out").isEmpty(), qPrintable(exportsIn(dir.path() + "/out").join(", ")));
    }
};

QTEST_GUILESS_MAIN(TestCliNonFinite)
#include "test_cli_nonfinite.moc"
