// core/tokenizer/gguf_bpe.h: a GGUF's byte-level BPE vocabulary read as the tokenizer.json it
// becomes. The real Qwen3 and Llama 3 vocabularies, written into a GGUF the way llama.cpp's
// converter lays them out (tokens by id, token types, merges, tokenizer.ggml.pre), must cut text
// into the ids their own tokenizer.json gives; the pre-tokenizer name must decide the splitting
// (SmolLM's digits apart); a vocabulary we cannot reproduce or a malformed one is refused, naming
// the key. (interop_gguf_model_smollm2 checks a real GGUF against tokenizers and llama.cpp.)
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <nlohmann/json.hpp>

#include "core/export/gguf_vocab.h"
#include "core/io/gguf.h"
#include "core/io/gguf_writer.h"
#include "core/tokenizer/gguf_bpe.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/load_tokenizer.h"
#include "support/test_paths.h"

using namespace srs;

namespace {

struct Vocab {
    std::vector<std::string> tokens;
    std::vector<std::int32_t> types;
    std::vector<std::string> merges;
    std::string pre;
    std::optional<std::uint32_t> bos;
    bool add_bos = false;
};

std::string writeGguf(const QString& dir, const Vocab& v, const std::string& name = "vocab.gguf") {
    io::GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("tokenizer.ggml.model", "gpt2");
    if (!v.pre.empty()) w.setString("tokenizer.ggml.pre", v.pre);
    w.setStringArray("tokenizer.ggml.tokens", v.tokens);
    if (!v.types.empty()) w.setI32Array("tokenizer.ggml.token_type", v.types);
    if (!v.merges.empty()) w.setStringArray("tokenizer.ggml.merges", v.merges);
    if (v.bos) w.setU32("tokenizer.ggml.bos_token_id", *v.bos);
    w.setBool("tokenizer.ggml.add_bos_token", v.add_bos);
    const std::string path = (dir + "/").toStdString() + name;
    auto r = w.write(path, [](std::size_t) -> Result<std::vector<std::uint8_t>> { return std::vector<std::uint8_t>(); });
    return r.ok() ? path : std::string();
}

Result<std::unique_ptr<tokenizer::Tokenizer>> load(const std::string& path) {
    auto f = io::GgufFile::open(path);
    if (!f) return f.error();
    return tokenizer::loadGgufTokenizer(**f, 0);
}

// A GGUF vocabulary from a tokenizer.json, as llama.cpp's converter writes one.
Vocab fromTokenizerJson(const nlohmann::json& j, const std::string& pre) {
    std::map<std::int64_t, std::pair<std::string, std::int32_t>> by_id;
    for (auto it = j["model"]["vocab"].begin(); it != j["model"]["vocab"].end(); ++it) by_id[it.value().get<std::int64_t>()] = {it.key(), 1};
    for (const auto& a : j["added_tokens"]) by_id[a["id"].get<std::int64_t>()] = {a["content"].get<std::string>(), a["special"].get<bool>() ? 3 : 4};
    Vocab v;
    v.pre = pre;
    const std::int64_t n = by_id.rbegin()->first + 1;
    for (std::int64_t i = 0; i < n; ++i) {
        auto it = by_id.find(i);
        v.tokens.push_back(it != by_id.end() ? it->second.first : "[PAD" + std::to_string(i) + "]");
        v.types.push_back(it != by_id.end() ? it->second.second : 5);
    }
    for (const auto& m : j["model"]["merges"])
        v.merges.push_back(m.is_string() ? m.get<std::string>() : m[0].get<std::string>() + " " + m[1].get<std::string>());
    return v;
}

// "1", "2", "12", "Ġ", "a", "b", "Ġa", "Ġab" after a control token; merges 1+2, Ġ+a, Ġa+b.
Vocab tiny(const std::string& pre) {
    Vocab v;
    v.tokens = {"<|endoftext|>", "1", "2", "12", "Ġ", "a", "b", "Ġa", "Ġab"};
    v.types = {3, 1, 1, 1, 1, 1, 1, 1, 1};
    v.merges = {"1 2", "Ġ a", "Ġa b"};
    v.pre = pre;
    return v;
}

}  // namespace

class TestGgufBpe : public QObject {
    Q_OBJECT
private slots:
    void realVocabulariesGiveTheirTokenizersIds_data() {
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("pre");
        QTest::newRow("qwen3") << "tokenizers/qwen3/tokenizer.json.gz" << "qwen2";
        QTest::newRow("llama3") << "tokenizers/llama3/tokenizer.json.gz" << "llama-bpe";
    }
    void realVocabulariesGiveTheirTokenizersIds() {
        QFETCH(QString, tokenizer);
        QFETCH(QString, pre);
        SRS_REQUIRE_SHARED(gz, tokenizer);
        SRS_REQUIRE_SHARED(wiki, "text/wikitext2/wiki.test.hfjoin.txt");
        QTemporaryDir dir;
        QProcess p;
        p.setStandardOutputFile(dir.path() + "/tokenizer.json");
        p.start("gzip", {"-dc", gz});
        QVERIFY(p.waitForFinished(120000) && p.exitCode() == 0);
        QFile jf(dir.path() + "/tokenizer.json");
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const nlohmann::json j = nlohmann::json::parse(jf.readAll().toStdString());
        auto exported_pre = exporter::ggufPreTokenizerName(j);  // what our GGUF export writes for it
        QVERIFY2(exported_pre.ok(), exported_pre.ok() ? "" : exported_pre.error().message.c_str());
        QCOMPARE(QString::fromStdString(*exported_pre), pre);
        const std::string path = writeGguf(dir.path(), fromTokenizerJson(j, pre.toStdString()));
        QVERIFY(!path.empty());
        auto ours = load(path);
        QVERIFY2(ours.ok(), ours.ok() ? "" : ours.error().message.c_str());
        auto ref = tokenizer::loadHfTokenizer((dir.path() + "/tokenizer.json").toStdString(), "");
        QVERIFY(ref.ok());
        QFile wf(wiki);
        QVERIFY(wf.open(QIODevice::ReadOnly));
        const std::vector<std::string> texts = {
            wf.read(48 * 1024).toStdString(),
            "In 1987, 3.14159 and 42nd street: 1,000,000 items cost $99.99!",
            "def f(x):\n    return x**2  # square\n\n\tindented\ttabs   and   spaces    ",
            "Café naïve résumé — “quotes” … 北京欢迎你 こんにちは 🤖🚀 DON'T we'll",
            "  leading spaces\n\n\nmany newlines\r\nand CRLF",
        };
        for (const auto& t : texts) {
            const auto a = (*ours)->encode(t, false), b = (*ref)->encode(t, false);
            QCOMPARE(a.size(), b.size());
            QVERIFY(a == b);
            QCOMPARE((*ours)->decode(a), (*ref)->decode(b));
        }
    }

    void thePreTokenizerNameDecidesTheSplit() {
        QTemporaryDir dir;
        auto gpt2 = load(writeGguf(dir.path(), tiny("gpt-2"), "gpt2.gguf"));
        auto smollm = load(writeGguf(dir.path(), tiny("smollm"), "smollm.gguf"));
        QVERIFY(gpt2.ok() && smollm.ok());
        QCOMPARE((*gpt2)->encode("12 ab", false), (std::vector<std::int32_t>{3, 8}));
        QCOMPARE((*smollm)->encode("12 ab", false), (std::vector<std::int32_t>{1, 2, 8}));  // SmolLM puts every digit apart
        // A control token is matched whole, never split into pieces.
        QCOMPARE((*gpt2)->encode("<|endoftext|>12", false), (std::vector<std::int32_t>{0, 3}));
        // And our GGUF export names a Digits + ByteLevel tokenizer.json "smollm".
        const nlohmann::json smol = {{"pre_tokenizer",
                                      {{"type", "Sequence"},
                                       {"pretokenizers",
                                        {{{"type", "Digits"}, {"individual_digits", true}},
                                         {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}}}}}};
        QCOMPARE(QString::fromStdString(*exporter::ggufPreTokenizerName(smol)), QString("smollm"));
    }

    void bosIsAddedWhenTheFileSaysSo() {
        QTemporaryDir dir;
        Vocab v = tiny("gpt-2");
        v.bos = 0;
        v.add_bos = true;
        auto t = load(writeGguf(dir.path(), v));
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
        QVERIFY((*t)->addsBosByDefault());
        QCOMPARE((*t)->encode("12", true), (std::vector<std::int32_t>{0, 3}));
        QCOMPARE((*t)->encode("12", false), (std::vector<std::int32_t>{3}));
    }

    void whatWeCannotReproduceOrReadIsRefused_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown pre-tokenizer") << 0 << "'falcon' pre-tokenizer";
        QTest::newRow("no merges") << 1 << "tokenizer.ggml.merges";
        QTest::newRow("merge without a space") << 2 << "entry 1 is 'Ġa'";
        QTest::newRow("merge result missing") << 3 << "entry 0 is 'a b'";
        QTest::newRow("duplicate token") << 4 << "'a' is both id 5 and id 6";
    }
    void whatWeCannotReproduceOrReadIsRefused() {
        QFETCH(int, which);
        QFETCH(QString, expected);
        Vocab v = tiny("gpt-2");
        if (which == 0) v.pre = "falcon";
        if (which == 1) v.merges.clear();
        if (which == 2) v.merges[1] = "Ġa";
        if (which == 3) v.merges = {"a b"};
        if (which == 4) v.tokens[6] = "a";
        QTemporaryDir dir;
        auto t = load(writeGguf(dir.path(), v));
        QVERIFY(!t.ok());
        QVERIFY2(QString::fromStdString(t.error().message).contains(expected), t.error().message.c_str());
        if (which == 0) QVERIFY2(QString::fromStdString(t.error().hint).contains("smollm"), t.error().hint.c_str());
    }
};

QTEST_GUILESS_MAIN(TestGgufBpe)
#include "test_gguf_bpe.moc"
