// `signround bench eval` as a user runs it: the matmul rates it compares against (fp32, bf16 and
// oneDNN's int8 product, which our weight-only schemes do not use) and the evaluation's speed and
// PPL, on a few windows of stories260K.
#include <QRegularExpression>
#include <QtTest>

#include "cli_harness.h"
#include "support/test_paths.h"

using srs::test::cli::cli;

class TestCliBenchEval : public QObject {
    Q_OBJECT
private slots:
    void printsRatesAndPerplexity() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        auto r = cli({"bench", "eval", "--model", folder, "--text", text, "--window", "256", "--max_windows", "4"});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        auto rate = [&](const char* pattern) {
            auto m = QRegularExpression(pattern, QRegularExpression::MultilineOption).match(r.out);
            return m.hasMatch() ? m.captured(1).toDouble() : -1.0;
        };
        QVERIFY2(rate("^matmul fp32 1024\\^3: ([0-9.]+) GFLOP/s$") > 0, qPrintable(r.out));
        QVERIFY2(rate("^matmul bf16 1024\\^3: ([0-9.]+) GFLOP/s;") > 0, qPrintable(r.out));
        QVERIFY2(rate("int8 \\(oneDNN u8 x s8 -> s32\\) 1024\\^3: ([0-9.]+) GOP/s") > 0, qPrintable(r.out));
        QVERIFY2(rate("^eval: 4 windows of 256 tokens, [0-9]+ tokens/s, PPL ([0-9.]+) ") > 1.0, qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestCliBenchEval)
#include "test_cli_bench_eval.moc"
