// How much of an export SignRound's tuning reaches: of the tensors a format writes in a quantized
// type, how many come from the run's tuned scales and integers, how many are rounded to nearest
// again from the tuned weights onto another grid, and how many are rounded to nearest from the
// original weights — with the reasons. A GGUF file type whose ggml types do not carry the tuned
// scheme (a W4G128 sym run written as Q4_K_M: Q4_K stores W4G32 asym) uses none of the tuning,
// and its file is no better than plain round-to-nearest; the CLI, the Export page and the model
// cards say so from these counts. Decided from schemes and shapes alone (no layer data), by the
// same rule the GGUF writer follows. Plain C++, no torch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/export/gguf_plan.h"
#include "core/export/quantized_model.h"

namespace srs::exporter {

struct TensorSourceReason {
    int count = 0;
    std::string why;  // "Q5_0 (W5G32 sym) is finer than the tuned W4G128 sym"
};

struct TensorSources {
    std::string format;      // "gguf:q4_k_m", "auto_round"
    std::string run_scheme;  // the tuned layers' scheme(s): "W4G128 sym", or "24× W4G32 asym, 6× W6G16 sym"
    int tuned_layers = 0;    // layers the run tuned
    int quantized = 0;       // tensors written in a quantized type
    int tuned_scales = 0;    // of those: from SignRound's tuned scales and integers
    int tuned_weights = 0;   // of those: a tuned layer's weights rounded to nearest again onto another grid
    int original = 0;        // of those: the original weights rounded to nearest
    int float_kept = 0;      // tensors kept as floats (norms; layers no quantized type fits)
    // Why tensors do not come from the tuned scales, most frequent first: tuned layers whose
    // type does not carry the tuned scheme, tensors the run never tuned, tuned layers kept as floats.
    std::vector<TensorSourceReason> reasons;

    // The run tuned layers but no tensor carries its tuned scales: the export is a
    // round-to-nearest quantization (or, with no quantized tensor, the original model).
    bool tuningUnused() const { return tuned_layers > 0 && tuned_scales == 0; }
};

// A GGUF export of `model` (its tuned layers' schemes and the source's shapes) in `file_type`.
Result<TensorSources> ggufTensorSources(const QuantizedModel& model, const GgufFileType& file_type);
// A packed export (auto_round, auto_gptq, auto_awq, fake): every tuned layer is written from its
// scales and integers (fake: their dequantized values); everything else stays as the source has
// it (float_kept counts the block linears the run kept in full precision).
TensorSources packedTensorSources(const QuantizedModel& model, const std::string& format);

// "12 of 31 tensors from SignRound's tuned scales, 19 quantized from the original weights
// (round-to-nearest)", plus ", 16 kept as floats" when any are.
std::string describeTensorSources(const TensorSources& sources);
// One line per reason: "30 tuned layers: Q5_0 (W5G32 sym) is finer than the tuned W4G128 sym".
std::vector<std::string> tensorSourceReasonLines(const TensorSources& sources);
// The warning when tuningUnused(): the file is plain round-to-nearest (or the original model);
// quantize again for the format to use SignRound. Empty otherwise.
std::string tuningUnusedWarning(const TensorSources& sources);

}  // namespace srs::exporter
