// `signround quantize` as users run it, on the real stories260K model:
//  - SignRound beats round-to-nearest in perplexity at W4G32 and W2G32, and every block's tuned
//    loss is below its RTN loss;
//  - kill -9 during block 3, then --resume, gives exactly the files of an uninterrupted run;
//  - Ctrl-C stops cleanly, keeps the checkpoint and writes no export;
//  - the packed auto_round export reads back to the same perplexity as the fake-quant weights.
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include "support/test_paths.h"

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run cli(const QStringList& args, int timeout_ms = 600000) {
    QProcess p;
    p.start(srs::test::executable("signround"), args);
    p.waitForFinished(timeout_ms);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

double ppl(const QString& model, const QString& text) {
    Run r = cli({"eval", "--model", model, "--text", text, "--window", "256", "--batch_size", "32", "--max_windows", "300", "--quiet"});
    auto m = QRegularExpression("^PPL (\\S+)$", QRegularExpression::MultilineOption).match(r.out);
    if (r.code != 0 || !m.hasMatch()) qWarning("eval failed: %s %s", qPrintable(r.out), qPrintable(r.err));
    return m.hasMatch() ? m.captured(1).toDouble() : -1;
}

QStringList baseArgs(const QString& model, const QString& calib, const QString& out) {
    return {"quantize", "--model", model, "--dataset", calib, "--output_dir", out, "--seqlen", "256"};
}

// Every file under a folder, with its bytes, for byte-for-byte comparisons.
QMap<QString, QByteArray> snapshot(const QString& dir) {
    QMap<QString, QByteArray> files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QString path = it.next();
        if (path.contains("/.signround-run/")) continue;
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        files[QDir(dir).relativeFilePath(path)] = f.readAll();
    }
    return files;
}

}  // namespace

class TestCliQuantize : public QObject {
    Q_OBJECT
private slots:
    void signRoundBeatsRtn_data() {
        QTest::addColumn<int>("bits");
        QTest::newRow("W4G32") << 4;
        QTest::newRow("W2G32") << 2;
    }
    void signRoundBeatsRtn() {
        QFETCH(int, bits);
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        const QString b = QString::number(bits);
        QStringList common = baseArgs(model, calib, "") + QStringList{"--bits", b, "--group_size", "32", "--nsamples", "64", "--format", "fake"};
        QStringList rtn_args = common, opt_args = common, sr_args = common;
        rtn_args[6] = dir.path() + "/rtn";
        opt_args[6] = dir.path() + "/opt";
        sr_args[6] = dir.path() + "/sr";
        rtn_args << "--iters" << "0" << "--disable_opt_rtn";
        opt_args << "--iters" << "0";
        sr_args << "--iters" << "100" << "--json";
        Run rtn = cli(rtn_args);
        QVERIFY2(rtn.code == 0, qPrintable(rtn.err));
        Run opt = cli(opt_args);
        QVERIFY2(opt.code == 0, qPrintable(opt.err));
        Run sr = cli(sr_args);
        QVERIFY2(sr.code == 0, qPrintable(sr.err));

        // Every block: the kept parameters beat round-to-nearest on the block output.
        int blocks = 0;
        for (const QString& line : sr.out.split('\n', Qt::SkipEmptyParts)) {
            QJsonObject e = QJsonDocument::fromJson(line.toUtf8()).object();
            if (e["event"].toString() != "block_finished") continue;
            ++blocks;
            QVERIFY2(e["best_loss"].toDouble() < e["rtn_loss"].toDouble(), qPrintable(line));
            QCOMPARE(e["layers"].toArray().size(), 7);  // all 7 linears, ragged 172-wide ones included
        }
        QCOMPARE(blocks, 5);
        QVERIFY(sr.out.contains("\"event\":\"finished\""));

        const QString name = "/stories260K-hf-w" + b + "g32-fake";
        double p_rtn = ppl(dir.path() + "/rtn" + name, text);
        double p_opt = ppl(dir.path() + "/opt" + name, text);
        double p_sr = ppl(dir.path() + "/sr" + name, text);
        double p_fp = ppl(model, text);
        qInfo("W%dG32 perplexity (300 windows): FP %.4f, RTN %.4f, optimized RTN %.4f, SignRound %.4f", bits, p_fp, p_rtn, p_opt, p_sr);
        QVERIFY(p_sr > 0 && p_rtn > 0 && p_opt > 0);
        QVERIFY2(p_sr < p_rtn, "SignRound must beat round-to-nearest");
        QVERIFY2(p_sr < p_opt, "SignRound must beat optimized round-to-nearest");
        QVERIFY(p_fp < p_sr);
    }

    void killDuringBlockThreeThenResume() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        auto args = [&](const QString& out) {
            return baseArgs(model, calib, out) + QStringList{"--bits", "4", "--group_size", "32", "--iters", "60", "--nsamples", "16",
                                                              "--format", "fake,auto_round", "--json"};
        };
        Run whole = cli(args(dir.path() + "/whole"));
        QVERIFY2(whole.code == 0, qPrintable(whole.err));

        // Start the same run, kill -9 it while block 3 (index 2) is being tuned.
        QProcess p;
        p.start(srs::test::executable("signround"), args(dir.path() + "/killed"));
        QVERIFY(p.waitForStarted());
        bool killed = false;
        QByteArray seen;
        while (p.state() == QProcess::Running && !killed) {
            p.waitForReadyRead(100);
            seen += p.readAllStandardOutput();
            // JSON keys are sorted: an iteration event of block index 2 reads {"block":2,"event":"iteration",...}.
            if (seen.contains("{\"block\":2,\"event\":\"iteration\"")) {
                ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
                killed = true;
            }
        }
        p.waitForFinished();
        QVERIFY2(killed, "the run was killed during block 3");
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QVERIFY(QFileInfo::exists(dir.path() + "/killed/.signround-run/state.json"));
        QVERIFY(!QFileInfo::exists(dir.path() + "/killed/stories260K-hf-w4g32-fake"));  // nothing exported yet

        Run resumed = cli(args(dir.path() + "/killed") << "--resume");
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        QVERIFY(resumed.out.contains("\"resumed_from_block\":2"));
        auto a = snapshot(dir.path() + "/whole"), b = snapshot(dir.path() + "/killed");
        QCOMPARE(a.keys(), b.keys());
        for (const auto& k : a.keys()) QVERIFY2(a[k] == b[k], qPrintable("differs after resume: " + k));
    }

    void interruptKeepsCheckpointAndWritesNothing() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        QProcess p;
        p.start(srs::test::executable("signround"),
                baseArgs(model, calib, dir.path() + "/out") + QStringList{"--iters", "100000", "--nsamples", "8", "--group_size", "32", "--json"});
        QVERIFY(p.waitForStarted());
        QByteArray seen;
        while (!seen.contains("\"event\":\"iteration\"") && p.state() == QProcess::Running) {
            p.waitForReadyRead(100);
            seen += p.readAllStandardOutput();
        }
        QElapsedTimer t;
        t.start();
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(10000));
        QVERIFY2(t.elapsed() < 2000, "Ctrl-C is honoured within about a second");
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(QString::fromUtf8(seen + p.readAllStandardOutput()).contains("\"state\":\"cancelled\""));
        QStringList entries = QDir(dir.path() + "/out").entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        QCOMPARE(entries, QStringList{".signround-run"});
    }

    void packedExportReadsBackToTheSamePerplexity() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        for (const QString fmt : {"auto_round", "auto_gptq", "auto_awq"}) {
            QStringList args = baseArgs(model, calib, dir.path() + "/" + fmt) +
                               QStringList{"--bits", "4", "--group_size", "32", "--iters", "20", "--nsamples", "16", "--format", fmt + ",fake"};
            if (fmt == "auto_awq") args << "--asym";
            Run r = cli(args);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QString stem = dir.path() + "/" + fmt + "/stories260K-hf-w4g32" + (fmt == "auto_awq" ? "-asym" : "");
            double packed = ppl(stem + "-" + fmt, text), fake = ppl(stem + "-fake", text);
            qInfo("%s: packed %.6f, fake %.6f", qPrintable(fmt), packed, fake);
            QVERIFY(packed > 0);
            QVERIFY2(std::abs(packed - fake) <= 0.001 * fake, "round trip within 0.1 %");
            QVERIFY(QFileInfo::exists(stem + "-" + fmt + "/README.md"));
        }
    }

    void reexportFromTheCheckpoint() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        Run q = cli(baseArgs(model, calib, dir.path() + "/q") + QStringList{"--iters", "10", "--nsamples", "8", "--group_size", "32", "--format", "auto_round"});
        QVERIFY2(q.code == 0, qPrintable(q.err));
        Run e = cli({"export", "--run_dir", dir.path() + "/q/.signround-run", "--format", "auto_gptq", "--output_dir", dir.path() + "/e"});
        QVERIFY2(e.code == 0, qPrintable(e.out + e.err));
        const QString gptq = dir.path() + "/e/stories260K-hf-w4g32-auto_gptq";
        QVERIFY(QFileInfo::exists(gptq + "/model.safetensors"));
        QCOMPARE(ppl(gptq, text), ppl(dir.path() + "/q/stories260K-hf-w4g32-auto_round", text));
        Run bad = cli({"export", "--run_dir", dir.path() + "/nowhere", "--format", "fake", "--output_dir", dir.path() + "/x"});
        QCOMPARE(bad.code, 1);
        QVERIFY(bad.err.contains("state.json"));
    }

    void badInputIsAClearError() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        Run no_data = cli({"quantize", "--model", model, "--output_dir", dir.path()});
        QCOMPARE(no_data.code, 1);
        QVERIFY(no_data.err.contains("no calibration data") && no_data.err.contains("--dataset"));
        Run bad_bits = cli({"quantize", "--model", model, "--output_dir", dir.path(), "--dataset", "x.txt", "--bits", "9"});
        QCOMPARE(bad_bits.code, 1);
        QVERIFY(bad_bits.err.contains("bits must be between 2 and 8"));
        Run gguf = cli({"quantize", "--model", model, "--output_dir", dir.path(), "--dataset", "x.txt", "--format", "gguf:q4_k_m"});
        QCOMPARE(gguf.code, 1);
        QVERIFY(gguf.err.contains("GGUF export is not available yet"));
    }
};

QTEST_GUILESS_MAIN(TestCliQuantize)
#include "test_cli_quantize.moc"
