// `signround bench tune` as a user runs it, at tiny sizes: it prints both paths' profile and
// per-block times and ends with the machine-readable line; bad sizes are a clear usage error.
// Timing is not checked here (benchmarks print figures; tests check shape).
#include <QRegularExpression>
#include <QtTest>

#include "cli_harness.h"

using srs::test::cli::cli;

class TestCliBenchTune : public QObject {
    Q_OBJECT
private slots:
    void tinyBlockPrintsBothPathsAndTheLastLine() {
        auto r = cli({"bench", "tune", "--hidden", "64", "--intermediate", "128", "--heads", "4", "--kv_heads", "2", "--head_dim", "16",
                      "--seqlen", "32", "--batch", "2", "--iters", "2"});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains("hidden 64, intermediate 128, 4/2 heads, head_dim 16"), qPrintable(r.out));
        QVERIFY2(r.out.contains("qdq kernels: avx512") || r.out.contains("qdq kernels: avx2") || r.out.contains("qdq kernels: scalar"), qPrintable(r.out));
        // The kernels path measured and logged its matmul backend per linear shape (4 distinct here).
        QCOMPARE(r.out.count(QRegularExpression("^kernels linear \\d+x\\d+->\\d+ bfloat16: forward (oneDNN|LibTorch)", QRegularExpression::MultilineOption)), 4);
        for (const char* op : {"matmuls", "qdq forward", "qdq backward", "loss", "optimizer", "data movement", "total"})
            QVERIFY2(QRegularExpression(QString("^  %1 +[0-9.]+ +[0-9.]+$").arg(op), QRegularExpression::MultilineOption).match(r.out).hasMatch(),
                     qPrintable(QString(op) + "\n" + r.out));
        QVERIFY(QRegularExpression("^  reference +[0-9.]+ ms per iteration", QRegularExpression::MultilineOption).match(r.out).hasMatch());
        QVERIFY(QRegularExpression("^  kernels +[0-9.]+ ms per iteration", QRegularExpression::MultilineOption).match(r.out).hasMatch());
        const QStringList lines = r.out.trimmed().split('\n');
        auto m = QRegularExpression("^speedup (\\d+\\.\\d\\d)  matmul_fraction (\\d+\\.\\d\\d)$").match(lines.last());
        QVERIFY2(m.hasMatch(), qPrintable(lines.last()));
        QVERIFY(m.captured(1).toDouble() > 0);
        QVERIFY2(!r.out.contains("ops of the kernels path"), qPrintable(r.out));  // the op list only on request (--top N)
    }

    // The kernels path runs the tiled attention and the fused norm / rope / SwiGLU ops; --top lists them.
    void topOpsNameTheFusedOps() {
        auto r = cli({"bench", "tune", "--hidden", "64", "--intermediate", "128", "--heads", "4", "--kv_heads", "2", "--head_dim", "16",
                      "--seqlen", "32", "--batch", "2", "--iters", "1", "--top", "500"});  // every op
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const int ref = r.out.indexOf("ops of the reference path"), ker = r.out.indexOf("ops of the kernels path");
        QVERIFY2(ref > 0 && ker > ref, qPrintable(r.out));
        const QString reference = r.out.mid(ref, ker - ref), kernels = r.out.mid(ker);
        for (const char* op : {"srs::attention", "srs::rms_norm_rope", "srs::swiglu", "srs::qdq"}) QVERIFY2(kernels.contains(op), qPrintable(op + kernels));
        QVERIFY2(reference.contains("aten::softmax"), qPrintable(reference));
        QVERIFY2(!reference.contains("srs::attention"), qPrintable(reference));
        // Each listed op: name, category, ms per iteration, calls.
        QVERIFY(QRegularExpression("^  srs::attention +other +[0-9.]+ \\(\\d+\\)$", QRegularExpression::MultilineOption).match(kernels).hasMatch());
    }

    void float32WithDisableAmp() {
        auto r = cli({"bench", "tune", "--hidden", "32", "--intermediate", "64", "--heads", "2", "--kv_heads", "1", "--head_dim", "16",
                      "--seqlen", "16", "--batch", "1", "--iters", "1", "--disable_amp"});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains("float32"));
        QVERIFY(r.out.trimmed().split('\n').last().startsWith("speedup "));
    }

    void badSizesAreAClearError() {
        auto r = cli({"bench", "tune", "--heads", "3", "--kv_heads", "2"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("error:") && r.err.contains("kv_heads"), qPrintable(r.err));
        auto u = cli({"bench", "tune", "--iters", "two"});
        QVERIFY(u.code != 0);
        QVERIFY2(!u.err.isEmpty(), qPrintable(u.err));
    }
};

QTEST_GUILESS_MAIN(TestCliBenchTune)
#include "test_cli_bench_tune.moc"
