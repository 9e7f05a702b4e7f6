#include "core/tokenizer/spm_tokenizer.h"

#include <sentencepiece_processor.h>

#include <cstring>
#include <type_traits>

#include "core/common/log.h"
#include "core/io/read_text_file.h"

namespace srs::tokenizer {
namespace {

static_assert(std::is_same_v<int, std::int32_t>, "the library's ids are int");

// --- a minimal protobuf reader: varints, length-delimited fields, fixed32 ---
// Only for the ModelProto fields the library's API does not expose (see spm_tokenizer.h).
struct ProtoReader {
    const std::uint8_t* p;
    const std::uint8_t* end;
    bool ok = true;

    static ProtoReader of(const std::string& s) {
        return {reinterpret_cast<const std::uint8_t*>(s.data()), reinterpret_cast<const std::uint8_t*>(s.data()) + s.size()};
    }
    bool done() const { return p >= end || !ok; }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                ok = false;
                return 0;
            }
            std::uint8_t c = *p++;
            v |= static_cast<std::uint64_t>(c & 0x7f) << shift;
            if (!(c & 0x80)) return v;
        }
        ok = false;
        return 0;
    }
    bool field(int* number, int* wire) {
        std::uint64_t key = varint();
        *number = static_cast<int>(key >> 3);
        *wire = static_cast<int>(key & 7);
        return ok;
    }
    std::string bytes() {
        std::uint64_t n = varint();
        if (!ok || n > static_cast<std::uint64_t>(end - p)) {
            ok = false;
            return {};
        }
        std::string s(reinterpret_cast<const char*>(p), n);
        p += n;
        return s;
    }
    void skip(int wire) {
        switch (wire) {
        case 0: varint(); break;
        case 1:
            if (end - p < 8) ok = false;
            else p += 8;
            break;
        case 2: bytes(); break;
        case 5:
            if (end - p < 4) ok = false;
            else p += 4;
            break;
        default: ok = false;
        }
    }
};

// What only our reader sees: TrainerSpec.model_type / byte_fallback, the NormalizerSpec, and
// which pieces are USER_DEFINED (the library has IsControl/IsUnknown/IsByte/IsUnused but no
// IsUserDefined). Proto defaults first: unigram, no byte fallback, extra whitespace removed.
struct SpmSpecs {
    int model_type = 1;
    bool byte_fallback = false;
    std::string normalizer_name = "identity";
    std::string precompiled_charsmap;
    bool add_dummy_prefix = true;
    bool remove_extra_whitespaces = true;
    std::vector<std::size_t> user_defined;
    std::size_t pieces = 0;
};

Result<SpmSpecs> readSpmSpecs(const std::string& data) {
    SpmSpecs s;
    ProtoReader r = ProtoReader::of(data);
    int number = 0, wire = 0;
    while (!r.done() && r.field(&number, &wire)) {
        if (number == 1 && wire == 2) {  // SentencePiece: only its type
            std::string sub = r.bytes();
            ProtoReader q = ProtoReader::of(sub);
            int n2, w2;
            while (!q.done() && q.field(&n2, &w2)) {
                if (n2 == 3 && w2 == 0) {
                    if (q.varint() == static_cast<std::uint64_t>(PieceType::UserDefined)) s.user_defined.push_back(s.pieces);
                } else {
                    q.skip(w2);
                }
            }
            if (!q.ok) return makeError(ErrorCode::CorruptFile, "a vocabulary entry is malformed");
            ++s.pieces;
        } else if (number == 2 && wire == 2) {  // TrainerSpec
            std::string sub = r.bytes();
            ProtoReader q = ProtoReader::of(sub);
            int n2, w2;
            while (!q.done() && q.field(&n2, &w2)) {
                if (n2 == 3 && w2 == 0) {
                    const std::uint64_t type = q.varint();
                    if (type < 1 || type > 4) return makeError(ErrorCode::CorruptFile, "the trainer spec's model type " + std::to_string(type) + " is not 1 to 4");
                    s.model_type = static_cast<int>(type);
                }
                else if (n2 == 35 && w2 == 0) s.byte_fallback = q.varint() != 0;
                else q.skip(w2);
            }
            if (!q.ok) return makeError(ErrorCode::CorruptFile, "the trainer spec is malformed");
        } else if (number == 3 && wire == 2) {  // NormalizerSpec
            std::string sub = r.bytes();
            ProtoReader q = ProtoReader::of(sub);
            int n2, w2;
            while (!q.done() && q.field(&n2, &w2)) {
                if (n2 == 1 && w2 == 2) s.normalizer_name = q.bytes();
                else if (n2 == 2 && w2 == 2) s.precompiled_charsmap = q.bytes();
                else if (n2 == 3 && w2 == 0) s.add_dummy_prefix = q.varint() != 0;
                else if (n2 == 4 && w2 == 0) s.remove_extra_whitespaces = q.varint() != 0;
                else q.skip(w2);
            }
            if (!q.ok) return makeError(ErrorCode::CorruptFile, "the normalizer spec is malformed");
        } else {
            r.skip(wire);
        }
    }
    if (!r.ok) return makeError(ErrorCode::CorruptFile, "truncated or not a SentencePiece model");
    return s;
}

Result<std::unique_ptr<sentencepiece::SentencePieceProcessor>> loadProcessor(const std::string& bytes, const std::string& context) {
    if (bytes.empty()) return makeError(ErrorCode::CorruptFile, context + " is empty");
    auto sp = std::make_unique<sentencepiece::SentencePieceProcessor>();
    const auto st = sp->LoadFromSerializedProto(bytes);
    if (!st.ok())
        return makeError(ErrorCode::CorruptFile, context + " is not a SentencePiece model the sentencepiece library can load: " + st.ToString());
    if (sp->GetPieceSize() <= 0) return makeError(ErrorCode::CorruptFile, context + " holds no vocabulary");
    return sp;
}

// The vocabulary as the library reads it, completed with the specs only our reader sees.
Result<SpmVocab> vocabOf(const sentencepiece::SentencePieceProcessor& sp, const std::string& bytes, const std::string& context) {
    auto specs = readSpmSpecs(bytes);
    if (!specs) return specs.error().withContext(context);
    const int n = sp.GetPieceSize();
    if (specs->pieces != static_cast<std::size_t>(n))
        return makeError(ErrorCode::CorruptFile, context + ": " + std::to_string(specs->pieces) + " pieces read, the library has " + std::to_string(n));
    SpmVocab v;
    v.pieces.reserve(n);
    v.scores.reserve(n);
    v.types.reserve(n);
    for (int i = 0; i < n; ++i) {
        v.pieces.push_back(sp.IdToPiece(i));
        v.scores.push_back(sp.GetScore(i));
        PieceType t = PieceType::Normal;
        if (sp.IsUnknown(i)) t = PieceType::Unknown;
        else if (sp.IsControl(i)) t = PieceType::Control;
        else if (sp.IsByte(i)) t = PieceType::Byte;
        else if (sp.IsUnused(i)) t = PieceType::Unused;
        v.types.push_back(t);
    }
    for (std::size_t i : specs->user_defined)
        if (v.types[i] == PieceType::Normal) v.types[i] = PieceType::UserDefined;
    v.unk_id = sp.unk_id();
    v.bos_id = sp.bos_id();
    v.eos_id = sp.eos_id();
    v.model_type = specs->model_type;
    v.byte_fallback = specs->byte_fallback;
    v.normalizer_name = specs->normalizer_name;
    v.precompiled_charsmap = std::move(specs->precompiled_charsmap);
    v.add_dummy_prefix = specs->add_dummy_prefix;
    v.remove_extra_whitespaces = specs->remove_extra_whitespaces;
    return v;
}

void putVarint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}
void putKey(std::string& out, int field, int wire) { putVarint(out, static_cast<std::uint64_t>(field) << 3 | wire); }
void putBytes(std::string& out, int field, const std::string& b) {
    putKey(out, field, 2);
    putVarint(out, b.size());
    out += b;
}
void putInt(std::string& out, int field, std::int64_t v) {
    putKey(out, field, 0);
    putVarint(out, static_cast<std::uint64_t>(v));
}

}  // namespace

Result<SpmVocab> parseSpmModel(const std::string& bytes) {
    auto sp = loadProcessor(bytes, "tokenizer.model");
    if (!sp) return sp.error();
    return vocabOf(**sp, bytes, "tokenizer.model");
}

std::string serializeSpmModel(const SpmVocab& v) {
    std::string out;
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        std::string p;
        putBytes(p, 1, v.pieces[i]);
        putKey(p, 2, 5);
        char f[4];
        std::memcpy(f, &v.scores[i], 4);
        p.append(f, 4);
        putInt(p, 3, static_cast<int>(v.types[i]));
        putBytes(out, 1, p);
    }
    auto in = [&](std::int32_t id) { return id >= 0 && id < static_cast<std::int32_t>(v.pieces.size()); };
    std::string trainer;
    putInt(trainer, 3, v.model_type);
    putInt(trainer, 4, static_cast<std::int64_t>(v.pieces.size()));
    putInt(trainer, 35, v.byte_fallback ? 1 : 0);
    putInt(trainer, 40, v.unk_id);
    putInt(trainer, 41, v.bos_id);
    putInt(trainer, 42, v.eos_id);
    // The library finds unk / bos / eos by these names (defaults "<unk>", "<s>", "</s>").
    if (in(v.unk_id)) putBytes(trainer, 45, v.pieces[v.unk_id]);
    if (in(v.bos_id)) putBytes(trainer, 46, v.pieces[v.bos_id]);
    if (in(v.eos_id)) putBytes(trainer, 47, v.pieces[v.eos_id]);
    putBytes(out, 2, trainer);
    std::string norm;
    putBytes(norm, 1, v.normalizer_name.empty() ? "identity" : v.normalizer_name);
    if (!v.precompiled_charsmap.empty()) putBytes(norm, 2, v.precompiled_charsmap);
    putInt(norm, 3, v.add_dummy_prefix ? 1 : 0);
    putInt(norm, 4, v.remove_extra_whitespaces ? 1 : 0);
    putBytes(out, 3, norm);
    return out;
}

SpmTokenizer::SpmTokenizer(SpmVocab vocab, std::string proto, std::unique_ptr<sentencepiece::SentencePieceProcessor> sp)
    : vocab_(std::move(vocab)), proto_(std::move(proto)), sp_(std::move(sp)) {}

SpmTokenizer::~SpmTokenizer() = default;

Result<std::unique_ptr<SpmTokenizer>> SpmTokenizer::fromSerializedModel(const std::string& bytes, const std::string& context) {
    auto sp = loadProcessor(bytes, context);
    if (!sp) return sp.error();
    auto vocab = vocabOf(**sp, bytes, context);
    if (!vocab) return vocab.error();
    return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(std::move(*vocab), bytes, std::move(*sp)));
}

Result<std::unique_ptr<SpmTokenizer>> SpmTokenizer::fromModelFile(const std::string& path) {
    auto data = io::readTextFile(path, io::kMaxTokenizerFileBytes);  // a regular file, of bounded size
    if (!data) return data.error();
    return fromSerializedModel(*data, path);
}

Result<std::unique_ptr<SpmTokenizer>> SpmTokenizer::fromVocab(SpmVocab vocab) {
    if (vocab.pieces.empty() || vocab.scores.size() != vocab.pieces.size() || vocab.types.size() != vocab.pieces.size())
        return makeError(ErrorCode::CorruptFile, "SentencePiece vocabulary is empty or its pieces, scores and types differ in length");
    std::string proto = serializeSpmModel(vocab);
    auto sp = loadProcessor(proto, "the SentencePiece vocabulary");
    if (!sp) return sp.error();
    if ((*sp)->GetPieceSize() != static_cast<int>(vocab.pieces.size()))
        return makeError(ErrorCode::CorruptFile, "the SentencePiece library read " + std::to_string((*sp)->GetPieceSize()) + " of the vocabulary's " +
                                                     std::to_string(vocab.pieces.size()) + " pieces");
    // The library names bos / eos by piece and only takes control pieces; a vocabulary whose
    // special id points elsewhere keeps its own id (llama.cpp does), with a note.
    auto check = [&](const char* what, std::int32_t mine, int library) {
        if (mine >= 0 && mine != library)
            log::warn(std::string("SentencePiece vocabulary: ") + what + " id " + std::to_string(mine) + " ('" + vocab.pieces[mine] +
                      "') is not a control piece to the sentencepiece library; using it as given");
    };
    const auto in = [&](std::int32_t id) { return id >= 0 && id < static_cast<std::int32_t>(vocab.pieces.size()); };
    if (!in(vocab.bos_id)) vocab.bos_id = -1;
    if (!in(vocab.eos_id)) vocab.eos_id = -1;
    check("bos", vocab.bos_id, (*sp)->bos_id());
    check("eos", vocab.eos_id, (*sp)->eos_id());
    vocab.unk_id = (*sp)->unk_id();
    return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(std::move(vocab), std::move(proto), std::move(*sp)));
}

std::optional<std::int32_t> SpmTokenizer::bosId() const {
    return vocab_.bos_id >= 0 ? std::optional<std::int32_t>(vocab_.bos_id) : std::nullopt;
}
std::optional<std::int32_t> SpmTokenizer::eosId() const {
    return vocab_.eos_id >= 0 ? std::optional<std::int32_t>(vocab_.eos_id) : std::nullopt;
}
std::string SpmTokenizer::piece(std::int32_t id) const {
    // The library aborts on ids outside the vocabulary.
    return id >= 0 && id < sp_->GetPieceSize() ? sp_->IdToPiece(id) : std::string();
}

std::optional<std::int32_t> SpmTokenizer::tokenId(const std::string& piece) const {
    // The library answers the unknown id for pieces it does not have: check the piece round-trips.
    const int id = sp_->PieceToId(piece);
    if (id < 0 || id >= sp_->GetPieceSize() || sp_->IdToPiece(id) != piece) return std::nullopt;
    return id;
}

Result<std::vector<std::int32_t>> SpmTokenizer::tryEncode(const std::string& text, bool add_bos) const {
    std::vector<std::int32_t> ids;
    const auto st = sp_->Encode(text, &ids);
    if (!st.ok()) return makeError(ErrorCode::InvalidArgument, "sentencepiece could not encode a text: " + st.ToString());
    if (add_bos && vocab_.bos_id >= 0) ids.insert(ids.begin(), vocab_.bos_id);
    return ids;
}

std::vector<std::int32_t> SpmTokenizer::encode(const std::string& text, bool add_bos) const {
    auto ids = tryEncode(text, add_bos);
    if (ids) return std::move(*ids);
    log::warn(ids.error().message);
    return add_bos && vocab_.bos_id >= 0 ? std::vector<std::int32_t>{vocab_.bos_id} : std::vector<std::int32_t>{};
}

std::string SpmTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    // The library refuses the whole list when one id is outside the vocabulary: leave those out.
    std::vector<int> valid;
    valid.reserve(ids.size());
    const int n = sp_->GetPieceSize();
    for (std::int32_t id : ids)
        if (id >= 0 && id < n) valid.push_back(id);
    std::string out;
    const auto st = sp_->Decode(valid, &out);
    if (!st.ok()) log::warn("sentencepiece could not decode ids: " + st.ToString());
    return out;
}

}  // namespace srs::tokenizer
