// Finds and loads a model folder's tokenizer: tokenizer.model (SentencePiece) or tokenizer.json
// (Hugging Face BPE), with BOS behaviour from tokenizer_config.json.
#pragma once

#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/io/weight_source.h"
#include "core/tokenizer/tokenizer.h"

namespace srs::tokenizer {

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string& folder);
// The tokenizer of a model: its folder's files, or the vocabulary embedded in a GGUF.
Result<std::unique_ptr<Tokenizer>> loadTokenizerFor(const io::WeightSource& source);

}  // namespace srs::tokenizer
