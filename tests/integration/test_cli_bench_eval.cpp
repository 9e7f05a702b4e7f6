// `signround bench eval` as a user runs it: the matmul rates it compares against (fp32, bf16 and
// oneDNN's int8 product, which our weight-only schemes do not use) and the evaluation's speed and
// PPL, on a few windows of stories260K; and `signround bench hash`.
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

    // `signround bench hash`: the Hub's SHA-256 and SHA-1 rates (OpenSSL) and the former
    // hand-written SHA-256's on the same buffer, which must agree on the digest; needs no model.
    void hashPrintsBothRates() {
        auto r = cli({"bench", "hash", "--mib", "64"});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        auto match = [&](const char* pattern) {
            return QRegularExpression(pattern, QRegularExpression::MultilineOption).match(r.out);
        };
        QVERIFY2(match("^bench hash: 64 MiB ").hasMatch(), qPrintable(r.out));
        auto sha256 = match("^sha256 +([0-9.]+) MB/s  ([0-9a-f]{64}) ");
        auto sha1 = match("^sha1 +([0-9.]+) MB/s  ([0-9a-f]{40}) ");
        auto reference = match("^sha256_reference +([0-9.]+) MB/s  ([0-9a-f]{64}) ");
        auto speedup = match("^speedup_sha256 ([0-9.]+)$");
        QVERIFY2(sha256.hasMatch() && sha256.captured(1).toDouble() > 0, qPrintable(r.out));
        QVERIFY2(sha1.hasMatch() && sha1.captured(1).toDouble() > 0, qPrintable(r.out));
        QVERIFY2(reference.hasMatch() && reference.captured(1).toDouble() > 0, qPrintable(r.out));
        QCOMPARE(reference.captured(2), sha256.captured(2));
        // OpenSSL's assembly against portable C++: several times faster on any x86-64 or arm64.
        QVERIFY2(speedup.hasMatch() && speedup.captured(1).toDouble() > 1.0, qPrintable(r.out));

        auto bad = cli({"bench", "hash", "--mib", "0"});
        QVERIFY2(bad.code != 0 && bad.err.contains("--mib"), qPrintable(bad.out + bad.err));
    }
};

QTEST_GUILESS_MAIN(TestCliBenchEval)
#include "test_cli_bench_eval.moc"
