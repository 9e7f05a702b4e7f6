// SpmTokenizer against the sentencepiece library used directly (a SentencePieceProcessor loaded
// from the same file): the same ids, decoded text, pieces and special ids on every shared
// SentencePiece model (stories260K's tok512.model, stories260K-hf and tinystories-llama-5M-hf
// tokenizer.model), for the TinyStories validation text and for a Unicode-heavy text this test
// writes (CJK, emoji, combining marks, RTL, control characters, long whitespace runs). The GGUF's
// embedded vocabulary (stories260K.gguf) gives the .model file's vocabulary and ids. A unigram
// model with nmt_nfkc normalization, user-defined symbols and byte fallback, trained here with the
// library's trainer, checks what the old encoder did not support, and that parseSpmModel +
// serializeSpmModel keep such a model's behaviour.
#include <QtTest>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <sstream>

#include "core/io/atomic_file.h"
#include "core/io/weight_source.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "support/test_paths.h"

using namespace srs::tokenizer;
using Ids = std::vector<std::int32_t>;

namespace {

// Written to a file by the test and read back, so the bytes are exactly these.
std::string unicodeHeavyText() {
    std::string t;
    t += "日本語のテキスト、中文文本。한국어 텍스트도 있습니다. 漢字かな交じり文\n";
    t += "Emoji: 🙂😀🎉 family 👩‍👩‍👧‍👦 flag 🇯🇵🇩🇪 skin 👍🏽 keycap 1️⃣ heart ❤️\n";
    t += "Combining: e\xCC\x81 a\xCC\x88 n\xCC\x83 Z\xCC\xB7\xCD\x8A\xCC\x9A" "a\xCC\xB4\xCC\x8Dl\xCC\xB6g\xCC\xB8o\xCC\xB5 ";
    t += "\xEF\xAC\x81 \xE2\x84\xAB \xE2\x91\xA0 \xEF\xBC\xA1\xEF\xBC\xA2\n";  // ﬁ Å ① ＡＢ: nfkc rewrites them
    t += "RTL: שלום עולם مرحبا بالعالم \xE2\x80\x8F mixed \xE2\x80\xAE reversed \xE2\x80\xAC end\n";
    t += "Controls: a\x01" "b\x07" "c\x1B[0m d\x7F e\x0B f\x0C g\r\n";
    t += std::string("nul") + '\0' + "byte \x1F\x1E unit separators\n";
    t += "Math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ∑∫√ and zero\xE2\x80\x8Bwidth joiner\xE2\x80\x8D here\n";
    t += "   leading spaces, " + std::string(200, ' ') + "a long run, tabs\t\t\t\tand\n\n\n\nnewlines, ";
    t += "mixed \t \n \t  , nbsp\xC2\xA0\xC2\xA0 ideographic\xE3\x80\x80\xE3\x80\x80 space, trailing   \n";
    t += "Literal specials <s> </s> <unk> <0x41> ▁ and Once upon a time, Lily said \"hi\".   ";
    return t;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);) lines.push_back(line);
    return lines;
}

// SentencePiece's remove_extra_whitespaces on an identity normalizer: no leading or trailing
// ASCII spaces, runs of them become one.
std::string collapseSpaces(const std::string& s) {
    std::string out;
    bool prev_space = true;
    for (char c : s) {
        if (c == ' ' && prev_space) continue;
        out.push_back(c);
        prev_space = c == ' ';
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

Ids libraryIds(const sentencepiece::SentencePieceProcessor& sp, const std::string& text) {
    std::vector<int> ids;
    const auto st = sp.Encode(text, &ids);
    return st.ok() ? Ids(ids.begin(), ids.end()) : Ids{-1};
}

std::string libraryText(const sentencepiece::SentencePieceProcessor& sp, const Ids& ids) {
    std::string out;
    const auto st = sp.Decode(std::vector<int>(ids.begin(), ids.end()), &out);
    return st.ok() ? out : "<decode failed: " + st.ToString() + ">";
}

std::string firstDifference(const Ids& a, const Ids& b) {
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    return "sizes " + std::to_string(a.size()) + "/" + std::to_string(b.size()) + ", first difference at " + std::to_string(i);
}

}  // namespace

class TestSpmLibrary : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::string unicode_;
    std::string tinystories_;

    // Ours (the tokenizer as the app loads it) and the library's, on every text: whole and by line.
    void compareWithLibrary(const Tokenizer& ours, const sentencepiece::SentencePieceProcessor& sp, const std::string& label) {
        QCOMPARE(ours.vocabSize(), static_cast<std::int64_t>(sp.GetPieceSize()));
        QCOMPARE(ours.bosId().value_or(-1), sp.bos_id());
        QCOMPARE(ours.eosId().value_or(-1), sp.eos_id());
        for (int i = 0; i < sp.GetPieceSize(); ++i) QCOMPARE(ours.piece(i), sp.IdToPiece(i));
        std::size_t texts = 0, ids_total = 0;
        for (const std::string* whole : {&tinystories_, &unicode_}) {
            std::vector<std::string> texts_of = linesOf(*whole);
            texts_of.push_back(*whole);
            for (const std::string& text : texts_of) {
                const Ids want = libraryIds(sp, text);
                const Ids got = ours.encode(text, false);
                QVERIFY2(got == want, (label + ": ids differ on \"" + text.substr(0, 80) + "\": " + firstDifference(got, want)).c_str());
                Ids want_bos = want;
                want_bos.insert(want_bos.begin(), sp.bos_id());
                QCOMPARE(ours.encode(text, true), want_bos);
                QCOMPARE(ours.decode(got), libraryText(sp, want));
                ++texts;
                ids_total += want.size();
            }
        }
        qInfo("%s: %zu texts, %zu ids, all equal to the library's", label.c_str(), texts, ids_total);
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        const std::string path = tmp_.filePath("unicode.txt").toStdString();
        QVERIFY(srs::io::writeFileAtomic(path, unicodeHeavyText()).ok());
        auto back = srs::io::readFile(path);
        QVERIFY(back.ok());
        unicode_ = *back;
        QCOMPARE(unicode_, unicodeHeavyText());
        const QString text = srs::test::sharedPath("text/tinystories/TinyStories-validation.head.txt");
        if (!text.isEmpty()) {
            auto t = srs::io::readFile(text.toStdString());
            QVERIFY(t.ok());
            tinystories_ = *t;
        }
    }

    void sharedModelsMatchTheLibrary_data() {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<bool>("folder");
        QTest::newRow("stories260K/tok512.model") << "models/stories260K/tok512.model" << false;
        QTest::newRow("stories260K-hf") << "models/stories260K-hf" << true;
        QTest::newRow("tinystories-llama-5M-hf") << "models/tinystories-llama-5M-hf" << true;
    }

    void sharedModelsMatchTheLibrary() {
        QFETCH(QString, relative);
        QFETCH(bool, folder);
        SRS_REQUIRE_SHARED(path, relative);
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        const std::string model = folder ? (path + "/tokenizer.model").toStdString() : path.toStdString();
        sentencepiece::SentencePieceProcessor sp;
        QVERIFY(sp.Load(model).ok());
        std::unique_ptr<Tokenizer> ours;
        if (folder) {
            auto t = loadTokenizer(path.toStdString());  // the app's path: folder, tokenizer_config.json
            QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
            ours = std::move(*t);
        } else {
            auto t = SpmTokenizer::fromModelFile(model);
            QVERIFY2(t.ok(), t.ok() ? "" : t.error().toString().c_str());
            ours = std::move(*t);
        }
        QCOMPARE(ours->kind(), std::string("sentencepiece"));
        compareWithLibrary(*ours, sp, relative.toStdString());
        QCOMPARE(ours->encode(tinystories_, false).size(), std::size_t(393012));  // PROVENANCE.md
    }

    void ggufVocabularyMatchesTheModelFile() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        SRS_REQUIRE_SHARED(model, "models/stories260K/tok512.model");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        auto src = srs::io::openWeightSource(gguf.toStdString());
        QVERIFY2(src.ok(), src.ok() ? "" : src.error().toString().c_str());
        auto tok = loadTokenizerFor(**src);
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().toString().c_str());
        const auto* from_gguf = dynamic_cast<const SpmTokenizer*>(tok->get());
        QVERIFY(from_gguf);
        auto bytes = srs::io::readFile(model.toStdString());
        QVERIFY(bytes.ok());
        auto file_vocab = parseSpmModel(*bytes);
        QVERIFY(file_vocab.ok());

        // The same vocabulary, as the library reads the .model file.
        const SpmVocab& g = from_gguf->vocab();
        QCOMPARE(g.pieces, file_vocab->pieces);
        QCOMPARE(g.scores, file_vocab->scores);
        QCOMPARE(g.types, file_vocab->types);
        QCOMPARE(g.unk_id, file_vocab->unk_id);
        QCOMPARE(g.bos_id, file_vocab->bos_id);
        QCOMPARE(g.eos_id, file_vocab->eos_id);

        sentencepiece::SentencePieceProcessor sp;
        QVERIFY(sp.Load(model.toStdString()).ok());
        // GGUF records no remove_extra_whitespaces (llama.cpp applies none), tok512.model has it on:
        // the ids are the file's for texts without runs of spaces, i.e. after collapsing them.
        std::size_t texts = 0;
        for (const std::string* whole : {&tinystories_, &unicode_}) {
            std::vector<std::string> all = linesOf(*whole);
            all.push_back(*whole);
            for (const std::string& text : all) {
                const Ids want = libraryIds(sp, text);
                const Ids got = (*tok)->encode(collapseSpaces(text), false);
                QVERIFY2(got == want, ("GGUF ids differ on \"" + text.substr(0, 80) + "\": " + firstDifference(got, want)).c_str());
                ++texts;
            }
        }
        // Runs of spaces kept: the library on the file's own vocabulary with the option off.
        SpmVocab keep = *file_vocab;
        keep.remove_extra_whitespaces = false;
        sentencepiece::SentencePieceProcessor sp_keep;
        QVERIFY(sp_keep.LoadFromSerializedProto(serializeSpmModel(keep)).ok());
        compareWithLibrary(**tok, sp_keep, "stories260K.gguf");
        QCOMPARE((*tok)->encode(tinystories_, false).size(), std::size_t(393018));  // 6 double spaces kept
        qInfo("stories260K.gguf: %zu texts give tok512.model's ids once runs of spaces are collapsed", texts);
    }

    void unigramNormalizedUserDefinedModel() {
        // What the old encoder refused or approximated: a unigram model, nmt_nfkc normalization
        // (a precompiled charsmap), user-defined symbols, byte fallback. Trained here.
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        std::string corpus = tinystories_.substr(0, 200000) + "\n" + unicode_;
        const std::string input = tmp_.filePath("corpus.txt").toStdString();
        QVERIFY(srs::io::writeFileAtomic(input, corpus).ok());
        std::string proto;
        const auto st = sentencepiece::SentencePieceTrainer::Train(
            "--input=" + input +
                " --model_type=unigram --vocab_size=700 --normalization_rule_name=nmt_nfkc --byte_fallback=true"
                " --user_defined_symbols=<mask>,Lily,🙂 --character_coverage=0.999 --minloglevel=2",
            nullptr, &proto);
        QVERIFY2(st.ok(), st.ToString().c_str());
        sentencepiece::SentencePieceProcessor sp;
        QVERIFY(sp.LoadFromSerializedProto(proto).ok());

        auto ours = SpmTokenizer::fromSerializedModel(proto, "trained unigram model");
        QVERIFY2(ours.ok(), ours.ok() ? "" : ours.error().toString().c_str());
        const SpmVocab& v = (*ours)->vocab();
        QCOMPARE(v.model_type, 1);
        QCOMPARE(v.normalizer_name, std::string("nmt_nfkc"));
        QVERIFY(!v.precompiled_charsmap.empty());
        QVERIFY(v.byte_fallback);
        const int lily = sp.PieceToId("Lily");
        QCOMPARE(v.types[static_cast<std::size_t>(lily)], PieceType::UserDefined);
        compareWithLibrary(**ours, sp, "trained unigram nmt_nfkc");
        QVERIFY((*ours)->encode("ﬁ", false) == (*ours)->encode("fi", false));  // the charsmap is applied

        // Our reading and writing keep the model's behaviour (exports write serializeSpmModel's).
        auto parsed = parseSpmModel(proto);
        QVERIFY(parsed.ok());
        auto rebuilt = SpmTokenizer::fromVocab(*parsed);
        QVERIFY2(rebuilt.ok(), rebuilt.ok() ? "" : rebuilt.error().toString().c_str());
        compareWithLibrary(**rebuilt, sp, "trained unigram, re-serialized");
    }

    void corruptAndOutOfRange() {
        QVERIFY(!SpmTokenizer::fromSerializedModel(std::string("\x0a\xff\xff\xff\x0f", 5)).ok());
        QVERIFY(!SpmTokenizer::fromSerializedModel("").ok());
        SpmVocab empty;
        QVERIFY(!SpmTokenizer::fromVocab(empty).ok());
        SRS_REQUIRE_SHARED(model, "models/stories260K/tok512.model");
        auto t = SpmTokenizer::fromModelFile(model.toStdString());
        QVERIFY(t.ok());
        QCOMPARE((*t)->piece(-1), std::string());
        QCOMPARE((*t)->piece(512), std::string());
        // Ids outside the vocabulary are left out of decoding (the library would refuse the list).
        QCOMPARE((*t)->decode({403, 9999, -5, 407}), (*t)->decode({403, 407}));
    }
};

QTEST_GUILESS_MAIN(TestSpmLibrary)
#include "test_spm_library.moc"
