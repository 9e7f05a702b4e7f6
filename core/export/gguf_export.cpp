#include "core/export/gguf_export.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/export/exporter.h"
#include "core/export/gguf_plan.h"
#include "core/export/gguf_vocab.h"
#include "core/io/atomic_file.h"
#include "core/io/dtype.h"
#include "core/io/ggml_quants.h"
#include "core/io/gguf_writer.h"

namespace fs = std::filesystem;

namespace srs::exporter {
namespace {

using io::GgmlType;

// HF row order → llama.cpp's: within each head the two rotary halves are interleaved, so GGUF row
// (h, i, j) (i < d/2, j ∈ {0, 1}) holds HF row (h, j, i).
std::vector<std::int64_t> ropeRowOrder(std::int64_t rows, std::int64_t heads) {
    std::vector<std::int64_t> from(static_cast<std::size_t>(rows));
    const std::int64_t half = rows / heads / 2;
    for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t i = 0; i < half; ++i)
            for (std::int64_t j = 0; j < 2; ++j) from[(h * half + i) * 2 + j] = h * 2 * half + j * half + i;
    return from;
}

template <typename T>
std::vector<T> permuteRows(const std::vector<T>& v, const std::vector<std::int64_t>& from, std::int64_t cols) {
    std::vector<T> out(v.size());
    for (std::size_t r = 0; r < from.size(); ++r)
        std::memcpy(&out[r * cols], &v[static_cast<std::size_t>(from[r] * cols)], static_cast<std::size_t>(cols) * sizeof(T));
    return out;
}

std::vector<std::uint8_t> floatBytes(GgmlType type, const std::vector<float>& v) {
    std::vector<std::uint8_t> b;
    if (type == GgmlType::F32) {
        b.resize(v.size() * 4);
        std::memcpy(b.data(), v.data(), b.size());
        return b;
    }
    b.resize(v.size() * 2);
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::uint16_t h = type == GgmlType::F16 ? io::floatToHalf(v[i]) : io::floatToBf16(v[i]);
        std::memcpy(&b[2 * i], &h, 2);
    }
    return b;
}

Status addHyperParameters(io::GgufWriter& w, const io::ModelConfig& c) {
    if (c.model_type != "llama" && c.model_type != "mistral")
        return makeError(ErrorCode::Unsupported, "GGUF export writes llama-architecture models; this one is '" + c.model_type + "'",
                         "export it as auto_round / auto_gptq / auto_awq");
    if (c.attention_bias || c.qk_norm)
        return makeError(ErrorCode::Unsupported, "GGUF export of llama models with attention biases or q/k norms is not supported");
    const std::string& st = c.rope_scaling.type;
    if (!st.empty() && st != "linear" && st != "default")
        return makeError(ErrorCode::Unsupported, "GGUF export does not write '" + st + "' RoPE scaling yet",
                         "export it as auto_round / auto_gptq / auto_awq");
    const std::int64_t head_dim = c.head_dim > 0 ? c.head_dim : c.hidden_size / c.num_attention_heads;
    w.setU32("llama.block_count", static_cast<std::uint32_t>(c.num_hidden_layers));
    w.setU32("llama.context_length", static_cast<std::uint32_t>(c.max_position_embeddings > 0 ? c.max_position_embeddings : 2048));
    w.setU32("llama.embedding_length", static_cast<std::uint32_t>(c.hidden_size));
    w.setU32("llama.feed_forward_length", static_cast<std::uint32_t>(c.intermediate_size));
    w.setU32("llama.attention.head_count", static_cast<std::uint32_t>(c.num_attention_heads));
    w.setU32("llama.attention.head_count_kv", static_cast<std::uint32_t>(c.num_key_value_heads > 0 ? c.num_key_value_heads : c.num_attention_heads));
    w.setF32("llama.rope.freq_base", static_cast<float>(c.rope_theta));
    w.setF32("llama.attention.layer_norm_rms_epsilon", static_cast<float>(c.rms_norm_eps));
    w.setU32("llama.vocab_size", static_cast<std::uint32_t>(c.vocab_size));
    w.setU32("llama.rope.dimension_count", static_cast<std::uint32_t>(head_dim));
    if (head_dim * c.num_attention_heads != c.hidden_size) {
        w.setU32("llama.attention.key_length", static_cast<std::uint32_t>(head_dim));
        w.setU32("llama.attention.value_length", static_cast<std::uint32_t>(head_dim));
    }
    if (st == "linear") {
        w.setString("llama.rope.scaling.type", "linear");
        w.setF32("llama.rope.scaling.factor", static_cast<float>(c.rope_scaling.factor));
    }
    return {};
}

struct PlannedTensor {
    std::string hf, gguf;
    std::vector<std::int64_t> shape;  // HF order
    GgmlType type;
    std::uint64_t bytes = 0;
};

}  // namespace

std::string ggufTensorName(const std::string& g) {
    static const std::regex kBlock(R"(^model\.layers\.(\d+)\.(.+)\.(weight|bias)$)");
    static const std::map<std::string, std::string> kParts = {
        {"self_attn.q_proj", "attn_q"},      {"self_attn.k_proj", "attn_k"},    {"self_attn.v_proj", "attn_v"},
        {"self_attn.o_proj", "attn_output"}, {"mlp.gate_proj", "ffn_gate"},     {"mlp.up_proj", "ffn_up"},
        {"mlp.down_proj", "ffn_down"},       {"input_layernorm", "attn_norm"},  {"post_attention_layernorm", "ffn_norm"}};
    if (g == "model.embed_tokens.weight") return "token_embd.weight";
    if (g == "model.norm.weight") return "output_norm.weight";
    if (g == "lm_head.weight") return "output.weight";
    std::smatch m;
    if (std::regex_match(g, m, kBlock)) {
        auto it = kParts.find(m[2].str());
        if (it != kParts.end()) return "blk." + m[1].str() + "." + it->second + "." + m[3].str();
    }
    return "";
}

namespace {

// Every tensor of the file with its HF and llama.cpp names, its planned type and its size, in
// llama.cpp's usual order: embedding, blocks, final norm, output. Shapes only.
Result<std::vector<PlannedTensor>> planGgufTensors(const io::WeightSource& source, const GgufFileType& ft) {
    std::vector<GgufPlanInput> inputs;
    for (const auto& n : source.tensorNames()) {
        if (n.find("rotary_emb.inv_freq") != std::string::npos) continue;
        if (ggufTensorName(n).empty())
            return makeError(ErrorCode::Unsupported, "tensor '" + n + "' has no place in a llama GGUF", "export it as auto_round instead");
        auto shape = source.shape(n);
        if (!shape) return shape.error();
        inputs.push_back({n, *shape});
    }
    auto types = planGgufTypes(ft, source.config(), inputs);
    auto rank = [](const std::string& hf) -> std::pair<long, int> {
        static const std::vector<std::string> kOrder = {"input_layernorm", "q_proj", "k_proj", "v_proj", "o_proj", "post_attention_layernorm",
                                                        "gate_proj", "up_proj", "down_proj"};
        if (hf == "model.embed_tokens.weight") return {-1, 0};
        if (hf == "model.norm.weight") return {1L << 30, 0};
        if (hf == "lm_head.weight") return {1L << 30, 1};
        static const std::regex kBlock(R"(^model\.layers\.(\d+)\.)");
        std::smatch mm;
        long layer = std::regex_search(hf, mm, kBlock) ? std::stol(mm[1].str()) : (1L << 29);
        for (std::size_t i = 0; i < kOrder.size(); ++i)
            if (hf.find(kOrder[i]) != std::string::npos) return {layer, static_cast<int>(i)};
        return {layer, 99};
    };
    std::stable_sort(inputs.begin(), inputs.end(), [&](const GgufPlanInput& a, const GgufPlanInput& b) { return rank(a.hf_name) < rank(b.hf_name); });

    std::vector<PlannedTensor> plan;
    for (const auto& in : inputs) {
        PlannedTensor p{in.hf_name, ggufTensorName(in.hf_name), in.shape, types.at(in.hf_name), 0};
        const std::int64_t cols = in.shape.back();
        std::int64_t rows = 1;
        for (std::size_t i = 0; i + 1 < in.shape.size(); ++i) rows *= in.shape[i];
        p.bytes = static_cast<std::uint64_t>(rows * io::ggml::rowBytes(p.type, cols));
        plan.push_back(std::move(p));
    }
    return plan;
}

// The file's metadata, vocabulary and tensor infos, and the type and size of every tensor.
Status planGgufFile(const io::WeightSource& source, const GgufFileType& ft, const std::string& name, io::GgufWriter& w,
                    std::vector<PlannedTensor>& plan) {
    w.setString("general.architecture", "llama");
    w.setString("general.type", "model");
    w.setString("general.name", name);
    SRS_TRY(addHyperParameters(w, source.config()));
    w.setU32("general.file_type", ft.llama_ftype);
    w.setU32("general.quantization_version", 2);
    SRS_TRY(addGgufVocabulary(w, source));
    auto tensors = planGgufTensors(source, ft);
    if (!tensors) return tensors.error();
    plan = std::move(*tensors);
    for (const auto& p : plan) {
        std::vector<std::uint64_t> ne(p.shape.rbegin(), p.shape.rend());
        SRS_TRY(w.addTensor(p.gguf, ne, static_cast<std::uint32_t>(p.type), p.bytes));
    }
    return {};
}

bool isFloatType(GgmlType t) { return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16; }

std::string typeName(GgmlType t) { return io::ggmlTypeName(static_cast<std::uint32_t>(t)); }

// Where a tensor's bytes come from. A float type holds the original weights (a tuned layer would
// only lose precision there). A tuned layer is written from its scales and integers when its
// ggml type carries the tuned scheme exactly; a type finer than the tuned grid would only store
// the tuned scheme's few levels (a Q8_0 written from 4-bit weights is a 4-bit model), so it gets
// the original weights; types as coarse as the tuned scheme or coarser start from the tuned
// weights, whose rounding SignRound chose. Every other tensor comes from the original weights.
// The writer and planGgufTensorOrigins both decide here.
GgufTensorOrigin originOf(const QuantizedModel& m, const GgufFileType& ft, const PlannedTensor& p) {
    GgufTensorOrigin o{p.hf, p.type, GgufTensorSource::OriginalWeights, false, {}};
    const bool weight = p.hf.size() > 7 && p.hf.compare(p.hf.size() - 7, 7, ".weight") == 0;
    const std::string layer = weight ? p.hf.substr(0, p.hf.size() - 7) : p.hf;
    auto it = weight ? m.layers.find(layer) : m.layers.end();
    o.tuned_layer = it != m.layers.end();
    if (isFloatType(p.type)) {
        o.source = GgufTensorSource::Float;
        if (o.tuned_layer)
            o.reason = "tuned as " + it->second.scheme.name() + ", but written as " + typeName(p.type) +
                       (isFloatType(ft.base) ? std::string(" (a float type)")
                                             : " (rows of " + std::to_string(p.shape.back()) + " fit no quantized type of this mix)") +
                       ": kept from the original weights";
        return o;
    }
    if (!o.tuned_layer) {
        const bool block_linear = std::find(m.fp_layers.begin(), m.fp_layers.end(), layer) != m.fp_layers.end();
        o.reason = block_linear ? "not tuned (kept in full precision by the run): quantized from the original weights"
                                : "never tuned (SignRound tunes the decoder blocks' linear layers): quantized from the original weights";
        return o;
    }
    const quant::QuantScheme& tuned = it->second.scheme;
    const auto carried = schemeForGgmlType(p.type);
    if (carried && carried->bits > tuned.bits) {
        o.reason = "tuned as " + tuned.name() + ", but " + typeName(p.type) + " (" + carried->name() + ") is finer: quantized from the original weights";
        return o;
    }
    const std::int64_t cols = p.shape.back();
    const bool exact = carried && carried->bits == tuned.bits && carried->sym == tuned.sym && it->second.groupSize() == carried->group_size &&
                       cols % carried->group_size == 0;
    o.source = exact ? GgufTensorSource::TunedScales : GgufTensorSource::TunedWeights;
    if (!exact)
        o.reason = "tuned as " + tuned.name() + ", but " + typeName(p.type) +
                   (carried ? " stores " + carried->name() : std::string(" carries no SignRound scheme")) +
                   ": rounded to nearest again from the tuned weights";
    return o;
}

}  // namespace

namespace {

// Produces the bytes of each planned tensor: a tuned layer from SignRound's scales and integers
// when its ggml type carries the tuned scheme exactly, else quantized (or kept as floats) from
// the tuned weights, or from the original ones where the type is finer than the tuned grid.

// A source tensor written as it is (converted or requantized) must be finite: a NaN or infinity
// would be exported as a weight. The error names the tensor, the count and the first position.
Status checkFiniteSource(const std::vector<float>& v, const std::string& name, const std::string& path) {
    std::size_t bad = 0, first = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]) && bad++ == 0) first = i;
    if (bad == 0) return {};
    return makeError(ErrorCode::InvalidArgument,
                     "the source tensor " + name + " of " + path + " holds " + std::to_string(bad) + " NaN or infinite value" +
                         (bad == 1 ? "" : "s") + " among " + std::to_string(v.size()) + " (the first at element " + std::to_string(first) +
                         "); nothing was exported",
                     "the model file is damaged or was saved from a diverged training run; re-download or re-convert it");
}

class GgufTensorWriter {
public:
    GgufTensorWriter(const QuantizedModel& m, const GgufFileType& ft, const std::vector<PlannedTensor>& plan) : m_(m), ft_(ft), plan_(plan) {}

    Result<std::vector<std::uint8_t>> produce(std::size_t i) {
        const PlannedTensor& p = plan_[i];
        const std::int64_t cols = p.shape.back();
        const std::int64_t rows = static_cast<std::int64_t>(p.bytes / io::ggml::rowBytes(p.type, cols));
        const std::int64_t heads = headsOf(p.hf);
        std::vector<std::int64_t> order;
        if (heads > 0) order = ropeRowOrder(rows, heads);
        const std::string layer = p.hf.size() > 7 ? p.hf.substr(0, p.hf.size() - 7) : p.hf;
        const GgufTensorOrigin origin = originOf(m_, ft_, p);
        if (origin.source == GgufTensorSource::Float) return floatTensor(p, order);
        if (origin.source != GgufTensorSource::OriginalWeights) return tunedTensor(p, layer, rows, order, origin.source);
        auto t = m_.source->loadFloat(p.hf);
        if (!t) return t.error();
        SRS_TRY(checkFiniteSource(t->data, p.hf, m_.source->path()));
        std::vector<float> v = std::move(t->data);
        if (!order.empty()) v = permuteRows(v, order, cols);
        std::vector<std::uint8_t> out(p.bytes);
        SRS_TRY(io::ggml::quantizeRows(p.type, v.data(), rows, cols, out.data()));
        ++stats.requantized;
        ++stats.from_original;
        return out;
    }

    GgufTensorStats stats;

private:
    // q and k rows are permuted into llama.cpp's RoPE layout, one head at a time.
    std::int64_t headsOf(const std::string& hf) const {
        const io::ModelConfig& cfg = m_.source->config();
        if (hf.find("self_attn.q_proj.weight") != std::string::npos) return cfg.num_attention_heads;
        if (hf.find("self_attn.k_proj.weight") != std::string::npos) return cfg.num_key_value_heads > 0 ? cfg.num_key_value_heads : cfg.num_attention_heads;
        return 0;
    }

    // Float types hold the original weights: a tuned layer would only lose precision there.
    Result<std::vector<std::uint8_t>> floatTensor(const PlannedTensor& p, const std::vector<std::int64_t>& order) {
        auto t = m_.source->loadFloat(p.hf);
        if (!t) return t.error();
        SRS_TRY(checkFiniteSource(t->data, p.hf, m_.source->path()));
        std::vector<float> v = std::move(t->data);
        if (!order.empty()) v = permuteRows(v, order, p.shape.back());
        ++stats.float_kept;
        return floatBytes(p.type, v);
    }

    // From the tuned layer: its scales and integers as they are (TunedScales), or its weights
    // rounded to nearest onto the type's grid (TunedWeights).
    Result<std::vector<std::uint8_t>> tunedTensor(const PlannedTensor& p, const std::string& layer, std::int64_t rows,
                                                  const std::vector<std::int64_t>& order, GgufTensorSource source) {
        const std::int64_t cols = p.shape.back();
        auto l = m_.layerData(layer);
        if (!l) return l.error();
        std::vector<float> w_qdq = l->dequantize();
        std::vector<std::uint8_t> out(p.bytes);
        if (source != GgufTensorSource::TunedScales) {
            if (!order.empty()) w_qdq = permuteRows(w_qdq, order, cols);
            SRS_TRY(io::ggml::quantizeRows(p.type, w_qdq.data(), rows, cols, out.data()));
            ++stats.requantized;
            ++stats.from_tuned_weights;
            return out;
        }
        const std::int64_t groups = cols / l->groupSize();
        std::vector<float> scales(l->scales), mins(static_cast<std::size_t>(rows * groups));
        for (std::size_t g = 0; g < mins.size(); ++g) mins[g] = static_cast<float>(l->zeros[g]) * l->scales[g];
        if (!order.empty()) {
            w_qdq = permuteRows(w_qdq, order, cols);
            scales = permuteRows(scales, order, groups);
            mins = permuteRows(mins, order, groups);
        }
        const std::int64_t rb = io::ggml::rowBytes(p.type, cols);
        for (std::int64_t r = 0; r < rows; ++r) {
            auto bytes = io::ggml::quantizeWithGroupScales(p.type, &w_qdq[r * cols], cols, &scales[r * groups], &mins[r * groups]);
            if (!bytes) return bytes.error().withContext(p.hf);
            std::memcpy(&out[r * rb], bytes->data(), static_cast<std::size_t>(rb));
        }
        ++stats.tuned;
        return out;
    }

    const QuantizedModel& m_;
    const GgufFileType& ft_;
    const std::vector<PlannedTensor>& plan_;
};

std::string modelNameOr(const std::string& name) { return name.empty() ? "model" : name; }

}  // namespace

Result<std::vector<GgufTensorOrigin>> planGgufTensorOrigins(const QuantizedModel& model, const GgufFileType& file_type) {
    if (!model.source) return makeError(ErrorCode::InvalidArgument, "export without a source model");
    auto plan = planGgufTensors(*model.source, file_type);
    if (!plan) return plan.error();
    std::vector<GgufTensorOrigin> out;
    out.reserve(plan->size());
    for (const auto& p : *plan) out.push_back(originOf(model, file_type, p));
    return out;
}

std::string ggufExportFileName(const GgufFileType& type, const std::string& model_name) {
    return modelNameOr(model_name) + "-" + ggufFileTypeLabel(type) + ".gguf";
}

Result<std::uint64_t> ggufExportFileBytes(const io::WeightSource& source, const GgufFileType& file_type, const std::string& model_name) {
    io::GgufWriter w;
    std::vector<PlannedTensor> plan;
    SRS_TRY(planGgufFile(source, file_type, modelNameOr(model_name), w, plan));
    return w.fileBytes();
}

Result<ExportReport> exportGguf(const QuantizedModel& m, const std::string& output_dir, const GgufExportOptions& opt,
                                const ExportProgressFn& progress, const CancelToken& cancel, GgufTensorStats* stats_out) {
    if (!m.source) return makeError(ErrorCode::InvalidArgument, "export without a source model");
    const GgufFileType& ft = opt.file_type;
    io::GgufWriter w;
    std::vector<PlannedTensor> plan;
    SRS_TRY(planGgufFile(*m.source, ft, modelNameOr(opt.model_name), w, plan));

    std::uint64_t total = w.headerBytes().size();
    for (const auto& p : plan) total += p.bytes + 32;
    SRS_TRY(ensureFreeDisk(output_dir, total, "GGUF export"));

    auto staging = io::StagingDir::create(output_dir);
    if (!staging) return staging.error();
    GgufTensorWriter tensors(m, ft, plan);
    auto produce = [&](std::size_t i) -> Result<std::vector<std::uint8_t>> {
        SRS_TRY(cancel.check("exporting GGUF"));
        if (progress) progress(static_cast<int>(i), static_cast<int>(plan.size()), plan[i].gguf);
        return tensors.produce(i);
    };
    auto written = w.write(staging->path() + "/" + ggufExportFileName(ft, opt.model_name), produce, {}, cancel);
    if (!written) return written.error();
    if (!opt.model_card.empty()) SRS_TRY(io::writeFileAtomic(staging->path() + "/README.md", opt.model_card));
    SRS_TRY(cancel.check("finishing the export"));
    SRS_TRY(staging->commit());
    if (progress) progress(static_cast<int>(plan.size()), static_cast<int>(plan.size()), "done");
    const GgufTensorStats& stats = tensors.stats;
    log::info("GGUF " + ggufFileTypeLabel(ft) + ": " + std::to_string(stats.tuned) + " tensors from SignRound's tuned scales, " +
              std::to_string(stats.from_tuned_weights) + " rounded again from the tuned weights, " + std::to_string(stats.from_original) +
              " quantized from the original weights, " + std::to_string(stats.float_kept) + " kept as floats");
    if (stats_out) *stats_out = stats;
    return reportOfFolder(staging->finalPath(), "gguf:" + ft.name);
}

}  // namespace srs::exporter
