// SentencePiece BPE tokenization (Llama-2-style tokenizer.model, or the same vocabulary as a GGUF
// embeds it), producing the ids the reference library produces: whitespace handling per the
// model's normalizer spec, merges of the adjacent pair whose piece scores highest (leftmost on
// ties), and byte-fallback pieces <0xNN> for characters outside the vocabulary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/common/result.h"
#include "core/tokenizer/tokenizer.h"

namespace srs::tokenizer {

enum class PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct SpmVocab {
    std::vector<std::string> pieces;
    std::vector<float> scores;
    std::vector<PieceType> types;
    std::int32_t unk_id = 0;
    std::int32_t bos_id = 1;  // -1: none
    std::int32_t eos_id = 2;  // -1: none
    bool add_dummy_prefix = true;
    bool remove_extra_whitespaces = false;
    bool byte_fallback = true;
    bool add_bos = true;  // tokenizer_config's add_bos_token
    std::string normalizer_name = "identity";
};

class SpmTokenizer : public Tokenizer {
public:
    static Result<std::unique_ptr<SpmTokenizer>> fromModelFile(const std::string& path);
    static Result<std::unique_ptr<SpmTokenizer>> fromVocab(SpmVocab vocab);

    std::vector<std::int32_t> encode(const std::string& text, bool add_bos) const override;
    std::string decode(const std::vector<std::int32_t>& ids) const override;
    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(vocab_.pieces.size()); }
    std::optional<std::int32_t> bosId() const override;
    std::optional<std::int32_t> eosId() const override;
    std::string piece(std::int32_t id) const override;
    std::string kind() const override { return "sentencepiece"; }
    bool addsBosByDefault() const override { return vocab_.add_bos; }

    const SpmVocab& vocab() const { return vocab_; }
    void setAddBos(bool add) { vocab_.add_bos = add; }

private:
    explicit SpmTokenizer(SpmVocab vocab);
    std::string normalize(const std::string& text) const;
    void encodeSegment(const std::string& normalized, std::vector<std::int32_t>& out) const;

    SpmVocab vocab_;
    std::unordered_map<std::string, std::int32_t> mergeable_;  // normal / user-defined pieces
    std::int32_t byte_ids_[256];
};

// Parses a SentencePiece ModelProto (tokenizer.model) into a vocabulary.
Result<SpmVocab> parseSpmModel(const std::string& bytes);
// Writes a vocabulary as a SentencePiece ModelProto (BPE), e.g. for a GGUF's embedded vocabulary.
std::string serializeSpmModel(const SpmVocab& vocab);

}  // namespace srs::tokenizer
