// What `signround inspect` and the GUI's model page show about a model folder: architecture and
// hyper-parameters, parameter count, dtypes, size on disk, and which linear layers the quantizer
// would quantize. Also checks the stored shapes against config.json, so a mismatched folder is
// reported here rather than halfway through a run.
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

struct ModelSummary {
    std::string path;
    ModelConfig config;
    std::uint64_t param_count = 0;
    std::map<std::string, std::uint64_t> params_by_dtype;
    std::uint64_t weights_size_bytes = 0;  // the safetensors files
    std::uint64_t folder_size_bytes = 0;   // every file in the folder
    int shard_count = 0;
    std::vector<LinearLayerInfo> quantizable;
    std::uint64_t quantizable_params = 0;
    std::vector<std::string> kept_full_precision;  // tensors outside blocks (embeddings, lm_head, norms)
    std::vector<std::string> warnings;
};

Result<ModelSummary> inspectModelFolder(const std::string& folder);
std::string formatSummary(const ModelSummary& summary, bool list_layers);
nlohmann::json summaryToJson(const ModelSummary& summary);

}  // namespace srs::io
