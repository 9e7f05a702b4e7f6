// Where a model's chat template comes from, and rendering it with transformers' variables.
//   Hugging Face folder: chat_template.jinja (transformers 5 saves the template there, and it
//   wins over the config, as in transformers' loader), else tokenizer_config.json "chat_template"
//   (a string, or a list of {name, template}: the one named "default"), else the processor's
//   chat_template.json {"chat_template": ...}. bos/eos from tokenizer_config.json (a string or
//   {"content": ...}), else special_tokens_map.json.
//   GGUF: tokenizer.chat_template, and bos/eos as the pieces of tokenizer.ggml.bos/eos_token_id.
#include "core/tokenizer/chat_template.h"

#include <filesystem>

#include "core/io/atomic_file.h"
#include "core/io/gguf.h"
#include "core/tokenizer/jinja.h"

namespace fs = std::filesystem;

namespace srs::tokenizer {

namespace {

// The assistant reply of the probe conversation that finds the end-of-turn token.
constexpr const char* kProbeReply = "SRS_PROBE_ASSISTANT_REPLY_7f3a";

Result<std::optional<nlohmann::json>> readJsonIfExists(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::optional<nlohmann::json>();
    auto text = io::readFile(path.string());
    if (!text) return text.error();
    try {
        return std::optional<nlohmann::json>(nlohmann::json::parse(*text));
    } catch (const std::exception& e) {
        return makeError(ErrorCode::CorruptFile, path.string() + " is not valid JSON: " + e.what(), "restore the file from the model's repository");
    }
}

// A token as tokenizer_config / special_tokens_map write it: "text" or {"content": "text", ...}.
std::string tokenText(const nlohmann::json* j) {
    if (!j) return "";
    if (j->is_string()) return j->get<std::string>();
    if (j->is_object() && j->contains("content") && (*j)["content"].is_string()) return (*j)["content"].get<std::string>();
    return "";
}

const nlohmann::json* member(const std::optional<nlohmann::json>& j, const char* key) {
    if (!j || !j->is_object() || !j->contains(key)) return nullptr;
    return &(*j)[key];
}

// "chat_template" as a string, or the "default" entry of the list form; "" when neither.
std::string templateFrom(const nlohmann::json* j) {
    if (!j) return "";
    if (j->is_string()) return j->get<std::string>();
    if (j->is_array())
        for (const auto& entry : *j)
            if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") && entry["template"].is_string())
                return entry["template"].get<std::string>();
    return "";
}

// The longest special token at `at` in `text`, or "".
std::string specialTokenAt(const std::string& text, std::size_t at, const std::vector<std::string>& specials) {
    std::string best;
    for (const auto& s : specials)
        if (!s.empty() && s.size() > best.size() && text.compare(at, s.size(), s) == 0) best = s;
    return best;
}

// See ChatTemplate::end_of_turn_tokens for the rule.
std::vector<std::string> endOfTurnTokens(const ChatTemplate& t, const std::vector<std::string>& specials) {
    auto out = renderChat(t, {{"user", "Hello"}, {"assistant", kProbeReply}}, false);
    if (!out) return {};
    const auto at = out->rfind(kProbeReply);
    if (at == std::string::npos) return {};
    std::size_t p = at + std::char_traits<char>::length(kProbeReply);
    while (p < out->size() && ((*out)[p] == ' ' || (*out)[p] == '\n')) ++p;
    const std::string tok = specialTokenAt(*out, p, specials);
    if (tok.empty()) return {};
    return {tok};
}

Result<std::vector<std::string>> folderSpecialTokens(const fs::path& dir, const std::optional<nlohmann::json>& config) {
    std::vector<std::string> specials;
    if (const auto* decoder = member(config, "added_tokens_decoder"); decoder && decoder->is_object()) {
        for (const auto& [id, tok] : decoder->items())
            if (tok.is_object() && tok.value("special", false)) specials.push_back(tokenText(&tok));
        if (!specials.empty()) return specials;
    }
    auto tokenizer = readJsonIfExists(dir / "tokenizer.json");
    if (!tokenizer) return tokenizer.error();
    if (const auto* added = member(*tokenizer, "added_tokens"); added && added->is_array())
        for (const auto& tok : *added)
            if (tok.is_object() && tok.value("special", false)) specials.push_back(tokenText(&tok));
    return specials;
}

Result<std::optional<ChatTemplate>> loadFromFolder(const std::string& folder) {
    const fs::path dir(folder);
    std::error_code ec;
    auto config = readJsonIfExists(dir / "tokenizer_config.json");
    if (!config) return config.error();
    ChatTemplate t;
    if (fs::exists(dir / "chat_template.jinja", ec)) {
        auto text = io::readFile((dir / "chat_template.jinja").string());
        if (!text) return text.error();
        t.source = *text;
    }
    if (t.source.empty()) t.source = templateFrom(member(*config, "chat_template"));
    if (t.source.empty()) {
        auto legacy = readJsonIfExists(dir / "chat_template.json");
        if (!legacy) return legacy.error();
        t.source = templateFrom(member(*legacy, "chat_template"));
    }
    if (t.source.empty()) return std::optional<ChatTemplate>();
    auto map = readJsonIfExists(dir / "special_tokens_map.json");
    if (!map) return map.error();
    t.bos_token = tokenText(member(*config, "bos_token"));
    if (t.bos_token.empty()) t.bos_token = tokenText(member(*map, "bos_token"));
    t.eos_token = tokenText(member(*config, "eos_token"));
    if (t.eos_token.empty()) t.eos_token = tokenText(member(*map, "eos_token"));
    auto specials = folderSpecialTokens(dir, *config);
    if (!specials) return specials.error();
    t.end_of_turn_tokens = endOfTurnTokens(t, *specials);
    return std::optional<ChatTemplate>(std::move(t));
}

Result<std::optional<ChatTemplate>> loadFromGguf(const std::string& path) {
    auto g = io::GgufFile::open(path);
    if (!g) return g.error();
    const auto* source = (*g)->meta("tokenizer.chat_template");
    if (!source || !source->is_string() || source->get<std::string>().empty()) return std::optional<ChatTemplate>();
    ChatTemplate t;
    t.source = source->get<std::string>();
    const auto* tokens = (*g)->meta("tokenizer.ggml.tokens");
    const auto* types = (*g)->meta("tokenizer.ggml.token_type");
    auto piece = [&](const char* key) -> std::string {
        const auto* id = (*g)->meta(key);
        if (!tokens || !tokens->is_array() || !id || !id->is_number_integer()) return "";
        const auto i = id->get<std::int64_t>();
        if (i < 0 || static_cast<std::size_t>(i) >= tokens->size() || !(*tokens)[static_cast<std::size_t>(i)].is_string()) return "";
        return (*tokens)[static_cast<std::size_t>(i)].get<std::string>();
    };
    t.bos_token = piece("tokenizer.ggml.bos_token_id");
    t.eos_token = piece("tokenizer.ggml.eos_token_id");
    std::vector<std::string> specials;
    if (tokens && tokens->is_array() && types && types->is_array())
        for (std::size_t i = 0; i < tokens->size() && i < types->size(); ++i) {
            const auto& type = (*types)[i];
            if (type.is_number_integer() && (type.get<int>() == 3 || type.get<int>() == 4) && (*tokens)[i].is_string())
                specials.push_back((*tokens)[i].get<std::string>());
        }
    t.end_of_turn_tokens = endOfTurnTokens(t, specials);
    return std::optional<ChatTemplate>(std::move(t));
}

}  // namespace

Result<std::optional<ChatTemplate>> loadChatTemplate(const io::WeightSource& source) {
    if (!source.tokenizerFolder().empty()) return loadFromFolder(source.tokenizerFolder());
    return loadFromGguf(source.path());
}

Result<std::optional<ChatTemplate>> loadChatTemplate(const std::string& folder) {
    auto where = io::locateModel(folder);
    if (!where) return where.error();
    if (where->kind == io::ModelLocation::Kind::GgufFile) return loadFromGguf(where->file);
    return loadFromFolder(where->file);
}

Result<std::string> renderChat(const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
    return renderChat(tmpl, messages, add_generation_prompt, nlohmann::ordered_json());
}

Result<std::string> renderChat(const ChatTemplate& tmpl, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                               const nlohmann::ordered_json& extra_variables) {
    if (!extra_variables.is_null() && !extra_variables.is_object())
        return makeError(ErrorCode::InvalidArgument, "extra chat template variables must be a JSON object");
    nlohmann::ordered_json vars = nlohmann::ordered_json::object();
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& m : messages) {
        nlohmann::ordered_json message = nlohmann::ordered_json::object();
        message["role"] = m.role;  // transformers' messages are {"role", "content"} in this order
        message["content"] = m.content;
        list.push_back(std::move(message));
    }
    vars["messages"] = std::move(list);
    vars["add_generation_prompt"] = add_generation_prompt;
    vars["tools"] = nullptr;
    vars["documents"] = nullptr;
    if (!tmpl.bos_token.empty()) vars["bos_token"] = tmpl.bos_token;
    if (!tmpl.eos_token.empty()) vars["eos_token"] = tmpl.eos_token;
    if (extra_variables.is_object())
        for (auto it = extra_variables.begin(); it != extra_variables.end(); ++it) vars[it.key()] = it.value();
    return renderJinja(tmpl.source, vars);
}

}  // namespace srs::tokenizer
