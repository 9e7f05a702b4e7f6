// Text helpers of generation that need no model: encoding a rendered chat prompt whose special
// tokens are written out as text, and holding back the end of a streamed text that is not yet
// whole characters. No torch here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

namespace srs::eval {

// The special-token strings a rendered chat prompt may contain and the vocabulary has as single
// ids: the template's bos / eos / end-of-turn tokens and the tokenizer's own BOS / EOS pieces.
std::vector<std::string> specialTokenStrings(const tokenizer::Tokenizer& tok, const tokenizer::ChatTemplate& tmpl);

// The ids of a rendered chat text, no BOS added (the template writes it when the model wants it,
// as transformers' apply_chat_template does). A Hugging Face tokenizer splits out its added
// tokens itself; for SentencePiece, whose encoder reads "<s>" as plain characters, the text is cut
// at the special strings (the longest first), each becomes its id, and the pieces between are
// encoded on their own.
std::vector<std::int32_t> encodeWithSpecialTokens(const tokenizer::Tokenizer& tok, const std::string& text,
                                                  const std::vector<std::string>& specials);

// The length of the part of a decoded text that can be shown now: without a trailing incomplete
// UTF-8 sequence and without trailing U+FFFD, which decoders write for bytes that may yet become
// a character with the next token.
std::size_t completeUtf8Prefix(const std::string& text);

}  // namespace srs::eval
