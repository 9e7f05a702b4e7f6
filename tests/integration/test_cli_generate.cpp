// `signround generate`: the text streams while the process runs (read incrementally, token lines
// arrive before the final one), --json's lines agree with each other and with the plain text,
// sampling with a seed repeats, Ctrl-C stops it as a stop reason, and bad input is a clear error.
// (That the CLI's greedy output equals the Generator's is checked in tests/unit/eval/test_generate,
// which links the library.)
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>
#include <nlohmann/json.hpp>

#include "cli_harness.h"

using namespace srs::test::cli;

namespace {

struct Chunk {
    QByteArray bytes;
    bool running = false;  // the process had not finished when the chunk was read
};

// Runs the CLI and reads its stdout as it comes, one chunk per read; on_chunk may act on the
// process (send it a signal) after each.
std::vector<Chunk> readIncrementally(QProcess& p, const QStringList& args, const std::function<void(const Chunk&)>& on_chunk = {}) {
    std::vector<Chunk> chunks;
    p.start(srs::test::executable("signround"), args);
    p.waitForStarted(60000);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 300000) {
        const bool running = p.state() != QProcess::NotRunning;
        if (running) p.waitForReadyRead(1000);
        QByteArray bytes = p.readAllStandardOutput();
        if (!bytes.isEmpty()) {
            chunks.push_back({bytes, p.state() != QProcess::NotRunning});
            if (on_chunk) on_chunk(chunks.back());
        }
        if (!running && bytes.isEmpty()) break;
    }
    p.waitForFinished(60000);
    return chunks;
}

std::vector<nlohmann::json> jsonLines(const QByteArray& out) {
    std::vector<nlohmann::json> lines;
    for (const QByteArray& line : out.split('\n'))
        if (!line.trimmed().isEmpty()) lines.push_back(nlohmann::json::parse(line.toStdString()));
    return lines;
}

}  // namespace

class TestCliGenerate : public QObject {
    Q_OBJECT
private slots:
    void jsonTokenLinesArriveBeforeTheResult() {
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf");
        QProcess p;
        const auto chunks = readIncrementally(p, {"generate", "--model", model, "--prompt", "Once upon a time", "--max_new_tokens", "200", "--json"});
        QCOMPARE(p.exitCode(), 0);
        // Token lines were read while the process was still generating, in an earlier read than the result.
        int token_reads_before_result = 0;
        bool result_seen = false;
        QByteArray all;
        for (const auto& c : chunks) {
            all += c.bytes;
            if (c.bytes.contains("\"type\":\"result\"")) result_seen = true;
            else if (c.bytes.contains("\"type\":\"token\"") && c.running) ++token_reads_before_result;
        }
        qInfo("%zu reads of stdout, %d of them with token lines while the process ran", chunks.size(), token_reads_before_result);
        QVERIFY(result_seen);
        QVERIFY2(token_reads_before_result >= 2, qPrintable(QString("%1 reads in all, %2 with tokens while running")
                                                                .arg(chunks.size()).arg(token_reads_before_result)));
        // The lines: 200 tokens, indexed in order, their texts making the result's text.
        const auto lines = jsonLines(all);
        QCOMPARE(lines.size(), std::size_t(201));
        std::string text;
        std::vector<int> ids;
        for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
            QCOMPARE(lines[i]["type"].get<std::string>(), std::string("token"));
            QCOMPARE(lines[i]["index"].get<std::size_t>(), i);
            QVERIFY(lines[i]["elapsed_ms"].get<double>() >= 0);
            text += lines[i]["text"].get<std::string>();
            ids.push_back(lines[i]["id"].get<int>());
        }
        const auto& result = lines.back();
        QCOMPARE(result["text"].get<std::string>(), text);
        QCOMPARE(result["ids"].get<std::vector<int>>(), ids);
        QCOMPARE(result["tokens"].get<int>(), 200);
        QCOMPARE(result["prompt_tokens"].get<int>(), 5);
        QCOMPARE(result["stop"].get<std::string>(), std::string("max-tokens"));
        QVERIFY(result["tokens_per_s"].get<double>() > 0 && result["prompt_ms"].get<double>() > 0);
    }

    void plainTextStreamsAndEqualsTheJsonText() {
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf");
        const QStringList args = {"generate", "--model", model, "--prompt", "Once upon a time", "--max_new_tokens", "200"};
        QProcess p;
        const auto chunks = readIncrementally(p, args);
        QCOMPARE(p.exitCode(), 0);
        int reads_with_text_while_running = 0;
        QByteArray out;
        for (const auto& c : chunks) {
            out += c.bytes;
            reads_with_text_while_running += c.running && !c.bytes.trimmed().isEmpty();
        }
        QVERIFY2(reads_with_text_while_running >= 2, qPrintable(QString("%1 reads").arg(chunks.size())));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(QRegularExpression("200 tokens, [0-9.]+ tokens/s, prompt [0-9.]+ ms \\(5 tokens\\), stop: max-tokens")), qPrintable(err));
        Run j = cli(args + QStringList{"--json"});
        QCOMPARE(j.code, 0);
        const auto lines = jsonLines(j.out.toUtf8());
        QCOMPARE(QString::fromUtf8(out), QString::fromStdString(lines.back()["text"].get<std::string>() + "\n"));
    }

    void seededSamplingRepeats() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        auto text = [&](const QString& seed) {
            Run r = cli({"generate", "--model", model, "--prompt", "Once upon a time", "--max_new_tokens", "40", "--temperature", "0.8", "--top_k",
                         "40", "--top_p", "0.9", "--seed", seed});
            return r.code == 0 ? r.out : QString("failed: ") + r.err;
        };
        const QString a = text("11"), b = text("11"), c = text("12");
        QVERIFY2(!a.startsWith("failed"), qPrintable(a));
        QCOMPARE(a, b);
        QVERIFY(a != c);
    }

    void ctrlCStopsAsACancel() {
        // SIGINT after the first token: the command stops between tokens, still prints its result
        // (stop "cancelled") and exits 130.
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf");
        QProcess p;
        bool sent = false;
        const auto chunks = readIncrementally(p, {"generate", "--model", model, "--prompt", "Once upon a time", "--max_new_tokens", "250", "--json"},
                                              [&](const Chunk& c) {
                                                  if (!sent && c.running && c.bytes.contains("\"type\":\"token\"")) {
                                                      ::kill(static_cast<pid_t>(p.processId()), SIGINT);
                                                      sent = true;
                                                  }
                                              });
        QVERIFY(sent);
        QCOMPARE(p.exitCode(), 130);
        QByteArray all;
        for (const auto& c : chunks) all += c.bytes;
        const auto lines = jsonLines(all);
        QVERIFY(!lines.empty());
        QCOMPARE(lines.back()["stop"].get<std::string>(), std::string("cancelled"));
        QVERIFY(lines.back()["tokens"].get<int>() < 250);
    }

    void badFlagsAreUsageErrors() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        const QStringList base = {"generate", "--model", model, "--prompt", "Hi"};
        const std::vector<std::pair<QStringList, QString>> cases = {
            {{"generate", "--model", model}, "--model and --prompt are required"},
            {{"generate", "--prompt", "Hi"}, "--model and --prompt are required"},
            {base + QStringList{"--bogus", "1"}, "unknown flag --bogus"},
            {base + QStringList{"--max_new_tokens", "many"}, "--max_new_tokens needs a whole number (0 to 1000000), got 'many'"},
            {base + QStringList{"--max_new_tokens", "-1"}, "--max_new_tokens -1 is out of range: allowed 0 to 1000000"},
            {base + QStringList{"--temperature", "-0.5"}, "--temperature must be a finite number >= 0 (got -0.5)"},
            {base + QStringList{"--top_p", "0"}, "--top_p must be a finite number in (0, 1] (got 0)"},
            {base + QStringList{"--top_p", "1.5"}, "--top_p must be a finite number in (0, 1] (got 1.5)"},
            {base + QStringList{"--top_k", "-2"}, "--top_k -2 is out of range: allowed 0 to 100000000"},
            {base + QStringList{"--seed", "x"}, "--seed needs a whole number (0 to 9223372036854775807), got 'x'"},
            {base + QStringList{"--dtype", "float16"}, "--dtype is float32 or bfloat16"},
            {base + QStringList{"--chat=yes"}, "--chat takes no value"},
        };
        for (const auto& [args, message] : cases) {
            Run r = cli(args, 60000);
            QVERIFY2(r.code == 2, qPrintable(args.join(' ') + ": exit " + QString::number(r.code)));
            QVERIFY2(r.err.contains(message), qPrintable(args.join(' ') + ": " + r.err));
            QVERIFY2(r.err.contains("signround generate --model PATH --prompt TEXT"), qPrintable(r.err));
        }
    }

    void missingModelAndMissingTemplateAreClearErrors() {
        QTemporaryDir dir;
        Run missing = cli({"generate", "--model", dir.path() + "/no-such-model", "--prompt", "Hi"}, 60000);
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.startsWith("error: ") && missing.err.contains("no-such-model"), qPrintable(missing.err));
        QVERIFY(missing.out.isEmpty());
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        Run chat = cli({"generate", "--model", model, "--prompt", "Hi", "--chat"}, 60000);
        QCOMPARE(chat.code, 1);
        QVERIFY2(chat.err.contains("has no chat template"), qPrintable(chat.err));
        QVERIFY2(chat.err.contains("chat_template"), qPrintable(chat.err));  // the hint says where a template lives
    }

    void helpListsTheCommand() {
        Run r = cli({"help", "generate"}, 60000);
        QCOMPARE(r.code, 0);
        QVERIFY2((r.out + r.err).contains("--max_new_tokens"), qPrintable(r.out + r.err));
    }
};

QTEST_MAIN(TestCliGenerate)
#include "test_cli_generate.moc"
