// Text <-> token ids, whatever the model's tokenizer format: SentencePiece (tokenizer.model, or
// the vocabulary embedded in a GGUF) or Hugging Face tokenizer.json (byte-level BPE). Ids must
// equal the reference implementations' on the same files and texts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace srs::tokenizer {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    // add_bos: prepend the BOS id when the tokenizer has one (as tokenizer_config's add_bos_token).
    virtual std::vector<std::int32_t> encode(const std::string& text, bool add_bos) const = 0;
    // encode, or an error where the tokenizer cannot finish the text (a tokenizer.json whose regex
    // runs out of its step budget; a text SentencePiece refuses). Callers that can report an
    // error use this one.
    virtual Result<std::vector<std::int32_t>> tryEncode(const std::string& text, bool add_bos) const { return encode(text, add_bos); }
    virtual std::string decode(const std::vector<std::int32_t>& ids) const = 0;
    virtual std::int64_t vocabSize() const = 0;
    virtual std::optional<std::int32_t> bosId() const = 0;
    virtual std::optional<std::int32_t> eosId() const = 0;
    // The stored piece of one id ("▁the", "<0x0A>", "Ġthe"), for display and for GGUF export.
    virtual std::string piece(std::int32_t id) const = 0;
    // "sentencepiece" or "hf-bpe".
    virtual std::string kind() const = 0;
    // Whether the model's tokenizer_config asks for BOS by default.
    virtual bool addsBosByDefault() const = 0;
    // The id whose stored piece (or added token's content) is exactly `piece` ("<|im_end|>",
    // "</s>"), if the vocabulary has one: how chat templates' special-token strings become ids.
    virtual std::optional<std::int32_t> tokenId(const std::string& piece) const {
        (void)piece;
        return std::nullopt;
    }
};

}  // namespace srs::tokenizer
