// The export formats of a run (core/job/export_format.h): packed formats keep the name given,
// a GGUF format is normalised to gguf:<type>, none asked for means auto_round, and a bad name is
// an InvalidArgument error with the message and hint the CLI and the GUI's estimate show.
#include <QtTest>

#include "core/job/export_format.h"

using srs::ErrorCode;
using srs::exporter::PackedFormat;
using srs::job::parseExportFormats;

class TestExportFormat : public QObject {
    Q_OBJECT
private slots:
    void parsesThePackedFormats() {
        auto r = parseExportFormats({"auto_round", "auto_gptq", "auto_awq", "fake"});
        QVERIFY(r.ok());
        QCOMPARE(r->size(), std::size_t{4});
        const PackedFormat expected[] = {PackedFormat::AutoRound, PackedFormat::AutoGptq, PackedFormat::AutoAwq, PackedFormat::Fake};
        const char* names[] = {"auto_round", "auto_gptq", "auto_awq", "fake"};
        for (std::size_t i = 0; i < 4; ++i) {
            const auto& f = (*r)[i];
            QCOMPARE(f.name, std::string(names[i]));
            QVERIFY(f.packed == expected[i]);
            QVERIFY(!f.isGguf());
            QVERIFY(!f.gguf);
        }
    }

    void parsesAGgufFormat() {
        auto r = parseExportFormats({"gguf:q4_k_m", "gguf:Q6_K"});
        QVERIFY(r.ok());
        QCOMPARE(r->size(), std::size_t{2});
        const auto& f = (*r)[0];
        QCOMPARE(f.name, std::string("gguf:q4_k_m"));
        QVERIFY(f.isGguf());
        QVERIFY(f.packed == PackedFormat::None);
        QCOMPARE(f.gguf->name, std::string("q4_k_m"));
        QCOMPARE(f.gguf->llama_ftype, std::uint32_t{15});
        QCOMPARE((*r)[1].name, std::string("gguf:q6_k"));  // the type's case is normalised
    }

    void noneAskedForIsAutoRound() {
        auto r = parseExportFormats({});
        QVERIFY(r.ok());
        QCOMPARE(r->size(), std::size_t{1});
        QCOMPARE(r->front().name, std::string("auto_round"));
        QVERIFY(r->front().packed == PackedFormat::AutoRound);
        QCOMPARE(srs::job::requestedExportFormats({}), std::vector<std::string>{"auto_round"});
        QCOMPARE(srs::job::requestedExportFormats({"fake"}), std::vector<std::string>{"fake"});
    }

    void rejectsAnUnknownFormat() {
        auto r = parseExportFormats({"auto_round", "exl2"});
        QVERIFY(!r.ok());
        QVERIFY(r.error().code == ErrorCode::InvalidArgument);
        QCOMPARE(r.error().message, std::string("unknown format 'exl2'"));
        QCOMPARE(r.error().hint, std::string("use auto_round, auto_gptq, auto_awq or gguf:<type>"));
        // The "gguf" prefix is case-sensitive: "GGUF:..." is not a GGUF format but an unknown one.
        r = parseExportFormats({"GGUF:Q6_K"});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().message, std::string("unknown format 'GGUF:Q6_K'"));
    }

    void rejectsAnUnknownGgufType() {
        auto r = parseExportFormats({"gguf:q9_z"});
        QVERIFY(!r.ok());
        QVERIFY(r.error().code == ErrorCode::InvalidArgument);
        QCOMPARE(r.error().message, std::string("unknown GGUF type 'q9_z'"));
        QVERIFY(r.error().hint.rfind("use gguf:<type> with one of f32, f16, bf16, q4_0", 0) == 0);
    }

    void rejectsAGgufFormatWithoutAType() {
        for (const char* name : {"gguf", "gguf:", "ggufq4_k_m"}) {
            auto r = parseExportFormats({name});
            QVERIFY(!r.ok());
            QVERIFY(r.error().code == ErrorCode::InvalidArgument);
            QCOMPARE(r.error().message, "the GGUF format '" + std::string(name) + "' names no type");
            QVERIFY(r.error().hint.rfind("use gguf:<type>, e.g. gguf:q4_k_m; types: f32, f16, bf16, q4_0", 0) == 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestExportFormat)
#include "test_export_format.moc"
