// `signround quantize` on the real stories260K model: SignRound beats round-to-nearest (plain and
// optimized) in perplexity at W4G32 and W2G32, and every block's tuned loss is below its RTN loss.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <csignal>

#include "cli_harness.h"

using namespace srs::test::cli;

class TestCliQuantizeQuality : public QObject {
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
};

QTEST_GUILESS_MAIN(TestCliQuantizeQuality)
#include "test_cli_quantize_quality.moc"
