// Finds and loads a model folder's tokenizer: tokenizer.model (SentencePiece) or tokenizer.json
// (Hugging Face BPE), with BOS behaviour from tokenizer_config.json.
#pragma once

#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/io/gguf.h"
#include "core/io/weight_source.h"
#include "core/tokenizer/tokenizer.h"

namespace srs::tokenizer {

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string& folder);
// The tokenizer of a model: its folder's files, or the vocabulary embedded in a GGUF.
Result<std::unique_ptr<Tokenizer>> loadTokenizerFor(const io::WeightSource& source);
// The SentencePiece vocabulary a GGUF embeds (every key read typed and checked, io::readGgufVocab);
// vocab_rows (the embedding's rows, 0 when unknown) bounds the token count.
Result<std::unique_ptr<Tokenizer>> loadGgufTokenizer(const io::GgufFile& file, std::int64_t vocab_rows);

}  // namespace srs::tokenizer
