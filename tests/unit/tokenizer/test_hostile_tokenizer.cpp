// Tokenizer files that attack the reader, made by the test: a tokenizer.json Split regex that
// backtracks catastrophically ("(a+)+$" on "aaa...b") fails the encode within a bounded time
// instead of hanging it, while Qwen3's and Llama-3's real tokenizers stay far below the regex step
// budget on the texts in ../shared/data/text (the margin is measured and printed); fields of the
// wrong type anywhere in tokenizer.json / tokenizer_config.json / the chat template's files are
// clean errors naming the file and the field; a FIFO, a folder, /dev/zero or an oversized file
// given as tokenizer.json, tokenizer_config.json or tokenizer.model is refused without blocking.
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/io/atomic_file.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "support/test_paths.h"
#include "support/tiny_model.h"

using nlohmann::json;
using namespace srs::tokenizer;

namespace {

// A byte-level BPE tokenizer.json with one Split pre-tokenizer (the GPT-2 alphabet's printable
// ASCII as its vocabulary, no merges).
json splitTokenizer(const std::string& regex) {
    json vocab = json::object();
    for (int c = '!'; c <= '~'; ++c) vocab[std::string(1, static_cast<char>(c))] = c - '!';
    vocab["\xC4\xA0"] = 94;  // Ġ, the byte-level space
    return {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}}},
            {"pre_tokenizer",
             {{"type", "Sequence"},
              {"pretokenizers",
               {{{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}},
                {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
            {"decoder", {{"type", "ByteLevel"}}}};
}

std::unique_ptr<HfTokenizer> parseOrNull(const json& j, const std::string& config = {}) {
    auto t = parseHfTokenizer(j.dump(), config, "hostile/tokenizer.json");
    if (!t) {
        qWarning("%s", t.error().toString().c_str());
        return nullptr;
    }
    return std::move(*t);
}

srs::Error parseError(const json& j, const std::string& config = {}) {
    auto t = parseHfTokenizer(j.dump(), config, "hostile/tokenizer.json");
    if (t) return srs::makeError(srs::ErrorCode::None, "parsed although it should not");
    return t.error();
}

QString gunzip(const QString& gz, const QString& to) {
    QProcess p;
    p.setStandardOutputFile(to);
    p.start("gzip", {"-dc", gz});
    if (!p.waitForFinished(120000) || p.exitCode() != 0) return {};
    return to;
}

std::string readAll(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray b = f.readAll();
    return std::string(b.constData(), static_cast<std::size_t>(b.size()));
}

}  // namespace

class TestHostileTokenizer : public QObject {
    Q_OBJECT
private slots:
    void catastrophicRegexIsStopped_data() {
        QTest::addColumn<int>("length");
        QTest::newRow("30 a's then b") << 30;      // 2^30 paths: minutes without a bound
        QTest::newRow("5000 a's then b") << 5000;  // never ends without a bound
        QTest::newRow("100 KiB") << 100 * 1024;
    }
    void catastrophicRegexIsStopped() {
        QFETCH(int, length);
        auto t = parseOrNull(splitTokenizer("(a+)+$"));
        QVERIFY(t);
        // A short text still encodes: the budget is not a ban on the pattern.
        auto small = t->tryEncode("aab", false);
        QVERIFY2(small.ok(), small.ok() ? "" : small.error().toString().c_str());
        const std::string text = std::string(static_cast<std::size_t>(length), 'a') + "b";
        QElapsedTimer timer;
        timer.start();
        RegexCost cost;
        auto ids = t->tryEncode(text, false, &cost);
        const qint64 ms = timer.elapsed();
        const std::int64_t steps = cost.steps;
        qInfo("'(a+)+$' on %d a's + b: stopped after %lld regex steps (budget %lld), %.2f s CPU, in %lld ms", length, static_cast<long long>(steps),
              static_cast<long long>(regexStepBudget(text.size())), cost.cpu_seconds, static_cast<long long>(ms));
        QVERIFY(!ids.ok());
        const std::string& m = ids.error().message;
        QVERIFY2(m.find("hostile/tokenizer.json") != std::string::npos, m.c_str());
        QVERIFY2(m.find("pre-tokenizer regex '(a+)+$'") != std::string::npos, m.c_str());
        QVERIFY2(m.find("took too long on this text") != std::string::npos, m.c_str());
        QVERIFY2(m.find(std::to_string(regexStepBudget(text.size()))) != std::string::npos, m.c_str());
        QVERIFY2(m.find("may be hostile") != std::string::npos, m.c_str());
        QCOMPARE(steps, regexStepBudget(text.size()));
        // The budget is counted in matcher steps, not time: the bound holds on a loaded machine
        // too; 60 s is far above what the steps take anywhere (printed above).
        QVERIFY2(ms < 60000, qPrintable(QString("took %1 ms").arg(ms)));
        // encode() (no error to return) gives no ids and logs the error.
        QVERIFY(t->encode(text, false).empty());
    }

    void manyShortPiecesAreBounded() {
        // An added token "b" cuts the text into pieces "aa...ac", each too short for the
        // pattern's backtracking to finish one of ICU's steps: the steps stay near zero, and the
        // CPU-time bound is what stops the encode.
        // (1 MiB of these pieces, measured: 8 a's 0 steps and 1.5 s CPU, encoded; 10 a's 0 steps,
        // 4.6 s, encoded; 11 a's 0 steps, stopped at the 6 s CPU budget; 12 a's 28,509 of 67,600
        // steps, stopped at 6 s.)
        const int run = 12;
        json j = splitTokenizer("(a+)+$");
        j["added_tokens"] = {{{"id", 95}, {"content", "b"}, {"special", true}, {"normalized", false}}};
        auto t = parseOrNull(j);
        QVERIFY(t);
        const std::string piece = std::string(static_cast<std::size_t>(run), 'a') + "cb";
        std::string text;
        while (text.size() < (512u << 10)) text += piece;
        QElapsedTimer timer;
        timer.start();
        RegexCost cost;
        auto ids = t->tryEncode(text, false, &cost);
        qInfo("%d a's + c + b, %zu bytes: %s after %lld steps (budget %lld), %.2f s regex CPU (budget %.1f s), %lld ms", run, text.size(),
              ids.ok() ? "encoded" : "stopped", static_cast<long long>(cost.steps), static_cast<long long>(regexStepBudget(text.size())),
              cost.cpu_seconds, regexCpuSecondsBudget(text.size()), static_cast<long long>(timer.elapsed()));
        QVERIFY2(cost.steps < regexStepBudget(text.size()), "the steps alone stop it: the piece is too long for this check");
        QVERIFY(cost.cpu_seconds <= regexCpuSecondsBudget(text.size()) + 0.5);
        if (!ids.ok()) QVERIFY2(ids.error().message.find("of CPU time in ICU's matcher") != std::string::npos, ids.error().message.c_str());
        QVERIFY(timer.elapsed() < 120000);
    }

    void regexInNormalizerAndDecoderIsBounded() {
        json j = splitTokenizer("a");
        j["normalizer"] = {{"type", "Replace"}, {"pattern", {{"Regex", "(x+x+)+y"}}}, {"content", "z"}};
        auto t = parseOrNull(j);
        QVERIFY(t);
        auto ids = t->tryEncode(std::string(40, 'x'), false);
        QVERIFY(!ids.ok());
        QVERIFY2(ids.error().message.find("Replace regex '(x+x+)+y' took too long") != std::string::npos, ids.error().message.c_str());
        // Loading normalizes the added tokens with the same regex: one budget for them all, so
        // 300 such tokens cost one budget, not 300.
        json many = j;
        many["added_tokens"] = json::array();
        for (int i = 0; i < 300; ++i)
            many["added_tokens"].push_back({{"id", 100 + i}, {"content", std::string(40, 'x') + std::to_string(i)}, {"normalized", true}});
        QElapsedTimer load;
        load.start();
        const srs::Error e = parseError(many);
        QVERIFY2(e.message.find("Replace regex '(x+x+)+y' took too long") != std::string::npos, e.message.c_str());
        qInfo("300 normalized added tokens under a hostile normalizer: refused in %lld ms", static_cast<long long>(load.elapsed()));
        QVERIFY(load.elapsed() < 60000);
        // A decoder's Replace regex: decode has no error to give; the text comes back unreplaced.
        json d = splitTokenizer("a");
        d["decoder"] = {{"type", "Sequence"},
                        {"decoders", {{{"type", "ByteLevel"}}, {{"type", "Replace"}, {"pattern", {{"Regex", "(a+a+)+c"}}}, {"content", "-"}}}}};
        auto td = parseOrNull(d);
        QVERIFY(td);
        const auto a = *td->tokenId("a");
        QElapsedTimer timer;
        timer.start();
        const std::string out = td->decode(std::vector<std::int32_t>(40, a));
        QCOMPARE(out, std::string(40, 'a'));
        QVERIFY(timer.elapsed() < 60000);
    }

    void realTokenizersHaveHeadroom_data() {
        QTest::addColumn<QString>("tokenizer");
        QTest::newRow("qwen3") << "tokenizers/qwen3/tokenizer.json.gz";
        QTest::newRow("llama3") << "tokenizers/llama3/tokenizer.json.gz";
    }
    void realTokenizersHaveHeadroom() {
        // Every real text we have, whole, and long runs of the characters whose patterns
        // backtrack the most (spaces before a word, newlines, punctuation, digits): the steps an
        // encode takes against the budget. The budget must leave at least 10x room.
        QFETCH(QString, tokenizer);
        SRS_REQUIRE_SHARED(gz, tokenizer);
        SRS_REQUIRE_SHARED(texts, "text");
        QTemporaryDir dir;
        const QString path = gunzip(gz, dir.path() + "/tokenizer.json");
        QVERIFY(!path.isEmpty());
        auto t = loadHfTokenizer(path.toStdString(), "");
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
        const auto* hf = dynamic_cast<const HfTokenizer*>(t->get());
        QVERIFY(hf);
        std::vector<std::pair<std::string, std::string>> samples;
        for (const char* rel : {"tinystories/TinyStories-train.first2MiB.txt", "tinystories/TinyStories-validation.head.txt",
                                "wikitext2/wiki.test.hfjoin.txt", "wikitext2/wiki.test.hfjoin.crlf.raw", "calibration/nltk_state_union.utf8.txt",
                                "calibration/nltk_inaugural.utf8.txt", "calibration/tinyshakespeare.txt"}) {
            const std::string text = readAll(texts + "/" + rel);
            if (!text.empty()) samples.emplace_back(rel, text);
        }
        QVERIFY(samples.size() >= 5);
        for (const char* run : {" ", "\n", "\r\n", " \n", "!", "7", "\xE6\x97\xA5", "a"})
            samples.emplace_back(std::string("1 MiB of '") + (run[0] == '\n' ? "\\n" : run[0] == '\r' ? "\\r\\n" : run) + "' then 'x'",
                                 [&] {
                                     std::string s;
                                     while (s.size() < (1u << 20)) s += run;
                                     return s + "x";
                                 }());
        double worst = 0, worst_cpu = 0;
        for (const auto& [name, text] : samples) {
            RegexCost cost;
            QElapsedTimer timer;
            timer.start();
            auto ids = hf->tryEncode(text, false, &cost);
            const std::int64_t steps = cost.steps;
            QVERIFY2(ids.ok(), ids.ok() ? "" : (name + ": " + ids.error().toString()).c_str());
            const std::int64_t budget = regexStepBudget(text.size());
            const double share = static_cast<double>(steps) / static_cast<double>(budget);
            worst = std::max(worst, share);
            const double cpu_share = cost.cpu_seconds / regexCpuSecondsBudget(text.size());
            worst_cpu = std::max(worst_cpu, cpu_share);
            qInfo("%s: %s, %zu bytes: %lld regex steps (%.2f per KiB), %.2f%% of the budget %lld; regex CPU %.3f s, %.2f%% of its budget; "
                  "encode %lld ms",
                  qPrintable(tokenizer), name.c_str(), text.size(), static_cast<long long>(steps), steps * 1024.0 / static_cast<double>(text.size()),
                  100 * share, static_cast<long long>(budget), cost.cpu_seconds, 100 * cpu_share, static_cast<long long>(timer.elapsed()));
            QVERIFY2(steps * 10 <= budget, qPrintable(QString("%1 used %2 of %3 steps").arg(QString::fromStdString(name)).arg(steps).arg(budget)));
            QVERIFY2(cpu_share <= 0.1, qPrintable(QString("%1 used %2 s of regex CPU").arg(QString::fromStdString(name)).arg(cost.cpu_seconds)));
        }
        // Short texts (a prompt) are covered by the base of the budget.
        for (const char* s : {"Hello", "  \n\n  ", "日本語のテキスト", "don't 12345!"}) {
            RegexCost cost;
            QVERIFY(hf->tryEncode(s, true, &cost).ok());
            QVERIFY(cost.steps * 10 <= regexStepBudget(std::strlen(s)));
        }
        qInfo("%s: the most of the budgets any text used: %.2f%% of the steps, %.2f%% of the CPU time", qPrintable(tokenizer), 100 * worst,
              100 * worst_cpu);
    }

    void wrongTypesAreCleanErrors_data() {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("Split behavior a number") << "/pre_tokenizer/pretokenizers/0/behavior" << "3" << "pre_tokenizer.pretokenizers[0].behavior";
        QTest::newRow("Split pattern a string") << "/pre_tokenizer/pretokenizers/0/pattern" << "\"a\"" << "pre_tokenizer.pretokenizers[0].pattern";
        QTest::newRow("Split regex a list") << "/pre_tokenizer/pretokenizers/0/pattern/Regex" << "[1]" << "pre_tokenizer.pretokenizers[0].pattern.Regex";
        QTest::newRow("Split invert a string") << "/pre_tokenizer/pretokenizers/0/invert" << "\"no\"" << "pre_tokenizer.pretokenizers[0].invert";
        QTest::newRow("ByteLevel use_regex a number") << "/pre_tokenizer/pretokenizers/1/use_regex" << "1" << "pre_tokenizer.pretokenizers[1].use_regex";
        QTest::newRow("pretokenizers an object") << "/pre_tokenizer/pretokenizers" << "{}" << "pre_tokenizer.pretokenizers must be a list";
        QTest::newRow("pre-tokenizer a number") << "/pre_tokenizer/pretokenizers/0" << "5" << "pre_tokenizer.pretokenizers[0]";
        QTest::newRow("type a number") << "/pre_tokenizer/type" << "7" << "pre_tokenizer.type";
        QTest::newRow("byte_fallback a string") << "/model/byte_fallback" << "\"yes\"" << "model.byte_fallback";
        QTest::newRow("unk_token a number") << "/model/unk_token" << "0" << "model.unk_token";
        QTest::newRow("dropout a string") << "/model/dropout" << "\"0.1\"" << "model.dropout";
        QTest::newRow("dropout 3") << "/model/dropout" << "3" << "model.dropout";
        QTest::newRow("prefix a number") << "/model/continuing_subword_prefix" << "1" << "model.continuing_subword_prefix";
        QTest::newRow("decoder strip start a string") << "/decoder" << R"({"type": "Strip", "content": " ", "start": "1"})" << "decoder.start";
        QTest::newRow("decoder strip stop huge") << "/decoder" << R"({"type": "Strip", "content": " ", "stop": 1e12})" << "decoder.stop";
        QTest::newRow("Metaspace empty replacement") << "/pre_tokenizer" << R"({"type": "Metaspace", "replacement": ""})" << "pre_tokenizer.replacement";
        QTest::newRow("Metaspace decoder scheme a number") << "/decoder" << R"({"type": "Metaspace", "prepend_scheme": 2})" << "decoder.prepend_scheme";
        QTest::newRow("normalizers a string") << "/normalizer" << R"({"type": "Sequence", "normalizers": "NFC"})" << "normalizer.normalizers";
        QTest::newRow("Strip normalizer bool a string") << "/normalizer" << R"({"type": "Strip", "strip_left": "true"})" << "normalizer.strip_left";
        QTest::newRow("Replace content a number") << "/normalizer" << R"({"type": "Replace", "pattern": {"String": "a"}, "content": 5})"
                                                  << "normalizer.content";
        QTest::newRow("added token special a string") << "/added_tokens"
                                                      << R"([{"id": 95, "content": "<s>", "special": "yes"}])" << "added_tokens[0].special";
        QTest::newRow("added token id a string") << "/added_tokens" << R"([{"id": "95", "content": "<s>"}])" << "added_tokens[0].id";
        QTest::newRow("added token id negative") << "/added_tokens" << R"([{"id": -2, "content": "<s>"}])" << "added_tokens[0].id";
        QTest::newRow("added token a string") << "/added_tokens" << R"(["<s>"])" << "added_tokens[0]";
        QTest::newRow("template ids strings") << "/post_processor"
                                              << R"({"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "A"}}, {"Sequence": {"id": "A"}}], "special_tokens": {"A": {"ids": ["0"]}}})"
                                              << "post_processor.special_tokens.A.ids[0]";
        QTest::newRow("template id past the vocabulary") << "/post_processor"
                                                         << R"({"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "A"}}], "special_tokens": {"A": {"ids": [4000000]}}})"
                                                         << "post_processor.special_tokens.A.ids[0]";
        QTest::newRow("template single an object") << "/post_processor" << R"({"type": "TemplateProcessing", "single": {}})" << "post_processor.single";
        QTest::newRow("template item a number") << "/post_processor" << R"({"type": "TemplateProcessing", "single": [3]})" << "post_processor.single[0]";
        QTest::newRow("processors a number") << "/post_processor" << R"({"type": "Sequence", "processors": 3})" << "post_processor.processors";
    }
    void wrongTypesAreCleanErrors() {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, mentions);
        json j = splitTokenizer("\\s+|\\S+");
        j[json::json_pointer(pointer.toStdString())] = json::parse(value.toStdString());
        const srs::Error e = parseError(j);
        QVERIFY2(e.code == srs::ErrorCode::CorruptFile, e.message.c_str());
        QVERIFY2(e.message.rfind("hostile/tokenizer.json: ", 0) == 0, e.message.c_str());
        QVERIFY2(e.message.find(mentions.toStdString()) != std::string::npos, e.message.c_str());
        QVERIFY2(e.message.find("json.exception") == std::string::npos, e.message.c_str());
        QVERIFY(!e.hint.empty());
    }

    void wrongTypesInTheConfigAreCleanErrors_data() {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("add_bos_token a string") << R"({"add_bos_token": "true"})" << "add_bos_token";
        QTest::newRow("bos_token a number") << R"({"bos_token": 1})" << "bos_token";
        QTest::newRow("eos_token content a number") << R"({"eos_token": {"content": 2}})" << "eos_token.content";
        QTest::newRow("clean_up a string") << R"({"clean_up_tokenization_spaces": "no"})" << "clean_up_tokenization_spaces";
        QTest::newRow("a list") << "[1]" << "must be a JSON object";
        QTest::newRow("nested 100 deep") << QString(100, '[') + QString(100, ']') << "nests arrays or objects deeper";
    }
    void wrongTypesInTheConfigAreCleanErrors() {
        QFETCH(QString, config);
        QFETCH(QString, mentions);
        const srs::Error e = parseError(splitTokenizer("\\S+"), config.toStdString());
        QVERIFY2(e.code == srs::ErrorCode::CorruptFile, e.message.c_str());
        QVERIFY2(e.message.find("tokenizer_config.json beside hostile/tokenizer.json") != std::string::npos, e.message.c_str());
        QVERIFY2(e.message.find(mentions.toStdString()) != std::string::npos, e.message.c_str());
    }

    void deepNestingIsRefused() {
        // 100,000 nested Sequences would recurse through the loader (and copy) until the stack
        // ran out; the file is refused by its depth first.
        std::string deep = R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "normalizer": )";
        for (int i = 0; i < 100000; ++i) deep += R"({"type": "Sequence", "normalizers": [)";
        deep += R"({"type": "NFC"})";
        for (int i = 0; i < 100000; ++i) deep += "]}";
        deep += "}";
        auto t = parseHfTokenizer(deep, "", "deep/tokenizer.json");
        QVERIFY(!t.ok());
        QVERIFY2(t.error().message.find("deeper than") != std::string::npos, t.error().message.c_str());
    }

    void chatTemplateFilesOfTheWrongType_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("chat_template a number") << "tokenizer_config.json" << R"({"chat_template": 5})" << "chat_template";
        QTest::newRow("chat_template list entry name a number")
            << "tokenizer_config.json" << R"({"chat_template": [{"name": 1, "template": "x"}]})" << "chat_template[0].name";
        QTest::newRow("default template a list")
            << "tokenizer_config.json" << R"({"chat_template": [{"name": "default", "template": [1]}]})" << "chat_template[0].template";
        QTest::newRow("bos_token a list") << "tokenizer_config.json" << R"({"chat_template": "x", "bos_token": [1]})" << "bos_token";
        QTest::newRow("added_tokens_decoder special a string")
            << "tokenizer_config.json" << R"({"chat_template": "x", "added_tokens_decoder": {"7": {"content": "<s>", "special": "yes"}}})"
            << "added_tokens_decoder[\"7\"].special";
        QTest::newRow("special_tokens_map eos a number") << "special_tokens_map.json" << R"({"eos_token": 2})" << "eos_token";
    }
    void chatTemplateFilesOfTheWrongType() {
        QFETCH(QString, file);
        QFETCH(QString, content);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        srs::test::writeTinyModel(dir.path(), srs::test::TinyModelSpec{});
        if (file != "tokenizer_config.json")
            QVERIFY(srs::io::writeFileAtomic((dir.path() + "/tokenizer_config.json").toStdString(), R"({"chat_template": "x"})").ok());
        QVERIFY(srs::io::writeFileAtomic((dir.path() + "/" + file).toStdString(), content.toStdString()).ok());
        auto t = loadChatTemplate(dir.path().toStdString());
        QVERIFY(!t.ok());
        QVERIFY2(t.error().message.find((dir.path() + "/" + file).toStdString()) != std::string::npos, t.error().message.c_str());
        QVERIFY2(t.error().message.find(mentions.toStdString()) != std::string::npos, t.error().message.c_str());
    }

    void notRegularFilesAreRefused_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("kind");
        for (const char* name : {"tokenizer.json", "tokenizer_config.json", "tokenizer.model"}) {
            QTest::newRow((std::string(name) + " a FIFO").c_str()) << name << "fifo";
            QTest::newRow((std::string(name) + " a folder").c_str()) << name << "folder";
            QTest::newRow((std::string(name) + " /dev/zero").c_str()) << name << "zero";
            QTest::newRow((std::string(name) + " 300 MB").c_str()) << name << "huge";
        }
    }
    void notRegularFilesAreRefused() {
        // No writer ever opens the FIFO: a reader that blocked on it would hang this test (and
        // /dev/zero never ends); each must be an error naming the file, at once.
        QFETCH(QString, name);
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const std::string folder = dir.path().toStdString();
        const std::string path = folder + "/" + name.toStdString();
        if (name != "tokenizer.json" && name != "tokenizer.model")
            QVERIFY(srs::io::writeFileAtomic(folder + "/tokenizer.json", splitTokenizer("\\S+").dump()).ok());
        if (kind == "fifo") QCOMPARE(::mkfifo(path.c_str(), 0600), 0);
        if (kind == "folder") QVERIFY(std::filesystem::create_directory(path));
        if (kind == "zero") std::filesystem::create_symlink("/dev/zero", path);
        if (kind == "huge") {
            QFile f(QString::fromStdString(path));
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.resize(300ll << 20));  // sparse: no disk used
        }
        QElapsedTimer timer;
        timer.start();
        auto t = loadTokenizer(folder);
        QVERIFY(!t.ok());
        QVERIFY2(t.error().message.find(path) != std::string::npos, t.error().toString().c_str());
        if (kind == "huge") QVERIFY2(t.error().message.find("more than") != std::string::npos, t.error().message.c_str());
        else QVERIFY2(t.error().message.find("regular file") != std::string::npos, t.error().message.c_str());
        if (name == "tokenizer.json") {
            auto direct = loadHfTokenizer(path, "");
            QVERIFY(!direct.ok());
        }
        if (name == "tokenizer.model") QVERIFY(!SpmTokenizer::fromModelFile(path).ok());
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString("%1 ms").arg(timer.elapsed())));
    }
};

QTEST_GUILESS_MAIN(TestHostileTokenizer)
#include "test_hostile_tokenizer.moc"
