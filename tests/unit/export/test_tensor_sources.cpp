// Where an export's tensors come from, told before writing: a W4G128 sym run written as Q4_K_M
// uses none of its tuned scales (Q4_K stores W4G32 asym, Q6_K is finer), a run tuned for Q4_K_M
// is written from its tuned scales but for the never-tuned embedding and output, the writer
// takes exactly the decisions the plan announces, and planReexportSources reads them from a
// finished run folder.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "core/export/gguf_export.h"
#include "core/export/gguf_plan.h"
#include "core/export/tensor_sources.h"
#include "core/io/weight_source.h"
#include "core/job/block_store.h"
#include "core/job/job_config.h"
#include "core/job/reexport_plan.h"
#include "core/job/run_state.h"
#include "support/rtn_layer.h"
#include "support/test_paths.h"
#include "support/tiny_model.h"

using namespace srs::exporter;
using srs::io::GgmlType;
namespace fs = std::filesystem;

namespace {

// Two blocks with rows that suit k-quants (256 and 512 columns), untied output.
srs::test::TinyModelSpec kQuantSpec() {
    srs::test::TinyModelSpec spec;
    spec.hidden = 256;
    spec.intermediate = 512;
    spec.layers = 2;
    spec.heads = 4;
    spec.kv_heads = 2;
    spec.vocab = 512;
    spec.tied = false;
    return spec;
}

std::shared_ptr<srs::io::WeightSource> writeModel(const QString& folder) {
    srs::test::writeTinyModel(folder, kQuantSpec());
    auto src = srs::io::openWeightSource(folder.toStdString());
    return src.ok() ? *src : nullptr;
}

std::vector<std::string> blockLinears(const srs::io::WeightSource& src) {
    std::vector<std::string> out;
    for (int k = 0; k < src.config().num_hidden_layers; ++k)
        for (const auto& l : srs::io::decoderBlockLinearNames()) out.push_back("model.layers." + std::to_string(k) + "." + l);
    return out;
}

// Every block linear tuned in one scheme: schemes and shapes only, as a run folder lists them.
QuantizedModel runIn(std::shared_ptr<srs::io::WeightSource> src, srs::quant::QuantScheme scheme, bool with_data) {
    QuantizedModel m;
    m.source = src;
    for (const auto& name : blockLinears(*src)) {
        QuantizedLayer l;
        if (with_data) {
            l = srs::test::rtnLayer(name, *src->loadFloat(name + ".weight"), scheme.bits, scheme.group_size, scheme.sym);
        } else {
            auto shape = *src->shape(name + ".weight");
            l.name = name;
            l.out_features = shape[0];
            l.in_features = shape[1];
        }
        l.scheme = scheme;
        m.layers[name] = std::move(l);
    }
    return m;
}

// Every block linear tuned in the scheme its planned ggml type carries, as a run for that file type is.
QuantizedModel runFor(std::shared_ptr<srs::io::WeightSource> src, const std::string& file_type, bool with_data) {
    QuantizedModel m;
    m.source = src;
    std::vector<GgufPlanInput> inputs;
    for (const auto& n : src->tensorNames()) inputs.push_back({n, *src->shape(n)});
    for (const auto& [name, type] : planGgufTypes(*parseGgufFileType(file_type), src->config(), inputs)) {
        auto scheme = schemeForGgmlType(type);
        if (!scheme || name.rfind("model.layers.", 0) != 0) continue;
        const std::string layer = name.substr(0, name.size() - 7);
        QuantizedLayer l = with_data ? srs::test::rtnLayer(layer, *src->loadFloat(name), scheme->bits, scheme->group_size, scheme->sym)
                                     : QuantizedLayer{};
        l.name = layer;
        l.scheme = *scheme;
        auto shape = *src->shape(name);
        l.out_features = shape[0];
        l.in_features = shape[1];
        m.layers[layer] = std::move(l);
    }
    return m;
}

int countOf(const std::vector<GgufTensorOrigin>& origins, GgufTensorSource source, GgmlType type) {
    int n = 0;
    for (const auto& o : origins) n += o.source == source && o.type == type;
    return n;
}

bool hasReason(const TensorSources& s, int count, const std::string& part) {
    for (const auto& r : s.reasons)
        if (r.count == count && r.why.find(part) != std::string::npos) return true;
    return false;
}

}  // namespace

class TestTensorSources : public QObject {
    Q_OBJECT
private slots:
    void w4g128SymRunAsQ4KMUsesNoTunedScale() {
        QTemporaryDir dir;
        auto src = writeModel(dir.path() + "/m");
        QVERIFY(src);
        const QuantizedModel m = runIn(src, {4, 128, true}, false);
        auto origins = planGgufTensorOrigins(m, *parseGgufFileType("q4_k_m"));
        QVERIFY(origins.ok());
        // Two blocks: use_more_bits(i, 2) (integer n/8 = 0, 7n/8 = 1) holds for block 1 only, so its
        // attn_v and ffn_down are Q6_K, the other 12 linears Q4_K; the embedding Q4_K, the untied
        // output Q6_K, 5 norms F32.
        QCOMPARE(origins->size(), std::size_t(14 + 2 + 5));
        QCOMPARE(countOf(*origins, GgufTensorSource::TunedWeights, GgmlType::Q4_K), 12);
        QCOMPARE(countOf(*origins, GgufTensorSource::OriginalWeights, GgmlType::Q6_K), 2 + 1);
        QCOMPARE(countOf(*origins, GgufTensorSource::OriginalWeights, GgmlType::Q4_K), 1);  // the embedding
        QCOMPARE(countOf(*origins, GgufTensorSource::Float, GgmlType::F32), 5);

        auto s = ggufTensorSources(m, *parseGgufFileType("q4_k_m"));
        QVERIFY(s.ok());
        QCOMPARE(s->format, std::string("gguf:q4_k_m"));
        QCOMPARE(s->run_scheme, std::string("W4G128 sym"));
        QCOMPARE(s->tuned_layers, 14);
        QCOMPARE(s->quantized, 16);
        QCOMPARE(s->tuned_scales, 0);
        QCOMPARE(s->tuned_weights, 12);
        QCOMPARE(s->original, 4);
        QCOMPARE(s->float_kept, 5);
        QVERIFY(s->tuningUnused());
        QVERIFY(hasReason(*s, 12, "tuned as W4G128 sym, but Q4_K stores W4G32 asym"));
        QVERIFY(hasReason(*s, 2, "Q6_K (W6G16 sym) is finer"));
        QVERIFY(hasReason(*s, 2, "never tuned"));
        QCOMPARE(s->reasons.size(), std::size_t(3));
        QCOMPARE(s->reasons.front().count, 12);  // most frequent first
        QCOMPARE(describeTensorSources(*s), std::string("0 of 16 tensors from SignRound's tuned scales, 12 rounded to nearest again from the "
                                                        "tuned weights, 4 quantized from the original weights (round-to-nearest), 5 kept as floats"));
        const std::string warning = tuningUnusedWarning(*s);
        QVERIFY2(warning.find("no tensor of gguf:q4_k_m uses SignRound's tuned scales") != std::string::npos, warning.c_str());
        QVERIFY2(warning.find("no better than plain RTN") != std::string::npos, warning.c_str());
        QVERIFY2(warning.find("--format gguf:q4_k_m") != std::string::npos, warning.c_str());
        const auto lines = tensorSourceReasonLines(*s);
        QCOMPARE(lines.size(), s->reasons.size());
        QVERIFY2(lines.front().rfind("12 tensors: tuned as W4G128 sym", 0) == 0, lines.front().c_str());
    }

    void q4KMTunedRunIsWrittenFromItsScales() {
        QTemporaryDir dir;
        auto src = writeModel(dir.path() + "/m");
        QVERIFY(src);
        const QuantizedModel m = runFor(src, "q4_k_m", false);
        QCOMPARE(m.layers.size(), std::size_t(14));
        auto origins = planGgufTensorOrigins(m, *parseGgufFileType("q4_k_m"));
        QVERIFY(origins.ok());
        // Every Q4_K layer and every Q6_K layer tuned in the scheme its type carries.
        QCOMPARE(countOf(*origins, GgufTensorSource::TunedScales, GgmlType::Q4_K), 12);
        QCOMPARE(countOf(*origins, GgufTensorSource::TunedScales, GgmlType::Q6_K), 2);
        auto s = ggufTensorSources(m, *parseGgufFileType("q4_k_m"));
        QVERIFY(s.ok());
        QCOMPARE(s->tuned_scales, 14);
        QCOMPARE(s->tuned_weights, 0);
        QCOMPARE(s->original, 2);  // the embedding and the output, never tuned
        QVERIFY(!s->tuningUnused());
        QVERIFY(tuningUnusedWarning(*s).empty());
        QCOMPARE(s->reasons.size(), std::size_t(1));
        QVERIFY(hasReason(*s, 2, "never tuned"));
        QCOMPARE(s->run_scheme, std::string("12× W4G32 asym, 2× W6G16 sym"));
        QCOMPARE(describeTensorSources(*s), std::string("14 of 16 tensors from SignRound's tuned scales, 2 quantized from the original weights "
                                                        "(round-to-nearest), 5 kept as floats"));

        // The same run as Q8_0 (finer than every tuned layer) and as F16 uses none of the tuning.
        auto q8 = ggufTensorSources(m, *parseGgufFileType("q8_0"));
        QVERIFY(q8.ok());
        QCOMPARE(q8->tuned_scales, 0);
        QCOMPARE(q8->original, 16);
        QVERIFY(q8->tuningUnused());
        QVERIFY(tuningUnusedWarning(*q8).find("equals plain round-to-nearest (RTN) quantization of the original weights") != std::string::npos);
        auto f16 = ggufTensorSources(m, *parseGgufFileType("f16"));
        QVERIFY(f16.ok());
        QCOMPARE(f16->quantized, 0);
        QVERIFY(f16->tuningUnused());
        QVERIFY(tuningUnusedWarning(*f16).find("the file is the original model") != std::string::npos);
        QVERIFY(hasReason(*f16, 12, "tuned as W4G32 asym, but written as F16 (a float type): kept from the original weights"));
        QVERIFY(hasReason(*f16, 2, "tuned as W6G16 sym, but written as F16 (a float type)"));
    }

    void packedFormatsCarryEveryTunedLayer() {
        QTemporaryDir dir;
        auto src = writeModel(dir.path() + "/m");
        QVERIFY(src);
        const TensorSources s = packedTensorSources(runIn(src, {4, 128, true}, false), "auto_gptq");
        QCOMPARE(s.quantized, 14);
        QCOMPARE(s.tuned_scales, 14);
        QVERIFY(!s.tuningUnused());
        QCOMPARE(describeTensorSources(s), std::string("14 of 14 tensors from SignRound's tuned scales"));
        QVERIFY(s.reasons.empty());

        // Layers the run kept in full precision are said to be floats, with the reason.
        QuantizedModel partly = runIn(src, {4, 128, true}, false);
        partly.layers.erase("model.layers.1.mlp.down_proj");
        partly.fp_layers = {"model.layers.1.mlp.down_proj"};
        const TensorSources p = packedTensorSources(partly, "auto_round");
        QCOMPARE(describeTensorSources(p), std::string("13 of 13 tensors from SignRound's tuned scales, 1 kept as floats"));
        QVERIFY(hasReason(p, 1, "kept in full precision by the run"));
        QVERIFY(!p.tuningUnused());
    }

    // The writer follows the plan: its counts equal the announced ones for runs in the tuned
    // scheme, in another scheme, and in a finer type.
    void theWriterTakesThePlannedDecisions_data() {
        QTest::addColumn<QString>("run");
        QTest::addColumn<QString>("type");
        QTest::newRow("W4G128 sym as q4_k_m") << "w4g128" << "q4_k_m";
        QTest::newRow("q4_k_m run as q4_k_m") << "q4_k_m" << "q4_k_m";
        QTest::newRow("q4_k_m run as q8_0") << "q4_k_m" << "q8_0";
        QTest::newRow("W4G32 sym as q4_0") << "w4g32" << "q4_0";
        QTest::newRow("q4_k_m run as q2_k_s") << "q4_k_m" << "q2_k_s";
    }
    void theWriterTakesThePlannedDecisions() {
        QFETCH(QString, run);
        QFETCH(QString, type);
        SRS_REQUIRE_SHARED(tok, "models/stories260K-hf/tokenizer.model");
        QTemporaryDir dir;
        const QString folder = dir.path() + "/m";
        srs::test::writeTinyModel(folder, kQuantSpec());
        QVERIFY(QFile::copy(tok, folder + "/tokenizer.model"));
        auto src = srs::io::openWeightSource(folder.toStdString());
        QVERIFY(src.ok());
        const QuantizedModel m = run == "w4g128" ? runIn(*src, {4, 128, true}, true)
                               : run == "w4g32"  ? runIn(*src, {4, 32, true}, true)
                                                 : runFor(*src, run.toStdString(), true);
        const GgufFileType ft = *parseGgufFileType(type.toStdString());
        auto planned = ggufTensorSources(m, ft);
        QVERIFY(planned.ok());
        GgufExportOptions opt;
        opt.file_type = ft;
        opt.model_name = "tiny";
        GgufTensorStats stats;
        auto rep = exportGguf(m, (dir.path() + "/out").toStdString(), opt, {}, {}, &stats);
        QVERIFY2(rep.ok(), rep.ok() ? "" : rep.error().message.c_str());
        qInfo("%s → %s: %s", qPrintable(run), qPrintable(type), describeTensorSources(*planned).c_str());
        QCOMPARE(stats.tuned, planned->tuned_scales);
        QCOMPARE(stats.from_tuned_weights, planned->tuned_weights);
        QCOMPARE(stats.from_original, planned->original);
        QCOMPARE(stats.requantized, planned->tuned_weights + planned->original);
        QCOMPARE(stats.float_kept, planned->float_kept);
    }

    // From a finished run folder: its state, its source model and its block files' schemes.
    void planReexportSourcesReadsTheRunFolder() {
        QTemporaryDir dir;
        const QString folder = dir.path() + "/m";
        auto src = writeModel(folder);
        QVERIFY(src);
        const std::string run_dir = (dir.path() + "/run").toStdString();
        fs::create_directories(run_dir);
        const QuantizedModel m = runIn(src, {4, 128, true}, true);
        for (int k = 0; k < 2; ++k) {
            std::vector<QuantizedLayer> layers;
            for (const auto& [name, l] : m.layers)
                if (name.rfind("model.layers." + std::to_string(k) + ".", 0) == 0) layers.push_back(l);
            QVERIFY(srs::job::writeBlockFile(run_dir, k, layers, {}).ok());
        }
        srs::job::JobConfig c;
        c.model = folder.toStdString();
        srs::job::RunState st;
        st.fingerprint = srs::job::settingsFingerprint(c);
        st.num_blocks = 2;
        st.next_block = 2;
        st.finished = false;
        st.model = c.model;
        QVERIFY(srs::job::writeRunState(run_dir, st).ok());
        auto unfinished = srs::job::planReexportSources(run_dir, {"gguf:q4_k_m"});
        QVERIFY(!unfinished.ok());
        QVERIFY(unfinished.error().message.find("has not finished") != std::string::npos);

        st.finished = true;
        QVERIFY(srs::job::writeRunState(run_dir, st).ok());
        auto planned = srs::job::planReexportSources(run_dir, {"gguf:q4_k_m", "auto_gptq", "gguf:q4_0"});
        QVERIFY2(planned.ok(), planned.ok() ? "" : planned.error().message.c_str());
        QCOMPARE(planned->size(), std::size_t(3));
        QCOMPARE((*planned)[0].format, std::string("gguf:q4_k_m"));
        QCOMPARE((*planned)[0].tuned_scales, 0);
        QCOMPARE((*planned)[0].tuned_weights, 12);
        QVERIFY((*planned)[0].tuningUnused());
        QCOMPARE((*planned)[1].tuned_scales, 14);
        // Q4_0 is W4G32 sym: finer groups than the tuned G128, so rounded again from the tuned weights.
        QCOMPARE((*planned)[2].tuned_scales, 0);
        QVERIFY(hasReason((*planned)[2], 14, "Q4_0 stores W4G32 sym"));

        auto bad = srs::job::planReexportSources(run_dir, {"gguf:q9_x"});
        QVERIFY(!bad.ok());
        auto missing = srs::job::planReexportSources((dir.path() + "/nowhere").toStdString(), {"fake"});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("state.json") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestTensorSources)
#include "test_tensor_sources.moc"
