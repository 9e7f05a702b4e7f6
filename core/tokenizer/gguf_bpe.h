// A GGUF's byte-level BPE vocabulary (tokenizer.ggml.model "gpt2": tokens, merges, token types
// and the pre-tokenizer llama.cpp names in tokenizer.ggml.pre) as the Hugging Face
// tokenizer.json and tokenizer_config.json that cut text into the same ids. Our runtime reads a
// GGUF's BPE tokenizer through them, and a conversion to a Hugging Face folder writes them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/gguf.h"
#include "core/io/gguf_source.h"

namespace srs::tokenizer {

struct HfTokenizerFiles {
    std::string tokenizer_json;
    std::string tokenizer_config_json;
};

// The tokenizer.ggml.pre names whose splitting we reproduce (llama.cpp's regexes for them).
const std::vector<std::string>& ggufBpePreTokenizers();
// The split regex of each name that pre-tokenizes with one (Llama 3's "llama-bpe", "qwen2").
const std::map<std::string, std::string>& ggufSplitRegexes();

// `vocab` is readGgufVocab(file) with model "gpt2"; merges, pre-tokenizer and chat template are
// read from `file`. Errors: no or malformed merges, a merge naming a token the vocabulary lacks,
// or a pre-tokenizer outside ggufBpePreTokenizers() (Unsupported, naming it).
Result<HfTokenizerFiles> hfTokenizerFilesFromGguf(const io::GgufFile& file, const io::GgufVocab& vocab);

}  // namespace srs::tokenizer
