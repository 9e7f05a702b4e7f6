// SentencePiece tokenization of the stories tokenizer against the ids PROVENANCE.md gives, the
// token count of the whole validation text, and decode round trips.
#include <QtTest>

#include "core/io/atomic_file.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "support/test_paths.h"

using namespace srs::tokenizer;

class TestSpmTokenizer : public QObject {
    Q_OBJECT
private slots:
    void provenanceSentence() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto t = loadTokenizer(folder.toStdString());
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
        QCOMPARE((*t)->kind(), std::string("sentencepiece"));
        QCOMPARE((*t)->vocabSize(), 512);
        QCOMPARE(*(*t)->bosId(), 1);
        QCOMPARE(*(*t)->eosId(), 2);
        QVERIFY((*t)->addsBosByDefault());
        auto ids = (*t)->encode("Once upon a time, there was a little girl named Lily.", false);
        QCOMPARE(ids, (std::vector<std::int32_t>{403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426}));
        auto with_bos = (*t)->encode("Once upon a time", true);
        QCOMPARE(with_bos.front(), 1);
        QCOMPARE((*t)->decode(ids), std::string("Once upon a time, there was a little girl named Lily."));
    }

    void wholeValidationTextCount() {
        // PROVENANCE: sentencepiece.encode(whole file) gives 393,012 ids.
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        auto t = SpmTokenizer::fromModelFile((folder + "/tokenizer.model").toStdString());
        QVERIFY(t.ok());
        auto data = srs::io::readFile(text.toStdString());
        QElapsedTimer timer;
        timer.start();
        auto ids = (*t)->encode(*data, false);
        qInfo("%zu ids in %lld ms", ids.size(), static_cast<long long>(timer.elapsed()));
        QCOMPARE(ids.size(), size_t(393012));
    }

    void byteFallbackAndRoundTrip() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto t = SpmTokenizer::fromModelFile((folder + "/tokenizer.model").toStdString());
        QVERIFY(t.ok());
        for (std::string s : {"Héllo wörld — “quotes” 日本語 🙂", "line one\nline two\n\ttab", "a  b   c", "x"}) {
            auto ids = (*t)->encode(s, false);
            std::string back = (*t)->decode(ids);
            // remove_extra_whitespaces (this model's default) collapses runs of spaces.
            std::string expected = s == "a  b   c" ? "a b c" : s;
            QCOMPARE(back, expected);
        }
        auto ids = (*t)->encode("日", false);  // not in a 512-piece vocabulary: UTF-8 bytes
        QCOMPARE(ids.size(), size_t(4));        // dummy-prefix space piece + 3 byte pieces
        QCOMPARE((*t)->piece(ids[1]), std::string("<0xE6>"));
    }

    void serializedVocabularyRoundTrips() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto data = srs::io::readFile((folder + "/tokenizer.model").toStdString());
        auto v = parseSpmModel(*data);
        QVERIFY(v.ok());
        v->remove_extra_whitespaces = false;
        auto back = parseSpmModel(serializeSpmModel(*v));
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back->pieces, v->pieces);
        QCOMPARE(back->scores, v->scores);
        QCOMPARE(back->types, v->types);
        QCOMPARE(back->bos_id, v->bos_id);
        QCOMPARE(back->byte_fallback, true);
        QCOMPARE(back->remove_extra_whitespaces, false);
        auto a = SpmTokenizer::fromVocab(*v), b = SpmTokenizer::fromVocab(*back);
        const std::string text = "Once upon a time, a  dog ran. Über 🙂";
        QCOMPARE((*a)->encode(text, true), (*b)->encode(text, true));
    }

    void corruptModelIsAnError() {
        auto v = parseSpmModel(std::string("\x0a\xff\xff\xff\x0f", 5));
        QVERIFY(!v.ok());
        QCOMPARE(v.error().code, srs::ErrorCode::CorruptFile);
        QVERIFY(!parseSpmModel("").ok());
    }
};

QTEST_GUILESS_MAIN(TestSpmTokenizer)
#include "test_spm_tokenizer.moc"
