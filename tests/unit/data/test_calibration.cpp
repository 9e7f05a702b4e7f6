// Calibration sampling: document splitting for .txt and .jsonl, AutoRound's length and
// repetition filters, the concatenation fallback, determinism per seed, several files combined.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "core/data/calibration.h"

using namespace srs;

namespace {
// One id per byte, BOS 1 / EOS 2 reserved: enough to check lengths and order.
class ByteTokenizer : public tokenizer::Tokenizer {
public:
    std::vector<std::int32_t> encode(const std::string& text, bool add_bos) const override {
        std::vector<std::int32_t> ids;
        if (add_bos) ids.push_back(1);
        for (unsigned char c : text) ids.push_back(3 + c);
        return ids;
    }
    std::string decode(const std::vector<std::int32_t>& ids) const override {
        std::string s;
        for (auto id : ids)
            if (id >= 3) s.push_back(static_cast<char>(id - 3));
        return s;
    }
    std::int64_t vocabSize() const override { return 259; }
    std::optional<std::int32_t> bosId() const override { return 1; }
    std::optional<std::int32_t> eosId() const override { return 2; }
    std::string piece(std::int32_t id) const override { return std::to_string(id); }
    std::string kind() const override { return "bytes"; }
    bool addsBosByDefault() const override { return true; }
};

std::string write(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
    std::string path = dir.path().toStdString() + "/" + name;
    std::ofstream(path) << text;
    return path;
}
}  // namespace

class TestCalibration : public QObject {
    Q_OBJECT
private slots:
    void splitsDocuments() {
        QTemporaryDir dir;
        auto a = data::openLocalDataset(write(dir, "a.txt", "one\n\ntwo two\n\n\nthree"));
        QCOMPARE(*(*a)->documents(), (std::vector<std::string>{"one", "two two", "three"}));
        auto b = data::openLocalDataset(write(dir, "b.txt", "story one\n\nstill one\n<|endoftext|>\nstory two\n<|endoftext|>\n"));
        QCOMPARE(*(*b)->documents(), (std::vector<std::string>{"story one\n\nstill one", "story two"}));
        auto c = data::openLocalDataset(write(dir, "c.jsonl", "{\"text\": \"alpha\"}\n\n{\"text\": \"beta\", \"meta\": 1}\n"));
        QCOMPARE(*(*c)->documents(), (std::vector<std::string>{"alpha", "beta"}));
        auto bad = data::openLocalDataset(write(dir, "d.jsonl", "{\"text\": \"ok\"}\n{\"content\": \"no text\"}\n"));
        auto docs = (*bad)->documents();
        QVERIFY(!docs.ok());
        QVERIFY(QString::fromStdString(docs.error().message).contains("d.jsonl:2"));
        QVERIFY(!data::openLocalDataset(dir.path().toStdString() + "/missing.txt").ok());
    }

    // A broken line names the file and line in our words; a file over the 1 GiB bound (sparse here)
    // is refused before anything is read.
    void hostileFilesAreCleanErrors() {
        QTemporaryDir dir;
        auto broken = data::openLocalDataset(write(dir, "e.jsonl", "{\"text\": \"ok\"}\r\n[1]\n"));
        auto docs = (*broken)->documents();
        QVERIFY(!docs.ok());
        QVERIFY2(QString::fromStdString(docs.error().message).contains("e.jsonl:2: no \"text\" string field"), docs.error().message.c_str());
        auto cut = data::openLocalDataset(write(dir, "f.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"cut"));
        docs = (*cut)->documents();
        QVERIFY(!docs.ok());
        const QString m = QString::fromStdString(docs.error().message);
        QVERIFY2(m.contains("f.jsonl:2 is not valid JSON") && !m.contains("json.exception"), qPrintable(m));
        for (const char* name : {"big.txt", "big.jsonl"}) {
            QFile big(dir.filePath(name));
            QVERIFY(big.open(QIODevice::WriteOnly) && big.resize((qint64(1) << 30) + 1));
            big.close();
            auto src = data::openLocalDataset(big.fileName().toStdString());
            QVERIFY(src.ok());
            auto d = (*src)->documents();
            QVERIFY(!d.ok());
            QVERIFY2(QString::fromStdString(d.error().message).contains("1.0 GiB"), d.error().message.c_str());
        }
    }

    void samplesLikeAutoRound() {
        QTemporaryDir dir;
        std::string text;
        for (int i = 0; i < 40; ++i) {  // varied lengths, 20 to 98 bytes
            std::string doc = "doc " + std::to_string(i) + ":";
            for (int k = 0; k < 4 + i * 2; ++k) doc += static_cast<char>('a' + (k * 7 + i) % 26);
            text += doc + "\n\n";
        }
        text += std::string(200, 'q') + "\n\n";  // degenerate: one token repeated, must be dropped
        auto src = data::openLocalDataset(write(dir, "t.txt", text));
        ByteTokenizer tok;
        data::CalibrationOptions opt{10, 48, 42};
        auto set = data::buildCalibrationSet({src->get()}, tok, opt);
        QVERIFY(set.ok());
        QCOMPARE(set->samples.size(), size_t(10));
        for (const auto& s : set->samples) {
            QCOMPARE(s.size(), size_t(48));
            QCOMPARE(s.front(), 1);  // BOS, as the tokenizer adds it by default
            QVERIFY(std::count(s.begin(), s.end(), 3 + 'q') < 24);  // the repetition filter dropped the q document
        }
        QCOMPARE(set->from_documents, 10);
        auto again = data::buildCalibrationSet({src->get()}, tok, opt);
        QCOMPARE(again->samples, set->samples);
        opt.seed = 43;
        QVERIFY(data::buildCalibrationSet({src->get()}, tok, opt)->samples != set->samples);
    }

    void concatenatesWhenDocumentsAreShort() {
        QTemporaryDir dir;
        std::string text;
        for (int i = 0; i < 50; ++i) text += "short story number " + std::to_string(i) + "\n\n";
        auto a = data::openLocalDataset(write(dir, "a.txt", text));
        auto b = data::openLocalDataset(write(dir, "b.jsonl", "{\"text\": \"" + std::string("a long document that is long enough to fill one whole window by itself, unlike the others") + "\"}\n"));
        ByteTokenizer tok;
        auto set = data::buildCalibrationSet({a->get(), b->get()}, tok, {8, 64, 1});
        QVERIFY(set.ok());
        QCOMPARE(set->samples.size(), size_t(8));
        QCOMPARE(set->from_documents, 1);  // only the long jsonl document fits on its own
        QCOMPARE(set->from_concatenation, 7);
        QCOMPARE(set->sources, (std::vector<std::string>{"a.txt", "b.jsonl"}));
        QVERIFY(!set->warnings.empty());
        bool has_eos = false;
        for (const auto& s : set->samples) has_eos |= std::find(s.begin() + 1, s.end(), 2) != s.end();
        QVERIFY(has_eos);  // documents joined with EOS
        auto none = data::buildCalibrationSet({}, tok, {8, 64, 1});
        QVERIFY(!none.ok());
        QVERIFY(QString::fromStdString(none.error().hint).contains("--dataset"));
    }
};

QTEST_GUILESS_MAIN(TestCalibration)
#include "test_calibration.moc"
