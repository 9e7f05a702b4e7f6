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

    void ggufImportScoresLikeTheHfFolder() {
        // The same weights through the GGUF importer: with the HF folder's tokenizer the
        // perplexity is identical; with the GGUF's own vocabulary (llama.cpp's whitespace rules)
        // only the 6 double spaces of the text tokenize differently.
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        auto run = [&](QStringList extra) {
            QProcess p;
            p.start(srs::test::executable("signround"),
                    QStringList{"eval", "--text", text, "--window", "256", "--batch_size", "32", "--max_windows", "400", "--quiet"} + extra);
            p.waitForFinished(600000);
            return QString::fromUtf8(p.readAllStandardOutput());
        };
        QString hf = run({"--model", folder});
        QString imported = run({"--model", gguf, "--tokenizer", folder});
        QString own = run({"--model", gguf});
        auto ppl = [](const QString& out) { return out.section('\n', 0, 0); };
        QVERIFY2(ppl(hf).startsWith("PPL "), qPrintable(hf));
        QCOMPARE(ppl(imported), ppl(hf));
        QVERIFY2(ppl(own).startsWith("PPL "), qPrintable(own));
        QVERIFY(std::abs(ppl(own).mid(4).toDouble() - ppl(hf).mid(4).toDouble()) < 0.01);
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
