// Our GGUF exports read by llama.cpp itself: the 5M TinyStories model is quantized once and
// exported in every GGUF type and mix we write; llama.cpp (node-llama-cpp's prebuilt library,
// installed by the interop_npm_llama_setup fixture, driven by gguf_perplexity.cjs) loads each
// file and scores the same windows of TinyStories text as `signround eval`; the perplexities
// must agree within 1 %. Together the files contain all ten block types (Q4_0 … Q8_0, Q2_K … Q6_K).
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include "core/io/gguf.h"
#include "support/test_paths.h"

namespace {

const QStringList kFileTypes = {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k_s", "q3_k_m", "q4_k_s", "q4_k_m", "q5_k_m"};
constexpr int kWindow = 256;
constexpr int kWindows = 24;

struct Out {
    int code = -1;
    QString out, err;
};

Out run(const QString& program, const QStringList& args, int timeout_ms = 900000) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeout_ms)) p.kill();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestGgufPerplexityLlama : public QObject {
    Q_OBJECT
    QString npm_, node_, model_, calib_, text_;
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        npm_ = qEnvironmentVariable("SRS_INTEROP_NPM");
        if (!QFileInfo::exists(npm_ + "/node_modules/node-llama-cpp/package.json"))
            QSKIP(qPrintable("node-llama-cpp not installed in " + npm_ + " (the fixture interop_npm_llama_setup skipped: npm unreachable?)"));
        node_ = QStandardPaths::findExecutable("node");
        if (node_.isEmpty()) QSKIP("node is not installed (apt-get install nodejs)");
        model_ = srs::test::sharedPath("models/tinystories-llama-5M-hf");
        calib_ = srs::test::sharedPath("text/tinystories/TinyStories-train.first2MiB.txt");
        text_ = srs::test::sharedPath("text/tinystories/TinyStories-validation.head.txt");
        if (model_.isEmpty() || calib_.isEmpty() || text_.isEmpty()) QSKIP("shared data (tinystories-llama-5M-hf, TinyStories text) not present");
        QVERIFY(dir_.isValid());

        QStringList formats;
        for (const auto& t : kFileTypes) formats << "gguf:" + t;
        Out q = run(srs::test::executable("signround"),
                    {"quantize", "--model", model_, "--dataset", calib_, "--output_dir", dir_.path(), "--iters", "0", "--nsamples", "8",
                     "--seqlen", "256", "--format", formats.join(',')});
        QVERIFY2(q.code == 0, qPrintable(q.err));
    }

    void everyBlockTypeIsPresent() {
        std::set<std::string> seen;
        for (const auto& t : kFileTypes) {
            auto g = srs::io::GgufFile::open(ggufPath(t).toStdString());
            QVERIFY2(g.ok(), qPrintable(t));
            for (const auto& info : (*g)->tensors()) seen.insert(srs::io::ggmlTypeName(info.type));
        }
        for (const char* t : {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
            QVERIFY2(seen.count(t), t);
    }

    void llamaCppAgreesWithOurPerplexity_data() {
        QTest::addColumn<QString>("type");
        for (const auto& t : kFileTypes) QTest::newRow(qPrintable(t)) << t;
    }
    void llamaCppAgreesWithOurPerplexity() {
        QFETCH(QString, type);
        const QString file = ggufPath(type);
        Out ours = run(srs::test::executable("signround"), {"eval", "--model", file, "--text", text_, "--window", QString::number(kWindow),
                                                              "--max_windows", QString::number(kWindows), "--json", "--quiet"});
        QVERIFY2(ours.code == 0, qPrintable(ours.err));
        const double our_ppl = QJsonDocument::fromJson(ours.out.toUtf8()).object().value("ppl").toDouble();
        Out theirs = run(node_, {srs::test::sourceDir() + "/tests/interop/gguf_perplexity.cjs", "--npm", npm_, "--model", file, "--text", text_,
                                 "--window", QString::number(kWindow), "--max-windows", QString::number(kWindows)});
        QVERIFY2(theirs.code == 0, qPrintable(theirs.out + theirs.err));
        auto m = QRegularExpression("PPL (\\S+)").match(theirs.out);
        QVERIFY2(m.hasMatch(), qPrintable(theirs.out));
        const double llama_ppl = m.captured(1).toDouble();
        qInfo("%s: ours %.4f, llama.cpp %.4f (%+.3f %%)", qPrintable(type), our_ppl, llama_ppl, 100.0 * (llama_ppl - our_ppl) / our_ppl);
        QVERIFY(our_ppl > 1.0);
        QVERIFY2(std::abs(llama_ppl - our_ppl) <= 0.01 * our_ppl, "llama.cpp's perplexity within 1 % of ours");
    }

private:
    QString ggufPath(const QString& type) const {
        return dir_.path() + "/tinystories-llama-5M-hf-gguf-" + type + "/tinystories-llama-5M-hf-" + type.toUpper() + ".gguf";
    }
};

QTEST_GUILESS_MAIN(TestGgufPerplexityLlama)
#include "test_gguf_perplexity_llama.moc"
