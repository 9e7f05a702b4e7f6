// GGUF exports read back through our own GGUF importer: float exports give back every tensor
// exactly (so the q/k row permutation is undone exactly), layers tuned in the scheme their ggml
// type carries are written from their own scales and integers, every other tensor goes through
// llama.cpp's reference quantizer, and a cancelled export leaves no folder behind.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/export/gguf_export.h"
#include "core/export/gguf_plan.h"
#include "core/export/gguf_vocab.h"
#include "core/io/ggml_quants.h"
#include "core/io/gguf.h"
#include "core/io/weight_source.h"
#include "support/rtn_layer.h"
#include "support/file_size_limit.h"
#include "support/test_paths.h"
#include "support/tiny_model.h"

using namespace srs::exporter;
namespace fs = std::filesystem;
using srs::io::GgmlType;

namespace {

std::string onlyGguf(const std::string& dir) {
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".gguf") return e.path().string();
    return {};
}

double relRms(const std::vector<float>& a, const std::vector<float>& b) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num += (a[i] - b[i]) * double(a[i] - b[i]);
        den += double(b[i]) * b[i];
    }
    return std::sqrt(num / std::max(den, 1e-30));
}

// A model whose rows suit k-quants (256 columns), with stories260K's SentencePiece vocabulary.
std::shared_ptr<srs::io::WeightSource> kQuantModel(const QString& folder) {
    srs::test::TinyModelSpec spec;
    spec.hidden = 256;
    spec.intermediate = 512;
    spec.layers = 2;
    spec.heads = 4;
    spec.kv_heads = 2;
    spec.vocab = 512;
    spec.tied = false;
    srs::test::writeTinyModel(folder, spec);
    QFile::copy(srs::test::sharedPath("models/stories260K-hf/tokenizer.model"), folder + "/tokenizer.model");
    auto src = srs::io::openWeightSource(folder.toStdString());
    return src.ok() ? *src : nullptr;
}

// Every linear layer of the blocks quantized by RTN in the scheme its planned ggml type carries.
QuantizedModel tuneAsPlanned(std::shared_ptr<srs::io::WeightSource> src, const std::string& file_type) {
    QuantizedModel m;
    m.source = src;
    std::vector<GgufPlanInput> inputs;
    for (const auto& n : src->tensorNames()) inputs.push_back({n, *src->shape(n)});
    auto plan = planGgufTypes(*parseGgufFileType(file_type), src->config(), inputs);
    for (const auto& [name, type] : plan) {
        auto scheme = schemeForGgmlType(type);
        if (!scheme || name.rfind("model.layers.", 0) != 0) continue;
        const std::string layer = name.substr(0, name.size() - 7);
        m.layers[layer] = srs::test::rtnLayer(layer, *src->loadFloat(name), scheme->bits, scheme->group_size, scheme->sym);
    }
    return m;
}

// GPT-2's byte → printable character map, as byte-level BPE vocabularies spell bytes.
std::string byteLevelChar(int b) {
    int cp = b;
    if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))) {
        int n = 0;
        for (int x = 0; x < b; ++x)
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) ++n;
        cp = 256 + n;
    }
    std::string s;
    if (cp < 0x80) s += static_cast<char>(cp);
    else {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

const char* kLlama3Split = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// A byte-level BPE tokenizer.json in Llama-3's style: 256 byte pieces, one merge, two added tokens.
nlohmann::json byteLevelTokenizer(const std::string& split_regex) {
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b) vocab[byteLevelChar(b)] = b;
    vocab[byteLevelChar(' ') + "t"] = 256;
    nlohmann::json pre = {{"type", "Sequence"},
                          {"pretokenizers",
                           {{{"type", "Split"}, {"pattern", {{"Regex", split_regex}}}, {"behavior", "Isolated"}, {"invert", false}},
                            {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}};
    return {{"version", "1.0"},
            {"added_tokens",
             {{{"id", 257}, {"content", "<|begin_of_text|>"}, {"special", true}, {"single_word", false}, {"lstrip", false}, {"rstrip", false}, {"normalized", false}},
              {{"id", 258}, {"content", "<tool>"}, {"special", false}, {"single_word", false}, {"lstrip", false}, {"rstrip", false}, {"normalized", true}}}},
            {"normalizer", nullptr},
            {"pre_tokenizer", pre},
            {"post_processor", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}}},
            {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
            {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
                       {"ignore_merges", false}, {"vocab", vocab}, {"merges", {byteLevelChar(' ') + " t"}}}}};
}

}  // namespace

class TestGgufExport : public QObject {
    Q_OBJECT
private slots:
    void floatExportReadsBackExactly() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        auto src = srs::io::openWeightSource(model.toStdString());
        QVERIFY(src.ok());
        QuantizedModel m;
        m.source = *src;
        QTemporaryDir dir;
        const std::string out = (dir.path() + "/f32").toStdString();
        GgufExportOptions opt;
        opt.file_type = *parseGgufFileType("f32");
        opt.model_name = "stories260K";
        opt.model_card = "---\nbase_model: stories260K\n---\n";
        GgufTensorStats stats;
        auto rep = exportGguf(m, out, opt, {}, {}, &stats);
        QVERIFY2(rep.ok(), rep.ok() ? "" : rep.error().message.c_str());
        QVERIFY(fs::exists(out + "/stories260K-F32.gguf"));
        QVERIFY(fs::exists(out + "/README.md"));
        QCOMPARE(stats.tuned + stats.requantized, 0);

        auto g = srs::io::GgufFile::open(out + "/stories260K-F32.gguf");
        QVERIFY(g.ok());
        QCOMPARE((*g)->meta("general.architecture")->get<std::string>(), std::string("llama"));
        QCOMPARE((*g)->meta("llama.block_count")->get<int>(), 5);
        QCOMPARE((*g)->meta("llama.attention.head_count_kv")->get<int>(), 4);
        QCOMPARE((*g)->meta("tokenizer.ggml.tokens")->size(), std::size_t(512));
        QCOMPARE((*g)->meta("general.file_type")->get<int>(), 0);
        QVERIFY((*g)->find("blk.4.ffn_down.weight"));
        QVERIFY((*g)->find("token_embd.weight"));
        QVERIFY(!(*g)->find("output.weight"));  // tied: llama.cpp reuses token_embd

        auto back = srs::io::openWeightSource(out);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE((*back)->config().num_hidden_layers, std::int64_t(5));
        for (const auto& n : (*src)->tensorNames()) {
            auto got = (*back)->loadFloat(n);
            QVERIFY2(got.ok(), n.c_str());
            QVERIFY2(got->data == (*src)->loadFloat(n)->data, n.c_str());
        }
    }

    void tunedLayersAreWrittenFromTheirScales_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<double>("bound");  // relative RMS of read-back vs the tuned weights
        // Q4_0 / Q5_0 / Q8_0 carry the sym scale and integers as they are: exact.
        QTest::newRow("q4_0") << "q4_0" << 0.0;
        QTest::newRow("q5_0") << "q5_0" << 0.0;
        QTest::newRow("q8_0") << "q8_0" << 0.0;
        // Q4_1 / Q5_1 store the minimum −zero·scale in fp16; k-quants quantize scales and mins to
        // 6 (or 4) bits per super-block: close, not exact.
        QTest::newRow("q4_1") << "q4_1" << 2e-3;
        QTest::newRow("q5_1") << "q5_1" << 2e-3;
        QTest::newRow("q4_k_m") << "q4_k_m" << 0.03;
        QTest::newRow("q3_k_m") << "q3_k_m" << 0.05;
        QTest::newRow("q2_k_s") << "q2_k_s" << 0.10;
        QTest::newRow("q5_k_m") << "q5_k_m" << 0.03;
        QTest::newRow("q4_k_s") << "q4_k_s" << 0.03;
    }
    void tunedLayersAreWrittenFromTheirScales() {
        QFETCH(QString, type);
        QFETCH(double, bound);
        SRS_REQUIRE_SHARED(tok, "models/stories260K-hf/tokenizer.model");
        QTemporaryDir dir;
        auto src = kQuantModel(dir.path() + "/src");
        QVERIFY(src);
        QuantizedModel m = tuneAsPlanned(src, type.toStdString());
        QCOMPARE(m.layers.size(), std::size_t(14));
        const std::string out = (dir.path() + "/out").toStdString();
        GgufExportOptions opt;
        opt.file_type = *parseGgufFileType(type.toStdString());
        opt.model_name = "tiny";
        GgufTensorStats stats;
        auto rep = exportGguf(m, out, opt, {}, {}, &stats);
        QVERIFY2(rep.ok(), rep.ok() ? "" : rep.error().message.c_str());
        QCOMPARE(stats.tuned, 14);
        QCOMPARE(stats.requantized, 2);  // token_embd, output
        QCOMPARE(stats.float_kept, 5);   // the norms

        auto back = srs::io::openWeightSource(out);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        double worst = 0;
        for (const auto& [name, layer] : m.layers) {
            auto got = (*back)->loadFloat(name + ".weight");
            QVERIFY2(got.ok(), name.c_str());
            worst = std::max(worst, relRms(got->data, layer.dequantize()));
        }
        qInfo("%s: worst relative RMS of a tuned layer %.5f", qPrintable(type), worst);
        QVERIFY2(worst <= bound, qPrintable(QString::number(worst)));

        // The tensors nobody tuned went through llama.cpp's quantizer: close to the originals.
        auto out_w = (*back)->loadFloat("lm_head.weight");
        QVERIFY(out_w.ok());
        QVERIFY(relRms(out_w->data, src->loadFloat("lm_head.weight")->data) < 0.03);  // Q6_K or Q8_0
    }

    void finerTypesStartFromTheOriginalWeights() {
        // Layers tuned at 2 bits written as Q8_0 / F16: the file must hold the original weights
        // (8-bit close), not an 8-bit copy of the 2-bit grid; written as Q2_K they keep the
        // tuned rounding.
        SRS_REQUIRE_SHARED(tok, "models/stories260K-hf/tokenizer.model");
        QTemporaryDir dir;
        auto src = kQuantModel(dir.path() + "/src");
        QVERIFY(src);
        QuantizedModel m = tuneAsPlanned(src, "q2_k_s");
        for (const char* type : {"q8_0", "f16", "q2_k_s"}) {
            const std::string out = (dir.path() + "/out-" + type).toStdString();
            GgufExportOptions opt;
            opt.file_type = *parseGgufFileType(type);
            opt.model_name = "tiny";
            GgufTensorStats stats;
            auto rep = exportGguf(m, out, opt, {}, {}, &stats);
            QVERIFY2(rep.ok(), rep.ok() ? "" : rep.error().message.c_str());
            auto back = srs::io::openWeightSource(out);
            QVERIFY(back.ok());
            double to_orig = 0, to_tuned = 0;
            for (const auto& [name, layer] : m.layers) {
                auto got = (*back)->loadFloat(name + ".weight");
                QVERIFY2(got.ok(), name.c_str());
                to_orig = std::max(to_orig, relRms(got->data, src->loadFloat(name + ".weight")->data));
                to_tuned = std::max(to_tuned, relRms(got->data, layer.dequantize()));
            }
            qInfo("%s: worst relative RMS to the original %.5f, to the 2-bit tuned %.5f", type, to_orig, to_tuned);
            if (std::string(type) == "q2_k_s") {
                QCOMPARE(stats.tuned, 14);
                QVERIFY(to_tuned < 0.10);
            } else {
                QCOMPARE(stats.tuned, 0);
                QVERIFY(to_orig < 0.01);
                QVERIFY(to_tuned > 0.1);
            }
        }
    }

    void byteLevelBpeVocabulary() {
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.vocab = 260;  // two ids more than the tokenizer has: unused padding
        const QString src_dir = dir.path() + "/src";
        srs::test::writeTinyModel(src_dir, spec);
        std::ofstream(src_dir.toStdString() + "/tokenizer.json") << byteLevelTokenizer(kLlama3Split).dump();
        std::ofstream(src_dir.toStdString() + "/tokenizer_config.json")
            << R"({"bos_token": "<|begin_of_text|>", "add_bos_token": true, "pad_token": "<tool>", "chat_template": "{{ messages }}"})";
        auto src = srs::io::openWeightSource(src_dir.toStdString());
        QVERIFY(src.ok());
        QuantizedModel m;
        m.source = *src;
        const std::string out = (dir.path() + "/out").toStdString();
        GgufExportOptions opt;
        opt.file_type = *parseGgufFileType("f16");
        opt.model_name = "bpe";
        auto rep = exportGguf(m, out, opt);
        QVERIFY2(rep.ok(), rep.ok() ? "" : rep.error().message.c_str());
        auto g = srs::io::GgufFile::open(onlyGguf(out));
        QVERIFY(g.ok());
        QCOMPARE((*g)->meta("tokenizer.ggml.model")->get<std::string>(), std::string("gpt2"));
        QCOMPARE((*g)->meta("tokenizer.ggml.pre")->get<std::string>(), std::string("llama-bpe"));
        const auto& tokens = *(*g)->meta("tokenizer.ggml.tokens");
        const auto& types = *(*g)->meta("tokenizer.ggml.token_type");
        QCOMPARE(tokens.size(), std::size_t(260));
        QCOMPARE(tokens[256].get<std::string>(), byteLevelChar(' ') + "t");
        QCOMPARE(tokens[257].get<std::string>(), std::string("<|begin_of_text|>"));
        QCOMPARE(types[10].get<int>(), 1);   // normal
        QCOMPARE(types[257].get<int>(), 3);  // control
        QCOMPARE(types[258].get<int>(), 4);  // user-defined
        QCOMPARE(types[259].get<int>(), 5);  // unused padding
        QCOMPARE(tokens[259].get<std::string>(), std::string("[PAD259]"));
        QCOMPARE((*g)->meta("tokenizer.ggml.merges")->size(), std::size_t(1));
        QCOMPARE((*g)->meta("tokenizer.ggml.merges")->at(0).get<std::string>(), byteLevelChar(' ') + " t");
        QCOMPARE((*g)->meta("tokenizer.ggml.bos_token_id")->get<int>(), 257);
        QCOMPARE((*g)->meta("tokenizer.ggml.padding_token_id")->get<int>(), 258);
        QCOMPARE((*g)->meta("tokenizer.ggml.add_bos_token")->get<bool>(), true);
        QCOMPARE((*g)->meta("tokenizer.chat_template")->get<std::string>(), std::string("{{ messages }}"));
    }

    void preTokenizerNames() {
        QCOMPARE(*ggufPreTokenizerName(byteLevelTokenizer(kLlama3Split)), std::string("llama-bpe"));
        std::string qwen = kLlama3Split;
        qwen.replace(qwen.find("\\p{N}{1,3}"), std::strlen("\\p{N}{1,3}"), "\\p{N}");
        QCOMPARE(*ggufPreTokenizerName(byteLevelTokenizer(qwen)), std::string("qwen2"));
        nlohmann::json gpt2 = {{"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}}};
        QCOMPARE(*ggufPreTokenizerName(gpt2), std::string("gpt-2"));
        auto other = ggufPreTokenizerName(byteLevelTokenizer("\\s+|\\w+"));
        QVERIFY(!other.ok());
        QVERIFY(other.error().message.find("regex") != std::string::npos);
    }

    void cancelledOrFailedExportLeavesNothing() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        auto src = srs::io::openWeightSource(model.toStdString());
        QVERIFY(src.ok());
        QuantizedModel m;
        m.source = *src;
        QTemporaryDir dir;
        const std::string out = (dir.path() + "/out").toStdString();
        srs::CancelToken cancel;
        int calls = 0;
        GgufExportOptions opt;
        opt.file_type = *parseGgufFileType("q8_0");
        auto rep = exportGguf(m, out, opt, [&](int, int, const std::string&) { if (++calls == 10) cancel.cancel(); }, cancel);
        QVERIFY(!rep.ok());
        QCOMPARE(rep.error().code, srs::ErrorCode::Cancelled);
        QVERIFY(!fs::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::Hidden), QStringList());

        // A file where the folder's parent should be: a clear error, nothing written.
        QFile blocker(dir.path() + "/file");
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        auto bad = exportGguf(m, (dir.path() + "/file/out").toStdString(), opt);
        QVERIFY(!bad.ok());
        QVERIFY(!bad.error().message.empty());

        auto unknown = parseGgufFileType("q9_x");  // an unknown type never reaches the exporter
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().hint.find("q4_k_m") != std::string::npos);
    }
    void fullDiskIsAClearErrorAndLeavesNothing() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        auto src = srs::io::openWeightSource(model.toStdString());
        QVERIFY(src.ok());
        QuantizedModel m;
        m.source = *src;
        QTemporaryDir dir;
        const std::string out = (dir.path() + "/out").toStdString();
        GgufExportOptions opt;
        opt.file_type = *parseGgufFileType("q8_0");
        srs::Result<ExportReport> rep = srs::makeError(srs::ErrorCode::Internal, "not run");
        {
            srs::test::FileSizeLimit limit(64 * 1024);  // the Q8_0 file is ~290 KB
            QVERIFY(limit.active());
            rep = exportGguf(m, out, opt);
        }
        QVERIFY(!rep.ok());
        qInfo("%s", rep.error().message.c_str());
        QVERIFY2(rep.error().message.find(".gguf") != std::string::npos, rep.error().message.c_str());
        QVERIFY(!fs::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::Hidden), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestGgufExport)
#include "test_gguf_export.moc"
