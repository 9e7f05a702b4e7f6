// Our GGUF exports read by llama.cpp itself (built from the source PyPI's llama-cpp-python
// vendors, by the interop_llama_setup fixture): the 5M TinyStories model is quantized once (RTN)
// and exported in ten GGUF file types which together hold all ten block types (Q4_0 … Q8_0,
// Q2_K … Q6_K).
//  - Every file is loaded by libllama and scored by llama_window_ppl (our program, compiled
//    against libllama by the fixture) on exactly the windows `signround eval` scores; the two
//    perplexities must agree within 0.1 %, and the token counts must be equal.
//  - The real `llama-perplexity` tool runs on the Q8_0 and Q4_K_M files. Its protocol differs
//    (BOS first in each chunk, only the second half of each chunk scored), so its figure is
//    checked twice: against llama_window_ppl replaying that protocol through libllama (within
//    0.01 %: the same library on the same tokens with flash attention off in both, only the
//    log-softmax arithmetic differs, float there and double here; with the tool's default
//    flash attention the two differ by about 0.013 %), and against llama.cpp's windowed score of
//    the Q8_0 file (see kSecondHalfBand).
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

#include "core/io/gguf.h"
#include "interop/llama/llama_fixture.h"
#include "support/test_paths.h"

namespace {

const QStringList kFileTypes = {"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k_s", "q3_k_m", "q4_k_s", "q4_k_m", "q5_k_m"};
constexpr int kWindow = 256;
constexpr int kWindows = 24;
// llama-perplexity scores a different sample of the same text: BOS in place of each chunk's first
// token, and only the predictions at positions N/2..N-2 (3048 of the 6120 the windowed protocol
// scores), each with at least N/2 tokens of context. So its figure is another estimate of the
// model's perplexity, not the same number, and the gap has no fixed sign: measured +7.5 % (Q8_0)
// and +8.6 % (Q4_K_M) on this model and text, −7.6 % on the F32 stories260K. ±20 % around
// llama.cpp's windowed score of the Q8_0 file covers that; a file llama.cpp misreads gives a
// perplexity several times higher (or lower than is possible for this model) and falls outside.
constexpr double kSecondHalfBand[2] = {0.80, 1.20};

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

struct Score {
    bool ok = false;
    double ppl = 0;
    qint64 tokens = 0;
    int windows = 0;
    QString log;
};

// The "tokens N … windows W … PPL Y" line of llama_window_ppl.
Score parseWindowPpl(const Out& o) {
    Score s;
    s.log = o.out + o.err;
    auto m = QRegularExpression("tokens (\\d+)\\s+window \\d+\\s+windows (\\d+).*PPL (\\S+)").match(o.out);
    if (o.code != 0 || !m.hasMatch()) return s;
    s.tokens = m.captured(1).toLongLong();
    s.windows = m.captured(2).toInt();
    s.ppl = m.captured(3).toDouble();
    s.ok = std::isfinite(s.ppl) && s.ppl > 1.0;
    return s;
}

}  // namespace

class TestGgufPerplexityLlama : public QObject {
    Q_OBJECT
    QString fixture_, windowPpl_, llamaPerplexity_, model_, calib_, text_;
    QTemporaryDir dir_;
    double q80Windowed_ = 0;

    Score llamaWindowPpl(const QString& file, const QString& protocol = "windows") {
        return parseWindowPpl(run(windowPpl_, {"--model", file, "--text", text_, "--window", QString::number(kWindow), "--max-windows",
                                               QString::number(kWindows), "--protocol", protocol}));
    }

    // `signround eval --json` of a model on the test's windows; false (with the error printed) when it fails.
    bool ourEval(const QString& model, QJsonObject* result) {
        Out ours = run(srs::test::executable("signround"), {"eval", "--model", model, "--text", text_, "--window", QString::number(kWindow),
                                                              "--max_windows", QString::number(kWindows), "--json", "--quiet"});
        if (ours.code != 0) qWarning("%s", qPrintable(ours.err));
        *result = QJsonDocument::fromJson(ours.out.toUtf8()).object();
        return ours.code == 0;
    }

private slots:
    void initTestCase() {
        SRS_REQUIRE_LLAMA_BUILD();
        fixture_ = srs::test::llama::fixtureDir();
        windowPpl_ = fixture_ + "/bin/llama_window_ppl";
        llamaPerplexity_ = srs::test::llama::libDir() + "/llama-perplexity";
        QVERIFY2(QFileInfo(windowPpl_).isExecutable(), qPrintable(windowPpl_ + " is missing"));
        QVERIFY2(QFileInfo(llamaPerplexity_).isExecutable(), qPrintable(llamaPerplexity_ + " is missing"));
        model_ = srs::test::sharedPath("models/tinystories-llama-5M-hf");
        calib_ = srs::test::sharedPath("text/tinystories/TinyStories-train.first2MiB.txt");
        text_ = srs::test::sharedPath("text/tinystories/TinyStories-validation.head.txt");
        if (model_.isEmpty() || calib_.isEmpty() || text_.isEmpty())
            QSKIP(qPrintable("shared data (models/tinystories-llama-5M-hf, text/tinystories) not present under " + srs::test::sharedData()));
        QVERIFY(dir_.isValid());

        QStringList formats;
        for (const auto& t : kFileTypes) formats << "gguf:" + t;
        Out q = run(srs::test::executable("signround"),
                    {"quantize", "--model", model_, "--dataset", calib_, "--output_dir", dir_.path(), "--iters", "0", "--nsamples", "8",
                     "--seqlen", "256", "--format", formats.join(',')});
        QVERIFY2(q.code == 0, qPrintable(q.out + q.err));
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
        QJsonObject j;
        QVERIFY(ourEval(file, &j));
        const double our_ppl = j.value("ppl").toDouble();
        const Score theirs = llamaWindowPpl(file);
        QVERIFY2(theirs.ok, qPrintable(theirs.log));
        qInfo("%s: ours %.4f, llama.cpp %.4f (%+.3f %%); tokens ours %lld, llama.cpp %lld", qPrintable(type), our_ppl, theirs.ppl,
              100.0 * (theirs.ppl - our_ppl) / our_ppl, qint64(j.value("tokens").toDouble()), theirs.tokens);
        // Same tokenization of the text (our tokenizer from the GGUF vs llama.cpp's), same windows.
        QCOMPARE(theirs.tokens, qint64(j.value("tokens").toDouble()));
        QCOMPARE(theirs.windows, j.value("windows").toInt());
        QVERIFY(our_ppl > 1.0);
        // Measured agreement: within 0.025 % on all ten types (q8_0 +0.025 %, the rest ≤ 0.013 %); the
        // bound is 0.1 %, well under the 0.9 % that separates q4_0 from q8_0 on this model.
        QVERIFY2(std::abs(theirs.ppl - our_ppl) <= 0.001 * our_ppl, "llama.cpp's perplexity within 0.1 % of ours");
        if (type == "q8_0") q80Windowed_ = theirs.ppl;
    }

    void llamaPerplexityToolReadsOurFiles_data() {
        QTest::addColumn<QString>("type");
        for (const char* t : {"q8_0", "q4_k_m"}) QTest::newRow(t) << QString(t);
    }
    void llamaPerplexityToolReadsOurFiles() {
        QFETCH(QString, type);
        QVERIFY2(q80Windowed_ > 1.0, "needs llamaCppAgreesWithOurPerplexity(q8_0) to have run first");
        const QString file = ggufPath(type);
        const QStringList args{"-m", file, "-f", text_, "-c", QString::number(kWindow), "-b", QString::number(kWindow),
                               "--chunks", QString::number(kWindows), "-t", "1", "-ngl", "0", "-fa", "off"};
        const QRegularExpression final_line("Final estimate: PPL = (\\S+) \\+/- (\\S+)");
        // Up to 3 runs while the final line is missing (see runTool).
        const srs::test::llama::ToolRun tool = srs::test::llama::runToolUntil(llamaPerplexity_, args, final_line, 900000);
        const QString log = tool.log();
        QVERIFY2(tool.code == 0, qPrintable(log.right(900)));
        auto m = final_line.match(log);
        QVERIFY2(m.hasMatch(), qPrintable(log.right(3000)));
        const double tool_ppl = m.captured(1).toDouble();
        QVERIFY2(std::isfinite(tool_ppl) && tool_ppl > 1.0, qPrintable(log.right(3000)));
        QVERIFY2(log.contains(QString("calculating perplexity over %1 chunks, n_ctx=%2").arg(kWindows).arg(kWindow)),
                 qPrintable(log.right(3000)));

        const Score replay = llamaWindowPpl(file, "llama-perplexity");
        QVERIFY2(replay.ok, qPrintable(replay.log));
        const double ratio = tool_ppl / q80Windowed_;
        qInfo("%s: llama-perplexity %.4f +/- %s, libllama replaying its protocol %.4f (%+.4f %%), llama.cpp windowed Q8_0 %.4f (ratio %.3f)",
              qPrintable(type), tool_ppl, qPrintable(m.captured(2)), replay.ppl, 100.0 * (tool_ppl - replay.ppl) / replay.ppl, q80Windowed_,
              ratio);
        QCOMPARE(replay.windows, kWindows);
        QVERIFY2(std::abs(tool_ppl - replay.ppl) <= 1e-4 * replay.ppl, "llama-perplexity within 0.01 % of libllama on its protocol");
        QVERIFY2(ratio >= kSecondHalfBand[0] && ratio <= kSecondHalfBand[1],
                 "llama-perplexity (second halves of chunks) within the expected band of the windowed Q8_0 perplexity");
    }

    // `signround convert` writes the model without quantizing; llama.cpp scores the F32 and F16
    // files as our eval scores the original folder, on the same windows (measured: −0.0005 % and
    // −0.0016 %). The whole text's token count may differ by a few ids (the folder is tokenized by
    // its tokenizer.json, the file by its SentencePiece vocabulary: 393,012 vs 393,018 here), not
    // inside the scored windows.
    void convertedFileScoresAsTheFolder_data() {
        QTest::addColumn<QString>("type");
        for (const char* t : {"f32", "f16"}) QTest::newRow(t) << QString(t);
    }
    void convertedFileScoresAsTheFolder() {
        QFETCH(QString, type);
        const QString out = dir_.path() + "/converted";
        const QString file = out + "/tinystories-llama-5M-hf-gguf-" + type + "/tinystories-llama-5M-hf-" + type.toUpper() + ".gguf";
        if (!QFileInfo::exists(file)) {
            Out c = run(srs::test::executable("signround"), {"convert", "--model", model_, "--format", "gguf:" + type, "--output_dir", out});
            QVERIFY2(c.code == 0, qPrintable(c.out + c.err));
        }
        QJsonObject j;
        QVERIFY(ourEval(model_, &j));
        const double folder_ppl = j.value("ppl").toDouble();
        const Score theirs = llamaWindowPpl(file);
        QVERIFY2(theirs.ok, qPrintable(theirs.log));
        qInfo("converted %s: our eval of the folder %.5f, llama.cpp on the file %.5f (%+.4f %%); tokens %lld / %lld, windows %d / %d",
              qPrintable(type), folder_ppl, theirs.ppl, 100.0 * (theirs.ppl - folder_ppl) / folder_ppl, qint64(j.value("tokens").toDouble()),
              theirs.tokens, j.value("windows").toInt(), theirs.windows);
        QCOMPARE(theirs.windows, j.value("windows").toInt());
        QVERIFY2(std::abs(theirs.ppl - folder_ppl) <= 1e-4 * folder_ppl, "llama.cpp on the converted file within 0.01 % of our eval of the folder");
    }

private:
    QString ggufPath(const QString& type) const {
        return dir_.path() + "/tinystories-llama-5M-hf-gguf-" + type + "/tinystories-llama-5M-hf-" + type.toUpper() + ".gguf";
    }
};

QTEST_GUILESS_MAIN(TestGgufPerplexityLlama)
#include "test_gguf_perplexity_llama.moc"
