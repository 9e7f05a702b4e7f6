#include "core/export/tensor_sources.h"

#include <algorithm>
#include <map>

#include "core/export/gguf_export.h"

namespace srs::exporter {
namespace {

// "W4G128 sym" when every tuned layer has it, else "24× W4G32 asym, 6× W6G16 sym" (most first).
std::string runSchemeOf(const QuantizedModel& model) {
    std::map<std::string, int> counts;
    for (const auto& [name, l] : model.layers) ++counts[l.scheme.name()];
    if (counts.size() == 1) return counts.begin()->first;
    std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string out;
    for (const auto& [scheme, n] : sorted) out += (out.empty() ? "" : ", ") + std::to_string(n) + "× " + scheme;
    return out;
}

std::string plural(int n, const std::string& one, const std::string& many) { return std::to_string(n) + " " + (n == 1 ? one : many); }

}  // namespace

Result<TensorSources> ggufTensorSources(const QuantizedModel& model, const GgufFileType& file_type) {
    auto origins = planGgufTensorOrigins(model, file_type);
    if (!origins) return origins.error();
    TensorSources s;
    s.format = "gguf:" + file_type.name;
    s.run_scheme = runSchemeOf(model);
    s.tuned_layers = static_cast<int>(model.layers.size());
    std::map<std::string, int> reasons;
    for (const auto& o : *origins) {
        switch (o.source) {
            case GgufTensorSource::TunedScales: ++s.tuned_scales; break;
            case GgufTensorSource::TunedWeights: ++s.tuned_weights; break;
            case GgufTensorSource::OriginalWeights: ++s.original; break;
            case GgufTensorSource::Float: ++s.float_kept; break;
        }
        if (!o.reason.empty()) ++reasons[o.reason];
    }
    s.quantized = s.tuned_scales + s.tuned_weights + s.original;
    for (const auto& [why, n] : reasons) s.reasons.push_back({n, why});
    std::stable_sort(s.reasons.begin(), s.reasons.end(), [](const TensorSourceReason& a, const TensorSourceReason& b) { return a.count > b.count; });
    return s;
}

TensorSources packedTensorSources(const QuantizedModel& model, const std::string& format) {
    TensorSources s;
    s.format = format;
    s.run_scheme = runSchemeOf(model);
    s.tuned_layers = static_cast<int>(model.layers.size());
    s.quantized = s.tuned_layers;
    s.tuned_scales = s.tuned_layers;
    // Block linears the run kept in full precision are written as floats (embedding, norms and
    // output are not counted: packed formats never quantize them).
    s.float_kept = static_cast<int>(model.fp_layers.size());
    if (s.float_kept > 0) s.reasons.push_back({s.float_kept, "not tuned (kept in full precision by the run): kept as floats"});
    return s;
}

std::string describeTensorSources(const TensorSources& s) {
    std::string out;
    if (s.quantized == 0)
        out = "no tensor quantized";
    else
        out = std::to_string(s.tuned_scales) + " of " + plural(s.quantized, "tensor", "tensors") + " from SignRound's tuned scales";
    if (s.tuned_weights > 0) out += ", " + std::to_string(s.tuned_weights) + " rounded to nearest again from the tuned weights";
    if (s.original > 0) out += ", " + std::to_string(s.original) + " quantized from the original weights (round-to-nearest)";
    if (s.float_kept > 0) out += ", " + std::to_string(s.float_kept) + " kept as floats";
    return out;
}

std::vector<std::string> tensorSourceReasonLines(const TensorSources& s) {
    std::vector<std::string> lines;
    for (const auto& r : s.reasons) lines.push_back(plural(r.count, "tensor", "tensors") + ": " + r.why);
    return lines;
}

std::string tuningUnusedWarning(const TensorSources& s) {
    if (!s.tuningUnused()) return {};
    if (s.quantized == 0)
        return s.format + " keeps every tensor as floats from the original weights: SignRound's tuning is not used, the file is the original model";
    std::string w = "no tensor of " + s.format + " uses SignRound's tuned scales: ";
    if (s.tuned_weights == 0)
        w += "the file equals plain round-to-nearest (RTN) quantization of the original weights.";
    else
        w += "its tensors are round-to-nearest (RTN) quantizations (" + std::to_string(s.tuned_weights) +
             " of the tuned weights rounded again onto another grid, " + std::to_string(s.original) +
             " of the original weights), so expect no better than plain RTN.";
    return w + " To use SignRound for this format, quantize again with --format " + s.format + " (each layer is then tuned in its ggml type)";
}

}  // namespace srs::exporter
