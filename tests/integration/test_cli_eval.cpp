// `signround eval` on stories260K reproduces the reference perplexity of PROVENANCE.md.
#include <QProcess>
#include <QtTest>

#include "support/test_paths.h"

class TestCliEval : public QObject {
    Q_OBJECT
private slots:
    void stories260KReferencePerplexity() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QProcess p;
        p.start(srs::test::executable("signround"), {"eval", "--model", folder, "--text", text, "--window", "256", "--batch_size", "32", "--quiet"});
        QVERIFY(p.waitForFinished(600000));
        QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QRegularExpression re("^PPL (\\d+\\.\\d{4})$", QRegularExpression::MultilineOption);
        auto m = re.match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        QVERIFY2(std::abs(m.captured(1).toDouble() - 5.1197) <= 0.0005, qPrintable(out));
        QVERIFY(out.contains("391,425 scored tokens"));
        QVERIFY(out.contains("1535 windows of 256"));
    }

    void errorsAreClear() {
        QProcess p;
        p.start(srs::test::executable("signround"), {"eval", "--model", "/nonexistent", "--text", "/nonexistent.txt"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("no such model folder or file"));
    }
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "test_cli_eval.moc"
