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

// The regex work one encode may do, shared by every regex it runs (normalizer Replace, Split,
// ByteLevel), counted two ways:
//   steps of ICU's matcher (RegexMatcher::setTimeLimit's unit: about 10,000 pattern operations,
//   0.1 to 0.4 ms here): kRegexStepsBase plus kRegexStepsPerKiB per KiB of text;
//   CPU seconds inside the matchers (ICU drops each matcher's unfinished step, which many short
//   pieces could add up): kRegexCpuSecondsBase plus kRegexCpuSecondsPerMiB per MiB.
// A regex that backtracks catastrophically ("(a+)+$" on "aaa...b") runs out and the encode returns
// an error instead of hanging. Real tokenizers use a small fraction (test_hostile_tokenizer's
// realTokenizersHaveHeadroom measures Qwen3 and Llama-3 on the texts in ../shared/data/text; the
// figures are beside the constants in hf_tokenizer.cpp).
std::int64_t regexStepBudget(std::size_t text_bytes);
double regexCpuSecondsBudget(std::size_t text_bytes);
// What an encode's regexes took.
struct RegexCost {
    std::int64_t steps = 0;
    double cpu_seconds = 0;
};

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
    // A text the tokenizer cannot finish (see tryEncode) gives no ids, with the error logged.
    std::vector<std::int32_t> encode(const std::string& text, bool add_bos) const override;
    // The same, or an error when a regex of the file runs out of its step budget on this text
    // (regexStepBudget): a hostile tokenizer.json fails the encode rather than hanging it.
    Result<std::vector<std::int32_t>> tryEncode(const std::string& text, bool add_bos) const override;
    // The same, also giving what the encode's regexes took (how the budget was sized).
    Result<std::vector<std::int32_t>> tryEncode(const std::string& text, bool add_bos, RegexCost* cost) const;
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
