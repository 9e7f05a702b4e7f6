#include "core/device/estimator.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include "core/data/dataset_source.h"
#include "core/export/gguf_export.h"
#include "core/export/gguf_plan.h"
#include "core/export/model_card.h"
#include "core/export/packed_export.h"
#include "core/io/atomic_file.h"
#include "core/job/export_format.h"
#include "core/quant/layer_config.h"

namespace fs = std::filesystem;

namespace srs::device {
namespace {

// The linear layers of a Llama-family decoder block, in the order of the forward pass (the same
// set model::blockLinearNames() tunes).
const std::vector<std::string>& blockLinears() {
    static const std::vector<std::string> kNames = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                                    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
    return kNames;
}

std::string modelBaseName(const std::string& model) {
    fs::path mp(model);
    std::error_code ec;
    std::string base = fs::is_regular_file(mp, ec) ? mp.stem().string() : mp.filename().string();
    if (base.empty()) base = mp.parent_path().filename().string();
    return base;
}

// The README.md the run writes beside an export, without the perplexity table (measured later).
std::string modelCardFor(const io::WeightSource& source, const job::JobConfig& c, const job::ExportFormat& f, const job::ExportFormat* first_gguf) {
    exporter::ModelCardInfo card;
    auto readme = io::readFile((fs::path(source.tokenizerFolder()) / "README.md").string());
    if (readme) card.source_readme = *readme;
    card.format = f.name;
    card.scheme = "W" + std::to_string(c.bits) + "A16 " + (c.group_size > 0 ? "G" + std::to_string(c.group_size) : std::string("per-channel")) +
                  (c.sym ? " sym" : " asym");
    if (f.isGguf()) {
        card.gguf_file = modelBaseName(c.model) + "-" + exporter::ggufFileTypeLabel(*f.gguf) + ".gguf";
        const std::string first = first_gguf ? first_gguf->name : f.name;
        card.scheme = "llama.cpp " + f.name.substr(5) + " mix, " +
                      (f.name == first ? std::string("each layer tuned in its ggml type")
                                       : "written from the layers tuned for " + first.substr(5) +
                                             " where its type is as coarse or coarser, from the original weights where finer");
    }
    card.recipe = c.recipe + " (" + std::to_string(c.effectiveIters()) + " iters, " + std::to_string(c.effectiveNsamples()) + " samples × " +
                  std::to_string(c.effectiveSeqlen()) + " tokens)";
    for (const auto& d : c.datasets) card.calibration.push_back(data::isHubDatasetValue(d) ? d : fs::path(d).filename().string());
    card.tool_version = SRS_VERSION;
    return exporter::renderModelCard(card);
}

}  // namespace

Result<std::vector<PlannedLayer>> planLayers(const io::WeightSource& source, const job::JobConfig& config) {
    job::JobConfig c = config;
    SRS_TRY(job::applyRecipe(c));
    auto formats = job::parseExportFormats(c.formats);
    if (!formats) return formats.error();
    const auto& mc = source.config();

    std::vector<PlannedLayer> layers;
    std::vector<std::string> names;
    for (int k = 0; k < mc.num_hidden_layers; ++k)
        for (const auto& l : blockLinears()) {
            const std::string name = "model.layers." + std::to_string(k) + "." + l;
            auto shape = source.shape(name + ".weight");
            if (!shape) return shape.error();
            if (shape->size() != 2) return makeError(ErrorCode::CorruptFile, name + ".weight is not a matrix");
            PlannedLayer p;
            p.name = name;
            p.block = k;
            p.out_features = (*shape)[0];
            p.in_features = (*shape)[1];
            layers.push_back(p);
            names.push_back(name);
        }

    quant::QuantScheme def{c.bits, c.group_size, c.sym};
    SRS_TRY(quant::validateScheme(def));
    auto lc = quant::parseLayerConfigText(c.layer_config);
    if (!lc) return lc.error();
    auto schemes = quant::resolveLayerSchemes(names, def, *lc, c.fp_layers);
    if (!schemes) return schemes.error();
    std::map<std::string, std::string> reason;
    for (const auto& [n, s] : *schemes)
        if (!s) reason[n] = "layer_config / fp_layers";

    // The first GGUF format sets each layer's scheme to the one its ggml type carries; keys the
    // user gave in layer_config / fp_layers keep what they asked for (as the pipeline does).
    const job::ExportFormat* gguf = nullptr;
    for (const auto& f : *formats)
        if (f.isGguf()) {
            gguf = &f;
            break;
        }
    if (gguf) {
        std::vector<exporter::GgufPlanInput> inputs;
        for (const auto& l : layers) inputs.push_back({l.name + ".weight", {l.out_features, l.in_features}});
        auto types = exporter::planGgufTypes(*gguf->gguf, mc, inputs);
        auto explicitly = quant::resolveLayerSchemes(names, quant::QuantScheme{}, *lc, c.fp_layers);
        if (!explicitly) return explicitly.error();
        const quant::QuantScheme plain{};
        for (const auto& n : names) {
            const auto& e = explicitly->at(n);
            const bool user_set = !e || e->bits != plain.bits || e->group_size != plain.group_size || e->sym != plain.sym;
            if (user_set && (!lc->empty() || !c.fp_layers.empty())) continue;
            const auto s = exporter::schemeForGgmlType(types.at(n + ".weight"));
            if (s) {
                quant::QuantScheme q;
                q.bits = s->bits;
                q.group_size = s->group_size;
                q.sym = s->sym;
                (*schemes)[n] = q;
                reason.erase(n);
            } else {
                (*schemes)[n].reset();
                reason[n] = "a float type in " + gguf->name;
            }
        }
    }

    for (auto& l : layers) {
        const auto& s = schemes->at(l.name);
        if (!s) {
            l.kept_reason = reason[l.name];
            continue;
        }
        for (const auto& f : *formats)
            if (!f.isGguf())
                if (auto ok = exporter::checkPackable(f.packed, l.out_features, l.in_features, s->bits, s->group_size); !ok) {
                    l.kept_reason = f.name + " cannot store it: " + ok.error().message;
                    break;
                }
        if (!l.kept_reason.empty()) continue;
        l.quantized = true;
        l.bits = s->bits;
        l.group_size = s->group_size;
        l.sym = s->sym;
    }
    return layers;
}

double blockForwardFlopsPerToken(const io::ModelConfig& mc, double block_linear_params, int seqlen) {
    const double heads = static_cast<double>(mc.num_attention_heads);
    const double hd = static_cast<double>(mc.head_dim > 0 ? mc.head_dim : mc.hidden_size / std::max<std::int64_t>(1, mc.num_attention_heads));
    return 2.0 * block_linear_params + 4.0 * seqlen * heads * hd;
}

Result<JobEstimate> estimateJob(const job::JobConfig& config, const MachineRates& rates) {
    auto source = io::openWeightSource(config.model);
    if (!source) return source.error();
    return estimateJob(*source, config, rates);
}

Result<JobEstimate> estimateJob(const std::shared_ptr<io::WeightSource>& source, const job::JobConfig& config, const MachineRates& rates) {
    if (!source) return makeError(ErrorCode::InvalidArgument, "no model to estimate");
    job::JobConfig c = config;
    SRS_TRY(job::applyRecipe(c));
    auto formats = job::parseExportFormats(c.formats);
    if (!formats) return formats.error();
    auto layers = planLayers(*source, c);
    if (!layers) return layers.error();

    JobEstimate e;
    e.layers = std::move(*layers);
    for (const auto& l : e.layers) e.layers_quantized += l.quantized ? 1 : 0;

    const auto& mc = source->config();
    const double N = c.effectiveNsamples(), T = c.effectiveSeqlen(), B = std::max(1, c.batch_size);
    const double H = static_cast<double>(mc.hidden_size), I = static_cast<double>(mc.intermediate_size);
    const double heads = static_cast<double>(mc.num_attention_heads);
    const double V = static_cast<double>(mc.vocab_size);
    const double cd = c.amp_dtype == "float32" ? 4.0 : 2.0;  // bytes per activation in the compute dtype
    const int iters = c.effectiveIters();
    const int blocks = static_cast<int>(mc.num_hidden_layers);

    // Per block: all its linear weights (P), and the ones being tuned (Pq).
    double P = 0, Pq = 0;
    for (const auto& l : e.layers)
        if (l.block == 0) {
            const double p = static_cast<double>(l.out_features) * static_cast<double>(l.in_features);
            P += p;
            if (l.quantized) Pq += p;
        }

    // Memory. One activation cache holds nsamples × seqlen × hidden values; at a block boundary
    // the FP inputs, FP outputs, quantized-chain inputs and the quantized outputs being assembled
    // (its pieces plus the concatenation) are alive: five caches. While tuning, three caches plus
    // the autograd graph of one mini-batch: per token about 8·hidden + 4·intermediate values of
    // the compute dtype, kept for backward and mirrored by the gradients. The reference path also
    // keeps, per head, a row of scores in fp32 (scaled, masked, softmax) and in the compute dtype;
    // the kernels path's tiled attention keeps none (it recomputes a tile's scores in backward)
    // and holds a few tiles of 256 query rows per thread.
    const double act = N * T * H * cd;
    const double block_weights = P * cd + P * 4.0;  // the block in the compute dtype + the mapped pages read
    const double tuned_weights = iters > 0 ? Pq * 4.0 * 6.0  // fp32 copy, V, its gradient, best V, qdq weight and its gradient
                                           : Pq * 4.0 * 3.0;  // fp32 copy, qdq weight, RTN result
    const bool kernels = c.kernels != "reference";
    const double per_token_graph = (8.0 * H + 4.0 * I) * cd + (kernels ? 0.0 : heads * T * (3.0 * 4.0 + cd));
    const double kv_group = std::max(1.0, heads / std::max<double>(1.0, static_cast<double>(mc.num_key_value_heads)));
    const double attention_tiles = kernels ? std::max(1u, std::thread::hardware_concurrency()) * kv_group * 256.0 * T * (4.0 * 4.0) : 0.0;  // scores, ∂p, probabilities, ∂s
    const double graph = iters > 0 ? 2.0 * B * T * per_token_graph + attention_tiles : 0.0;
    const double forward_batch = B * T * ((4.0 * H + 3.0 * I) * cd) + 8.0 * 1024 * 1024;  // no-grad block forward + one score chunk
    double tuning = block_weights + tuned_weights + std::max(3.0 * act + std::max(graph, forward_batch), 5.0 * act);
    // Calibration: the text files, their token ids, the embedding and the first cache.
    double text_bytes = 0;
    for (const auto& d : c.datasets) {
        std::error_code ec;
        const auto size = fs::file_size(d, ec);
        if (!ec) text_bytes += static_cast<double>(size);
    }
    const double calibration = 3.0 * text_bytes + N * T * 8.0 + V * H * cd + act;
    double peak = std::max(tuning, calibration);
    if (!c.eval_text.empty()) {
        // Perplexity: the whole model in float32 and the logits of a batch of 8 windows (and their log-softmax).
        double params = 0;
        for (const auto& n : source->tensorNames()) {
            auto shape = source->shape(n);
            if (!shape) continue;
            double p = 1;
            for (auto d : *shape) p *= static_cast<double>(d);
            params += p;
        }
        const double window = c.eval_window;
        peak = std::max(peak, params * 4.0 + 2.0 * 8.0 * window * V * 4.0);
    }
    e.job_memory_bytes = static_cast<std::uint64_t>(peak);
    e.peak_rss_bytes = rates.base_rss_bytes + e.job_memory_bytes;

    // Time. Tuning runs iters × accumulation steps mini-batches forward and backward (≈ 3
    // forwards) and four forwards over all samples (FP target, RTN and best loss, quantized output),
    // at the rate a measured tuning step runs.
    const double f_tok = blockForwardFlopsPerToken(mc, P, static_cast<int>(T));
    const double per_block = iters * c.gradient_accumulate_steps * 3.0 * B * T * f_tok + 4.0 * N * T * f_tok;
    e.flops = per_block * blocks;
    if (rates.tuning_gflops > 0) e.seconds = e.flops / (rates.tuning_gflops * 1e9);

    // Outputs, from the exporters' own plans.
    exporter::QuantizedModel qm;
    qm.source = source;
    qm.bits = c.bits;
    qm.group_size = c.group_size;
    qm.sym = c.sym;
    if (c.effectiveIters() != 200) qm.tuning["iters"] = c.effectiveIters();
    if (c.effectiveNsamples() != 128) qm.tuning["nsamples"] = c.effectiveNsamples();
    if (c.effectiveSeqlen() != 2048) qm.tuning["seqlen"] = c.effectiveSeqlen();
    if (c.batch_size != 8) qm.tuning["batch_size"] = c.batch_size;
    if (c.lr) qm.tuning["lr"] = *c.lr;
    if (c.minmax_lr) qm.tuning["minmax_lr"] = *c.minmax_lr;
    for (const auto& l : e.layers) {
        if (!l.quantized) {
            qm.fp_layers.push_back(l.name);
            continue;
        }
        exporter::QuantizedLayer q;
        q.name = l.name;
        q.bits = l.bits;
        q.group_size = l.group_size;
        q.sym = l.sym;
        q.out_features = l.out_features;
        q.in_features = l.in_features;
        q.has_bias = source->has(l.name + ".bias");
        qm.layers[l.name] = std::move(q);
    }
    const job::ExportFormat* first_gguf = nullptr;
    for (const auto& f : *formats)
        if (f.isGguf() && !first_gguf) first_gguf = &f;
    for (const auto& f : *formats) {
        const std::string card = modelCardFor(*source, c, f, first_gguf);
        std::uint64_t bytes = 0;
        if (f.isGguf()) {
            auto b = exporter::ggufExportFileBytes(*source, f.gguf->name, modelBaseName(c.model));
            if (!b) return b.error().withContext(f.name);
            bytes = *b + card.size();
        } else {
            exporter::PackedExportOptions o;
            o.format = f.packed;
            o.model_card = card;
            auto b = exporter::packedExportBytes(qm, o);
            if (!b) return b.error().withContext(f.name);
            bytes = *b;
        }
        e.outputs.push_back({f.name, bytes});
    }
    return e;
}

}  // namespace srs::device
