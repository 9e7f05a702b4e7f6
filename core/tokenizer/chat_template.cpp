// Where a model's chat template comes from, and rendering it with transformers' variables.
//   Hugging Face folder: chat_template.jinja (transformers 5 saves the template there, and it
//   wins over the config, as in transformers' loader), else tokenizer_config.json "chat_template"
//   (a string, or a list of {name, template}: the one named "default"), else the processor's
//   chat_template.json {"chat_template": ...}. bos/eos from tokenizer_config.json (a string or
//   {"content": ...}), else special_tokens_map.json.
//   GGUF: tokenizer.chat_template, and bos/eos as the pieces of tokenizer.ggml.bos/eos_token_id.
#include "core/tokenizer/chat_template.h"

#include <filesystem>

#include "core/common/json_field.h"
#include "core/io/read_text_file.h"
#include "core/io/gguf.h"
#include "core/io/gguf_source.h"
#include "core/tokenizer/jinja.h"

namespace fs = std::filesystem;

namespace srs::tokenizer {

namespace {

// The assistant reply of the probe conversation that finds the end-of-turn token.
constexpr const char* kProbeReply = "SRS_PROBE_ASSISTANT_REPLY_7f3a";

// A JSON file of the folder, read as hostile input: a regular file of bounded size, nesting
// depth limited (io::readJsonFile).
Result<std::optional<nlohmann::json>> readJsonIfExists(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::optional<nlohmann::json>();
    auto j = io::readJsonFile(path.string(), io::kMaxConfigFileBytes);
    if (!j) return j.error();
    return std::optional<nlohmann::json>(std::move(*j));
}

// A token as tokenizer_config / special_tokens_map write it: "text" or {"content": "text", ...};
// "" when absent; an error naming the file and key for any other value.
Result<std::string> tokenText(const nlohmann::json* j, const std::string& file, const std::string& key) {
    if (!j || j->is_null()) return std::string();
    if (j->is_string()) return j->get<std::string>();
    if (j->is_object() && j->contains("content") && (*j)["content"].is_string()) return (*j)["content"].get<std::string>();
    return json::Fields(nlohmann::json::object(), file).wrong(key, "a string or an object with a string \"content\"", *j);
}

const nlohmann::json* member(const std::optional<nlohmann::json>& j, const char* key) {
    if (!j || !j->is_object() || !j->contains(key)) return nullptr;
    return &(*j)[key];
}

// "chat_template" as a string, or the "default" entry of the list form ({name, template}
// objects); "" when absent or no entry is named "default"; an error for any other value.
Result<std::string> templateFrom(const nlohmann::json* j, const std::string& file) {
    const std::string expected = "a string or a list of {\"name\": ..., \"template\": ...} objects";
    if (!j || j->is_null()) return std::string();
    if (j->is_string()) return j->get<std::string>();
    if (!j->is_array()) return json::Fields(nlohmann::json::object(), file).wrong("chat_template", expected, *j);
    for (std::size_t i = 0; i < j->size(); ++i) {
        const auto& entry = (*j)[i];
        const json::Fields f(entry, file, "chat_template[" + std::to_string(i) + "].");
        if (!f.isObject()) return f.notAnObject();
        auto name = f.string("name", "");
        if (!name) return name.error();
        if (*name != "default") continue;
        auto text = f.string("template");
        if (!text) return text.error();
        return text;
    }
    return std::string();
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

// The contents of the entries marked "special": true in an added-tokens list or map.
Status addSpecials(const nlohmann::json& entries, const std::string& file, const std::string& key, std::vector<std::string>& out) {
    for (const auto& item : entries.items()) {  // an array's keys are its indices
        const nlohmann::json& tok = item.value();
        const std::string place = key + "[" + (entries.is_object() ? "\"" + item.key() + "\"" : item.key()) + "]";
        const json::Fields f(tok, file, place + ".");
        if (!f.isObject()) return f.notAnObject();
        auto special = f.boolean("special", false);
        if (!special) return special.error();
        if (!*special) continue;
        auto text = tokenText(&tok, file, place);
        if (!text) return text.error();
        out.push_back(*text);
    }
    return {};
}

Result<std::vector<std::string>> folderSpecialTokens(const fs::path& dir, const std::optional<nlohmann::json>& config) {
    std::vector<std::string> specials;
    if (const auto* decoder = member(config, "added_tokens_decoder"); decoder && decoder->is_object()) {
        SRS_TRY(addSpecials(*decoder, (dir / "tokenizer_config.json").string(), "added_tokens_decoder", specials));
        if (!specials.empty()) return specials;
    }
    auto tokenizer = readJsonIfExists(dir / "tokenizer.json");
    if (!tokenizer) return tokenizer.error();
    if (const auto* added = member(*tokenizer, "added_tokens"); added && added->is_array())
        SRS_TRY(addSpecials(*added, (dir / "tokenizer.json").string(), "added_tokens", specials));
    return specials;
}

Result<std::optional<ChatTemplate>> loadFromFolder(const std::string& folder) {
    const fs::path dir(folder);
    std::error_code ec;
    auto config = readJsonIfExists(dir / "tokenizer_config.json");
    if (!config) return config.error();
    const std::string config_name = (dir / "tokenizer_config.json").string();
    ChatTemplate t;
    if (fs::exists(dir / "chat_template.jinja", ec)) {
        auto text = io::readTextFile((dir / "chat_template.jinja").string(), io::kMaxConfigFileBytes);
        if (!text) return text.error();
        t.source = *text;
    }
    if (t.source.empty()) {
        auto from = templateFrom(member(*config, "chat_template"), config_name);
        if (!from) return from.error();
        t.source = *from;
    }
    if (t.source.empty()) {
        auto legacy = readJsonIfExists(dir / "chat_template.json");
        if (!legacy) return legacy.error();
        auto from = templateFrom(member(*legacy, "chat_template"), (dir / "chat_template.json").string());
        if (!from) return from.error();
        t.source = *from;
    }
    if (t.source.empty()) return std::optional<ChatTemplate>();
    auto map = readJsonIfExists(dir / "special_tokens_map.json");
    if (!map) return map.error();
    const std::string map_name = (dir / "special_tokens_map.json").string();
    for (auto [key, out] : {std::pair<const char*, std::string*>{"bos_token", &t.bos_token}, {"eos_token", &t.eos_token}}) {
        auto from_config = tokenText(member(*config, key), config_name, key);
        if (!from_config) return from_config.error();
        *out = *from_config;
        if (!out->empty()) continue;
        auto from_map = tokenText(member(*map, key), map_name, key);
        if (!from_map) return from_map.error();
        *out = *from_map;
    }
    auto specials = folderSpecialTokens(dir, *config);
    if (!specials) return specials.error();
    t.end_of_turn_tokens = endOfTurnTokens(t, *specials);
    return std::optional<ChatTemplate>(std::move(t));
}

Result<std::optional<ChatTemplate>> loadFromGguf(const std::string& path) {
    auto g = io::GgufFile::open(path);
    if (!g) return g.error();
    auto source = (*g)->metaString("tokenizer.chat_template");
    if (!source) return source.error();
    if (!*source || (*source)->empty()) return std::optional<ChatTemplate>();
    ChatTemplate t;
    t.source = std::move(**source);
    auto vocab = io::readGgufVocab(**g);
    if (!vocab) return vocab.error();
    std::vector<std::string> specials;
    if (*vocab) {
        const auto& v = **vocab;
        if (v.bos_id) t.bos_token = v.tokens[static_cast<std::size_t>(*v.bos_id)];
        if (v.eos_id) t.eos_token = v.tokens[static_cast<std::size_t>(*v.eos_id)];
        for (std::size_t i = 0; i < v.types.size(); ++i)
            if (v.types[i] == 3 || v.types[i] == 4) specials.push_back(v.tokens[i]);
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
