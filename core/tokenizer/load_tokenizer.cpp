#include "core/tokenizer/load_tokenizer.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
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
    if (fs::exists(fs::path(folder) / "tokenizer.json", ec))
        return makeError(ErrorCode::Unsupported, "tokenizer.json tokenizers are not supported yet in " + folder,
                         "a folder with a SentencePiece tokenizer.model works");
    return makeError(ErrorCode::NotFound, "no tokenizer.model or tokenizer.json in " + folder, "copy the model's tokenizer files into the folder");
}

}  // namespace srs::tokenizer
