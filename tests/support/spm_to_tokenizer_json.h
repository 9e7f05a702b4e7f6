// A SentencePiece BPE vocabulary written as the equivalent Hugging Face tokenizer.json, the way
// Llama-2 models ship both: Prepend("▁") + Replace(" " -> "▁") normalizer, no pre-tokenizer, BPE
// with byte fallback whose merges are every split of a piece into two pieces, ranked by the
// merged piece's score, and a template adding <s>. Tests use it to run the same vocabulary
// through both tokenizers.
#pragma once

#include <string>

#include "core/tokenizer/spm_tokenizer.h"

namespace srs::test {

std::string llamaTokenizerJsonFrom(const srs::tokenizer::SpmVocab& vocab);

}  // namespace srs::test
