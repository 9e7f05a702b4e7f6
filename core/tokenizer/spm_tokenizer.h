// SentencePiece tokenizers (Llama-2-style tokenizer.model, or the same vocabulary as a GGUF embeds it).
//
// The library's (libsentencepiece, sentencepiece::SentencePieceProcessor): loading and validating
// the ModelProto, normalization (identity or a precompiled charsmap such as nmt_nfkc), BPE and
// unigram encoding, byte fallback, user-defined symbols, decoding, the vocabulary as read from the
// file (pieces, scores, unknown / control / byte / unused types) and the bos / eos / unk ids.
//
// What remains ours, and why:
//   * readSpmSpecs (in the .cpp): a small protobuf reader for the few ModelProto fields the
//     library's API does not expose (it only exposes the parsed proto through
//     sentencepiece_model.pb.h, which Debian does not ship and which would tie us to its bundled
//     protobuf): model type, byte_fallback, the normalizer's name, precompiled charsmap,
//     add_dummy_prefix and remove_extra_whitespaces, and which pieces are USER_DEFINED. Exports
//     (GGUF metadata, tokenizer.json conversions in tests) and serializeSpmModel need them.
//   * serializeSpmModel: writes a vocabulary as a ModelProto. A GGUF carries its SentencePiece
//     vocabulary as metadata, not as a .model file; serializing it lets the library encode GGUF
//     models too (SpmTokenizer::fromVocab), and packed exports write it as tokenizer.model.
//   * SpmVocab::add_bos: tokenizer_config.json's add_bos_token, which is not part of the model.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/tokenizer/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace srs::tokenizer {

// SentencePiece's (and llama.cpp's GGUF token_type) numbering.
enum class PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct SpmVocab {
    std::vector<std::string> pieces;
    std::vector<float> scores;
    std::vector<PieceType> types;
    std::int32_t unk_id = 0;
    std::int32_t bos_id = 1;  // -1: none
    std::int32_t eos_id = 2;  // -1: none
    int model_type = 2;       // TrainerSpec.model_type: 1 unigram, 2 BPE (GGUF 'llama' vocabularies: BPE, as llama.cpp)
    bool add_dummy_prefix = true;
    bool remove_extra_whitespaces = false;
    bool byte_fallback = true;
    bool add_bos = true;  // tokenizer_config's add_bos_token
    std::string normalizer_name = "identity";
    std::string precompiled_charsmap;  // NormalizerSpec.precompiled_charsmap (empty for identity)
};

class SpmTokenizer : public Tokenizer {
public:
    ~SpmTokenizer() override;

    static Result<std::unique_ptr<SpmTokenizer>> fromModelFile(const std::string& path);
    // A serialized ModelProto (the bytes of a tokenizer.model); context names it in errors.
    static Result<std::unique_ptr<SpmTokenizer>> fromSerializedModel(const std::string& bytes, const std::string& context = "tokenizer.model");
    // A vocabulary without a .model file (a GGUF's): serialized with serializeSpmModel and loaded
    // into the library.
    static Result<std::unique_ptr<SpmTokenizer>> fromVocab(SpmVocab vocab);

    std::vector<std::int32_t> encode(const std::string& text, bool add_bos) const override;
    Result<std::vector<std::int32_t>> tryEncode(const std::string& text, bool add_bos) const override;
    std::string decode(const std::vector<std::int32_t>& ids) const override;
    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(vocab_.pieces.size()); }
    std::optional<std::int32_t> bosId() const override;
    std::optional<std::int32_t> eosId() const override;
    std::string piece(std::int32_t id) const override;
    std::string kind() const override { return "sentencepiece"; }
    bool addsBosByDefault() const override { return vocab_.add_bos; }
    std::optional<std::int32_t> tokenId(const std::string& piece) const override;

    const SpmVocab& vocab() const { return vocab_; }
    // The ModelProto the library loaded: a tokenizer.model's own bytes, or serializeSpmModel's.
    const std::string& modelProto() const { return proto_; }
    void setAddBos(bool add) { vocab_.add_bos = add; }

private:
    SpmTokenizer(SpmVocab vocab, std::string proto, std::unique_ptr<sentencepiece::SentencePieceProcessor> sp);

    SpmVocab vocab_;
    std::string proto_;
    std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
};

// Reads a SentencePiece ModelProto (tokenizer.model) into a vocabulary: pieces, scores, types and
// special ids as the library reads them, plus the specs only our reader sees (see above).
Result<SpmVocab> parseSpmModel(const std::string& bytes);
// Writes a vocabulary as a SentencePiece ModelProto, e.g. for a GGUF's embedded vocabulary.
std::string serializeSpmModel(const SpmVocab& vocab);

}  // namespace srs::tokenizer
