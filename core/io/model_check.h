// The one check of a model's tensors against its config.json, made where a model is opened
// (openWeightSource, inspect) before anything indexes a shape or loops over a count:
//   - every block tensor's index is below num_hidden_layers, and the weights hold exactly
//     num_hidden_layers blocks (no loop runs over a count the weights do not back);
//   - every tensor whose role the runtime knows has that role's rank and the shape config.json
//     implies: linear weights [out, in] (q/k/v/o from num_attention_heads, num_key_value_heads,
//     head_dim, hidden_size; gate/up/down from intermediate_size), their biases [out], norms
//     [hidden_size] or [head_dim], embedding and lm_head [vocab_size, hidden_size];
//   - for a model the runtime runs, every block has its seven linear weights.
// Errors name the tensor, its shape, what the role needs and which config.json keys imply it.
// Plain C++, no torch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/model_config.h"

namespace srs::io {

class WeightSource;

struct TensorShape {
    std::string name;
    std::vector<std::int64_t> shape;
};

// require_block_linears: a missing block linear weight is an error (a source about to be run or
// quantized); off for inspecting a folder as stored (packed exports store qweight, not weight).
Status checkTensorsAgainstConfig(const ModelConfig& config, const std::vector<TensorShape>& tensors, bool require_block_linears);

// The same over a source's tensors (their names and shapes, no data), block linears required when
// the runtime supports the model type.
Status checkWeightSource(const WeightSource& source);

}  // namespace srs::io
