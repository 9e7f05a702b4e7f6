// A llama-architecture GGUF as a WeightSource: a ModelConfig synthesized from the llama.*
// metadata, tensors renamed to Hugging Face names, shapes turned to [out, in], q/k rows taken
// from llama.cpp's interleaved RoPE layout back to rotate-half, F32 / F16 / BF16 / Q8_0 data
// dequantized to float32. So a user who has only a GGUF can evaluate and quantize it.
#pragma once

#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/io/gguf.h"
#include "core/io/weight_source.h"

namespace srs::io {

Result<std::shared_ptr<WeightSource>> openGgufModel(const std::string& path);
// The config a GGUF's metadata describes (also used by `signround inspect` on a .gguf).
Result<ModelConfig> ggufModelConfig(const GgufFile& file);

}  // namespace srs::io
