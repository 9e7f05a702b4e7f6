// Writes tiny Llama-family model folders (config.json + model.safetensors) with seeded random
// weights, so tests need no download and no shared data.
#pragma once

#include <QString>
#include <cstdint>

namespace srs::test {

struct TinyModelSpec {
    int hidden = 32;
    int intermediate = 64;
    int layers = 2;
    int heads = 4;
    int kv_heads = 2;
    int vocab = 64;
    bool tied = true;
    QString model_type = "llama";
    int shards = 1;  // >1 writes model-0000k-of-0000n.safetensors + index
    bool qkv_bias = false;  // qwen2 style
    bool qk_norm = false;   // qwen3 style (also set model_type "qwen3")
    double weight_std = 0.05;
    std::uint32_t seed = 1;
};

// Returns the number of parameters written; the folder is created if needed.
std::uint64_t writeTinyModel(const QString& folder, const TinyModelSpec& spec);

}  // namespace srs::test
