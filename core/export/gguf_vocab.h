// The tokenizer part of a GGUF export (FORMATS.md §5.5): the vocabulary as llama.cpp reads it,
// special token ids, add_bos, the padding token and the chat template.
//   SentencePiece (tokenizer.model, or a source GGUF's own vocabulary): tokenizer.ggml.model
//   "llama" with pieces, scores and token types.
//   Hugging Face byte-level BPE (tokenizer.json): "gpt2" with tokens, token types and merges, and
//   tokenizer.ggml.pre naming the pre-tokenizer llama.cpp must run (recognised from the
//   tokenizer.json split regex: Llama-3 "llama-bpe", Qwen2/3 "qwen2", GPT-2 "gpt-2"); a regex
//   llama.cpp does not know by name is an error rather than a file that tokenizes differently.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/io/gguf_writer.h"
#include "core/io/weight_source.h"

namespace srs::exporter {

Status addGgufVocabulary(io::GgufWriter& w, const io::WeightSource& source);

// llama.cpp's name for the pre-tokenizer of a tokenizer.json, or an Unsupported error.
Result<std::string> ggufPreTokenizerName(const nlohmann::json& tokenizer_json);

}  // namespace srs::exporter
