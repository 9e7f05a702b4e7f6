#include "core/export/gguf_vocab.h"

#include <filesystem>
#include <map>

#include "core/io/read_text_file.h"
#include "core/io/gguf.h"
#include "core/io/gguf_source.h"
#include "core/tokenizer/gguf_bpe.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"

namespace fs = std::filesystem;

namespace srs::exporter {
namespace {

// llama.cpp's token types.
constexpr std::int32_t kNormal = 1, kControl = 3, kUserDefined = 4, kUnused = 5;

// A string member of a JSON object, or "" (the tokenizer loader has checked these files; reads
// here stay typed so that a file changed since cannot throw).
std::string stringAt(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return "";
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void collectSplitRegexes(const nlohmann::json& pre, std::vector<std::string>& regexes, bool& byte_level_regex, int& others, bool& digits) {
    if (!pre.is_object()) return;
    const std::string type = stringAt(pre, "type");
    if (auto it = pre.find("pretokenizers"); type == "Sequence" && it != pre.end() && it->is_array())
        for (const auto& p : *it) collectSplitRegexes(p, regexes, byte_level_regex, others, digits);
    if (type == "Digits") {
        auto it = pre.find("individual_digits");
        if (it != pre.end() && it->is_boolean() && it->get<bool>()) digits = true;
        else ++others;
    } else if (type != "Sequence" && type != "Split" && type != "ByteLevel") {
        ++others;
    }
    if (auto it = pre.find("pattern"); type == "Split" && it != pre.end() && it->is_object() && it->contains("Regex"))
        regexes.push_back(stringAt(*it, "Regex"));
    if (type == "ByteLevel") {
        auto it = pre.find("use_regex");
        if (it == pre.end() || !it->is_boolean() || it->get<bool>()) byte_level_regex = true;
    }
}

// Padding id and chat template from tokenizer_config.json (bounded, typed reads).
void addConfigKeys(io::GgufWriter& w, const Result<nlohmann::json>& j, const std::function<std::optional<std::int32_t>(const std::string&)>& id_of) {
    if (!j || !j->is_object()) return;  // the tokenizer loader already accepted this file; an unreadable one adds nothing
    if (const std::string t = stringAt(*j, "chat_template"); !t.empty()) w.setString("tokenizer.chat_template", t);
    std::string pad = stringAt(*j, "pad_token");
    if (auto it = j->find("pad_token"); pad.empty() && it != j->end()) pad = stringAt(*it, "content");
    if (!pad.empty())
        if (auto id = id_of(pad)) w.setU32("tokenizer.ggml.padding_token_id", static_cast<std::uint32_t>(*id));
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
        addConfigKeys(w, io::readJsonFile((fs::path(source.tokenizerFolder()) / "tokenizer_config.json").string(), io::kMaxConfigFileBytes),
                      [&](const std::string& piece) -> std::optional<std::int32_t> {
            for (std::size_t i = 0; i < v.pieces.size(); ++i)
                if (v.pieces[i] == piece) return static_cast<std::int32_t>(i);
            return std::nullopt;
        });
    } else if (auto g = io::GgufFile::open(source.path()); g) {
        // A GGUF source: carry its template and padding id over (both read typed and checked).
        auto tmpl = (*g)->metaString("tokenizer.chat_template");
        if (!tmpl) return tmpl.error();
        if (*tmpl) w.setString("tokenizer.chat_template", **tmpl);
        auto gv = io::readGgufVocab(**g);
        if (!gv) return gv.error();
        if (*gv && (*gv)->padding_id && static_cast<std::size_t>(*(*gv)->padding_id) < v.pieces.size())
            w.setU32("tokenizer.ggml.padding_token_id", static_cast<std::uint32_t>(*(*gv)->padding_id));
    }
    return {};
}

// An id from tokenizer.json: an integer in [0, 2^24), else nullopt.
std::optional<std::int64_t> tokenIdOf(const nlohmann::json& v) {
    constexpr std::int64_t kMax = 1 << 24;
    if (v.is_number_unsigned()) return v.get<std::uint64_t>() < static_cast<std::uint64_t>(kMax) ? std::optional<std::int64_t>(static_cast<std::int64_t>(v.get<std::uint64_t>())) : std::nullopt;
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() < kMax) return v.get<std::int64_t>();
    return std::nullopt;
}

Status addByteLevelBpe(io::GgufWriter& w, const io::WeightSource& source, const tokenizer::HfTokenizer& tok) {
    // A folder's tokenizer.json, or the one a GGUF source's embedded vocabulary reads as.
    std::string path = (fs::path(source.tokenizerFolder()) / "tokenizer.json").string();
    Result<nlohmann::json> parsed = nlohmann::json();
    Result<nlohmann::json> config = nlohmann::json();
    if (source.tokenizerFolder().empty()) {
        auto g = io::GgufFile::open(source.path());
        if (!g) return g.error();
        auto gv = io::readGgufVocab(**g);
        if (!gv) return gv.error();
        if (!*gv) return makeError(ErrorCode::Internal, source.path() + " carries no tokenizer");
        auto files = tokenizer::hfTokenizerFilesFromGguf(**g, **gv);
        if (!files) return files.error();
        path = source.path() + " (embedded BPE vocabulary)";
        parsed = nlohmann::json::parse(files->tokenizer_json, nullptr, false);
        config = nlohmann::json::parse(files->tokenizer_config_json, nullptr, false);
    } else {
        parsed = io::readJsonFile(path, io::kMaxTokenizerFileBytes);
        config = io::readJsonFile((fs::path(source.tokenizerFolder()) / "tokenizer_config.json").string(), io::kMaxConfigFileBytes);
    }
    if (!parsed) return parsed.error();
    const nlohmann::json& j = *parsed;
    auto pre = ggufPreTokenizerName(j);
    if (!pre) return pre.error().withContext(path);
    auto model_it = j.is_object() ? j.find("model") : j.end();
    const bool bpe = j.is_object() && model_it != j.end() && stringAt(*model_it, "type") == "BPE" && model_it->contains("vocab") && (*model_it)["vocab"].is_object();
    if (!bpe) return makeError(ErrorCode::Unsupported, path + " is not a BPE tokenizer", "GGUF export writes SentencePiece and byte-level BPE vocabularies");
    const auto& model = *model_it;

    // Tokens by id; ids the file leaves out (up to the model's vocab_size) are unused padding.
    std::map<std::int64_t, std::pair<std::string, std::int32_t>> by_id;
    for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it) {
        auto id = tokenIdOf(it.value());
        if (!id) return makeError(ErrorCode::CorruptFile, path + ": model.vocab entry '" + it.key() + "' has no valid id", "re-download the model's tokenizer.json");
        by_id[*id] = {it.key(), kNormal};
    }
    if (auto added = j.find("added_tokens"); added != j.end() && added->is_array())
        for (const auto& a : *added) {
            auto id = a.is_object() && a.contains("id") ? tokenIdOf(a["id"]) : std::nullopt;
            if (!id) return makeError(ErrorCode::CorruptFile, path + ": an added token has no valid id", "re-download the model's tokenizer.json");
            const bool special = a.contains("special") && a["special"].is_boolean() && a["special"].get<bool>();
            by_id[*id] = {stringAt(a, "content"), special ? kControl : kUserDefined};
        }
    const std::int64_t n = std::max<std::int64_t>(source.config().vocab_size, by_id.empty() ? 0 : by_id.rbegin()->first + 1);
    if (n > (1 << 24)) return makeError(ErrorCode::CorruptFile, path + ": a vocabulary of " + std::to_string(n) + " tokens is larger than any model's");
    std::vector<std::string> tokens(static_cast<std::size_t>(n));
    std::vector<std::int32_t> types(static_cast<std::size_t>(n), kUnused);
    for (std::int64_t i = 0; i < n; ++i) tokens[static_cast<std::size_t>(i)] = "[PAD" + std::to_string(i) + "]";
    for (const auto& [id, t] : by_id) {
        tokens[static_cast<std::size_t>(id)] = t.first;
        types[static_cast<std::size_t>(id)] = t.second;
    }
    std::vector<std::string> merges;
    if (auto m = model.find("merges"); m != model.end() && m->is_array()) {
        merges.reserve(m->size());
        for (const auto& e : *m) {
            if (e.is_string()) merges.push_back(e.get<std::string>());
            else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) merges.push_back(e[0].get<std::string>() + " " + e[1].get<std::string>());
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
    addConfigKeys(w, config, [&](const std::string& piece) { return tok.tokenId(piece); });
    return {};
}

}  // namespace

Result<std::string> ggufPreTokenizerName(const nlohmann::json& tj) {
    std::vector<std::string> regexes;
    bool byte_level_regex = false, digits = false;
    int others = 0;
    if (tj.is_object() && tj.contains("pre_tokenizer")) collectSplitRegexes(tj["pre_tokenizer"], regexes, byte_level_regex, others, digits);
    // Every digit apart, then GPT-2's regex: llama.cpp's "smollm" (SmolLM, StarCoder).
    if (regexes.empty() && byte_level_regex && others == 0) return std::string(digits ? "smollm" : "gpt-2");
    if (regexes.size() == 1 && !digits && others == 0) {
        for (const auto& [name, regex] : tokenizer::ggufSplitRegexes())
            if (regex == regexes[0]) return name;
    }
    return makeError(ErrorCode::Unsupported,
                     "this tokenizer.json pre-tokenizes with a regex llama.cpp does not know by name, so a GGUF of it would tokenize differently",
                     "GGUF export knows the Llama-3, Qwen2/3, SmolLM and GPT-2 pre-tokenizers; export auto_round / auto_gptq / auto_awq instead");
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
