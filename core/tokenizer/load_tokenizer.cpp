#include "core/tokenizer/load_tokenizer.h"

#include <filesystem>

#include "core/common/json_field.h"
#include "core/io/read_text_file.h"
#include "core/io/gguf.h"
#include "core/io/gguf_source.h"
#include "core/tokenizer/gguf_bpe.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"

namespace fs = std::filesystem;

namespace srs::tokenizer {

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string& folder) {
    std::error_code ec;
    bool add_bos = true;
    fs::path cfg = fs::path(folder) / "tokenizer_config.json";
    if (fs::exists(cfg, ec)) {
        auto j = io::readJsonFile(cfg.string(), io::kMaxConfigFileBytes);  // a regular file, bounded, depth-limited
        if (!j) return j.error();
        const json::Fields f(*j, cfg.string());
        if (!f.isObject()) return f.notAnObject();
        auto add = f.boolean("add_bos_token", true);
        if (!add) return add.error();
        add_bos = *add;
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
    return loadGgufTokenizer(**g, source.config().vocab_size);
}

Result<std::unique_ptr<Tokenizer>> loadGgufTokenizer(const io::GgufFile& file, std::int64_t vocab_rows) {
    auto gv = io::readGgufVocab(file);
    if (!gv) return gv.error();
    if (!*gv || (*gv)->model.empty())
        return makeError(ErrorCode::NotFound, file.path() + " carries no tokenizer", "use the model's Hugging Face folder instead");
    io::GgufVocab& e = **gv;
    if (vocab_rows > 0 && static_cast<std::int64_t>(e.tokens.size()) > vocab_rows)
        return file.metaError("tokenizer.ggml.tokens", "an array of at most " + std::to_string(vocab_rows) + " tokens (the model's vocabulary)");
    if (e.model == "gpt2") {
        // Byte-level BPE: read through the tokenizer.json that a Hugging Face folder of it has.
        auto files = hfTokenizerFilesFromGguf(file, e);
        if (!files) return files.error();
        auto t = parseHfTokenizer(files->tokenizer_json, files->tokenizer_config_json, file.path() + " (embedded BPE vocabulary)");
        if (!t) return t.error();
        return std::unique_ptr<Tokenizer>(std::move(*t));
    }
    if (e.model != "llama")
        return makeError(ErrorCode::Unsupported, file.path() + " has a '" + e.model + "' tokenizer; embedded SentencePiece ('llama') and byte-level BPE ('gpt2') vocabularies are supported",
                         "use the model's Hugging Face folder instead");
    SpmVocab v;
    v.pieces = std::move(e.tokens);
    v.scores = e.scores.empty() ? std::vector<float>(v.pieces.size(), 0.0f) : std::move(e.scores);
    bool has_bytes = false;
    v.types.reserve(v.pieces.size());
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        const int type = e.types.empty() ? 1 : e.types[i];
        // llama.cpp's token types are SentencePiece's; 0 (undefined) counts as normal.
        v.types.push_back(type >= 1 && type <= 6 ? static_cast<PieceType>(type) : PieceType::Normal);
        has_bytes = has_bytes || v.types.back() == PieceType::Byte;
    }
    v.bos_id = e.bos_id.value_or(-1);
    v.eos_id = e.eos_id.value_or(-1);
    v.unk_id = e.unk_id.value_or(0);
    v.add_bos = e.add_bos.value_or(true);
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
    if (!t) return t.error().withContext(file.path());
    return std::unique_ptr<Tokenizer>(std::move(*t));
}

}  // namespace srs::tokenizer
