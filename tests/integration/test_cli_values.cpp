// Hostile numeric values on the command line (issue 20), through the real `signround`: every
// numeric flag of every command is read by one range-checked accessor (srs::cli::Args::getInt /
// getDouble) before any work starts. A value that does not fit (4294967300 for an int flag, which
// a narrowing cast turned into 4), a negative count, nan / inf, an empty or non-numeric value is a
// usage error (exit 2) that names the flag, the value and the allowed range, and nothing is
// written. `quantize --avg_bits` takes every flag `signround autoscheme` takes, and they reach
// AutoScheme (--ignore_scale_zp_bits changes the chosen mix and the tuned layers).
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <map>
#include <vector>

#include "cli_harness.h"

using namespace srs::test::cli;

namespace {

const char* kModel = "models/stories260K-hf";
const char* kCalib = "text/tinystories/TinyStories-train.first2MiB.txt";

// Runs several signround commands at once (each starts LibTorch, about half a second), with
// AutoScheme's score cache and the Hub's cache in `home` and an unreachable Hub, so that a value
// wrongly accepted ends in a fast failure (never a long run or a download) and nothing outside
// the test's folders is touched.
std::vector<Run> runAll(const std::vector<QStringList>& commands, const QString& home, int at_once = 8) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_CACHE_HOME", home + "/cache");
    env.insert("HF_HOME", home + "/hf");
    env.insert("HF_ENDPOINT", "http://127.0.0.1:9");
    env.insert("MODELSCOPE_CACHE", home + "/modelscope");
    std::vector<Run> out(commands.size());
    for (std::size_t first = 0; first < commands.size(); first += static_cast<std::size_t>(at_once)) {
        const std::size_t last = std::min(commands.size(), first + static_cast<std::size_t>(at_once));
        std::vector<std::unique_ptr<QProcess>> procs;
        for (std::size_t i = first; i < last; ++i) {
            procs.push_back(std::make_unique<QProcess>());
            procs.back()->setProcessEnvironment(env);
            procs.back()->start(srs::test::executable("signround"), commands[i]);
        }
        for (std::size_t i = first; i < last; ++i) {
            QProcess& p = *procs[i - first];
            if (!p.waitForFinished(300000)) p.kill();
            out[i] = {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                      QString::fromUtf8(p.readAllStandardError())};
        }
    }
    return out;
}

Run runOne(const QStringList& args, const QString& home) { return runAll({args}, home).front(); }

// Every entry under dir (recursively), for "nothing was written".
QStringList entries(const QString& dir) {
    QStringList r;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) r << QDir(dir).relativeFilePath(it.next());
    return r;
}

// "" when the run is the usage error expected (exit 2, `message` on stderr, nothing under out_dir),
// else what went wrong.
QString rejected(const QStringList& args, const Run& r, const QString& message, const QString& out_dir) {
    const QString what = args.join(' ') + "\n  exit " + QString::number(r.code) + ", stderr: " + r.err.left(600);
    if (r.code != 2) return "not a usage error: " + what;
    if (!r.err.contains(message)) return "stderr lacks \"" + message + "\": " + what;
    if (!out_dir.isEmpty() && !entries(out_dir).isEmpty()) return "wrote " + entries(out_dir).join(", ") + ": " + what;
    return {};
}

// The layer_config AutoScheme chose: layer name -> "W<bits>G<group>".
std::map<QString, QString> schemes(const QString& file) {
    QFile f(file);
    std::map<QString, QString> r;
    if (!f.open(QIODevice::ReadOnly)) return r;
    const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
    for (auto it = j.begin(); it != j.end(); ++it)
        r[it.key()] = "W" + QString::number(it.value().toObject()["bits"].toInt()) + "G" +
                      QString::number(it.value().toObject()["group_size"].toInt());
    return r;
}

int countOf(const std::map<QString, QString>& m, const QString& scheme) {
    int n = 0;
    for (const auto& [k, v] : m) n += v == scheme ? 1 : 0;
    return n;
}

// One numeric flag of one command: the arguments before it (with the required flags, pointing at
// things that fail fast if the value were wrongly accepted), and whether it is a real number.
struct NumericFlag {
    QStringList prefix;
    QString flag;
    bool real = false;
    QString too_big = "4294967300";  // 2^32 + 4: a narrowing cast to int made it 4
};

}  // namespace

class TestCliValues : public QObject {
    Q_OBJECT

private slots:
    // --bits 4294967300 ran as 4 bits and --seqlen 4294967360 as 64 tokens; --lr nan / inf / -1 and
    // --iters -1 were taken silently; --eval_window 0 was rejected only after the export was
    // written. Each is now a usage error before anything is written. The base arguments make a
    // quick RTN run, so a value wrongly accepted shows as exit 0 (or 1) and a written export.
    void quantizeValuesAreCheckedBeforeAnyWork_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("bits narrowed to 4") << QStringList{"--bits", "4294967300"} << "--bits 4294967300 is out of range: allowed 2 to 8";
        QTest::newRow("seqlen narrowed to 64") << QStringList{"--seqlen", "4294967360"}
                                               << "--seqlen 4294967360 is out of range: allowed 2 to 1048576";
        QTest::newRow("lr nan") << QStringList{"--lr", "nan"} << "--lr must be a finite number > 0 (got nan)";
        QTest::newRow("lr inf") << QStringList{"--lr", "inf"} << "--lr must be a finite number > 0 (got inf)";
        QTest::newRow("lr -1") << QStringList{"--lr", "-1"} << "--lr must be a finite number > 0 (got -1)";
        QTest::newRow("minmax_lr -inf") << QStringList{"--minmax_lr", "-inf"} << "--minmax_lr must be a finite number > 0 (got -inf)";
        QTest::newRow("iters -1") << QStringList{"--iters", "-1"} << "--iters -1 is out of range: allowed 0 to 1000000";
        QTest::newRow("eval_window 0") << QStringList{"--eval_text", "@CALIB@", "--eval_window", "0"}
                                       << "--eval_window 0 is out of range: allowed 2 to 1048576";
        QTest::newRow("group_size 0") << QStringList{"--group_size", "0"}
                                      << "--group_size 0 is out of range: allowed -1 (per output channel) or 1 to 1048576";
        QTest::newRow("bits 4.0") << QStringList{"--bits", "4.0"} << "--bits needs a whole number (2 to 8), got '4.0'";
        QTest::newRow("eval_text missing") << QStringList{"--eval_text", "/nonexistent/eval.txt"} << "--eval_text /nonexistent/eval.txt is not a file";
    }
    void quantizeValuesAreCheckedBeforeAnyWork() {
        SRS_REQUIRE_SHARED(model, kModel);
        SRS_REQUIRE_SHARED(calib, kCalib);
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir home, work;
        const QStringList command = QStringList{"quantize", "--model", model, "--dataset", calib, "--output_dir", work.path() + "/out", "--iters", "0",
                                                "--disable_opt_rtn", "--nsamples", "2", "--seqlen", "32", "--format", "fake"} +
                                    args.replaceInStrings("@CALIB@", calib);
        const Run r = runOne(command, home.path());
        const QString problem = rejected(command, r, message, work.path());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(r.err.contains("usage: signround quantize"), qPrintable(r.err));
    }

    // eval changed --batch_size 0 to 1 and --max_windows -1 to "all" without a word.
    void evalBatchSizeAndMaxWindowsAreChecked_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("batch_size 0") << QStringList{"--batch_size", "0"} << "--batch_size 0 is out of range: allowed 1 to 4096";
        QTest::newRow("max_windows -1") << QStringList{"--max_windows", "-1"} << "--max_windows -1 is out of range: allowed 0 to 2147483647";
        QTest::newRow("window narrowed to 64") << QStringList{"--window", "4294967360"} << "--window 4294967360 is out of range: allowed 2 to 1048576";
        QTest::newRow("window 3, llama-perplexity") << QStringList{"--window", "3", "--protocol", "llama-perplexity"}
                                                    << "--window 3 scores no token under --protocol llama-perplexity: allowed 4 to";
    }
    void evalBatchSizeAndMaxWindowsAreChecked() {
        SRS_REQUIRE_SHARED(model, kModel);
        SRS_REQUIRE_SHARED(calib, kCalib);
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir home;
        const QStringList command = QStringList{"eval", "--model", model, "--text", calib, "--window", "64", "--max_windows", "2"} + args;
        const Run r = runOne(command, home.path());
        const QString problem = rejected(command, r, message, {});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(!r.out.contains("PPL"), qPrintable(r.out));
    }

    // Every flag of `signround autoscheme` (read from its help) has a counterpart that
    // `quantize --avg_bits` lists and accepts: the same name, or autoscheme_<name> for the sample
    // counts and the output file (quantize's --nsamples / --seqlen / --batch_size are the tuning's);
    // --device is one for both (AutoScheme scores where the run tunes).
    void quantizeAvgBitsTakesEveryAutoSchemeFlag() {
        SRS_REQUIRE_SHARED(calib, kCalib);
        QTemporaryDir home, work;
        const std::map<QString, std::pair<QString, QString>> counterpart = {  // autoscheme flag -> quantize flag, a value ("" = switch)
            {"--model", {"--model", "x"}}, {"--dataset", {"--dataset", calib}}, {"--avg_bits", {"--avg_bits", "3"}},
            {"--target_bits", {"--target_bits", "3"}}, {"--options", {"--options", "W2A16G64,W4A16"}},
            {"--nsamples", {"--autoscheme_nsamples", "4"}}, {"--seqlen", {"--autoscheme_seqlen", "32"}},
            {"--batch_size", {"--autoscheme_batch_size", "2"}}, {"--seed", {"--seed", "7"}},
            {"--ignore_scale_zp_bits", {"--ignore_scale_zp_bits", ""}}, {"--output", {"--autoscheme_output", work.path() + "/lc.json"}},
            {"--json", {"--json", ""}}, {"--device", {"--device", "cpu"}}};
        Run as_help = runOne({"help", "autoscheme"}, home.path());
        Run q_help = runOne({"help", "quantize"}, home.path());
        QCOMPARE(as_help.code, 0);
        QCOMPARE(q_help.code, 0);
        QSet<QString> quantize_names;
        for (const auto& [k, v] : counterpart) quantize_names.insert(v.first);
        auto it = QRegularExpression("--[a-z_]+").globalMatch(as_help.out);
        int seen = 0;
        while (it.hasNext()) {
            const QString flag = it.next().captured(0);
            QVERIFY2(counterpart.count(flag) || quantize_names.contains(flag),
                     qPrintable("signround autoscheme takes " + flag + ", which has no counterpart in quantize --avg_bits"));
            ++seen;
        }
        QVERIFY2(seen >= 10, qPrintable(as_help.out));
        std::vector<QStringList> commands;
        for (const auto& [as_flag, q] : counterpart) {
            QVERIFY2(q_help.out.contains(q.first), qPrintable("`signround help quantize` does not list " + q.first));
            if (as_flag == "--model" || as_flag == "--dataset" || as_flag == "--avg_bits" || as_flag == "--target_bits") continue;
            QStringList args = {"quantize", "--model", work.path() + "/no-such-model", "--dataset", calib, "--output_dir", work.path() + "/out",
                                "--avg_bits", "3", q.first};
            if (!q.second.isEmpty()) args << q.second;
            commands.push_back(args);
        }
        const auto runs = runAll(commands, home.path());
        for (std::size_t i = 0; i < commands.size(); ++i) {
            // Accepted and handed on: the run gets as far as AutoScheme opening the (missing) model.
            QVERIFY2(runs[i].code == 1 && runs[i].err.contains("no-such-model") && !runs[i].err.contains("unknown flag"),
                     qPrintable(commands[i].join(' ') + ": exit " + QString::number(runs[i].code) + " " + runs[i].err));
        }
        QVERIFY(!QFile::exists(work.path() + "/lc.json"));
        QVERIFY(!QFileInfo::exists(work.path() + "/out"));
    }

    // --ignore_scale_zp_bits reaches AutoScheme from quantize: at 4.0 bits W4A16 (4 + 20/128 bits a
    // weight with its scales) no longer fits everywhere when scale bits count, so some layers drop
    // to W2A16G64; ignored, every layer takes W4A16. The chosen mix is the one the run tunes (the
    // model card) and the one `signround autoscheme` chooses with the same flags (from the same
    // cached scores: nsamples, seqlen and seed reached AutoScheme too).
    void quantizeIgnoreScaleZpBitsReachesAutoScheme() {
        SRS_REQUIRE_SHARED(model, kModel);
        SRS_REQUIRE_SHARED(calib, kCalib);
        QTemporaryDir home, work;
        const QString w = work.path();
        auto quantize = [&](const QString& name, const QStringList& extra) {
            return QStringList{"quantize", "--model", model, "--dataset", calib, "--output_dir", w + "/" + name, "--iters", "0",
                               "--disable_opt_rtn", "--nsamples", "2", "--seqlen", "32", "--format", "fake", "--avg_bits", "4",
                               "--options", "W2A16G64,W4A16,W8A16", "--autoscheme_nsamples", "4", "--autoscheme_seqlen", "32",
                               "--autoscheme_batch_size", "2", "--seed", "7", "--autoscheme_output", w + "/" + name + ".json"} +
                   extra;
        };
        Run counted = runOne(quantize("counted", {}), home.path());
        QVERIFY2(counted.code == 0, qPrintable(counted.err));
        Run ignored = runOne(quantize("ignored", {"--ignore_scale_zp_bits"}), home.path());
        QVERIFY2(ignored.code == 0, qPrintable(ignored.err));
        QVERIFY2(counted.err.contains("scale/zero bits counted; options W2A16G64,W4A16,W8A16; 4 samples x 32 tokens, batch 2, seed 7"),
                 qPrintable(counted.err));
        QVERIFY2(ignored.err.contains("AutoScheme: 4.0000 bits per weight on average (target 4.0000, scale/zero bits ignored"),
                 qPrintable(ignored.err));

        const auto c = schemes(w + "/counted.json"), i = schemes(w + "/ignored.json");
        QVERIFY2(c.size() == 35 && i.size() == 35, qPrintable(QString::number(c.size()) + " / " + QString::number(i.size())));
        const int c2 = countOf(c, "W2G64"), c4 = countOf(c, "W4G128");
        QVERIFY2(c2 > 0 && c2 + c4 == 35, qPrintable(QString("counted: %1 W2G64, %2 W4G128").arg(c2).arg(c4)));
        QCOMPARE(countOf(i, "W4G128"), 35);

        // The run tuned the mix AutoScheme chose.
        auto card = [&](const QString& name) {
            QFile f(w + "/" + name + "/stories260K-hf-w4g128-fake/README.md");
            return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
        };
        for (const QString& part : {QString("%1× W4G128 sym").arg(c4), QString("%1× W2G64 sym").arg(c2)})
            QVERIFY2(card("counted").contains(part), qPrintable(part + "\n" + card("counted")));
        QVERIFY2(card("ignored").contains("35 layers tuned as W4G128 sym |"), qPrintable(card("ignored")));

        // `signround autoscheme` with the same flags: the same scores (from the cache the quantize
        // runs filled, so under the same nsamples, seqlen and seed) and the same mix.
        Run as = runOne({"autoscheme", "--model", model, "--dataset", calib, "--avg_bits", "4", "--options", "W2A16G64,W4A16,W8A16",
                         "--nsamples", "4", "--seqlen", "32", "--batch_size", "2", "--seed", "7", "--ignore_scale_zp_bits", "--output",
                         w + "/autoscheme.json"},
                        home.path());
        QVERIFY2(as.code == 0, qPrintable(as.err));
        QVERIFY2(as.out.contains("scores from cache"), qPrintable(as.out));
        QVERIFY(schemes(w + "/autoscheme.json") == i);
    }

    // The accessor's syntax, on one whole-number and one real flag (every flag goes through it):
    // digits with an optional '-' for whole numbers, decimal or exponent form for reals; no
    // spaces, '+', hex or trailing text. The ends of each range are accepted.
    void numberSyntaxIsStrictAndTheRangeEndsAreAccepted() {
        SRS_REQUIRE_SHARED(calib, kCalib);
        QTemporaryDir home, work;
        const QString none = work.path() + "/no-such-model";
        const QStringList base = {"quantize", "--model", none, "--dataset", calib, "--output_dir", work.path() + "/out"};
        std::vector<QStringList> bad, good;
        for (const char* v : {" 4", "4 ", "+4", "4.5", "4.0", "1e1", "0x4", "4x", "--4", "-", "99999999999999999999", "-99999999999999999999"})
            bad.push_back(base + QStringList{"--bits", v});
        for (const char* v : {" 0.1", "0.1 ", "+0.1", "0x1p-3", "0.1.2", "1e", "-nan", "infinity", "1e-999"})
            bad.push_back(base + QStringList{"--lr", v});
        for (const QStringList& v : {QStringList{"--bits", "2"}, {"--bits", "8"}, {"--group_size", "-1"}, {"--group_size", "1048576"},
                                     {"--iters", "0"}, {"--seqlen", "2"}, {"--seed", "9223372036854775807"}, {"--dynamic_max_gap", "-1"},
                                     {"--lr", "1e-300"}, {"--lr", "5E-3"}, {"--avg_bits", "2"}, {"--avg_bits", "16.0"}, {"--eval_window", "2"}})
            good.push_back(base + v);
        const auto bad_runs = runAll(bad, home.path());
        for (std::size_t i = 0; i < bad.size(); ++i) {
            const bool lr = bad[i].contains("--lr");
            const QString problem = rejected(bad[i], bad_runs[i], lr ? "--lr must be a finite number > 0" : "--bits ", work.path());
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        const auto good_runs = runAll(good, home.path());
        for (std::size_t i = 0; i < good.size(); ++i)  // accepted: the run goes on to open the (missing) model
            QVERIFY2(good_runs[i].code == 1 && good_runs[i].err.contains("no-such-model"),
                     qPrintable(good[i].join(' ') + ": exit " + QString::number(good_runs[i].code) + " " + good_runs[i].err));
    }

    // Every numeric flag of every command against overflowing, narrowing, negative, nan, inf,
    // empty and non-numeric values: each a usage error naming the flag and what it allows, and
    // nothing written. The required paths point at nothing, and sizes that the core rejects at
    // once ride along, so a value wrongly accepted ends quickly with another exit code or message.
    void everyNumericFlagRejectsHostileValues() {
        SRS_REQUIRE_SHARED(calib, kCalib);
        QTemporaryDir home, work;
        const QString none = home.path() + "/no-such-model", out = work.path() + "/out";
        const QStringList quantize = {"quantize", "--model", none, "--dataset", calib, "--output_dir", out};
        const QStringList quantize_as = quantize + QStringList{"--avg_bits", "3"};
        const QStringList autoscheme = {"autoscheme", "--model", none, "--dataset", calib, "--output", work.path() + "/lc.json"};
        const QStringList eval = {"eval", "--model", none, "--text", calib};
        const QStringList generate = {"generate", "--model", none, "--prompt", "Hi"};
        const QStringList tune = {"bench", "tune", "--head_dim", "3"};  // odd: the core refuses it before measuring
        const std::vector<NumericFlag> flags = {
            {quantize, "--bits"}, {quantize, "--group_size"}, {quantize, "--iters"}, {quantize, "--nsamples"}, {quantize, "--seqlen"},
            {quantize, "--batch_size"}, {quantize, "--gradient_accumulate_steps"}, {quantize, "--seed", false, "9223372036854775808"},
            {quantize, "--eval_window"}, {quantize, "--dynamic_max_gap"}, {quantize, "--lr", true}, {quantize, "--minmax_lr", true},
            {quantize, "--avg_bits", true}, {quantize, "--target_bits", true}, {quantize_as, "--autoscheme_nsamples"},
            {quantize_as, "--autoscheme_seqlen"}, {quantize_as, "--autoscheme_batch_size"},
            {autoscheme, "--avg_bits", true}, {autoscheme, "--target_bits", true}, {autoscheme + QStringList{"--avg_bits", "3"}, "--nsamples"},
            {autoscheme + QStringList{"--avg_bits", "3"}, "--seqlen"}, {autoscheme + QStringList{"--avg_bits", "3"}, "--batch_size"},
            {autoscheme + QStringList{"--avg_bits", "3"}, "--seed", false, "9223372036854775808"},
            {eval, "--window"}, {eval, "--batch_size"}, {eval, "--max_windows"},
            {generate, "--max_new_tokens"}, {generate, "--top_k"}, {generate, "--seed", false, "9223372036854775808"},
            {generate, "--temperature", true}, {generate, "--top_p", true},
            {{"bench", "eval", "--model", none, "--text", calib}, "--window"}, {{"bench", "eval", "--model", none, "--text", calib}, "--max_windows"},
            {{"bench", "quantize", "--tokenizer", none, "--dataset", calib}, "--hidden"},
            {{"bench", "quantize", "--tokenizer", none, "--dataset", calib}, "--intermediate"},
            {{"bench", "quantize", "--tokenizer", none, "--dataset", calib}, "--iters"},
            {{"bench", "quantize", "--tokenizer", none, "--dataset", calib}, "--nsamples"},
            {{"bench", "quantize", "--tokenizer", none, "--dataset", calib}, "--seqlen"},
            {{"bench", "quantize", "--tokenizer", none, "--dataset", calib}, "--layers"},
            {{"bench", "autoscheme", "--model", none, "--dataset", calib}, "--avg_bits", true},
            {{"bench", "autoscheme", "--model", none, "--dataset", calib}, "--nsamples"},
            {{"bench", "autoscheme", "--model", none, "--dataset", calib}, "--seqlen"},
            {tune, "--hidden"}, {tune, "--intermediate"}, {tune, "--heads"}, {tune, "--kv_heads"},
            {{"bench", "tune", "--kv_heads", "3"}, "--head_dim"}, {tune, "--seqlen"}, {tune, "--batch"}, {tune, "--iters"},
            {tune, "--warmup"}, {tune, "--top"},
            {{"bench", "hash", "--rounds", "1"}, "--mib"}, {{"bench", "hash", "--mib", "1"}, "--rounds"},
            {{"hub", "search", "q"}, "--limit"}, {{"download", "org/name", "--offline"}, "--parallel"},
        };
        // Overflowing (for whole numbers: past int, which a narrowing cast wrapped), negative, nan,
        // inf, empty, non-numeric. Six runs a flag: each run starts LibTorch, so the count is kept.
        const QStringList whole_bad = {"-2", "nan", "inf", "", "abc"};
        const QStringList real_bad = {"1e999", "-2", "nan", "inf", "", "abc"};
        std::vector<QStringList> commands;
        std::vector<QString> expected;
        for (const auto& f : flags) {
            QStringList values = f.real ? real_bad : whole_bad;
            if (!f.real) values << f.too_big;
            for (const QString& v : values) {
                commands.push_back(f.prefix + QStringList{f.flag, v});
                const QString name = f.flag + " ";
                expected.push_back(f.real ? f.flag + " must be a finite number" : name);
            }
        }
        const auto runs = runAll(commands, home.path());
        int checked = 0;
        for (std::size_t i = 0; i < commands.size(); ++i) {
            const Run& r = runs[i];
            QString problem = rejected(commands[i], r, expected[i], work.path());
            // A whole-number flag says which form it needs or which span it allows.
            if (problem.isEmpty() && !r.err.contains(" is out of range: allowed ") && !r.err.contains(" needs a whole number (") &&
                !r.err.contains(" must be a finite number ") && !r.err.contains(" needs a comma-separated list of whole numbers ("))
                problem = "no allowed range in: " + commands[i].join(' ') + "\n  " + r.err;
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
            ++checked;
        }
        QCOMPARE(checked, static_cast<int>(commands.size()));
        QVERIFY2(entries(work.path()).isEmpty(), qPrintable(entries(work.path()).join(", ")));
    }
};

QTEST_GUILESS_MAIN(TestCliValues)
#include "test_cli_values.moc"
