// Hugging Face tokenizer.json tokenization (byte-level BPE as GPT-2, Llama-3, Qwen and most recent
// models ship it), producing the ids the `tokenizers` library produces on the same files: added
// and special tokens split out first, then the normalizer (NFC, ...), the pre-tokenizer (regex
// Split, ByteLevel, Digits, Metaspace), the BPE model (merge ranks, byte fallback, unk) and the
// post-processor's template for special tokens. Unicode classes, regexes and normalization
// forms come from ICU, so the pre-tokenizer regexes of tokenizer.json run as written.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/tokenizer/tokenizer.h"

namespace srs::tokenizer {

class HfTokenizer;

// Loads tokenizer.json and, when the path is not empty, tokenizer_config.json (bos_token,
// eos_token, add_bos_token, clean_up_tokenization_spaces). Components the file uses that are not
// implemented give an Unsupported error naming them, never a tokenizer with other ids.
Result<std::unique_ptr<Tokenizer>> loadHfTokenizer(const std::string& tokenizer_json_path,
                                                   const std::string& tokenizer_config_path_or_empty);

// The same from the files' contents (config_json may be empty); origin names the source in
// error messages.
Result<std::unique_ptr<HfTokenizer>> parseHfTokenizer(const std::string& tokenizer_json,
                                                      const std::string& config_json,
                                                      const std::string& origin);

class HfTokenizer : public Tokenizer {
public:
    ~HfTokenizer() override;

    // add_bos: apply the post-processor's template for one sequence when it has one (Llama-3's
    // adds <|begin_of_text|>), as `add_special_tokens=True` does; otherwise prepend bosId().
    // Text that is not valid UTF-8 is read with U+FFFD in place of each ill-formed sequence.
    std::vector<std::int32_t> encode(const std::string& text, bool add_bos) const override;
    // Special tokens are kept (as the library's default); byte-level pieces become bytes, and
    // bytes that do not form UTF-8 become U+FFFD.
    std::string decode(const std::vector<std::int32_t>& ids) const override;
    std::int64_t vocabSize() const override;
    std::optional<std::int32_t> bosId() const override;
    std::optional<std::int32_t> eosId() const override;
    std::string piece(std::int32_t id) const override;
    std::string kind() const override { return "hf-bpe"; }
    bool addsBosByDefault() const override;

    // The id of a piece or added token's content, if the vocabulary has it.
    std::optional<std::int32_t> tokenId(const std::string& piece) const override;

    struct Impl;

private:
    explicit HfTokenizer(std::unique_ptr<Impl> impl);
    friend Result<std::unique_ptr<HfTokenizer>> parseHfTokenizer(const std::string&, const std::string&, const std::string&);

    std::unique_ptr<Impl> impl_;
};

}  // namespace srs::tokenizer
