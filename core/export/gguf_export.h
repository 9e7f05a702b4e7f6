// Writes a quantized model as a llama.cpp GGUF file (FORMATS.md §5.5): llama-architecture
// metadata, the SentencePiece vocabulary (from tokenizer.model or the source GGUF), the chat
// template, tensors under llama.cpp's names with the q/k rows permuted into its RoPE layout, and
// each tensor in the type planGgufTypes chooses for the file type. A layer SignRound tuned in
// the scheme its ggml type carries (Q4_K: W4G32 asym, ...) is written from its tuned scales and
// integers; any other tensor is quantized from its weights by llama.cpp's reference quantizer.
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
    int float_kept = 0;   // F32 / F16 / BF16
};

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
