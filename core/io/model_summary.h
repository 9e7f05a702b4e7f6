// What `signround inspect` and the GUI's model page show about a model, whatever it is stored as
// (a Hugging Face folder, one of our packed exports, a .gguf file or a folder holding one, a
// Hub-cache snapshot of either): architecture and hyper-parameters, parameter count, the stored
// type of every tensor, size on disk, vocabulary and chat template, which linear layers the
// quantizer would quantize, and whether the source is already quantized. Also checks the stored
// shapes against the config, so a mismatched model is reported here rather than halfway through a run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/io/model_config.h"

namespace srs::io {

struct LinearLayerInfo {
    std::string name;  // module name, e.g. "model.layers.0.self_attn.q_proj"
    int block = -1;    // decoder block index
    std::int64_t out_features = 0;
    std::int64_t in_features = 0;
    bool has_bias = false;
    // False where a packed export (auto_round / GPTQ / AWQ) needs both dims to be multiples of 32;
    // such layers are tuned and evaluated quantized but kept in full precision by those exporters.
    bool packable = true;
};

enum class ModelFormat { Safetensors, Gguf };
const char* modelFormatName(ModelFormat format);  // "safetensors", "gguf"

struct ModelSummary {
    std::string path;          // as given
    ModelFormat format = ModelFormat::Safetensors;
    std::string weights_file;  // GGUF: the .gguf file (also when path is the folder holding it)
    ModelConfig config;
    std::uint64_t param_count = 0;
    // Parameters per stored type: "F32", "BF16", ... and for a GGUF its ggml types ("Q4_K", "Q6_K").
    std::map<std::string, std::uint64_t> params_by_dtype;
    std::uint64_t weights_size_bytes = 0;  // the safetensors files, or the .gguf file
    std::uint64_t folder_size_bytes = 0;   // every file in the folder (a lone .gguf: its size)
    int shard_count = 0;                   // weight files
    std::string tokenizer;                 // "tokenizer.json", "tokenizer.model", "embedded (llama)", ... or empty when none
    bool has_chat_template = false;
    // The block linears' storage in bits per weight (16 for BF16 / F16, 32 for F32, 4.5 for Q4_K,
    // ...), weighted by parameters; below 8 the source is already quantized (see warnings).
    double linear_bits_per_weight = 0.0;
    std::string linear_storage;        // the stored type of most block-linear parameters ("F32", "Q4_K")
    double linear_storage_bits = 0.0;  // that type's bits per weight
    // Already quantized below 8 bits: most block-linear weights, or their average, under 8 bits per weight.
    bool quantized_source() const {
        return (linear_storage_bits > 0 && linear_storage_bits < 8.0) || (linear_bits_per_weight > 0 && linear_bits_per_weight < 8.0);
    }
    std::vector<LinearLayerInfo> quantizable;
    std::uint64_t quantizable_params = 0;
    std::vector<std::string> kept_full_precision;  // tensors outside blocks (embeddings, lm_head, norms)
    std::vector<std::string> warnings;
};

// Any model path openWeightSource accepts. Errors: the path's own (not found, not a model, a
// damaged file), and a config that does not fit the weights (CorruptFile, saying which tensor).
Result<ModelSummary> inspectModel(const std::string& path);
std::string formatSummary(const ModelSummary& summary, bool list_layers);
nlohmann::json summaryToJson(const ModelSummary& summary);

}  // namespace srs::io
