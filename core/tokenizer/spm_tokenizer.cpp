#include "core/tokenizer/spm_tokenizer.h"

#include <cstring>
#include <queue>

#include "core/common/log.h"
#include "core/io/atomic_file.h"

namespace srs::tokenizer {
namespace {

const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

// --- a minimal protobuf reader: varints, length-delimited fields, fixed32 ---
struct ProtoReader {
    const std::uint8_t* p;
    const std::uint8_t* end;
    bool ok = true;

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
    float fixed32() {
        if (end - p < 4) {
            ok = false;
            return 0;
        }
        float f;
        std::memcpy(&f, p, 4);
        p += 4;
        return f;
    }
    void skip(int wire) {
        switch (wire) {
        case 0: varint(); break;
        case 1: p += 8; break;
        case 2: bytes(); break;
        case 5: p += 4; break;
        default: ok = false;
        }
        if (p > end) ok = false;
    }
};

int utf8Length(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c >> 5) == 0x6) return 2;
    if ((c >> 4) == 0xe) return 3;
    if ((c >> 3) == 0x1e) return 4;
    return 1;  // invalid lead byte: treat as one byte (it will go to byte fallback)
}

}  // namespace

Result<SpmVocab> parseSpmModel(const std::string& data) {
    SpmVocab v;
    v.remove_extra_whitespaces = true;  // NormalizerSpec defaults
    v.byte_fallback = false;            // TrainerSpec default
    ProtoReader r{reinterpret_cast<const std::uint8_t*>(data.data()), reinterpret_cast<const std::uint8_t*>(data.data()) + data.size()};
    int number = 0, wire = 0;
    while (!r.done() && r.field(&number, &wire)) {
        if (number == 1 && wire == 2) {  // SentencePiece piece
            std::string sub = r.bytes();
            ProtoReader s{reinterpret_cast<const std::uint8_t*>(sub.data()), reinterpret_cast<const std::uint8_t*>(sub.data()) + sub.size()};
            std::string piece;
            float score = 0;
            int type = 1;
            int n2, w2;
            while (!s.done() && s.field(&n2, &w2)) {
                if (n2 == 1 && w2 == 2) piece = s.bytes();
                else if (n2 == 2 && w2 == 5) score = s.fixed32();
                else if (n2 == 3 && w2 == 0) type = static_cast<int>(s.varint());
                else s.skip(w2);
            }
            if (!s.ok) return makeError(ErrorCode::CorruptFile, "tokenizer.model: a vocabulary entry is malformed");
            v.pieces.push_back(piece);
            v.scores.push_back(score);
            v.types.push_back(static_cast<PieceType>(type));
        } else if (number == 2 && wire == 2) {  // TrainerSpec
            std::string sub = r.bytes();
            ProtoReader s{reinterpret_cast<const std::uint8_t*>(sub.data()), reinterpret_cast<const std::uint8_t*>(sub.data()) + sub.size()};
            int n2, w2;
            while (!s.done() && s.field(&n2, &w2)) {
                if (w2 == 0 && n2 == 3) {
                    auto model_type = s.varint();
                    if (model_type != 2)
                        return makeError(ErrorCode::Unsupported, "tokenizer.model is a " + std::string(model_type == 1 ? "unigram" : "non-BPE") +
                                                                     " SentencePiece model; only BPE models are supported");
                } else if (w2 == 0 && n2 == 35) v.byte_fallback = s.varint() != 0;
                else if (w2 == 0 && n2 == 40) v.unk_id = static_cast<std::int32_t>(s.varint());
                else if (w2 == 0 && n2 == 41) v.bos_id = static_cast<std::int32_t>(static_cast<std::int64_t>(s.varint()));
                else if (w2 == 0 && n2 == 42) v.eos_id = static_cast<std::int32_t>(static_cast<std::int64_t>(s.varint()));
                else s.skip(w2);
            }
            if (!s.ok) return makeError(ErrorCode::CorruptFile, "tokenizer.model: the trainer spec is malformed");
        } else if (number == 3 && wire == 2) {  // NormalizerSpec
            std::string sub = r.bytes();
            ProtoReader s{reinterpret_cast<const std::uint8_t*>(sub.data()), reinterpret_cast<const std::uint8_t*>(sub.data()) + sub.size()};
            int n2, w2;
            while (!s.done() && s.field(&n2, &w2)) {
                if (n2 == 1 && w2 == 2) v.normalizer_name = s.bytes();
                else if (n2 == 3 && w2 == 0) v.add_dummy_prefix = s.varint() != 0;
                else if (n2 == 4 && w2 == 0) v.remove_extra_whitespaces = s.varint() != 0;
                else s.skip(w2);
            }
            if (!s.ok) return makeError(ErrorCode::CorruptFile, "tokenizer.model: the normalizer spec is malformed");
        } else {
            r.skip(wire);
        }
    }
    if (!r.ok) return makeError(ErrorCode::CorruptFile, "tokenizer.model is truncated or not a SentencePiece model");
    if (v.pieces.empty()) return makeError(ErrorCode::CorruptFile, "tokenizer.model holds no vocabulary");
    // Ids outside the vocabulary (e.g. bos_id -1 for "none") mean the token is absent.
    auto in = [&](std::int32_t id) { return id >= 0 && id < static_cast<std::int32_t>(v.pieces.size()); };
    if (!in(v.bos_id)) v.bos_id = -1;
    if (!in(v.eos_id)) v.eos_id = -1;
    if (!in(v.unk_id)) v.unk_id = 0;
    return v;
}

namespace {
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
    std::string trainer;
    putInt(trainer, 3, 2);  // BPE
    putInt(trainer, 4, static_cast<std::int64_t>(v.pieces.size()));
    putInt(trainer, 35, v.byte_fallback ? 1 : 0);
    putInt(trainer, 40, v.unk_id);
    putInt(trainer, 41, v.bos_id);
    putInt(trainer, 42, v.eos_id);
    putBytes(out, 2, trainer);
    std::string norm;
    putBytes(norm, 1, v.normalizer_name.empty() ? "identity" : v.normalizer_name);
    putInt(norm, 3, v.add_dummy_prefix ? 1 : 0);
    putInt(norm, 4, v.remove_extra_whitespaces ? 1 : 0);
    putBytes(out, 3, norm);
    return out;
}

SpmTokenizer::SpmTokenizer(SpmVocab vocab) : vocab_(std::move(vocab)) {
    for (int b = 0; b < 256; ++b) byte_ids_[b] = -1;
    for (std::size_t i = 0; i < vocab_.pieces.size(); ++i) {
        PieceType t = vocab_.types[i];
        if (t == PieceType::Normal || t == PieceType::UserDefined) mergeable_.emplace(vocab_.pieces[i], static_cast<std::int32_t>(i));
        if (t == PieceType::Byte && vocab_.pieces[i].size() == 6 && vocab_.pieces[i].compare(0, 3, "<0x") == 0) {
            int b = std::stoi(vocab_.pieces[i].substr(3, 2), nullptr, 16);
            byte_ids_[b] = static_cast<std::int32_t>(i);
        }
    }
}

Result<std::unique_ptr<SpmTokenizer>> SpmTokenizer::fromVocab(SpmVocab vocab) {
    if (vocab.pieces.empty() || vocab.scores.size() != vocab.pieces.size() || vocab.types.size() != vocab.pieces.size())
        return makeError(ErrorCode::CorruptFile, "SentencePiece vocabulary is empty or its pieces, scores and types differ in length");
    if (vocab.normalizer_name != "identity" && !vocab.normalizer_name.empty())
        log::warn("tokenizer normalizer '" + vocab.normalizer_name +
                  "' is applied as identity: texts with characters it would rewrite may tokenize differently");
    return std::unique_ptr<SpmTokenizer>(new SpmTokenizer(std::move(vocab)));
}

Result<std::unique_ptr<SpmTokenizer>> SpmTokenizer::fromModelFile(const std::string& path) {
    auto data = io::readFile(path);
    if (!data) return data.error();
    auto vocab = parseSpmModel(*data);
    if (!vocab) return vocab.error().withContext(path);
    return fromVocab(std::move(*vocab));
}

std::optional<std::int32_t> SpmTokenizer::bosId() const {
    return vocab_.bos_id >= 0 ? std::optional<std::int32_t>(vocab_.bos_id) : std::nullopt;
}
std::optional<std::int32_t> SpmTokenizer::eosId() const {
    return vocab_.eos_id >= 0 ? std::optional<std::int32_t>(vocab_.eos_id) : std::nullopt;
}
std::string SpmTokenizer::piece(std::int32_t id) const {
    return id >= 0 && id < static_cast<std::int32_t>(vocab_.pieces.size()) ? vocab_.pieces[id] : std::string();
}

std::string SpmTokenizer::normalize(const std::string& text) const {
    std::string t = text;
    if (vocab_.remove_extra_whitespaces) {
        // Leading and trailing spaces go, runs of spaces become one.
        std::string c;
        c.reserve(t.size());
        bool prev_space = true;
        for (char ch : t) {
            if (ch == ' ') {
                if (!prev_space) c.push_back(ch);
                prev_space = true;
            } else {
                c.push_back(ch);
                prev_space = false;
            }
        }
        while (!c.empty() && c.back() == ' ') c.pop_back();
        t.swap(c);
    }
    std::string out;
    out.reserve(t.size() + 8);
    if (vocab_.add_dummy_prefix && !t.empty()) out += kSpace;
    for (char ch : t) {
        if (ch == ' ')
            out += kSpace;
        else
            out.push_back(ch);
    }
    return out;
}

void SpmTokenizer::encodeSegment(const std::string& s, std::vector<std::int32_t>& out) const {
    // Symbols are UTF-8 characters in a doubly linked list; a max-heap of adjacent pairs keyed by
    // (score, -left position) picks each merge.
    struct Symbol {
        int prev, next;
        std::size_t start, len;
    };
    std::vector<Symbol> sym;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = std::min<std::size_t>(utf8Length(static_cast<unsigned char>(s[i])), s.size() - i);
        sym.push_back({static_cast<int>(sym.size()) - 1, static_cast<int>(sym.size()) + 1, i, n});
        i += n;
    }
    if (sym.empty()) return;
    sym.back().next = -1;
    struct Pair {
        float score;
        int left, right;
        std::size_t size;
        bool operator<(const Pair& o) const { return score != o.score ? score < o.score : left > o.left; }
    };
    std::priority_queue<Pair> heap;
    auto consider = [&](int l, int r) {
        if (l < 0 || r < 0) return;
        auto it = mergeable_.find(s.substr(sym[l].start, sym[l].len + sym[r].len));
        if (it == mergeable_.end()) return;
        heap.push({vocab_.scores[it->second], l, r, sym[l].len + sym[r].len});
    };
    for (std::size_t i = 0; i + 1 < sym.size(); ++i) consider(static_cast<int>(i), static_cast<int>(i + 1));
    while (!heap.empty()) {
        Pair p = heap.top();
        heap.pop();
        // Stale when either side was merged away or changed since the pair was queued.
        if (sym[p.left].len == 0 || sym[p.right].len == 0 || sym[p.left].next != p.right || sym[p.left].len + sym[p.right].len != p.size)
            continue;
        sym[p.left].len += sym[p.right].len;
        sym[p.right].len = 0;
        sym[p.left].next = sym[p.right].next;
        if (sym[p.right].next >= 0) sym[sym[p.right].next].prev = p.left;
        consider(sym[p.left].prev, p.left);
        consider(p.left, sym[p.left].next);
    }
    for (int i = 0; i >= 0; i = sym[i].next) {
        std::string piece = s.substr(sym[i].start, sym[i].len);
        auto it = mergeable_.find(piece);
        if (it != mergeable_.end()) {
            out.push_back(it->second);
        } else if (vocab_.byte_fallback) {
            for (unsigned char b : piece) out.push_back(byte_ids_[b] >= 0 ? byte_ids_[b] : vocab_.unk_id);
        } else {
            out.push_back(vocab_.unk_id);
        }
    }
}

std::vector<std::int32_t> SpmTokenizer::encode(const std::string& text, bool add_bos) const {
    std::vector<std::int32_t> ids;
    if (add_bos && vocab_.bos_id >= 0) ids.push_back(vocab_.bos_id);
    encodeSegment(normalize(text), ids);
    return ids;
}

std::string SpmTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    std::string out;
    for (std::int32_t id : ids) {
        if (id < 0 || id >= static_cast<std::int32_t>(vocab_.pieces.size())) continue;
        PieceType t = vocab_.types[id];
        if (t == PieceType::Control || t == PieceType::Unknown) {
            if (t == PieceType::Unknown) out += " \xE2\x81\x87 ";  // SentencePiece's rendering of <unk>
            continue;
        }
        const std::string& p = vocab_.pieces[id];
        if (t == PieceType::Byte) {
            out.push_back(static_cast<char>(std::stoi(p.substr(3, 2), nullptr, 16)));
            continue;
        }
        for (std::size_t i = 0; i < p.size();) {
            if (p.compare(i, kSpace.size(), kSpace) == 0) {
                out.push_back(' ');
                i += kSpace.size();
            } else {
                out.push_back(p[i++]);
            }
        }
    }
    if (vocab_.add_dummy_prefix && !out.empty() && out[0] == ' ') out.erase(0, 1);
    return out;
}

}  // namespace srs::tokenizer
