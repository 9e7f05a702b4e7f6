// Writes a quantized model as a llama.cpp GGUF file (FORMATS.md §5.5): llama-architecture
// metadata, the SentencePiece vocabulary (from tokenizer.model or the source GGUF), the chat
// template, tensors under llama.cpp's names with the q/k rows permuted into its RoPE layout, and
// each tensor in the type planGgufTypes chooses for the file type. A layer SignRound tuned in
// the scheme its ggml type carries (Q4_K: W4G32 asym, ...) is written from its tuned scales and
// integers; any other tensor is quantized from its weights by llama.cpp's reference quantizer.
// planGgufTensorOrigins says, before writing, where each tensor will come from (the writer takes
// the same decision), so callers can tell the user when a file type cannot use the tuned scales.
// The file is written into <output_dir>/<name>-<TYPE>.gguf with a README.md beside it; the
// folder appears whole or not at all.
#pragma once

#include <string>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/export/gguf_plan.h"
#include "core/export/packed_export.h"
#include "core/export/quantized_model.h"

namespace srs::exporter {

struct GgufExportOptions {
    GgufFileType file_type{"q4_k_m", 15, io::GgmlType::Q4_K};  // parseGgufFileType
    std::string model_name;            // general.name and the file name stem ("model" when empty)
    std::string model_card;            // README.md contents; empty: none written
};

struct GgufTensorStats {
    int tuned = 0;      // written from SignRound's scales and integers
    int requantized = 0;  // quantized from (tuned or original) weights by the reference quantizer
    int from_tuned_weights = 0;  // of requantized: a tuned layer's weights rounded again onto another grid
    int from_original = 0;       // of requantized: the original weights
    int float_kept = 0;   // F32 / F16 / BF16
};

// Where one tensor's bytes in the file come from.
enum class GgufTensorSource {
    TunedScales,      // SignRound's tuned scales and integers, as they are (the type carries the tuned scheme)
    TunedWeights,     // a tuned layer's weights, rounded to nearest onto the type's grid (another scheme)
    OriginalWeights,  // the original weights, rounded to nearest (not tuned, or a type finer than the tuning)
    Float,            // kept as F32 / F16 / BF16, from the original weights
};

struct GgufTensorOrigin {
    std::string hf_name;      // "model.layers.0.self_attn.q_proj.weight"
    io::GgmlType type;        // the ggml type it is written in
    GgufTensorSource source;
    bool tuned_layer = false;  // SignRound tuned this layer in the run
    // Why it does not come from tuned scales, and what it is written from ("tuned as W4G128 sym, but Q4_K
    // stores W4G32 asym: rounded to nearest again from the tuned weights"); empty for tuned scales
    // and for tensors that are never quantized (norms).
    std::string reason;
};

// Every tensor exportGguf would write for this model and file type, in file order, with its type
// and the source of its bytes. Reads shapes and the tuned layers' schemes only (no layer data).
Result<std::vector<GgufTensorOrigin>> planGgufTensorOrigins(const QuantizedModel& model, const GgufFileType& file_type);

Result<ExportReport> exportGguf(const QuantizedModel& model, const std::string& output_dir, const GgufExportOptions& options,
                                const ExportProgressFn& progress = {}, const CancelToken& cancel = {},
                                GgufTensorStats* stats = nullptr);

// The size in bytes of the .gguf file exportGguf writes for this model and file type (header,
// metadata, vocabulary and every tensor in its planned type), computed without quantizing: the
// types and therefore the sizes depend on the shapes alone.
Result<std::uint64_t> ggufExportFileBytes(const io::WeightSource& source, const GgufFileType& file_type, const std::string& model_name);
// The name of that file: "<model_name>-<TYPE>.gguf", e.g. "stories260K-Q4_K_M.gguf".
std::string ggufExportFileName(const GgufFileType& type, const std::string& model_name);

// llama.cpp's tensor name for a Hugging Face one ("model.layers.3.mlp.down_proj.weight" →
// "blk.3.ffn_down.weight"); empty when llama.cpp's llama architecture has no such tensor.
std::string ggufTensorName(const std::string& hf_name);

}  // namespace srs::exporter
