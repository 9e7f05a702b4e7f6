// `signround inspect` as a user runs it: the printed summary of stories260K, JSON output, and
// clear errors with a non-zero exit for bad input.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "support/test_paths.h"
#include "support/tiny_model.h"

namespace {
struct Run {
    int code = -1;
    QString out, err;
};
Run runCli(const QStringList& args) {
    QProcess p;
    p.start(srs::test::executable("signround"), args);
    p.waitForFinished(60000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}
}  // namespace

class TestCliInspect : public QObject {
    Q_OBJECT
private slots:
    void stories260K() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        Run r = runCli({"inspect", folder});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("Layers:        5\n"));
        QVERIFY(r.out.contains("Hidden size:   64\n"));
        QVERIFY(r.out.contains("Heads:         8 / 4 KV heads"));
        QVERIFY(r.out.contains("Vocab:         512\n"));
        QVERIFY(r.out.contains("Parameters:    260,032"));
        QVERIFY(r.out.contains("Dtypes:        F32 260,032"));
        QVERIFY(r.out.contains("35 linear layers"));
    }

    // The same model as a .gguf, and the folder holding it: the same architecture, layers, heads
    // and parameter count as the Hugging Face folder.
    void ggufReadsAsTheHfFolder() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        Run hf = runCli({"inspect", folder});
        QCOMPARE(hf.code, 0);
        auto line = [](const QString& out, const QString& key) {
            for (const auto& l : out.split('\n'))
                if (l.startsWith(key)) return l;
            return QString();
        };
        for (const QString& path : {gguf, QFileInfo(gguf).absolutePath()}) {
            Run r = runCli({"inspect", path});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            for (const char* key : {"Architecture:", "Layers:", "Hidden size:", "Intermediate:", "Heads:", "Vocab:", "Parameters:", "Quantizable:"})
                QCOMPARE(line(r.out, key), line(hf.out, key));
            QVERIFY(r.out.contains("Parameters:    260,032"));
            QVERIFY(r.out.contains("stories260K.gguf (GGUF)"));
            QVERIFY(r.out.contains("Tokenizer:     embedded (llama)"));
        }
        Run j = runCli({"inspect", gguf, "--json"});
        QCOMPARE(j.code, 0);
        auto doc = QJsonDocument::fromJson(j.out.toUtf8());
        QCOMPARE(doc.object()["format"].toString(), QString("gguf"));
        QCOMPARE(doc.object()["param_count"].toInteger(), 260032);
        QCOMPARE(doc.object()["quantized_source"].toBool(), false);
    }

    void jsonOutput() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        Run r = runCli({"inspect", folder, "--json"});
        QCOMPARE(r.code, 0);
        auto doc = QJsonDocument::fromJson(r.out.toUtf8());
        QVERIFY(doc.isObject());
        QCOMPARE(doc.object()["param_count"].toInteger(), 260032);
        QCOMPARE(doc.object()["num_key_value_heads"].toInt(), 4);
    }

    void corruptWeightsGiveAClearError() {
        QTemporaryDir dir;
        srs::test::writeTinyModel(dir.path(), {});
        std::filesystem::resize_file((dir.path() + "/model.safetensors").toStdString(), 200);
        Run r = runCli({"inspect", dir.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("error:") && r.err.contains("model.safetensors"), qPrintable(r.err));
        QVERIFY(r.err.contains("hint:"));
    }

    void usageErrors() {
        Run none = runCli({"inspect"});
        QCOMPARE(none.code, 2);
        QVERIFY(none.err.contains("usage: signround inspect"));
        Run unknown = runCli({"inspect", "x", "--frobnicate"});
        QCOMPARE(unknown.code, 2);
        QVERIFY(unknown.err.contains("unknown flag --frobnicate"));
        Run cmd = runCli({"frob"});
        QCOMPARE(cmd.code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliInspect)
#include "test_cli_inspect.moc"
