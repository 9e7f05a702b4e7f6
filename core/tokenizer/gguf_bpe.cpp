#include "core/tokenizer/gguf_bpe.h"

#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace srs::tokenizer {
namespace {

// llama.cpp's token types.
constexpr std::int32_t kControl = 3, kUserDefined = 4;

const std::map<std::string, std::string>& splitRegexes() {
    // Llama 3 and Qwen2 split with one regex before the byte-level mapping; GPT-2 and SmolLM use
    // ByteLevel's own (SmolLM after putting every digit apart).
    static const std::map<std::string, std::string> kRegexes = {
        {"llama-bpe", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
        {"qwen2", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
    };
    return kRegexes;
}

nlohmann::json byteLevel(bool use_regex) {
    return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", use_regex}};
}

// The Hugging Face pre-tokenizer for a tokenizer.ggml.pre name, or null when we have none.
nlohmann::json preTokenizerFor(const std::string& pre) {
    if (pre == "gpt-2") return byteLevel(true);
    if (pre == "smollm")
        return {{"type", "Sequence"}, {"pretokenizers", {{{"type", "Digits"}, {"individual_digits", true}}, byteLevel(true)}}};
    auto it = splitRegexes().find(pre);
    if (it == splitRegexes().end()) return nullptr;
    nlohmann::json split = {{"type", "Split"}, {"pattern", {{"Regex", it->second}}}, {"behavior", "Isolated"}, {"invert", false}};
    return {{"type", "Sequence"}, {"pretokenizers", {split, byteLevel(false)}}};
}

}  // namespace

const std::vector<std::string>& ggufBpePreTokenizers() {
    static const std::vector<std::string> kNames = {"gpt-2", "llama-bpe", "qwen2", "smollm"};
    return kNames;
}

const std::map<std::string, std::string>& ggufSplitRegexes() { return splitRegexes(); }

Result<HfTokenizerFiles> hfTokenizerFilesFromGguf(const io::GgufFile& file, const io::GgufVocab& vocab) {
    if (vocab.model != "gpt2") return makeError(ErrorCode::Internal, file.path() + ": not a byte-level BPE ('gpt2') vocabulary");
    auto pre_name = file.metaString("tokenizer.ggml.pre");
    if (!pre_name) return pre_name.error();
    const std::string pre = pre_name->value_or("gpt-2");  // llama.cpp's converter wrote none before it named them
    nlohmann::json pre_tokenizer = preTokenizerFor(pre);
    if (pre_tokenizer.is_null()) {
        std::string known;
        for (const auto& n : ggufBpePreTokenizers()) known += (known.empty() ? "" : ", ") + n;
        return makeError(ErrorCode::Unsupported,
                         file.path() + " splits text with llama.cpp's '" + pre + "' pre-tokenizer (tokenizer.ggml.pre), which we do not reproduce",
                         "we read byte-level BPE GGUFs with the pre-tokenizers " + known + "; use the model's Hugging Face folder instead");
    }
    auto merges = file.metaStringArray("tokenizer.ggml.merges", io::kGgufMaxVocab);
    if (!merges) return merges.error();
    if (!*merges || (*merges)->empty()) return file.metaError("tokenizer.ggml.merges", "the BPE merges (an array of \"left right\" strings)");

    std::unordered_map<std::string, std::size_t> id_of;
    id_of.reserve(vocab.tokens.size());
    nlohmann::json vocab_json = nlohmann::json::object();
    nlohmann::json added = nlohmann::json::array();
    for (std::size_t i = 0; i < vocab.tokens.size(); ++i) {
        const std::string& t = vocab.tokens[i];
        auto [it, fresh] = id_of.emplace(t, i);
        if (!fresh)
            return file.metaError("tokenizer.ggml.tokens", "distinct tokens ('" + t + "' is both id " + std::to_string(it->second) + " and id " + std::to_string(i) + ")");
        vocab_json[t] = i;
        const std::int32_t type = vocab.types.empty() ? 1 : vocab.types[i];
        if (type == kControl || type == kUserDefined)
            added.push_back({{"id", i}, {"content", t}, {"single_word", false}, {"lstrip", false}, {"rstrip", false}, {"normalized", false}, {"special", type == kControl}});
    }
    nlohmann::json merges_json = nlohmann::json::array();
    for (std::size_t i = 0; i < (*merges)->size(); ++i) {
        const std::string& m = (**merges)[i];
        const auto space = m.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == m.size() || m.find(' ', space + 1) != std::string::npos)
            return file.metaError("tokenizer.ggml.merges", "\"left right\" pairs (entry " + std::to_string(i) + " is '" + m + "')");
        const std::string left = m.substr(0, space), right = m.substr(space + 1);
        if (!id_of.count(left) || !id_of.count(right) || !id_of.count(left + right))
            return file.metaError("tokenizer.ggml.merges", "pairs of tokens whose merge is a token (entry " + std::to_string(i) + " is '" + m + "')");
        merges_json.push_back(m);
    }

    const auto piece = [&](const std::optional<std::int32_t>& id) -> nlohmann::json {
        if (!id || *id < 0 || static_cast<std::size_t>(*id) >= vocab.tokens.size()) return nullptr;
        return vocab.tokens[static_cast<std::size_t>(*id)];
    };
    const bool add_bos = vocab.add_bos.value_or(false) && vocab.bos_id.has_value();
    nlohmann::json post = byteLevel(false);
    post["trim_offsets"] = false;
    if (add_bos) {
        const std::string bos = piece(vocab.bos_id).get<std::string>();
        post = {{"type", "TemplateProcessing"},
                {"single", {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                {"pair",
                 {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}},
                  {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                  {{"SpecialToken", {{"id", bos}, {"type_id", 1}}}},
                  {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
                {"special_tokens", {{bos, {{"id", bos}, {"ids", {*vocab.bos_id}}, {"tokens", {bos}}}}}}};
    }
    nlohmann::json tj = {{"version", "1.0"},
                         {"truncation", nullptr},
                         {"padding", nullptr},
                         {"added_tokens", added},
                         {"normalizer", nullptr},
                         {"pre_tokenizer", pre_tokenizer},
                         {"post_processor", post},
                         {"decoder", byteLevel(true)},
                         {"model",
                          {{"type", "BPE"},
                           {"dropout", nullptr},
                           {"unk_token", nullptr},
                           {"continuing_subword_prefix", nullptr},
                           {"end_of_word_suffix", nullptr},
                           {"fuse_unk", false},
                           {"byte_fallback", false},
                           {"ignore_merges", false},
                           {"vocab", vocab_json},
                           {"merges", merges_json}}}};

    nlohmann::json cfg = {{"tokenizer_class", "PreTrainedTokenizerFast"}, {"add_bos_token", add_bos}, {"add_eos_token", false},
                          {"clean_up_tokenization_spaces", false}};
    const std::pair<const char*, const std::optional<std::int32_t>*> named[] = {
        {"bos_token", &vocab.bos_id}, {"eos_token", &vocab.eos_id}, {"unk_token", &vocab.unk_id}, {"pad_token", &vocab.padding_id}};
    for (const auto& [key, id] : named)
        if (auto p = piece(*id); !p.is_null()) cfg[key] = p;
    auto tmpl = file.metaString("tokenizer.chat_template");
    if (!tmpl) return tmpl.error();
    if (*tmpl) cfg["chat_template"] = **tmpl;
    try {
        return HfTokenizerFiles{tj.dump(), cfg.dump(2)};
    } catch (const nlohmann::json::exception&) {  // a byte-level vocabulary is all UTF-8; this one is not
        return file.metaError("tokenizer.ggml.tokens", "UTF-8 strings (a byte-level BPE vocabulary)");
    }
}

}  // namespace srs::tokenizer
