// The CLI on model folders crafted to be hostile: each ends with exit code 1 and a message that
// names the file or tensor and what is wrong, within a time limit (no abort, no hang, no crash).
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

#include "support/hostile_model.h"
#include "support/test_paths.h"

using nlohmann::json;

namespace {

struct Run {
    int code = -1;
    bool timed_out = false;
    bool crashed = false;
    QString out, err;
};

// The CLI with a time limit; a process still running then is killed and reported as timed out.
Run cli(const QStringList& args, int timeout_ms) {
    QProcess p;
    p.start(srs::test::executable("signround"), args);
    Run r;
    if (!p.waitForFinished(timeout_ms)) {
        r.timed_out = true;
        p.kill();
        p.waitForFinished(5000);
    }
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString describe(const Run& r) {
    return QString("exit %1%2%3\nstdout: %4\nstderr: %5")
        .arg(r.code)
        .arg(r.timed_out ? " (timed out, killed)" : "")
        .arg(r.crashed ? " (crashed)" : "")
        .arg(r.out.left(2000), r.err.left(2000));
}

#define EXPECT_CLEAN_FAILURE(run, text)                                                                      \
    do {                                                                                                     \
        QVERIFY2(!(run).timed_out && !(run).crashed && (run).code == 1, qPrintable(describe(run)));         \
        QVERIFY2((run).err.contains(text), qPrintable(describe(run)));                                       \
        QVERIFY2(!(run).err.contains("unexpected error") && !(run).err.contains("json.exception"), qPrintable(describe(run))); \
    } while (0)

}  // namespace

class TestCliHostileConfig : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString model(const QString& name, const json& config, const std::vector<srs::test::TensorSpec>& tensors) {
        const QString f = dir_.path() + "/" + name;
        srs::test::writeModelFolder(f, config, tensors);
        return f;
    }
    QString text() {
        const QString t = dir_.path() + "/calib.txt";
        QFile f(t);
        if (f.open(QIODevice::WriteOnly)) f.write(QByteArray("Once upon a time there was a little model. ").repeated(200));
        return t;
    }

private slots:
    // Was: terminate called after throwing 'nlohmann::json::type_error', exit 134.
    void inspectWithAStringEpsilon() {
        json c = srs::test::tinyLlamaConfig();
        c["rms_norm_eps"] = "x";
        const QString f = model("eps", c, srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        for (const QStringList& extra : {QStringList{}, QStringList{"--json"}}) {
            Run r = cli(QStringList{"inspect", f} + extra, 60000);
            EXPECT_CLEAN_FAILURE(r, f + "/config.json: rms_norm_eps must be a number in (0, 1) (found the string \"x\")");
        }
    }

    // Was: a config.json linked to /dev/zero was read until 19 GB; a FIFO blocked forever.
    void inspectWithAConfigThatIsNotAFile() {
        const QString dev = model("devzero", srs::test::tinyLlamaConfig(), srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        QVERIFY(srs::test::makeSymlink("/dev/zero", dev + "/config.json"));
        Run r = cli({"inspect", dev}, 30000);
        EXPECT_CLEAN_FAILURE(r, dev + "/config.json is a character device, not a regular file");

        const QString fifo = model("fifo", srs::test::tinyLlamaConfig(), srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        QVERIFY(srs::test::makeFifo(fifo + "/config.json"));
        r = cli({"inspect", fifo}, 30000);
        EXPECT_CLEAN_FAILURE(r, fifo + "/config.json is a FIFO (named pipe), not a regular file");
    }

    void inspectWithCountsThatDisagree() {
        json c = srs::test::tinyLlamaConfig();
        c["num_hidden_layers"] = 4294967298LL;  // 2 after a 32-bit narrowing
        const QString wrap = model("wrap", c, srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        Run r = cli({"inspect", wrap}, 60000);
        EXPECT_CLEAN_FAILURE(r, "num_hidden_layers must be an integer in [1, 16384] (found the number 4294967298)");
        c["num_hidden_layers"] = 9000;
        const QString many = model("many", c, srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        r = cli({"inspect", many}, 60000);
        EXPECT_CLEAN_FAILURE(r, "config.json has num_hidden_layers 9000 but the weights hold 2 blocks");
        c = srs::test::tinyLlamaConfig();
        c["head_dim"] = 16;  // q_proj would be [64, 32]
        const QString heads = model("heads", c, srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        r = cli({"inspect", heads}, 60000);
        EXPECT_CLEAN_FAILURE(r, "tensor 'model.layers.0.self_attn.q_proj.weight' has shape [32, 32] but config.json implies [64, 32]");
    }

    // Was: SIGSEGV when the run's layers were listed (a 0-D or 1-D weight indexed as [out, in]).
    void quantizeRefusesALinearThatIsNotAMatrix() {
        const auto tensors = srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig());
        for (const auto& [name, shape] : std::vector<std::pair<std::string, std::vector<std::int64_t>>>{
                 {"model.layers.1.mlp.down_proj.weight", {}}, {"model.layers.0.self_attn.q_proj.weight", {1024}}}) {
            const QString f = model(QString::fromStdString(name).section('.', 2, 4), srs::test::tinyLlamaConfig(), srs::test::withShape(tensors, name, shape));
            for (const char* cmd : {"autoscheme", "quantize"}) {
                QStringList args = {cmd, "--model", f, "--dataset", text(), "--nsamples", "2", "--seqlen", "16"};
                args += QString(cmd) == "quantize" ? QStringList{"--iters", "1", "--format", "fake", "--output_dir", dir_.path() + "/out"}
                                                   : QStringList{"--avg_bits", "3", "--options", "W2A16,W4A16"};
                Run r = cli(args, 120000);
                EXPECT_CLEAN_FAILURE(r, QString::fromStdString("tensor '" + name + "' has " + std::to_string(shape.size())));
            }
        }
    }

    // Was: "unexpected error: [json.exception.type_error.302] ..."; bits 4294967298 became 2.
    void quantizeRefusesALayerConfigOfTheWrongType() {
        const QString f = model("lc", srs::test::tinyLlamaConfig(), srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        for (const auto& [lc, expect] : std::vector<std::pair<QString, QString>>{
                 {R"({"k_proj": {"bits": "x"}})", R"(layer_config['k_proj']: bits must be an integer in [2, 32] (found the string "x"))"},
                 {R"({"k_proj": {"bits": 4294967298}})", "layer_config['k_proj']: bits must be an integer in [2, 32] (found the number 4294967298)"},
                 {R"({"k_proj": {"sym": "no"}})", R"(layer_config['k_proj']: sym must be true or false (found the string "no"))"}}) {
            Run r = cli({"quantize", "--model", f, "--dataset", text(), "--iters", "1", "--nsamples", "2", "--seqlen", "16", "--format", "fake",
                         "--output_dir", dir_.path() + "/out-lc", "--layer_config", lc},
                        120000);
            EXPECT_CLEAN_FAILURE(r, expect);
        }
    }

    // generation_config.json is read by generate: a FIFO there is skipped with a warning, not waited on.
    void generateSkipsAGenerationConfigThatIsAFifo() {
        SRS_REQUIRE_SHARED(src, "models/stories260K-hf");
        const QString f = dir_.path() + "/stories-fifo";
        QVERIFY(QDir().mkpath(f));
        for (const QString& name : QDir(src).entryList(QDir::Files)) QVERIFY(QFile::copy(src + "/" + name, f + "/" + name));
        QVERIFY(srs::test::makeFifo(f + "/generation_config.json"));
        Run r = cli({"generate", "--model", f, "--prompt", "Once upon a time", "--max_new_tokens", "4"}, 60000);
        QVERIFY2(!r.timed_out && !r.crashed && r.code == 0, qPrintable(describe(r)));
        QVERIFY2(r.err.contains(f + "/generation_config.json is a FIFO (named pipe), not a regular file"), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestCliHostileConfig)
#include "test_cli_hostile_config.moc"
