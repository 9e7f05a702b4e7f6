#include "core/tokenizer/load_tokenizer.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/io/gguf.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"

namespace fs = std::filesystem;

namespace srs::tokenizer {

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string& folder) {
    std::error_code ec;
    bool add_bos = true;
    fs::path cfg = fs::path(folder) / "tokenizer_config.json";
    if (fs::exists(cfg, ec)) {
        auto text = io::readFile(cfg.string());
        if (text) {
            try {
                auto j = nlohmann::json::parse(*text);
                if (j.contains("add_bos_token") && j["add_bos_token"].is_boolean()) add_bos = j["add_bos_token"].get<bool>();
            } catch (const std::exception& e) {
                return makeError(ErrorCode::CorruptFile, cfg.string() + " is not valid JSON: " + e.what());
            }
        }
    }
    fs::path spm = fs::path(folder) / "tokenizer.model";
    if (fs::exists(spm, ec)) {
        auto t = SpmTokenizer::fromModelFile(spm.string());
        if (!t) return t.error();
        (*t)->setAddBos(add_bos);
        return std::unique_ptr<Tokenizer>(std::move(*t));
    }
    // No tokenizer.model: the Hugging Face tokenizer.json (byte-level BPE). tokenizer_config.json,
    // when present, gives bos/eos and add_bos_token; HfTokenizer reads it itself.
    fs::path hf = fs::path(folder) / "tokenizer.json";
    if (fs::exists(hf, ec))
        return loadHfTokenizer(hf.string(), fs::exists(cfg, ec) ? cfg.string() : std::string());
    return makeError(ErrorCode::NotFound, "no tokenizer.model or tokenizer.json in " + folder, "copy the model's tokenizer files into the folder");
}

Result<std::unique_ptr<Tokenizer>> loadTokenizerFor(const io::WeightSource& source) {
    if (!source.tokenizerFolder().empty()) return loadTokenizer(source.tokenizerFolder());
    auto g = io::GgufFile::open(source.path());
    if (!g) return g.error();
    const auto* model = (*g)->meta("tokenizer.ggml.model");
    const auto* tokens = (*g)->meta("tokenizer.ggml.tokens");
    if (!model || !tokens || !tokens->is_array())
        return makeError(ErrorCode::NotFound, source.path() + " carries no tokenizer", "use the model's Hugging Face folder instead");
    if (model->get<std::string>() != "llama")
        return makeError(ErrorCode::Unsupported, source.path() + " has a '" + model->get<std::string>() +
                                                     "' tokenizer; embedded SentencePiece ('llama') vocabularies are supported");
    SpmVocab v;
    const auto* scores = (*g)->meta("tokenizer.ggml.scores");
    const auto* types = (*g)->meta("tokenizer.ggml.token_type");
    bool has_bytes = false;
    for (std::size_t i = 0; i < tokens->size(); ++i) {
        v.pieces.push_back((*tokens)[i].get<std::string>());
        v.scores.push_back(scores && i < scores->size() ? (*scores)[i].get<float>() : 0.0f);
        const int type = types && i < types->size() ? (*types)[i].get<int>() : 1;
        // llama.cpp's token types are SentencePiece's; 0 (undefined) and others count as normal.
        v.types.push_back(type >= 1 && type <= 6 ? static_cast<PieceType>(type) : PieceType::Normal);
        has_bytes = has_bytes || v.types.back() == PieceType::Byte;
    }
    auto id = [&](const char* key, std::int32_t fallback) {
        const auto* x = (*g)->meta(key);
        return x && x->is_number() ? x->get<std::int32_t>() : fallback;
    };
    v.bos_id = id("tokenizer.ggml.bos_token_id", -1);
    v.eos_id = id("tokenizer.ggml.eos_token_id", -1);
    v.unk_id = id("tokenizer.ggml.unknown_token_id", 0);
    const auto* add_bos = (*g)->meta("tokenizer.ggml.add_bos_token");
    v.add_bos = add_bos && add_bos->is_boolean() ? add_bos->get<bool>() : true;
    // GGUF does not record SentencePiece's whitespace normalization; llama.cpp applies none
    // beyond the dummy prefix, and so do we. It merges pieces by score (BPE) and falls back to
    // byte pieces when the vocabulary has them. The vocabulary goes to the sentencepiece library
    // as a ModelProto written from it (SpmTokenizer::fromVocab).
    v.model_type = 2;
    v.normalizer_name = "identity";
    v.add_dummy_prefix = true;
    v.remove_extra_whitespaces = false;
    v.byte_fallback = has_bytes;
    auto t = SpmTokenizer::fromVocab(std::move(v));
    if (!t) return t.error().withContext(source.path());
    return std::unique_ptr<Tokenizer>(std::move(*t));
}

}  // namespace srs::tokenizer
