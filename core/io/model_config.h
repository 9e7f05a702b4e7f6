// config.json of a Hugging Face causal LM, reduced to what the runtime, the quantizer and the
// exporters need. Parsing checks the hyper-parameters are present and consistent, and says which
// key is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace srs::io {

struct RopeScaling {
    std::string type;  // "" (none), "linear", "llama3", ... as written in config.json
    double factor = 1.0;
    double low_freq_factor = 1.0;
    double high_freq_factor = 4.0;
    std::int64_t original_max_position_embeddings = 0;
};

struct ModelConfig {
    std::string model_type;
    std::vector<std::string> architectures;
    std::int64_t hidden_size = 0;
    std::int64_t intermediate_size = 0;
    std::int64_t num_hidden_layers = 0;
    std::int64_t num_attention_heads = 0;
    std::int64_t num_key_value_heads = 0;
    std::int64_t head_dim = 0;  // hidden_size / heads unless config.json overrides it
    std::int64_t vocab_size = 0;
    std::int64_t max_position_embeddings = 0;
    double rms_norm_eps = 1e-6;
    double rope_theta = 10000.0;
    RopeScaling rope_scaling;
    bool tie_word_embeddings = false;
    bool attention_bias = false;  // q/k/v bias (qwen2 has it always)
    bool qk_norm = false;         // qwen3: per-head RMSNorm on q and k
    std::string hidden_act = "silu";
    std::string torch_dtype;
    std::optional<std::int64_t> bos_token_id;
    std::vector<std::int64_t> eos_token_ids;
    nlohmann::json raw;  // the whole config.json, carried into exports

    // Model types the runtime runs; others can be inspected but not quantized.
    static const std::vector<std::string>& supportedModelTypes();
    // RoPE scalings the runtime implements (besides none); others (yarn, dynamic, longrope, ...)
    // would silently run as plain RoPE, so such a model is refused.
    static const std::vector<std::string>& supportedRopeScalings();
    bool isSupported() const;
    // Empty when the runtime runs this model; else why not, for an error or a warning.
    std::string unsupportedReason() const;
};

// Every value is type- and range-checked (core/common/json_field.h): a wrong one is an error naming
// `file`, the key, the allowed range and what was found; counts never wrap.
Result<ModelConfig> parseModelConfig(const nlohmann::json& j, const std::string& file = "config.json",
                                     const std::string& hint = "fix the value, or download config.json again");
// <folder>/config.json, read as a regular file of at most kMaxConfigFileBytes (read_text_file.h).
Result<ModelConfig> loadModelConfig(const std::string& folder);

// The linear layers of a Llama-family decoder block, in the order of the forward pass
// ("self_attn.q_proj", ..., "mlp.down_proj"): the layers the tuner quantizes.
const std::vector<std::string>& decoderBlockLinearNames();

}  // namespace srs::io
