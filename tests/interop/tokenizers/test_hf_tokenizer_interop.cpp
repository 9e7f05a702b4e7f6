// Our tokenizers against the reference libraries, id for id. tokenizer_reference.py (run with the
// test venv's python, fixture interop_pyenv) encodes the same texts with Hugging Face `tokenizers`
// on the real Qwen3 and Llama-3 tokenizer.json files and on transformers' tokenizer.json conversion
// of the models' SentencePiece tokenizer.model, and with the `sentencepiece` library on that
// tokenizer.model itself; here every folder it wrote is loaded through loadTokenizer(folder) and
// every text must give the same ids (without and with special tokens) and decode to the same text.
// Texts: tricky and hostile sets, seeded random mixes, TinyStories and WikiText-2 (CRLF) chunks.
// Invalid UTF-8: the libraries take Python str, so both sides get the lossy decoding (U+FFFD per
// maximal invalid subpart) in the compared cases; the raw bytes go to our encoder separately and
// must give valid ids without crashing.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <map>
#include <random>

#include "core/io/atomic_file.h"
#include "core/tokenizer/load_tokenizer.h"
#include "support/test_paths.h"

using namespace srs::tokenizer;

namespace {

std::string idsToString(const std::vector<std::int32_t>& ids, std::size_t from = 0, std::size_t max = 24) {
    std::string s = "[";
    for (std::size_t i = from; i < ids.size() && i < from + max; ++i) s += (i > from ? "," : "") + std::to_string(ids[i]);
    if (ids.size() > from + max) s += ",... (" + std::to_string(ids.size()) + " ids)";
    return s + "]";
}

std::string shortText(const std::string& text, std::size_t max = 100) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < max; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (c < 0x20 || c == 0x7F) out += "\\x" + QByteArray(1, static_cast<char>(c)).toHex().toStdString();
        else out += static_cast<char>(c);
    }
    return text.size() > max ? out + "... (" + std::to_string(text.size()) + " bytes)" : out;
}

std::size_t firstDifference(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    return i;
}

std::string fromHex(const std::string& hex) { return QByteArray::fromHex(QByteArray::fromStdString(hex)).toStdString(); }

bool idsValid(const std::vector<std::int32_t>& ids, std::int64_t vocab) {
    for (auto id : ids)
        if (id < 0 || id >= vocab) return false;
    return true;
}

struct GroupCount {
    std::size_t texts = 0, ids_same = 0, default_same = 0, decode_same = 0;
    std::uint64_t ref_ids = 0;
};

}  // namespace

class TestHfTokenizerInterop : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    nlohmann::json reference_;

private slots:
    void initTestCase() {
        const QString python = qEnvironmentVariable("SRS_INTEROP_PYTHON", srs::test::binaryDir() + "/interop-venv/bin/python");
        // The only skip: the fixture interop_pyenv_setup made no venv because PyPI cannot be reached.
        // setup.sh writes the stamp last and removes it first, so no stamp means no usable venv.
        if (!QFileInfo(python).isExecutable() || !QFileInfo::exists(QFileInfo(python).absolutePath() + "/../.srs-pyenv-stamp"))
            QSKIP(qPrintable(QStringLiteral("the interop test venv is not there (%1): the fixture test interop_pyenv_setup "
                                            "skipped because PyPI cannot be reached")
                                 .arg(python)));
        SRS_REQUIRE_SHARED(qwen3, "tokenizers/qwen3/tokenizer.json.gz");
        QVERIFY(tmp_.isValid());
        const QString script = srs::test::sourceDir() + "/tests/interop/tokenizers/tokenizer_reference.py";
        const QString out = tmp_.filePath("reference.json");
        QProcess proc;
        proc.setProcessChannelMode(QProcess::MergedChannels);
        QElapsedTimer timer;
        timer.start();
        proc.start(python, {script, srs::test::sharedData(), tmp_.filePath("folders"), out});
        QVERIFY2(proc.waitForFinished(300000), "tokenizer_reference.py did not finish in 300 s");
        const QByteArray log = proc.readAll();
        qInfo("tokenizer_reference.py (%lld ms):\n%s", static_cast<long long>(timer.elapsed()), log.constData());
        QVERIFY2(proc.exitStatus() == QProcess::NormalExit && proc.exitCode() == 0, log.constData());
        auto text = srs::io::readFile(out.toStdString());
        QVERIFY(text.ok());
        reference_ = nlohmann::json::parse(*text);
        qInfo("reference libraries: %s", reference_["libraries"].dump().c_str());
        // qwen3, llama3, and the models' SentencePiece file twice (sentencepiece, converted tokenizer.json).
        QVERIFY2(reference_["tokenizers"].size() >= 4, reference_["tokenizers"].dump().substr(0, 200).c_str());
        for (const auto& s : reference_["same_as"])
            qInfo("%s has the same bytes as %s (sha256 %s): covered by it", s["file"].get<std::string>().c_str(),
                  s["covered_by"].get<std::string>().c_str(), s["sha256"].get<std::string>().c_str());
    }

    void sameIdsAsReference_data() {
        QTest::addColumn<int>("index");
        for (std::size_t k = 0; k < reference_["tokenizers"].size(); ++k)
            QTest::newRow(reference_["tokenizers"][k]["name"].get<std::string>().c_str()) << static_cast<int>(k);
    }

    void sameIdsAsReference() {
        QFETCH(int, index);
        const auto& ref = reference_["tokenizers"][static_cast<std::size_t>(index)];
        const std::string name = ref["name"].get<std::string>();
        auto tok = loadTokenizer(ref["folder"].get<std::string>());
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        QCOMPARE((*tok)->kind(), ref["kind"].get<std::string>());

        std::map<std::string, GroupCount> groups;
        GroupCount all;
        std::size_t shown = 0;
        QElapsedTimer timer;
        timer.start();
        for (const auto& c : ref["cases"]) {
            const std::string text = c["text"].get<std::string>();
            const auto want = c["ids"].get<std::vector<std::int32_t>>();
            std::vector<std::int32_t> want_default;
            if (c.contains("ids_default")) {
                want_default = c["ids_default"].get<std::vector<std::int32_t>>();
            } else {
                want_default = c["default_prefix"].get<std::vector<std::int32_t>>();
                want_default.insert(want_default.end(), want.begin(), want.end());
                const auto suffix = c["default_suffix"].get<std::vector<std::int32_t>>();
                want_default.insert(want_default.end(), suffix.begin(), suffix.end());
            }
            const auto got = (*tok)->encode(text, false);
            // add_special_tokens=True / add_bos in the libraries; ours: the model's default BOS.
            const auto got_default = (*tok)->encode(text, (*tok)->addsBosByDefault());
            const std::string decoded = (*tok)->decode(want);
            const std::string want_decoded = c["decoded"].get<std::string>();

            GroupCount& g = groups[c["group"].get<std::string>()];
            for (GroupCount* t : {&g, &all}) {
                ++t->texts;
                t->ref_ids += want.size();
                t->ids_same += got == want;
                t->default_same += got_default == want_default;
                t->decode_same += decoded == want_decoded;
            }
            if (got != want && shown++ < 10) {
                const std::size_t d = firstDifference(got, want);
                std::string where;
                for (std::size_t i = d; i < d + 4; ++i) {
                    where += " ours " + (i < got.size() ? "'" + (*tok)->piece(got[i]) + "'" : std::string("-"));
                    where += "/ref " + (i < want.size() ? "'" + (*tok)->piece(want[i]) + "'" : std::string("-"));
                }
                qWarning("%s [%s] ids differ on \"%s\"\n  ours %s\n  ref  %s\n  first difference at %zu:%s", name.c_str(),
                         c["group"].get<std::string>().c_str(), shortText(text).c_str(), idsToString(got, d > 4 ? d - 4 : 0).c_str(),
                         idsToString(want, d > 4 ? d - 4 : 0).c_str(), d, where.c_str());
            } else if (got_default != want_default && shown++ < 10) {
                qWarning("%s with special tokens differs on \"%s\"\n  ours %s\n  ref  %s", name.c_str(), shortText(text).c_str(),
                         idsToString(got_default).c_str(), idsToString(want_default).c_str());
            }
            if (decoded != want_decoded && shown++ < 10)
                qWarning("%s decode differs on \"%s\"\n  ours \"%s\"\n  ref  \"%s\"", name.c_str(), shortText(text).c_str(),
                         shortText(decoded).c_str(), shortText(want_decoded).c_str());
        }
        for (const auto& [group, g] : groups)
            qInfo("  %-13s %-22s %4zu/%-4zu ids identical, with special tokens %4zu/%-4zu, decode %4zu/%-4zu (%llu reference ids)",
                  name.c_str(), group.c_str(), g.ids_same, g.texts, g.default_same, g.texts, g.decode_same, g.texts,
                  static_cast<unsigned long long>(g.ref_ids));
        qInfo("%s (%s): %zu/%zu texts identical, with special tokens %zu/%zu, decode %zu/%zu; %llu reference ids; ours took %lld ms",
              name.c_str(), ref["reference"].get<std::string>().c_str(), all.ids_same, all.texts, all.default_same, all.texts,
              all.decode_same, all.texts, static_cast<unsigned long long>(all.ref_ids), static_cast<long long>(timer.elapsed()));
        QVERIFY(all.texts > 500);
        QVERIFY(groups.size() >= 6);
        QCOMPARE(all.ids_same, all.texts);
        QCOMPARE(all.default_same, all.texts);
        QCOMPARE(all.decode_same, all.texts);
    }

    // Raw invalid UTF-8 straight into our encoders (the libraries cannot take it, see above): no
    // crash, ids in range, something for every non-empty input, and decode of them survives too.
    // Also seeded random byte strings. How often the raw bytes give the lossy string's ids is
    // reported, not required: no library defines the raw case (our tokenizer.json path turns each
    // invalid sequence into U+FFFD first, as the lossy string has it; the SentencePiece path does not).
    void invalidUtf8DoesNotBreakOurEncoders() {
        std::mt19937 rng(20240601);
        std::vector<std::string> inputs;
        for (const auto& s : reference_["invalid_utf8"]) inputs.push_back(fromHex(s["hex"].get<std::string>()));
        QVERIFY(inputs.size() >= 10);
        const std::size_t named = inputs.size();
        for (int k = 0; k < 300; ++k) {
            std::string s(1 + rng() % 64, '\0');
            for (auto& ch : s) ch = static_cast<char>(rng() & 0xFF);
            inputs.push_back(s);
        }
        std::string glued = "Once upon a time ";
        for (std::size_t k = 0; k < named; ++k) glued += inputs[k] + " and ";
        inputs.push_back(glued);
        for (const auto& t : reference_["tokenizers"]) {
            const std::string name = t["name"].get<std::string>();
            auto tok = loadTokenizer(t["folder"].get<std::string>());
            QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
            // The reference ids of the lossy strings are the "invalid-utf8-lossy" cases.
            std::map<std::string, std::vector<std::int32_t>> lossy_ids;
            for (const auto& c : t["cases"])
                if (c["group"] == "invalid-utf8-lossy") lossy_ids[c["text"].get<std::string>()] = c["ids"].get<std::vector<std::int32_t>>();
            std::size_t same_as_lossy = 0, valid = 0, nonempty = 0;
            for (std::size_t k = 0; k < inputs.size(); ++k) {
                const auto ids = (*tok)->encode(inputs[k], false);
                const auto with_bos = (*tok)->encode(inputs[k], true);
                valid += idsValid(ids, (*tok)->vocabSize()) && idsValid(with_bos, (*tok)->vocabSize());
                nonempty += !ids.empty();
                (void)(*tok)->decode(ids);
                if (k < named) {
                    const auto& want = lossy_ids[reference_["invalid_utf8"][k]["lossy"].get<std::string>()];
                    same_as_lossy += ids == want;
                }
            }
            qInfo("%s: %zu raw invalid/random byte strings encoded, ids valid for %zu, non-empty for %zu; the %zu named ones give "
                  "the lossy string's reference ids for %zu",
                  name.c_str(), inputs.size(), valid, nonempty, named, same_as_lossy);
            QCOMPARE(valid, inputs.size());
            QCOMPARE(nonempty, inputs.size());
        }
    }
};

QTEST_GUILESS_MAIN(TestHfTokenizerInterop)
#include "test_hf_tokenizer_interop.moc"
