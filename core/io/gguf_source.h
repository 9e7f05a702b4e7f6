// A llama-architecture GGUF as a WeightSource: a ModelConfig synthesized from the llama.*
// metadata, tensors renamed to Hugging Face names, shapes turned to [out, in], q/k rows taken
// from llama.cpp's interleaved RoPE layout back to rotate-half, F32 / F16 / BF16 / Q8_0 data
// dequantized to float32. So a user who has only a GGUF can evaluate and quantize it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/gguf.h"
#include "core/io/weight_source.h"

namespace srs::io {

Result<std::shared_ptr<WeightSource>> openGgufModel(const std::string& path);
// The same over a file already parsed (a buffer: the fuzz targets).
Result<std::shared_ptr<WeightSource>> openGgufModel(std::shared_ptr<GgufFile> file);
// The config a GGUF's metadata describes (also used by `signround inspect` on a .gguf). Every
// key is read typed and range-checked, and the counts are checked against the tensors present:
// block_count against the blk.N tensors, the hidden size, heads, head size, feed-forward size
// and vocabulary against every known tensor's shape, the embedded vocabulary (readGgufVocab)
// against the embedding's rows.
Result<ModelConfig> ggufModelConfig(const GgufFile& file);

// The vocabulary a GGUF embeds (tokenizer.ggml.*), each key typed and range-checked: tokens
// (strings), scores (finite f32, one per token), token types (0 to 6, one per token), the
// bos / eos / unknown / padding ids (below the token count; 0xFFFFFFFF or -1 mean none) and
// add_bos_token. A wrong type, length or value is an error naming the file and the key.
struct GgufVocab {
    std::string model;  // tokenizer.ggml.model: "llama" (SentencePiece), "gpt2", ... ("" when absent)
    std::vector<std::string> tokens;
    std::vector<float> scores;        // empty when the file has none
    std::vector<std::int32_t> types;  // empty when the file has none
    std::optional<std::int32_t> bos_id, eos_id, unk_id, padding_id;
    std::optional<bool> add_bos;
};
inline constexpr std::uint64_t kGgufMaxVocab = std::uint64_t(1) << 24;
// nullopt when the file has no tokenizer.ggml.tokens.
Result<std::optional<GgufVocab>> readGgufVocab(const GgufFile& file);

}  // namespace srs::io
