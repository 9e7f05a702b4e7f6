// GGUF files of a repository grouped by quantization type (core/hub/gguf_files.h): types read
// from file names in any case, split files summed with all their parts listed, folders that name
// the type, unknown names in "other", the good sources (F32/F16/BF16/Q8_0) with their reasons,
// and the order (good sources first, then bits per weight, highest first).
#include <QtTest>

#include "core/hub/gguf_files.h"

using namespace srs::hub;

namespace {
RepoFile file(const std::string& path, std::uint64_t size) {
    RepoFile f;
    f.path = path;
    f.size_bytes = size;
    f.is_lfs = isGgufPath(path);
    return f;
}

std::vector<std::string> types(const std::vector<GgufGroup>& groups) {
    std::vector<std::string> out;
    for (const auto& g : groups) out.push_back(g.type);
    return out;
}

const GgufGroup* find(const std::vector<GgufGroup>& groups, const std::string& type) {
    for (const auto& g : groups)
        if (g.type == type) return &g;
    return nullptr;
}
}  // namespace

class TestGgufFiles : public QObject {
    Q_OBJECT
private slots:
    void typesFromNames() {
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"Llama-3.2-1B-Instruct-Q4_K_M.gguf", "Q4_K_M"},
            {"Llama-3.2-1B-Instruct-Q8_0.gguf", "Q8_0"},
            {"Llama-3.2-1B-Instruct-f16.gguf", "F16"},
            {"model.BF16.gguf", "BF16"},
            {"model-F32.gguf", "F32"},
            {"qwen2.5-0.5b-instruct-q5_k_s.gguf", "Q5_K_S"},  // lower case; "qwen2" is no type
            {"Qwen2.5-7B-Q5_K_M.GGUF", "Q5_K_M"},             // upper-case extension
            {"m-Q5_0.gguf", "Q5_0"},
            {"m-Q5_1.gguf", "Q5_1"},
            {"m-Q4_K_S.gguf", "Q4_K_S"},
            {"m-Q4_0.gguf", "Q4_0"},
            {"m-Q4_1.gguf", "Q4_1"},
            {"m-Q3_K_L.gguf", "Q3_K_L"},
            {"m-Q3_K_M.gguf", "Q3_K_M"},
            {"m-Q3_K_S.gguf", "Q3_K_S"},
            {"m-Q2_K.gguf", "Q2_K"},
            {"m-Q6_K.gguf", "Q6_K"},
            {"m-IQ4_XS.gguf", "IQ4_XS"},
            {"m-IQ4_NL.gguf", "IQ4_NL"},
            {"m-IQ3_XXS.gguf", "IQ3_XXS"},
            {"m-iq2_m.gguf", "IQ2_M"},
            {"m-IQ1_S.gguf", "IQ1_S"},
            {"m-UD-Q4_K_XL.gguf", "Q4_K_XL"},
            {"m_q8_0.gguf", "Q8_0"},                             // underscores as separators
            {"m-fp16.gguf", "F16"},
            {"m-F16-Q8_0.gguf", "Q8_0"},                         // the last type wins
            {"m-Q8_0-00002-of-00003.gguf", "Q8_0"},              // split suffix
            {"Q4_K_M/m-Q4_K_M-00001-of-00002.gguf", "Q4_K_M"},
            {"BF16/model-00001-of-00002.gguf", "BF16"},          // the type only in the folder
            {"ggml-model.gguf", ""},
            {"stories260K.gguf", ""},
            {"m-Q4.gguf", ""},                                   // no ggml type is just "Q4"
        };
        for (const auto& [name, type] : cases) QVERIFY2(ggufQuantType(name) == type, (name + " -> " + ggufQuantType(name)).c_str());
    }

    void splitParts() {
        int part = 0, parts = 0;
        QVERIFY(ggufSplitPart("dir/Model-Q8_0-00002-of-00003.gguf", &part, &parts));
        QCOMPARE(part, 2);
        QCOMPARE(parts, 3);
        QVERIFY(ggufSplitPart("model-q8_0-00001-OF-00002.GGUF", &part, &parts));
        QCOMPARE(part, 1);
        QVERIFY(!ggufSplitPart("Model-Q8_0.gguf", &part, &parts));
        QVERIFY(isGgufPath("a/B.GGUF") && isGgufPath("x.gguf") && !isGgufPath("x.gguf.json") && !isGgufPath("gguf"));
    }

    void groupsSizesAndOrder() {
        const std::vector<RepoFile> files = {
            file(".gitattributes", 1500),
            file("README.md", 4000),
            file("config.json", 700),
            file("Model-Q4_K_M.gguf", 4'000'000),
            file("Model-q2_k.gguf", 2'000'000),
            // A split Q8_0 file, listed out of order: the parts are summed and sorted.
            file("Model-Q8_0-00002-of-00003.gguf", 3'000'000),
            file("Model-Q8_0-00001-of-00003.gguf", 3'000'001),
            file("Model-Q8_0-00003-of-00003.gguf", 1'000'000),
            file("Model-f16.gguf", 16'000'000),
            file("model-BF16.GGUF", 16'000'000),
            file("Model-IQ4_XS.gguf", 3'900'000),
            file("Model-Q6_K.gguf", 6'000'000),
            file("weird-name.gguf", 10),
            file("another.gguf", 20),
            file("model.safetensors", 16'000'000),
        };
        RepoFile dir;
        dir.path = "folder.gguf";
        dir.is_dir = true;
        std::vector<RepoFile> with_dir = files;
        with_dir.push_back(dir);
        const auto groups = groupGgufFiles(with_dir);
        // Good sources first (by bits), then the rest by bits, highest first; "other" last.
        QCOMPARE(types(groups), (std::vector<std::string>{"BF16", "F16", "Q8_0", "Q6_K", "Q4_K_M", "IQ4_XS", "Q2_K", "other"}));

        const GgufGroup* q8 = find(groups, "Q8_0");
        QVERIFY(q8);
        QCOMPARE(q8->files, (std::vector<std::string>{"Model-Q8_0-00001-of-00003.gguf", "Model-Q8_0-00002-of-00003.gguf",
                                                       "Model-Q8_0-00003-of-00003.gguf"}));
        QCOMPARE(q8->size_bytes, std::uint64_t(7'000'001));
        QCOMPARE(q8->open_file, std::string("Model-Q8_0-00001-of-00003.gguf"));
        QVERIFY(q8->good_source);
        QVERIFY(q8->reason_kind == GgufSourceReason::EightBit);
        QVERIFY(!q8->reason.empty());
        QCOMPARE(q8->bits_per_weight, 8.5);

        const GgufGroup* bf16 = find(groups, "BF16");
        QVERIFY(bf16 && bf16->good_source && bf16->reason_kind == GgufSourceReason::BFloat16);
        QCOMPARE(bf16->files, std::vector<std::string>{"model-BF16.GGUF"});
        QCOMPARE(bf16->size_bytes, std::uint64_t(16'000'000));
        QCOMPARE(bf16->open_file, std::string("model-BF16.GGUF"));
        const GgufGroup* f16 = find(groups, "F16");
        QVERIFY(f16 && f16->good_source && f16->reason_kind == GgufSourceReason::HalfPrecision);

        const GgufGroup* q4 = find(groups, "Q4_K_M");
        QVERIFY(q4 && !q4->good_source && q4->reason_kind == GgufSourceReason::AlreadyQuantized);
        QVERIFY2(q4->reason.find("4.9 bits") != std::string::npos, q4->reason.c_str());
        QCOMPARE(q4->size_bytes, std::uint64_t(4'000'000));
        const GgufGroup* q2 = find(groups, "Q2_K");
        QVERIFY(q2);
        QCOMPARE(q2->files, std::vector<std::string>{"Model-q2_k.gguf"});  // the name keeps its case

        const GgufGroup* other = find(groups, "other");
        QVERIFY(other && !other->good_source && other->reason_kind == GgufSourceReason::Unknown);
        QCOMPARE(other->files, (std::vector<std::string>{"another.gguf", "weird-name.gguf"}));
        QCOMPARE(other->size_bytes, std::uint64_t(30));
        QCOMPARE(other->bits_per_weight, 0.0);

        // A mix llama.cpp's list does not name: no invented bit count, the type named instead.
        const auto xl = groupGgufFiles({file("m-UD-Q4_K_XL.gguf", 5)});
        QCOMPARE(xl.size(), std::size_t(1));
        QCOMPARE(xl[0].bits_per_weight, 0.0);
        QVERIFY(!xl[0].good_source && xl[0].reason_kind == GgufSourceReason::AlreadyQuantized);
        QVERIFY2(xl[0].reason.find("Already quantized (Q4_K_XL)") != std::string::npos, xl[0].reason.c_str());

        // Nothing but non-GGUF files: no groups.
        QVERIFY(groupGgufFiles({file("config.json", 1), file("model.safetensors", 2)}).empty());
    }

    void f32FirstAndFoldersAndProjectors() {
        const auto groups = groupGgufFiles({
            file("Q4_K_M/Big-Q4_K_M-00001-of-00002.gguf", 5),
            file("Q4_K_M/Big-Q4_K_M-00002-of-00002.gguf", 6),
            file("mmproj-Big-F16.gguf", 100),
            file("Big-F16.gguf", 1000),
            file("Big-F32.gguf", 2000),
            file("Big-Q3_K_S.gguf", 3),
            file("Big-Q3_K_L.gguf", 4),
        });
        QCOMPARE(types(groups), (std::vector<std::string>{"F32", "F16", "Q4_K_M", "Q3_K_L", "Q3_K_S"}));
        QVERIFY(groups[0].reason_kind == GgufSourceReason::FullPrecision);
        // The F16 group holds the model and its vision projector; the model is the one to open.
        QCOMPARE(groups[1].files, (std::vector<std::string>{"Big-F16.gguf", "mmproj-Big-F16.gguf"}));
        QCOMPARE(groups[1].size_bytes, std::uint64_t(1100));
        QCOMPARE(groups[1].open_file, std::string("Big-F16.gguf"));
        QCOMPARE(groups[2].size_bytes, std::uint64_t(11));
        QCOMPARE(groups[2].open_file, std::string("Q4_K_M/Big-Q4_K_M-00001-of-00002.gguf"));
    }
};

QTEST_GUILESS_MAIN(TestGgufFiles)
#include "test_gguf_files.moc"
