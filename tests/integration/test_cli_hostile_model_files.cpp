// The `signround` binary on model files made to attack it: GGUFs whose tokenizer metadata or
// block count has the wrong type or lies (tokens as integers, scores as strings, block_count as a
// string or past the tensors, an array longer than the file), a FIFO given as the GGUF or as a
// folder's tokenizer.json, and a tokenizer.json whose pre-tokenizer regex backtracks
// catastrophically on the prompt. Each ends with exit code 1 and a message naming the file and
// what is wrong — not an abort (134), not a hang.
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "support/test_paths.h"
#include "support/tiny_gguf.h"
#include "support/tiny_model.h"

using srs::test::GgufBuilder;

namespace {

struct Run {
    bool exited = false;  // a normal exit (no signal, no timeout)
    int code = -1;
    QString out, err;
    qint64 ms = 0;
};

Run runCli(const QStringList& args, int timeout_ms = 120000) {
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(srs::test::executable("signround"), args);
    const bool finished = p.waitForFinished(timeout_ms);
    if (!finished) {
        p.kill();
        p.waitForFinished(5000);
    }
    Run r;
    r.exited = finished && p.exitStatus() == QProcess::NormalExit;
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    r.ms = t.elapsed();
    return r;
}

void setRaw(GgufBuilder& g, const std::string& k, std::uint32_t type, const std::vector<std::uint8_t>& v) {
    g.remove(k);
    g.addRaw(k, type, v);
}

QString writeGguf(const QTemporaryDir& dir, const GgufBuilder& g) {
    const QString path = dir.path() + "/model.gguf";
    const auto bytes = g.build();
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return {};
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<qint64>(bytes.size()));
    return path;
}

}  // namespace

class TestCliHostileModelFiles : public QObject {
    Q_OBJECT
private slots:
    void inspectRefusesLyingGgufs_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("tokens an array of ints") << 0 << "'tokenizer.ggml.tokens' must be an array of at most";
        QTest::newRow("scores strings") << 1 << "'tokenizer.ggml.scores' must be an array of at most 6 finite numbers";
        QTest::newRow("block_count a string") << 2 << "'llama.block_count' must be an integer from 1 to 65536, but it is the string \"two\"";
        QTest::newRow("block_count past the tensors") << 3 << "llama.block_count is 5 but the file holds tensors for 2 blocks";
        QTest::newRow("array longer than the file") << 4 << "more than the file holds";
        QTest::newRow("token types of the wrong type") << 5 << "'tokenizer.ggml.token_type' must be an array of at most 6 integers";
    }
    void inspectRefusesLyingGgufs() {
        QFETCH(int, which);
        QFETCH(QString, mentions);
        GgufBuilder g = srs::test::tinyLlamaGguf();
        std::vector<std::uint8_t> v;
        switch (which) {
        case 0:
            GgufBuilder::put<std::uint32_t>(v, 5);  // i32 elements
            GgufBuilder::put<std::uint64_t>(v, 2);
            GgufBuilder::put<std::int32_t>(v, 1);
            GgufBuilder::put<std::int32_t>(v, 2);
            setRaw(g, "tokenizer.ggml.tokens", 9, v);
            break;
        case 1:
            g.remove("tokenizer.ggml.scores");
            g.addStringArray("tokenizer.ggml.scores", {"a", "b", "c", "d", "e", "f"});
            break;
        case 2:
            GgufBuilder::putStr(v, "two");
            setRaw(g, "llama.block_count", 8, v);
            break;
        case 3: setRaw(g, "llama.block_count", 4, {5, 0, 0, 0}); break;
        case 4:
            GgufBuilder::put<std::uint32_t>(v, 8);  // strings
            GgufBuilder::put<std::uint64_t>(v, std::uint64_t(1) << 50);
            setRaw(g, "tokenizer.ggml.merges", 9, v);
            break;
        default:
            g.remove("tokenizer.ggml.token_type");
            g.addStringArray("tokenizer.ggml.token_type", {"1", "1", "1", "1", "1", "1"});
        }
        QTemporaryDir dir;
        const QString path = writeGguf(dir, g);
        for (const QStringList& args : {QStringList{"inspect", path}, QStringList{"inspect", path, "--json"},
                                        QStringList{"generate", "--model", path, "--prompt", "a", "--max_new_tokens", "1"}}) {
            Run r = runCli(args);
            QVERIFY2(r.exited, qPrintable(args.join(' ') + " did not exit normally (a crash or a hang): " + r.err));
            QVERIFY2(r.code == 1, qPrintable(args.join(' ') + QString(" exited with %1: ").arg(r.code) + r.err));
            QVERIFY2(r.err.contains(path), qPrintable(r.err));
            QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
            QVERIFY2(!r.err.contains("terminate called") && !r.err.contains("json.exception"), qPrintable(r.err));
        }
        // The same file unchanged inspects (the base is valid).
        const QString good = writeGguf(dir, srs::test::tinyLlamaGguf());
        Run ok = runCli({"inspect", good});
        QVERIFY2(ok.exited && ok.code == 0, qPrintable(ok.err));
    }

    void fifoAsGgufIsRefused() {
        // Nobody ever writes to the FIFO: a binary that opened it to read would wait forever.
        QTemporaryDir dir;
        const QString path = dir.path() + "/model.gguf";
        QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
        Run r = runCli({"inspect", path}, 60000);
        QVERIFY2(r.exited && r.code == 1, qPrintable(QString("exit %1 after %2 ms: %3").arg(r.code).arg(r.ms).arg(r.err)));
        QVERIFY2(r.err.contains("not a regular file"), qPrintable(r.err));
    }

    void fifoAsTokenizerJsonIsRefused() {
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.vocab = 96;
        srs::test::writeTinyModel(dir.path(), spec);
        const QString tok = dir.path() + "/tokenizer.json";
        QCOMPARE(::mkfifo(tok.toLocal8Bit().constData(), 0600), 0);
        Run r = runCli({"generate", "--model", dir.path(), "--prompt", "hi", "--max_new_tokens", "1"}, 60000);
        QVERIFY2(r.exited && r.code == 1, qPrintable(QString("exit %1 after %2 ms: %3").arg(r.code).arg(r.ms).arg(r.err)));
        QVERIFY2(r.err.contains(tok) && r.err.contains("not a regular file"), qPrintable(r.err));
    }

    void catastrophicRegexEndsTheCommand() {
        // A model folder whose tokenizer.json splits with "(a+)+$": the prompt "a...ab" would make
        // the regex backtrack for longer than the universe lasts; generate must fail, saying why.
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.vocab = 96;
        srs::test::writeTinyModel(dir.path(), spec);
        nlohmann::json vocab = nlohmann::json::object();
        for (int c = '!'; c <= '~'; ++c) vocab[std::string(1, static_cast<char>(c))] = c - '!';
        vocab["\xC4\xA0"] = 94;
        const nlohmann::json tok = {
            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}},
            {"pre_tokenizer",
             {{"type", "Sequence"},
              {"pretokenizers",
               {{{"type", "Split"}, {"pattern", {{"Regex", "(a+)+$"}}}, {"behavior", "Isolated"}},
                {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
            {"decoder", {{"type", "ByteLevel"}}}};
        QVERIFY(srs::io::writeFileAtomic((dir.path() + "/tokenizer.json").toStdString(), tok.dump()).ok());
        const QString prompt = QString(40, 'a') + "b";
        Run r = runCli({"generate", "--model", dir.path(), "--prompt", prompt, "--max_new_tokens", "1"}, 300000);
        qInfo("generate with the catastrophic regex: exit %d after %lld ms", r.code, static_cast<long long>(r.ms));
        QVERIFY2(r.exited && r.code == 1, qPrintable(QString("exit %1 after %2 ms: %3").arg(r.code).arg(r.ms).arg(r.err)));
        QVERIFY2(r.err.contains("pre-tokenizer regex '(a+)+$' took too long on this text"), qPrintable(r.err));
        QVERIFY2(r.err.contains("may be hostile"), qPrintable(r.err));
        // A prompt the regex matches at once still generates.
        Run ok = runCli({"generate", "--model", dir.path(), "--prompt", "aab", "--max_new_tokens", "1"}, 300000);
        QVERIFY2(ok.exited && ok.code == 0, qPrintable(ok.err));
    }
};

QTEST_GUILESS_MAIN(TestCliHostileModelFiles)
#include "test_cli_hostile_model_files.moc"
