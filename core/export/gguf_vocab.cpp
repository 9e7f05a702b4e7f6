#include "core/export/gguf_vocab.h"

#include <filesystem>
#include <map>

#include "core/io/atomic_file.h"
#include "core/io/gguf.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"

namespace fs = std::filesystem;

namespace srs::exporter {
namespace {

// llama.cpp's token types.
constexpr std::int32_t kNormal = 1, kControl = 3, kUserDefined = 4, kUnused = 5;

// The split regexes llama.cpp implements under a name (its llm_tokenizer_bpe pre-tokenizers).
const std::map<std::string, std::string>& knownSplitRegexes() {
    static const std::map<std::string, std::string> kKnown = {
        {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)", "llama-bpe"},
        {R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)", "qwen2"},
    };
    return kKnown;
}

void collectSplitRegexes(const nlohmann::json& pre, std::vector<std::string>& regexes, bool& byte_level_regex) {
    if (!pre.is_object()) return;
    const std::string type = pre.value("type", "");
    if (type == "Sequence" && pre.contains("pretokenizers"))
        for (const auto& p : pre["pretokenizers"]) collectSplitRegexes(p, regexes, byte_level_regex);
    if (type == "Split" && pre.contains("pattern") && pre["pattern"].contains("Regex"))
        regexes.push_back(pre["pattern"]["Regex"].get<std::string>());
    if (type == "ByteLevel" && pre.value("use_regex", true)) byte_level_regex = true;
}

// Padding id and chat template from tokenizer_config.json.
void addConfigKeys(io::GgufWriter& w, const std::string& folder, const std::function<std::optional<std::int32_t>(const std::string&)>& id_of) {
    auto text = io::readFile((fs::path(folder) / "tokenizer_config.json").string());
    if (!text) return;
    try {
        auto j = nlohmann::json::parse(*text);
        if (j.contains("chat_template") && j["chat_template"].is_string())
            w.setString("tokenizer.chat_template", j["chat_template"].get<std::string>());
        std::string pad;
        if (j.contains("pad_token") && j["pad_token"].is_string()) pad = j["pad_token"].get<std::string>();
        if (j.contains("pad_token") && j["pad_token"].is_object()) pad = j["pad_token"].value("content", "");
        if (!pad.empty())
            if (auto id = id_of(pad)) w.setU32("tokenizer.ggml.padding_token_id", static_cast<std::uint32_t>(*id));
    } catch (const std::exception&) {
        // The tokenizer loader already accepted this file; a template we cannot read is left out.
    }
}

Status addSentencePiece(io::GgufWriter& w, const io::WeightSource& source, const tokenizer::SpmTokenizer& spm) {
    const auto& v = spm.vocab();
    std::vector<std::int32_t> types(v.types.size());
    for (std::size_t i = 0; i < v.types.size(); ++i) types[i] = static_cast<std::int32_t>(v.types[i]);  // same numbering as llama.cpp
    w.setString("tokenizer.ggml.model", "llama");
    w.setString("tokenizer.ggml.pre", "default");
    w.setStringArray("tokenizer.ggml.tokens", v.pieces);
    w.setF32Array("tokenizer.ggml.scores", v.scores);
    w.setI32Array("tokenizer.ggml.token_type", types);
    if (v.unk_id >= 0) w.setU32("tokenizer.ggml.unknown_token_id", static_cast<std::uint32_t>(v.unk_id));
    if (v.bos_id >= 0) w.setU32("tokenizer.ggml.bos_token_id", static_cast<std::uint32_t>(v.bos_id));
    if (v.eos_id >= 0) w.setU32("tokenizer.ggml.eos_token_id", static_cast<std::uint32_t>(v.eos_id));
    w.setBool("tokenizer.ggml.add_bos_token", spm.addsBosByDefault());
    w.setBool("tokenizer.ggml.add_eos_token", false);
    if (!source.tokenizerFolder().empty()) {
        addConfigKeys(w, source.tokenizerFolder(), [&](const std::string& piece) -> std::optional<std::int32_t> {
            for (std::size_t i = 0; i < v.pieces.size(); ++i)
                if (v.pieces[i] == piece) return static_cast<std::int32_t>(i);
            return std::nullopt;
        });
    } else if (auto g = io::GgufFile::open(source.path()); g) {
        // A GGUF source: carry its template and padding id over.
        if (const auto* t = (*g)->meta("tokenizer.chat_template"); t && t->is_string()) w.setString("tokenizer.chat_template", t->get<std::string>());
        if (const auto* p = (*g)->meta("tokenizer.ggml.padding_token_id"); p && p->is_number_unsigned() && p->get<std::uint64_t>() < v.pieces.size())
            w.setU32("tokenizer.ggml.padding_token_id", p->get<std::uint32_t>());
    }
    return {};
}

Status addByteLevelBpe(io::GgufWriter& w, const io::WeightSource& source, const tokenizer::HfTokenizer& tok) {
    const std::string path = (fs::path(source.tokenizerFolder()) / "tokenizer.json").string();
    auto text = io::readFile(path);
    if (!text) return text.error();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(*text);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::CorruptFile, path + " is not valid JSON: " + e.what());
    }
    auto pre = ggufPreTokenizerName(j);
    if (!pre) return pre.error().withContext(path);
    const auto& model = j["model"];
    if (!model.is_object() || model.value("type", "") != "BPE" || !model.contains("vocab") || !model["vocab"].is_object())
        return makeError(ErrorCode::Unsupported, path + " is not a BPE tokenizer", "GGUF export writes SentencePiece and byte-level BPE vocabularies");

    // Tokens by id; ids the file leaves out (up to the model's vocab_size) are unused padding.
    std::map<std::int64_t, std::pair<std::string, std::int32_t>> by_id;
    for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it) by_id[it.value().get<std::int64_t>()] = {it.key(), kNormal};
    if (j.contains("added_tokens") && j["added_tokens"].is_array())
        for (const auto& a : j["added_tokens"])
            by_id[a.value("id", std::int64_t(-1))] = {a.value("content", ""), a.value("special", false) ? kControl : kUserDefined};
    by_id.erase(-1);
    std::int64_t n = std::max<std::int64_t>(source.config().vocab_size, by_id.empty() ? 0 : by_id.rbegin()->first + 1);
    std::vector<std::string> tokens(static_cast<std::size_t>(n));
    std::vector<std::int32_t> types(static_cast<std::size_t>(n), kUnused);
    for (std::int64_t i = 0; i < n; ++i) tokens[static_cast<std::size_t>(i)] = "[PAD" + std::to_string(i) + "]";
    for (const auto& [id, t] : by_id) {
        tokens[static_cast<std::size_t>(id)] = t.first;
        types[static_cast<std::size_t>(id)] = t.second;
    }
    std::vector<std::string> merges;
    if (model.contains("merges") && model["merges"].is_array()) {
        merges.reserve(model["merges"].size());
        for (const auto& m : model["merges"]) {
            if (m.is_string()) merges.push_back(m.get<std::string>());
            else if (m.is_array() && m.size() == 2) merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
        }
    }
    w.setString("tokenizer.ggml.model", "gpt2");
    w.setString("tokenizer.ggml.pre", *pre);
    w.setStringArray("tokenizer.ggml.tokens", tokens);
    w.setI32Array("tokenizer.ggml.token_type", types);
    w.setStringArray("tokenizer.ggml.merges", merges);
    if (auto b = tok.bosId()) w.setU32("tokenizer.ggml.bos_token_id", static_cast<std::uint32_t>(*b));
    if (auto e = tok.eosId()) w.setU32("tokenizer.ggml.eos_token_id", static_cast<std::uint32_t>(*e));
    w.setBool("tokenizer.ggml.add_bos_token", tok.addsBosByDefault());
    w.setBool("tokenizer.ggml.add_eos_token", false);
    addConfigKeys(w, source.tokenizerFolder(), [&](const std::string& piece) { return tok.tokenId(piece); });
    return {};
}

}  // namespace

Result<std::string> ggufPreTokenizerName(const nlohmann::json& tj) {
    std::vector<std::string> regexes;
    bool byte_level_regex = false;
    if (tj.contains("pre_tokenizer")) collectSplitRegexes(tj["pre_tokenizer"], regexes, byte_level_regex);
    if (regexes.empty() && byte_level_regex) return std::string("gpt-2");
    if (regexes.size() == 1) {
        auto it = knownSplitRegexes().find(regexes[0]);
        if (it != knownSplitRegexes().end()) return it->second;
    }
    return makeError(ErrorCode::Unsupported,
                     "this tokenizer.json pre-tokenizes with a regex llama.cpp does not know by name, so a GGUF of it would tokenize differently",
                     "GGUF export knows the Llama-3, Qwen2/3 and GPT-2 pre-tokenizers; export auto_round / auto_gptq / auto_awq instead");
}

Status addGgufVocabulary(io::GgufWriter& w, const io::WeightSource& source) {
    auto tok = tokenizer::loadTokenizerFor(source);
    if (!tok) return tok.error().withContext("GGUF export needs the model's tokenizer");
    if (const auto* spm = dynamic_cast<const tokenizer::SpmTokenizer*>(tok->get())) return addSentencePiece(w, source, *spm);
    if (const auto* bpe = dynamic_cast<const tokenizer::HfTokenizer*>(tok->get())) return addByteLevelBpe(w, source, *bpe);
    return makeError(ErrorCode::Unsupported, "GGUF export cannot write a " + (*tok)->kind() + " vocabulary",
                     "export it as auto_round / auto_gptq / auto_awq");
}

}  // namespace srs::exporter
