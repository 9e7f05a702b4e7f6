// A model's chat template (the Jinja text in tokenizer_config.json's "chat_template", or GGUF's
// tokenizer.chat_template) rendered in C++: the subset of Jinja that published templates use
// (Llama 3, Qwen 2.5 / 3, Mistral, Gemma, Phi, ...), with the variables transformers'
// apply_chat_template passes. The output must equal transformers' for the same template,
// messages and flags. No torch here.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/io/weight_source.h"

namespace srs::tokenizer {

struct ChatMessage {
    std::string role;  // "system", "user", "assistant"
    std::string content;
};

struct ChatTemplate {
    std::string source;       // the Jinja text
    std::string bos_token;    // as tokenizer_config / GGUF name them ("" when none)
    std::string eos_token;
    // Tokens that end an assistant turn besides EOS (e.g. "<|eot_id|>", "<|im_end|>"), found in the
    // template's text among the vocabulary's special tokens; generation stops at any of them.
    // The rule (chat_template.cpp, endOfTurnTokens): render a probe conversation (a user message,
    // then an assistant reply that is a unique marker) without a generation prompt; the special
    // token that directly follows the marker in the output (spaces and newlines skipped; the
    // longest when several match) ends an assistant turn; it may be the EOS token itself (Qwen3).
    // Special tokens: tokenizer_config.json "added_tokens_decoder" (or tokenizer.json
    // "added_tokens") entries with "special": true; in a GGUF, tokens of type control (3) or
    // user-defined (4).
    std::vector<std::string> end_of_turn_tokens;
};

// The model's template, or nullopt when it has none. Errors for unreadable files and for values of the
// wrong type (a chat_template that is not a string, a GGUF key of another type or out of range).
Result<std::optional<ChatTemplate>> loadChatTemplate(const io::WeightSource& source);
Result<std::optional<ChatTemplate>> loadChatTemplate(const std::string& folder);

// Renders the messages; add_generation_prompt as transformers' flag. An error names the template
// construct we could not render (or the template's own raise_exception message).
Result<std::string> renderChat(const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages, bool add_generation_prompt);
// The same with extra template variables, as transformers' apply_chat_template(**kwargs) passes
// them (e.g. {"enable_thinking": false} for Qwen3); they override the defaults. The variables a
// template sees: messages (list of {role, content}), add_generation_prompt, tools = none,
// documents = none, bos_token / eos_token when the model names them (undefined otherwise, as in
// transformers), then the extras. extra_variables must be a JSON object (or null); ordered_json,
// because a template's tojson prints objects' keys in the order given.
Result<std::string> renderChat(const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                               const nlohmann::ordered_json& extra_variables);

}  // namespace srs::tokenizer
