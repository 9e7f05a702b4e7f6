// `signround eval` on stories260K reproduces the reference perplexity of PROVENANCE.md.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "support/spm_to_tokenizer_json.h"
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

    void kernelsAndReferencePathsAgree() {
        // The default (kernels: tiled attention, fused norm / rope / SwiGLU) and --kernels reference
        // give the same mean NLL in float32; a bad value is a usage error.
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        auto nll = [&](const QStringList& extra) {
            QProcess p;
            p.start(srs::test::executable("signround"),
                    QStringList{"eval", "--model", folder, "--text", text, "--window", "256", "--max_windows", "64", "--json", "--quiet"} + extra);
            p.waitForFinished(600000);
            if (p.exitCode() != 0) return -1.0;
            return nlohmann::json::parse(p.readAllStandardOutput().toStdString())["mean_nll"].get<double>();
        };
        const double fused = nll({}), reference = nll({"--kernels", "reference"});
        QVERIFY(fused > 0 && reference > 0);
        QVERIFY2(std::abs(fused - reference) < 1e-5, qPrintable(QString("%1 vs %2").arg(fused, 0, 'f', 8).arg(reference, 0, 'f', 8)));
        QProcess bad;
        bad.start(srs::test::executable("signround"), {"eval", "--model", folder, "--text", text, "--kernels", "fast"});
        QVERIFY(bad.waitForFinished(60000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(QString::fromUtf8(bad.readAllStandardError()).contains("--kernels is fused, auto or reference"));
    }

    void windowStaysWithinTheModelsContext() {
        // stories260K was trained on 512 positions: a longer --window is clamped, with a warning,
        // and the report says which window was used.
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QProcess p;
        p.start(srs::test::executable("signround"),
                {"eval", "--model", folder, "--text", text, "--window", "2048", "--max_windows", "2", "--json", "--quiet"});
        QVERIFY(p.waitForFinished(600000));
        QCOMPARE(p.exitCode(), 0);
        auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(j["window"].get<int>(), 512);
        QCOMPARE(j["windows"].get<int>(), 2);
        QCOMPARE(j["scored_tokens"].get<int>(), 2 * 511);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("longer than the model's context"));
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

    void tokenizerJsonFolder() {
        // --tokenizer with a folder holding only tokenizer.json (+ tokenizer_config.json): the
        // model's SentencePiece vocabulary written as a Llama-2 style tokenizer.json scores like
        // the model's own tokenizer.model, up to its remove_extra_whitespaces, which tokenizer.json
        // has no equivalent of (the text's 6 double spaces); a tokenizer of another model is
        // refused with a clear message.
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto model = srs::io::readFile((folder + "/tokenizer.model").toStdString());
        QVERIFY(model.ok());
        auto vocab = srs::tokenizer::parseSpmModel(*model);
        QVERIFY(vocab.ok());
        QVERIFY(srs::io::writeFileAtomic(dir.filePath("tokenizer.json").toStdString(), srs::test::llamaTokenizerJsonFrom(*vocab)).ok());
        QVERIFY(QFile::copy(folder + "/tokenizer_config.json", dir.filePath("tokenizer_config.json")));
        auto run = [&](QStringList extra, int* code = nullptr) {
            QProcess p;
            p.start(srs::test::executable("signround"),
                    QStringList{"eval", "--model", folder, "--text", text, "--window", "256", "--batch_size", "32", "--max_windows", "400", "--quiet"} +
                        extra);
            p.waitForFinished(600000);
            if (code) *code = p.exitCode();
            return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        };
        const QString own = run({});
        const QString json = run({"--tokenizer", dir.path()});
        auto ppl = [](const QString& out) { return out.section('\n', 0, 0); };
        QVERIFY2(ppl(own).startsWith("PPL "), qPrintable(own));
        QVERIFY2(ppl(json).startsWith("PPL "), qPrintable(json));
        qInfo("tokenizer.model: %s; tokenizer.json: %s", qPrintable(ppl(own)), qPrintable(ppl(json)));
        QVERIFY(std::abs(ppl(own).mid(4).toDouble() - ppl(json).mid(4).toDouble()) < 0.01);

        // A byte-level vocabulary whose ids start at 1000: every id is past the model's 512.
        nlohmann::json bytes = nlohmann::json::object();
        int next = 1000;
        QTemporaryDir other;
        QVERIFY(other.isValid());
        // GPT-2's byte alphabet: printable bytes stand for themselves, the rest for U+0100 on.
        int extra = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
            bytes[QString::fromUcs4(&cp, 1).toStdString()] = next++;
        }
        nlohmann::json tok = {{"model", {{"type", "BPE"}, {"vocab", bytes}, {"merges", nlohmann::json::array()}}},
                              {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
                              {"decoder", {{"type", "ByteLevel"}}}};
        QVERIFY(srs::io::writeFileAtomic(other.filePath("tokenizer.json").toStdString(), tok.dump()).ok());
        int code = 0;
        const QString refused = run({"--tokenizer", other.path()}, &code);
        QCOMPARE(code, 1);
        QVERIFY2(refused.contains("outside the model's vocabulary of 512") && refused.contains("--tokenizer must name"), qPrintable(refused));
    }

    void errorsAreClear() {
        // A text that is not there is a usage error, found before any model is opened.
        QProcess q;
        q.start(srs::test::executable("signround"), {"eval", "--model", "/nonexistent", "--text", "/nonexistent.txt"});
        QVERIFY(q.waitForFinished(60000));
        QCOMPARE(q.exitCode(), 2);
        QVERIFY(QString::fromUtf8(q.readAllStandardError()).contains("--text /nonexistent.txt is not a file"));
        // A model that is not there, with a real text.
        QTemporaryDir dir;
        const QString text = dir.path() + "/t.txt";
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("Once upon a time there was a little cat.\n");
        f.close();
        QProcess p;
        p.start(srs::test::executable("signround"), {"eval", "--model", "/nonexistent", "--text", text});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("no such model folder or file"));
    }
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "test_cli_eval.moc"
