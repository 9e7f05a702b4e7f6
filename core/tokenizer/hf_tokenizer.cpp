#include "core/tokenizer/hf_tokenizer.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <queue>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include "core/common/log.h"
#include "core/io/atomic_file.h"

using nlohmann::json;

namespace srs::tokenizer {
namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at s[i]. Ill-formed input yields U+FFFD over the maximal subpart of a
// well-formed sequence (at least one byte), the substitution rule both the Rust library
// (from_utf8_lossy) and the WHATWG TextDecoder follow.
char32_t decodeUtf8(std::string_view s, std::size_t i, std::size_t& len) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        len = 1;
        return b0;
    }
    int need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    char32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        len = 1;
        return kReplacement;
    }
    std::size_t j = i + 1;
    for (int k = 0; k < need; ++k, ++j) {
        if (j >= s.size()) {
            len = j - i;
            return kReplacement;
        }
        const auto b = static_cast<unsigned char>(s[j]);
        if (b < lo || b > hi) {
            len = j - i;
            return kReplacement;
        }
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
    }
    len = j - i;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool isValidUtf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        if (decodeUtf8(s, i, len) == kReplacement && !(len == 3 && s.compare(i, 3, "\xEF\xBF\xBD") == 0)) return false;
        i += len;
    }
    return true;
}

std::string lossyUtf8(std::string_view s) {
    if (isValidUtf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 0;
        char32_t cp = decodeUtf8(s, i, len);
        if (cp == kReplacement) appendUtf8(out, kReplacement);
        else out.append(s.substr(i, len));
        i += len;
    }
    return out;
}

bool isWhiteSpace(char32_t cp) { return u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_WHITE_SPACE); }

// Code point before byte offset `end` (text is valid UTF-8).
char32_t codePointBefore(std::string_view s, std::size_t end, std::size_t& start) {
    start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t len = 0;
    return decodeUtf8(s, start, len);
}

std::string_view trimWhiteSpaceLeft(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t len = 0;
        if (!isWhiteSpace(decodeUtf8(s, i, len))) break;
        i += len;
    }
    return s.substr(i);
}

std::string_view trimWhiteSpaceRight(std::string_view s) {
    std::size_t end = s.size();
    while (end > 0) {
        std::size_t start = 0;
        if (!isWhiteSpace(codePointBefore(s, end, start))) break;
        end = start;
    }
    return s.substr(0, end);
}

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
    if (from.empty()) return;
    std::string out;
    std::size_t pos = 0;
    for (;;) {
        std::size_t hit = s.find(from, pos);
        if (hit == std::string::npos) break;
        out.append(s, pos, hit - pos);
        out.append(to);
        pos = hit + from.size();
    }
    if (pos == 0) return;
    out.append(s, pos, std::string::npos);
    s.swap(out);
}

// ---------------------------------------------------------------------------------------------
// GPT-2's byte-level alphabet: every byte maps to a printable code point, so that BPE runs over
// text without spaces or control characters and every byte sequence has a spelling.

struct ByteAlphabet {
    std::array<std::string, 256> byte_to_utf8;
    std::array<int, 512> cp_to_byte{};  // -1: not in the alphabet

    ByteAlphabet() {
        cp_to_byte.fill(-1);
        int extra = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
            appendUtf8(byte_to_utf8[b], cp);
            cp_to_byte[cp] = b;
        }
    }
    int byteOf(char32_t cp) const { return cp < cp_to_byte.size() ? cp_to_byte[cp] : -1; }
};

const ByteAlphabet& byteAlphabet() {
    static const ByteAlphabet alphabet;
    return alphabet;
}

// ---------------------------------------------------------------------------------------------
// Regexes. tokenizer.json patterns are written for Oniguruma (Rust tokenizers); ICU reads nearly
// the same syntax. Rewritten here, where the two differ in meaning or might: \s and \S (spelled
// out as White_Space, which Oniguruma and tokenizers.js use and ICU's \s also is), \h (hex
// digit, not horizontal space), \w (Oniguruma's word set), `.` (all but \n), and (?i:...) groups,
// which fold ASCII letters only, as tokenizers.js does (ICU and Oniguruma would also fold e.g.
// U+017F to s).

const char* const kWordSet = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u00B2\\u00B3\\u00B9\\u00BC-\\u00BE";

bool isAsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char32_t swapCase(char32_t c) { return c >= 'a' && c <= 'z' ? c - 32 : c + 32; }

class RegexTranslator {
public:
    explicit RegexTranslator(std::string_view src) : s_(src) {}

    Result<std::string> run() {
        std::vector<bool> fold_stack;
        bool fold = false;
        while (i_ < s_.size()) {
            char32_t c = next();
            if (c == '\\') {
                if (!escape(false)) return error("a '\\' at the end");
            } else if (c == '[') {
                if (!charClass(fold)) return error("an unterminated character class");
            } else if (c == '(') {
                fold_stack.push_back(fold);
                if (s_.substr(i_).rfind("?i:", 0) == 0) {
                    i_ += 3;
                    out_ += "(?:";
                    fold = true;
                } else {
                    out_ += '(';
                }
            } else if (c == ')') {
                if (!fold_stack.empty()) {
                    fold = fold_stack.back();
                    fold_stack.pop_back();
                }
                out_ += ')';
            } else if (c == '.') {
                out_ += "[^\\n]";
            } else if (fold && isAsciiLetter(c)) {
                out_ += '[';
                appendUtf8(out_, c);
                appendUtf8(out_, swapCase(c));
                out_ += ']';
            } else {
                appendUtf8(out_, c);
            }
        }
        return out_;
    }

private:
    char32_t next() {
        std::size_t len = 0;
        char32_t c = decodeUtf8(s_, i_, len);
        i_ += len;
        return c;
    }
    Error error(const std::string& what) const {
        return makeError(ErrorCode::CorruptFile, "the pre-tokenizer regex has " + what + ": " + std::string(s_));
    }

    // After a backslash. Returns false at the end of the pattern.
    bool escape(bool in_class) {
        if (i_ >= s_.size()) return false;
        const std::size_t at = i_;
        char32_t c = next();
        switch (c) {
            case 's': out_ += "\\p{White_Space}"; break;
            case 'S': out_ += "\\P{White_Space}"; break;
            case 'h': out_ += in_class ? "0-9A-Fa-f" : "[0-9A-Fa-f]"; break;
            case 'H': out_ += "[^0-9A-Fa-f]"; break;
            case 'w': out_ += in_class ? std::string(kWordSet) : "[" + std::string(kWordSet) + "]"; break;
            case 'W': out_ += "[^" + std::string(kWordSet) + "]"; break;
            default:
                out_ += '\\';
                out_.append(s_.substr(at, i_ - at));
        }
        return true;
    }

    // After '['. Copies the class, rewriting escapes and, under (?i:, adding the other case of
    // ASCII letters and letter ranges.
    bool charClass(bool fold) {
        out_ += '[';
        if (i_ < s_.size() && s_[i_] == '^') {
            out_ += '^';
            ++i_;
        }
        if (i_ < s_.size() && s_[i_] == ']') {  // a leading ']' is a literal in Oniguruma
            out_ += "\\]";
            ++i_;
        }
        std::string extra;  // other-case letters to add
        char32_t prev_literal = 0;
        while (i_ < s_.size()) {
            if (s_.compare(i_, 2, "[:") == 0) {  // POSIX bracket, ICU reads it as is
                std::size_t close = s_.find(":]", i_ + 2);
                if (close == std::string::npos) return false;
                out_.append(s_.substr(i_, close + 2 - i_));
                i_ = close + 2;
                prev_literal = 0;
                continue;
            }
            char32_t c = next();
            if (c == ']') {
                if (fold && !extra.empty()) out_ += extra;
                out_ += ']';
                return true;
            }
            if (c == '[') {
                if (!charClass(fold)) return false;
                prev_literal = 0;
                continue;
            }
            if (c == '\\') {
                if (!escape(true)) return false;
                prev_literal = 0;
                continue;
            }
            if (c == '-' && prev_literal && i_ < s_.size() && s_[i_] != ']') {
                const std::size_t at = i_;
                char32_t hi = next();
                if (hi == '\\' || hi == '[') {  // not a plain range; let ICU judge
                    i_ = at;
                    out_ += '-';
                    prev_literal = 0;
                    continue;
                }
                out_ += '-';
                appendUtf8(out_, hi);
                if (fold && isAsciiLetter(prev_literal) && isAsciiLetter(hi) &&
                    ((prev_literal <= 'Z') == (hi <= 'Z'))) {
                    appendUtf8(extra, swapCase(prev_literal));
                    extra += '-';
                    appendUtf8(extra, swapCase(hi));
                }
                prev_literal = 0;
                continue;
            }
            if (fold && isAsciiLetter(c)) appendUtf8(extra, swapCase(c));
            appendUtf8(out_, c);
            prev_literal = c;
        }
        return false;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::string out_;
};

std::string quoteLiteral(std::string_view text) {
    // \Q...\E, with any \E inside the literal split out.
    std::string out = "\\Q";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "\\E") == 0) {
            out += "\\E\\\\\\QE";
            ++i;
        } else {
            out += text[i];
        }
    }
    return out + "\\E";
}

class Regex {
public:
    static Result<std::shared_ptr<Regex>> compile(const std::string& icu_pattern) {
        UErrorCode status = U_ZERO_ERROR;
        UParseError parse{};
        auto pattern = std::unique_ptr<icu::RegexPattern>(icu::RegexPattern::compile(
            icu::UnicodeString::fromUTF8(icu_pattern), UREGEX_MULTILINE | UREGEX_UNIX_LINES, parse, status));
        if (U_FAILURE(status) || !pattern)
            return makeError(ErrorCode::Unsupported, "the regex '" + icu_pattern + "' does not compile (" + u_errorName(status) +
                                                         " at offset " + std::to_string(parse.offset) + ")");
        auto r = std::make_shared<Regex>();
        r->pattern_ = std::move(pattern);
        return r;
    }

    // Byte ranges of the non-empty matches in text (valid UTF-8), left to right.
    std::vector<std::pair<std::size_t, std::size_t>> matches(std::string_view text) const {
        std::vector<std::pair<std::size_t, std::size_t>> out;
        if (text.empty()) return out;
        UErrorCode status = U_ZERO_ERROR;
        UText ut = UTEXT_INITIALIZER;
        utext_openUTF8(&ut, text.data(), static_cast<int64_t>(text.size()), &status);
        std::unique_ptr<icu::RegexMatcher> m(pattern_->matcher(status));
        if (U_FAILURE(status) || !m) {
            utext_close(&ut);
            log::warn(std::string("tokenizer regex: cannot start a matcher: ") + u_errorName(status));
            return out;
        }
        m->reset(&ut);
        // Deep backtracking over very long runs must not exhaust the stack; ICU keeps its own.
        m->setStackLimit(0, status);
        while (m->find(status) && U_SUCCESS(status)) {
            const auto b = static_cast<std::size_t>(m->start64(status));
            const auto e = static_cast<std::size_t>(m->end64(status));
            if (e > b) out.emplace_back(b, e);
        }
        if (U_FAILURE(status)) log::warn(std::string("tokenizer regex stopped early: ") + u_errorName(status));
        m.reset();
        utext_close(&ut);
        return out;
    }

private:
    std::unique_ptr<icu::RegexPattern> pattern_;
};

// ---------------------------------------------------------------------------------------------
// Splitting a piece into parts by delimiters, with the library's five ways to treat them.

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct Segment {
    std::size_t begin = 0, end = 0;
    bool is_match = false;
};

// Segments covering [0, size) from the match ranges.
std::vector<Segment> segmentsFrom(const std::vector<std::pair<std::size_t, std::size_t>>& matches, std::size_t size, bool invert) {
    std::vector<Segment> segs;
    std::size_t pos = 0;
    for (const auto& [b, e] : matches) {
        if (b > pos) segs.push_back({pos, b, invert});
        segs.push_back({b, e, !invert});
        pos = e;
    }
    if (pos < size) segs.push_back({pos, size, invert});
    return segs;
}

void applyBehavior(std::string_view piece, const std::vector<Segment>& segs, SplitBehavior behavior,
                   std::vector<std::string>& out) {
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    switch (behavior) {
        case SplitBehavior::Removed:
            for (const auto& s : segs)
                if (!s.is_match) parts.emplace_back(s.begin, s.end);
            break;
        case SplitBehavior::Isolated:
            for (const auto& s : segs) parts.emplace_back(s.begin, s.end);
            break;
        case SplitBehavior::MergedWithPrevious: {
            bool previous_match = false;
            for (const auto& s : segs) {
                if (s.is_match && !previous_match && !parts.empty()) parts.back().second = s.end;
                else parts.emplace_back(s.begin, s.end);
                previous_match = s.is_match;
            }
            break;
        }
        case SplitBehavior::MergedWithNext: {
            bool previous_match = false;
            for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
                if (it->is_match && !previous_match && !parts.empty()) parts.back().first = it->begin;
                else parts.emplace_back(it->begin, it->end);
                previous_match = it->is_match;
            }
            std::reverse(parts.begin(), parts.end());
            break;
        }
        case SplitBehavior::Contiguous: {
            bool previous_match = false;
            for (const auto& s : segs) {
                if (s.is_match == previous_match && !parts.empty()) parts.back().second = s.end;
                else parts.emplace_back(s.begin, s.end);
                previous_match = s.is_match;
            }
            break;
        }
    }
    for (const auto& [b, e] : parts)
        if (e > b) out.emplace_back(piece.substr(b, e - b));
}

Result<SplitBehavior> parseBehavior(const json& j) {
    const std::string b = j.is_string() ? j.get<std::string>() : "";
    std::string lower;
    for (char c : b) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "removed") return SplitBehavior::Removed;
    if (lower == "isolated") return SplitBehavior::Isolated;
    if (lower == "mergedwithprevious" || lower == "merged_with_previous") return SplitBehavior::MergedWithPrevious;
    if (lower == "mergedwithnext" || lower == "merged_with_next") return SplitBehavior::MergedWithNext;
    if (lower == "contiguous") return SplitBehavior::Contiguous;
    return makeError(ErrorCode::Unsupported, "unknown split behavior '" + b + "'");
}

// ---------------------------------------------------------------------------------------------
// Normalizers

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual void apply(std::string& text) const = 0;
};

class UnicodeForm : public Normalizer {
public:
    explicit UnicodeForm(const icu::Normalizer2* n) : n_(n) {}
    void apply(std::string& text) const override {
        UErrorCode status = U_ZERO_ERROR;
        if (n_->isNormalizedUTF8(text, status) && U_SUCCESS(status)) return;
        status = U_ZERO_ERROR;
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
        icu::UnicodeString normalized = n_->normalize(u, status);
        if (U_FAILURE(status)) return;
        text.clear();
        normalized.toUTF8String(text);
    }

private:
    const icu::Normalizer2* n_;
};

class Lowercase : public Normalizer {
public:
    void apply(std::string& text) const override {
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
        u.toLower(icu::Locale::getRoot());
        text.clear();
        u.toUTF8String(text);
    }
};

class StripAccents : public Normalizer {
public:
    void apply(std::string& text) const override {
        std::string out;
        for (std::size_t i = 0; i < text.size();) {
            std::size_t len = 0;
            char32_t cp = decodeUtf8(text, i, len);
            if (u_charType(static_cast<UChar32>(cp)) != U_NON_SPACING_MARK) out.append(text, i, len);
            i += len;
        }
        text.swap(out);
    }
};

class Strip : public Normalizer {
public:
    Strip(bool left, bool right) : left_(left), right_(right) {}
    void apply(std::string& text) const override {
        std::string_view v = text;
        if (right_) v = trimWhiteSpaceRight(v);
        if (left_) v = trimWhiteSpaceLeft(v);
        text = std::string(v);
    }

private:
    bool left_, right_;
};

class Prepend : public Normalizer {
public:
    explicit Prepend(std::string p) : prepend_(std::move(p)) {}
    void apply(std::string& text) const override {
        if (!text.empty()) text.insert(0, prepend_);
    }

private:
    std::string prepend_;
};

class Replace : public Normalizer {
public:
    Replace(std::shared_ptr<Regex> regex, std::string literal, std::string content)
        : regex_(std::move(regex)), literal_(std::move(literal)), content_(std::move(content)) {}
    void apply(std::string& text) const override { replaceIn(text); }
    void replaceIn(std::string& text) const {
        if (!regex_) {
            replaceAll(text, literal_, content_);
            return;
        }
        std::string out;
        std::size_t pos = 0;
        for (const auto& [b, e] : regex_->matches(text)) {
            out.append(text, pos, b - pos);
            out += content_;
            pos = e;
        }
        out.append(text, pos, std::string::npos);
        text.swap(out);
    }

private:
    std::shared_ptr<Regex> regex_;
    std::string literal_, content_;
};

class NormalizerSequence : public Normalizer {
public:
    std::vector<std::unique_ptr<Normalizer>> steps;
    void apply(std::string& text) const override {
        for (const auto& s : steps) s->apply(text);
    }
};

std::string typeOf(const json& j) { return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : ""; }

// A pattern object {"String": "..."} or {"Regex": "..."}: a compiled regex for either (literal
// strings quoted), or the literal itself when literal_out is given and the pattern is a String.
Result<std::shared_ptr<Regex>> patternOf(const json& j, std::string* literal_out) {
    if (j.is_object() && j.contains("String") && j["String"].is_string()) {
        if (literal_out) {
            *literal_out = j["String"].get<std::string>();
            return std::shared_ptr<Regex>();
        }
        return Regex::compile(quoteLiteral(j["String"].get<std::string>()));
    }
    if (j.is_object() && j.contains("Regex") && j["Regex"].is_string()) {
        auto icu = RegexTranslator(j["Regex"].get<std::string>()).run();
        if (!icu) return icu.error();
        return Regex::compile(*icu);
    }
    return makeError(ErrorCode::CorruptFile, "a pattern is neither {\"String\": ...} nor {\"Regex\": ...}");
}

std::string str(const json& j, const char* key, const std::string& fallback = "") {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}
bool boolean(const json& j, const char* key, bool fallback) {
    return j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : fallback;
}

Result<std::unique_ptr<Normalizer>> makeNormalizer(const json& j) {
    const std::string type = typeOf(j);
    UErrorCode status = U_ZERO_ERROR;
    if (type == "NFC") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFCInstance(status)));
    if (type == "NFD") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFDInstance(status)));
    if (type == "NFKC") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFKCInstance(status)));
    if (type == "NFKD") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFKDInstance(status)));
    if (type == "Lowercase") return std::unique_ptr<Normalizer>(new Lowercase());
    if (type == "StripAccents") return std::unique_ptr<Normalizer>(new StripAccents());
    if (type == "Strip") return std::unique_ptr<Normalizer>(new Strip(boolean(j, "strip_left", true), boolean(j, "strip_right", true)));
    if (type == "Prepend") return std::unique_ptr<Normalizer>(new Prepend(str(j, "prepend")));
    if (type == "Replace") {
        std::string literal;
        auto regex = patternOf(j.value("pattern", json()), &literal);
        if (!regex) return regex.error();
        return std::unique_ptr<Normalizer>(new Replace(*regex, literal, str(j, "content")));
    }
    if (type == "Sequence") {
        auto seq = std::make_unique<NormalizerSequence>();
        for (const auto& n : j.value("normalizers", json::array())) {
            auto step = makeNormalizer(n);
            if (!step) return step.error();
            seq->steps.push_back(std::move(*step));
        }
        return std::unique_ptr<Normalizer>(std::move(seq));
    }
    return makeError(ErrorCode::Unsupported, "normalizer '" + type + "' is not supported");
}

// ---------------------------------------------------------------------------------------------
// Pre-tokenizers: each turns the list of pieces into a finer list.

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    // at_input_start: the pieces come from the start of the whole input (Metaspace "first").
    virtual void apply(std::vector<std::string>& pieces, bool at_input_start) const = 0;
};

class SplitPre : public PreTokenizer {
public:
    SplitPre(std::shared_ptr<Regex> r, SplitBehavior b, bool invert) : regex_(std::move(r)), behavior_(b), invert_(invert) {}
    void apply(std::vector<std::string>& pieces, bool) const override {
        std::vector<std::string> out;
        out.reserve(pieces.size() * 4);
        for (const auto& p : pieces) applyBehavior(p, segmentsFrom(regex_->matches(p), p.size(), invert_), behavior_, out);
        pieces.swap(out);
    }

private:
    std::shared_ptr<Regex> regex_;
    SplitBehavior behavior_;
    bool invert_;
};

class ByteLevelPre : public PreTokenizer {
public:
    ByteLevelPre(bool add_prefix_space, std::shared_ptr<Regex> regex) : add_prefix_space_(add_prefix_space), regex_(std::move(regex)) {}
    void apply(std::vector<std::string>& pieces, bool) const override {
        const auto& alphabet = byteAlphabet();
        std::vector<std::string> split;
        for (auto& p : pieces) {
            if (add_prefix_space_ && (p.empty() || p[0] != ' ')) p.insert(0, " ");
            if (regex_) applyBehavior(p, segmentsFrom(regex_->matches(p), p.size(), false), SplitBehavior::Isolated, split);
            else split.push_back(std::move(p));
        }
        for (auto& p : split) {
            std::string mapped;
            mapped.reserve(p.size() * 2);
            for (unsigned char b : p) mapped += alphabet.byte_to_utf8[b];
            p.swap(mapped);
        }
        pieces.swap(split);
    }

private:
    bool add_prefix_space_;
    std::shared_ptr<Regex> regex_;
};

class DigitsPre : public PreTokenizer {
public:
    explicit DigitsPre(bool individual) : individual_(individual) {}
    void apply(std::vector<std::string>& pieces, bool) const override {
        std::vector<std::string> out;
        for (const auto& p : pieces) {
            std::vector<std::pair<std::size_t, std::size_t>> matches;
            for (std::size_t i = 0; i < p.size();) {
                std::size_t len = 0;
                char32_t cp = decodeUtf8(p, i, len);
                const auto cat = u_charType(static_cast<UChar32>(cp));
                if (cat == U_DECIMAL_DIGIT_NUMBER || cat == U_LETTER_NUMBER || cat == U_OTHER_NUMBER) matches.emplace_back(i, i + len);
                i += len;
            }
            applyBehavior(p, segmentsFrom(matches, p.size(), false), individual_ ? SplitBehavior::Isolated : SplitBehavior::Contiguous, out);
        }
        pieces.swap(out);
    }

private:
    bool individual_;
};

enum class PrependScheme { Always, First, Never };

class MetaspacePre : public PreTokenizer {
public:
    MetaspacePre(std::string replacement, PrependScheme scheme, bool split)
        : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}
    void apply(std::vector<std::string>& pieces, bool at_input_start) const override {
        std::vector<std::string> out;
        for (std::size_t k = 0; k < pieces.size(); ++k) {
            std::string p = pieces[k];
            replaceAll(p, " ", replacement_);
            const bool prepend = scheme_ == PrependScheme::Always || (scheme_ == PrependScheme::First && at_input_start && k == 0);
            if (prepend && p.compare(0, replacement_.size(), replacement_) != 0) p.insert(0, replacement_);
            if (!split_) {
                out.push_back(std::move(p));
                continue;
            }
            std::vector<std::pair<std::size_t, std::size_t>> matches;
            for (std::size_t pos = p.find(replacement_); pos != std::string::npos; pos = p.find(replacement_, pos + replacement_.size()))
                matches.emplace_back(pos, pos + replacement_.size());
            applyBehavior(p, segmentsFrom(matches, p.size(), false), SplitBehavior::MergedWithNext, out);
        }
        pieces.swap(out);
    }

private:
    std::string replacement_;
    PrependScheme scheme_;
    bool split_;
};

const char* const kGpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

Result<PrependScheme> prependSchemeOf(const json& j) {
    if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string()) {
        const std::string s = j["prepend_scheme"].get<std::string>();
        if (s == "always") return PrependScheme::Always;
        if (s == "first") return PrependScheme::First;
        if (s == "never") return PrependScheme::Never;
        return makeError(ErrorCode::Unsupported, "Metaspace prepend_scheme '" + s + "' is not supported");
    }
    return boolean(j, "add_prefix_space", true) ? PrependScheme::Always : PrependScheme::Never;
}

Status addPreTokenizer(const json& j, std::vector<std::unique_ptr<PreTokenizer>>& out) {
    const std::string type = typeOf(j);
    if (type == "Sequence") {
        for (const auto& p : j.value("pretokenizers", json::array())) {
            auto st = addPreTokenizer(p, out);
            if (!st) return st;
        }
        return {};
    }
    if (type == "Split") {
        auto regex = patternOf(j.value("pattern", json()), nullptr);
        if (!regex) return regex.error();
        auto behavior = parseBehavior(j.value("behavior", json()));
        if (!behavior) return behavior.error();
        out.push_back(std::make_unique<SplitPre>(*regex, *behavior, boolean(j, "invert", false)));
        return {};
    }
    if (type == "ByteLevel") {
        std::shared_ptr<Regex> regex;
        if (boolean(j, "use_regex", true)) {
            auto icu = RegexTranslator(kGpt2Pattern).run();
            if (!icu) return icu.error();
            auto r = Regex::compile(*icu);
            if (!r) return r.error();
            regex = *r;
        }
        out.push_back(std::make_unique<ByteLevelPre>(boolean(j, "add_prefix_space", true), regex));
        return {};
    }
    if (type == "Digits") {
        out.push_back(std::make_unique<DigitsPre>(boolean(j, "individual_digits", false)));
        return {};
    }
    if (type == "Metaspace") {
        auto scheme = prependSchemeOf(j);
        if (!scheme) return scheme.error();
        out.push_back(std::make_unique<MetaspacePre>(str(j, "replacement", "\xE2\x96\x81"), *scheme, boolean(j, "split", true)));
        return {};
    }
    return makeError(ErrorCode::Unsupported, "pre-tokenizer '" + type + "' is not supported");
}

// ---------------------------------------------------------------------------------------------
// Decoders: each turns the list of token strings into another, as the library's decode_chain.

struct DecodeToken {
    std::string text;
    bool added = false;  // an added token's content, left as is by the byte-level step
};

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual void apply(std::vector<DecodeToken>& tokens) const = 0;
};

class ByteLevelDecoder : public Decoder {
public:
    void apply(std::vector<DecodeToken>& tokens) const override {
        const auto& alphabet = byteAlphabet();
        std::vector<DecodeToken> out;
        std::string bytes;
        auto flush = [&] {
            if (!bytes.empty()) out.push_back({lossyUtf8(bytes), false});
            bytes.clear();
        };
        for (const auto& t : tokens) {
            if (t.added) {
                flush();
                out.push_back(t);
                continue;
            }
            std::string mapped;
            bool all_mapped = true;
            for (std::size_t i = 0; i < t.text.size();) {
                std::size_t len = 0;
                int b = alphabet.byteOf(decodeUtf8(t.text, i, len));
                if (b < 0) {
                    all_mapped = false;
                    break;
                }
                mapped.push_back(static_cast<char>(b));
                i += len;
            }
            bytes += all_mapped ? mapped : t.text;
        }
        flush();
        tokens.swap(out);
    }
};

class ByteFallbackDecoder : public Decoder {
public:
    void apply(std::vector<DecodeToken>& tokens) const override {
        std::vector<DecodeToken> out;
        std::string bytes;
        auto flush = [&] {
            if (bytes.empty()) return;
            if (isValidUtf8(bytes)) {
                out.push_back({bytes, false});
            } else {
                for (std::size_t i = 0; i < bytes.size(); ++i) out.push_back({"\xEF\xBF\xBD", false});
            }
            bytes.clear();
        };
        for (const auto& t : tokens) {
            int byte = -1;
            if (t.text.size() == 6 && t.text.compare(0, 3, "<0x") == 0 && t.text[5] == '>') {
                const std::string hex = t.text.substr(3, 2);
                if (std::isxdigit(static_cast<unsigned char>(hex[0])) && std::isxdigit(static_cast<unsigned char>(hex[1])))
                    byte = std::stoi(hex, nullptr, 16);
            }
            if (byte >= 0) {
                bytes.push_back(static_cast<char>(byte));
            } else {
                flush();
                out.push_back(t);
            }
        }
        flush();
        tokens.swap(out);
    }
};

class FuseDecoder : public Decoder {
public:
    void apply(std::vector<DecodeToken>& tokens) const override {
        DecodeToken all;
        for (const auto& t : tokens) all.text += t.text;
        tokens.assign(1, all);
    }
};

class StripDecoder : public Decoder {
public:
    StripDecoder(std::string content, int start, int stop) : content_(std::move(content)), start_(start), stop_(stop) {}
    void apply(std::vector<DecodeToken>& tokens) const override {
        for (auto& t : tokens) {
            std::string& s = t.text;
            for (int k = 0; k < start_ && !content_.empty() && s.compare(0, content_.size(), content_) == 0; ++k) s.erase(0, content_.size());
            for (int k = 0; k < stop_ && !content_.empty() && s.size() >= content_.size() &&
                            s.compare(s.size() - content_.size(), content_.size(), content_) == 0;
                 ++k)
                s.erase(s.size() - content_.size());
        }
    }

private:
    std::string content_;
    int start_, stop_;
};

class ReplaceDecoder : public Decoder {
public:
    explicit ReplaceDecoder(std::unique_ptr<Replace> r) : replace_(std::move(r)) {}
    void apply(std::vector<DecodeToken>& tokens) const override {
        for (auto& t : tokens) replace_->replaceIn(t.text);
    }

private:
    std::unique_ptr<Replace> replace_;
};

class MetaspaceDecoder : public Decoder {
public:
    MetaspaceDecoder(std::string replacement, bool strip_first) : replacement_(std::move(replacement)), strip_first_(strip_first) {}
    void apply(std::vector<DecodeToken>& tokens) const override {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            std::string& s = tokens[i].text;
            replaceAll(s, replacement_, " ");
            if (i == 0 && strip_first_ && !s.empty() && s[0] == ' ') s.erase(0, 1);
        }
    }

private:
    std::string replacement_;
    bool strip_first_;
};

Status addDecoder(const json& j, std::vector<std::unique_ptr<Decoder>>& out) {
    const std::string type = typeOf(j);
    if (type == "Sequence") {
        for (const auto& d : j.value("decoders", json::array())) {
            auto st = addDecoder(d, out);
            if (!st) return st;
        }
        return {};
    }
    if (type == "ByteLevel") {
        out.push_back(std::make_unique<ByteLevelDecoder>());
        return {};
    }
    if (type == "ByteFallback") {
        out.push_back(std::make_unique<ByteFallbackDecoder>());
        return {};
    }
    if (type == "Fuse") {
        out.push_back(std::make_unique<FuseDecoder>());
        return {};
    }
    if (type == "Strip") {
        out.push_back(std::make_unique<StripDecoder>(str(j, "content", " "), j.value("start", 0), j.value("stop", 0)));
        return {};
    }
    if (type == "Replace") {
        std::string literal;
        auto regex = patternOf(j.value("pattern", json()), &literal);
        if (!regex) return regex.error();
        out.push_back(std::make_unique<ReplaceDecoder>(std::make_unique<Replace>(*regex, literal, str(j, "content"))));
        return {};
    }
    if (type == "Metaspace") {
        auto scheme = prependSchemeOf(j);
        if (!scheme) return scheme.error();
        out.push_back(std::make_unique<MetaspaceDecoder>(str(j, "replacement", "\xE2\x96\x81"), *scheme != PrependScheme::Never));
        return {};
    }
    return makeError(ErrorCode::Unsupported, "decoder '" + type + "' is not supported");
}

// ---------------------------------------------------------------------------------------------
// Added tokens: found in the text before anything else, leftmost-longest.

struct AddedToken {
    std::string content;
    std::int32_t id = -1;
    bool single_word = false, lstrip = false, rstrip = false, normalized = false, special = false;
};

class AddedTrie {
public:
    void add(const std::string& content, std::size_t token_index) {
        if (content.empty()) return;
        int node = 0;
        for (unsigned char c : content) {
            auto it = nodes_[node].next.find(c);
            if (it == nodes_[node].next.end()) {
                nodes_.push_back({});
                it = nodes_[node].next.emplace(c, static_cast<int>(nodes_.size() - 1)).first;
            }
            node = it->second;
        }
        nodes_[node].token = static_cast<int>(token_index);
        first_byte_[static_cast<unsigned char>(content[0])] = true;
    }
    bool empty() const { return nodes_.size() == 1; }
    // Longest token starting at pos: (token index, length) or (-1, 0).
    std::pair<int, std::size_t> longestAt(std::string_view s, std::size_t pos) const {
        if (!first_byte_[static_cast<unsigned char>(s[pos])]) return {-1, 0};
        int node = 0, best = -1;
        std::size_t best_len = 0;
        for (std::size_t i = pos; i < s.size(); ++i) {
            auto it = nodes_[node].next.find(static_cast<unsigned char>(s[i]));
            if (it == nodes_[node].next.end()) break;
            node = it->second;
            if (nodes_[node].token >= 0) {
                best = nodes_[node].token;
                best_len = i + 1 - pos;
            }
        }
        return {best, best_len};
    }

private:
    struct Node {
        std::unordered_map<unsigned char, int> next;
        int token = -1;
    };
    std::vector<Node> nodes_ = std::vector<Node>(1);
    std::array<bool, 256> first_byte_{};
};

bool isWordChar(char32_t cp) {
    const auto c = static_cast<UChar32>(cp);
    return cp == '_' || u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_charType(c) == U_DECIMAL_DIGIT_NUMBER ||
           u_charType(c) == U_LETTER_NUMBER || u_charType(c) == U_OTHER_NUMBER;
}

// One part of the input: plain text, or an added token's id.
struct Part {
    std::string text;
    std::int32_t added_id = -1;
};

// ---------------------------------------------------------------------------------------------
// Post-processor template (one sequence): special-token ids around the text.

struct TemplateItem {
    bool is_sequence = false;
    std::vector<std::int32_t> ids;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

struct HfTokenizer::Impl {
    // Model
    // id -> stored piece ("" where none). Never resized once vocab points into it.
    std::vector<std::string> pieces;
    std::unordered_map<std::string_view, std::int32_t> vocab;  // model vocabulary (views into pieces)
    std::size_t vocab_size = 0;                                // with the added tokens
    std::unordered_map<std::uint64_t, std::pair<std::int32_t, std::int32_t>> merges;  // (a, b) -> (rank, merged id)
    std::optional<std::int32_t> unk_id;
    bool fuse_unk = false, byte_fallback = false, ignore_merges = false;
    std::string continuing_subword_prefix, end_of_word_suffix;
    std::array<std::int32_t, 256> byte_piece_ids{};  // <0xNN>, -1 where absent

    // Added tokens
    std::vector<AddedToken> added;
    std::unordered_map<std::string, std::int32_t> added_by_content;
    std::unordered_map<std::int32_t, std::size_t> added_by_id;  // id -> index in added
    AddedTrie raw_trie, normalized_trie;

    std::unique_ptr<Normalizer> normalizer;
    std::vector<std::unique_ptr<PreTokenizer>> pre_tokenizers;
    std::vector<std::unique_ptr<Decoder>> decoders;
    std::optional<std::vector<TemplateItem>> single_template;

    std::optional<std::int32_t> bos_id, eos_id;
    bool add_bos_default = false;
    bool clean_up_spaces = false;

    // Whole-word cache: the same words recur all through a text.
    mutable std::mutex cache_mutex;
    mutable std::unordered_map<std::string, std::vector<std::int32_t>> cache;
    static constexpr std::size_t kCacheMaxEntries = 200000;
    static constexpr std::size_t kCacheMaxWordBytes = 256;

    std::optional<std::int32_t> lookup(std::string_view piece) const {
        auto it = vocab.find(piece);
        if (it != vocab.end()) return it->second;
        return std::nullopt;
    }

    std::optional<std::int32_t> anyId(const std::string& content) const {
        auto a = added_by_content.find(content);
        if (a != added_by_content.end()) return a->second;
        return lookup(content);
    }

    void splitAdded(std::string_view text, const AddedTrie& trie, std::vector<Part>& out) const {
        if (trie.empty()) {
            if (!text.empty()) out.push_back({std::string(text), -1});
            return;
        }
        std::size_t start = 0;
        bool strip_next_left = false;
        auto flushText = [&](std::size_t end, bool strip_right) {
            std::string_view seg = text.substr(start, end - start);
            if (strip_next_left) seg = trimWhiteSpaceLeft(seg);
            if (strip_right) seg = trimWhiteSpaceRight(seg);
            if (!seg.empty()) out.push_back({std::string(seg), -1});
        };
        for (std::size_t i = 0; i < text.size();) {
            auto [index, len] = trie.longestAt(text, i);
            if (index < 0) {
                ++i;
                continue;
            }
            const AddedToken& tok = added[static_cast<std::size_t>(index)];
            if (tok.single_word) {
                std::size_t before = 0, after_len = 0;
                const bool word_before = i > 0 && isWordChar(codePointBefore(text, i, before));
                const bool word_after = i + len < text.size() && isWordChar(decodeUtf8(text, i + len, after_len));
                if (word_before || word_after) {
                    ++i;
                    continue;
                }
            }
            flushText(i, tok.lstrip);
            out.push_back({std::string(), tok.id});
            strip_next_left = tok.rstrip;
            i += len;
            start = i;
        }
        flushText(text.size(), false);
    }

    void bpeWord(const std::string& word, std::vector<std::int32_t>& out) const {
        if (ignore_merges) {
            if (auto id = lookup(word)) {
                out.push_back(*id);
                return;
            }
        }
        const bool cacheable = word.size() <= kCacheMaxWordBytes;
        if (cacheable) {
            std::lock_guard<std::mutex> lock(cache_mutex);
            auto it = cache.find(word);
            if (it != cache.end()) {
                out.insert(out.end(), it->second.begin(), it->second.end());
                return;
            }
        }
        std::vector<std::int32_t> ids = mergeWord(word);
        out.insert(out.end(), ids.begin(), ids.end());
        if (cacheable) {
            std::lock_guard<std::mutex> lock(cache_mutex);
            if (cache.size() >= kCacheMaxEntries) cache.clear();
            cache.emplace(word, std::move(ids));
        }
    }

    std::vector<std::int32_t> mergeWord(const std::string& word) const {
        // Initial symbols: one per character, unknown ones as byte pieces or (fused) unk.
        std::vector<std::int32_t> sym;
        sym.reserve(word.size());
        std::optional<std::int32_t> pending_unk;
        std::string key;
        for (std::size_t i = 0; i < word.size();) {
            std::size_t len = 0;
            decodeUtf8(word, i, len);
            const bool first = i == 0, last = i + len == word.size();
            std::string_view ch(word.data() + i, len);
            std::optional<std::int32_t> id;
            if ((first || continuing_subword_prefix.empty()) && (!last || end_of_word_suffix.empty())) {
                id = lookup(ch);
            } else {
                key.assign(first ? "" : continuing_subword_prefix);
                key.append(ch);
                if (last) key += end_of_word_suffix;
                id = lookup(key);
                ch = key;
            }
            i += len;
            if (id) {
                if (pending_unk) sym.push_back(*pending_unk);
                pending_unk.reset();
                sym.push_back(*id);
                continue;
            }
            if (byte_fallback) {
                bool all = true;
                for (unsigned char b : ch) all = all && byte_piece_ids[b] >= 0;
                if (all) {
                    if (pending_unk) sym.push_back(*pending_unk);
                    pending_unk.reset();
                    for (unsigned char b : ch) sym.push_back(byte_piece_ids[b]);
                    continue;
                }
            }
            if (unk_id) {
                if (pending_unk && !fuse_unk) sym.push_back(*pending_unk);
                pending_unk = *unk_id;
            }
            // No unk token and no byte piece: the character is dropped, as the library does.
        }
        if (pending_unk) sym.push_back(*pending_unk);
        if (sym.size() < 2 || merges.empty()) return sym;

        // Merge the adjacent pair of lowest rank, leftmost first among equal ranks, until none.
        const int n = static_cast<int>(sym.size());
        std::vector<int> prev(n), next(n);
        for (int k = 0; k < n; ++k) {
            prev[k] = k - 1;
            next[k] = k + 1 < n ? k + 1 : -1;
        }
        struct Cand {
            std::int32_t rank;
            int pos;
            std::int32_t left, right, merged;
            bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
        };
        std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> queue;
        auto consider = [&](int left) {
            const int right = next[left];
            if (right < 0) return;
            auto it = merges.find((static_cast<std::uint64_t>(static_cast<std::uint32_t>(sym[left])) << 32) | static_cast<std::uint32_t>(sym[right]));
            if (it != merges.end()) queue.push({it->second.first, left, sym[left], sym[right], it->second.second});
        };
        for (int k = 0; k + 1 < n; ++k) consider(k);
        while (!queue.empty()) {
            Cand c = queue.top();
            queue.pop();
            const int right = next[c.pos];
            if (sym[c.pos] != c.left || right < 0 || sym[right] != c.right) continue;  // stale
            sym[c.pos] = c.merged;
            sym[right] = -1;
            next[c.pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = c.pos;
            if (prev[c.pos] >= 0) consider(prev[c.pos]);
            consider(c.pos);
        }
        std::vector<std::int32_t> result;
        for (int k = 0; k >= 0; k = next[k]) result.push_back(sym[k]);
        return result;
    }

    void encodeText(const std::string& text, std::vector<std::int32_t>& ids) const {
        std::vector<Part> parts;
        splitAdded(text, raw_trie, parts);
        std::vector<std::string> pieces;
        bool at_start = true;
        for (auto& part : parts) {
            if (part.added_id >= 0) {
                ids.push_back(part.added_id);
                at_start = false;
                continue;
            }
            if (normalizer) normalizer->apply(part.text);
            std::vector<Part> sub;
            splitAdded(part.text, normalized_trie, sub);
            for (auto& s : sub) {
                if (s.added_id >= 0) {
                    ids.push_back(s.added_id);
                    at_start = false;
                    continue;
                }
                pieces.clear();
                pieces.push_back(std::move(s.text));
                for (const auto& pre : pre_tokenizers) pre->apply(pieces, at_start);
                at_start = false;
                for (const auto& w : pieces)
                    if (!w.empty()) bpeWord(w, ids);
            }
        }
    }
};

namespace {

// ---------------------------------------------------------------------------------------------
// Loading

Error corrupt(const std::string& origin, const std::string& what) {
    return makeError(ErrorCode::CorruptFile, origin + ": " + what, "re-download the model's tokenizer.json");
}

// An error from a component (normalizer, pre-tokenizer, decoder), naming the file.
Error componentError(const Error& e, const std::string& origin) {
    Error out = e.withContext(origin);
    if (out.hint.empty() && out.code == ErrorCode::CorruptFile) out.hint = "re-download the model's tokenizer.json";
    return out;
}

Status loadModel(const json& m, const std::string& origin, HfTokenizer::Impl& t) {
    const std::string type = typeOf(m);
    if (!type.empty() && type != "BPE")
        return makeError(ErrorCode::Unsupported, origin + ": tokenizer model '" + type + "' is not supported (only BPE)",
                         "a SentencePiece tokenizer.model, where the model has one, can be used instead");
    if (!m.contains("vocab") || !m["vocab"].is_object()) return corrupt(origin, "model.vocab is missing or not an object");
    if (!m.contains("merges") || !m["merges"].is_array()) return corrupt(origin, "model.merges is missing or not a list");
    std::int32_t max_id = -1;
    for (const auto& [piece, id] : m["vocab"].items()) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0 || id.get<std::int64_t>() > 0x7fffffff)
            return corrupt(origin, "vocabulary entry '" + piece + "' has no valid id");
        max_id = std::max(max_id, id.get<std::int32_t>());
    }
    if (max_id > 16 * 1024 * 1024) return corrupt(origin, "vocabulary ids go up to " + std::to_string(max_id));
    t.pieces.assign(static_cast<std::size_t>(max_id + 1), std::string());
    for (const auto& [piece, id] : m["vocab"].items()) t.pieces[static_cast<std::size_t>(id.get<std::int32_t>())] = piece;
    t.vocab_size = t.pieces.size();
    t.vocab.reserve(t.pieces.size());
    for (const auto& [piece, id] : m["vocab"].items()) t.vocab[t.pieces[static_cast<std::size_t>(id.get<std::int32_t>())]] = id.get<std::int32_t>();

    const auto& merges = m["merges"];
    t.merges.reserve(merges.size());
    std::string merged;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& e = merges[rank];
        std::string a, b;
        if (e.is_string()) {
            const std::string s = e.get<std::string>();
            const auto space = s.find(' ');
            if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                return corrupt(origin, "merge " + std::to_string(rank) + " ('" + s + "') is not two pieces separated by one space");
            a = s.substr(0, space);
            b = s.substr(space + 1);
        } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
            a = e[0].get<std::string>();
            b = e[1].get<std::string>();
        } else {
            return corrupt(origin, "merge " + std::to_string(rank) + " is neither \"a b\" nor [\"a\", \"b\"]");
        }
        auto ia = t.lookup(a), ib = t.lookup(b);
        std::string_view b_tail = b;
        if (!t.continuing_subword_prefix.empty() && b_tail.compare(0, t.continuing_subword_prefix.size(), t.continuing_subword_prefix) == 0)
            b_tail.remove_prefix(t.continuing_subword_prefix.size());
        merged.assign(a);
        merged.append(b_tail);
        auto im = t.lookup(merged);
        if (!ia || !ib || !im) return corrupt(origin, "merge " + std::to_string(rank) + " ('" + a + "' + '" + b + "') uses a piece outside the vocabulary");
        t.merges[(static_cast<std::uint64_t>(static_cast<std::uint32_t>(*ia)) << 32) | static_cast<std::uint32_t>(*ib)] = {static_cast<std::int32_t>(rank), *im};
    }
    return {};
}

// A token named by tokenizer_config: a string, or an object with "content".
std::string configToken(const json& cfg, const char* key) {
    if (!cfg.contains(key)) return {};
    const auto& v = cfg[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    return {};
}

Status loadPostProcessor(const json& p, const std::string& origin, HfTokenizer::Impl& t) {
    const std::string type = typeOf(p);
    if (p.is_null() || type == "ByteLevel") return {};
    if (type == "Sequence") {
        for (const auto& step : p.value("processors", json::array())) {
            auto st = loadPostProcessor(step, origin, t);
            if (!st) return st;
        }
        return {};
    }
    if (type == "TemplateProcessing") {
        if (!p.contains("single") || !p["single"].is_array()) return corrupt(origin, "TemplateProcessing has no 'single' template");
        const json specials = p.value("special_tokens", json::object());
        std::vector<TemplateItem> items;
        for (const auto& item : p["single"]) {
            if (item.contains("Sequence")) {
                items.push_back({true, {}});
            } else if (item.contains("SpecialToken") && item["SpecialToken"].contains("id")) {
                const std::string name = item["SpecialToken"]["id"].get<std::string>();
                TemplateItem ti;
                if (specials.contains(name) && specials[name].contains("ids")) {
                    for (const auto& id : specials[name]["ids"]) ti.ids.push_back(id.get<std::int32_t>());
                } else if (auto id = t.anyId(name)) {
                    ti.ids.push_back(*id);
                } else {
                    return corrupt(origin, "the post-processor template names '" + name + "', which is not a token");
                }
                items.push_back(std::move(ti));
            } else {
                return corrupt(origin, "a post-processor template item is neither Sequence nor SpecialToken");
            }
        }
        t.single_template = std::move(items);
        return {};
    }
    return makeError(ErrorCode::Unsupported, origin + ": post-processor '" + type + "' is not supported");
}

}  // namespace

HfTokenizer::HfTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HfTokenizer::~HfTokenizer() = default;

Result<std::unique_ptr<HfTokenizer>> parseHfTokenizer(const std::string& tokenizer_json, const std::string& config_json,
                                                      const std::string& origin) {
    try {
        json j;
        try {
            j = json::parse(tokenizer_json);
        } catch (const json::exception& e) {
            return corrupt(origin, std::string("not valid JSON: ") + e.what());
        }
        json cfg = json::object();
        if (!config_json.empty()) {
            try {
                cfg = json::parse(config_json);
            } catch (const json::exception& e) {
                return makeError(ErrorCode::CorruptFile, "tokenizer_config.json beside " + origin + " is not valid JSON: " + e.what(),
                                 "re-download the model's tokenizer_config.json");
            }
            if (!cfg.is_object()) cfg = json::object();
        }
        if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) return corrupt(origin, "there is no 'model' object");

        auto impl = std::make_unique<HfTokenizer::Impl>();
        HfTokenizer::Impl& t = *impl;
        const json& m = j["model"];
        t.continuing_subword_prefix = str(m, "continuing_subword_prefix");
        t.end_of_word_suffix = str(m, "end_of_word_suffix");
        t.fuse_unk = boolean(m, "fuse_unk", false);
        t.byte_fallback = boolean(m, "byte_fallback", false);
        t.ignore_merges = boolean(m, "ignore_merges", false);
        if (m.contains("dropout") && m["dropout"].is_number() && m["dropout"].get<double>() > 0.0)
            log::warn(origin + ": BPE dropout is ignored; tokenization here is deterministic");
        auto st = loadModel(m, origin, t);
        if (!st) return st.error();
        const std::string unk = str(m, "unk_token");
        if (!unk.empty()) t.unk_id = t.lookup(unk);
        t.byte_piece_ids.fill(-1);
        for (int b = 0; b < 256; ++b) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            if (auto id = t.lookup(name)) t.byte_piece_ids[b] = *id;
        }

        if (j.contains("normalizer") && !j["normalizer"].is_null()) {
            auto n = makeNormalizer(j["normalizer"]);
            if (!n) return componentError(n.error(), origin);
            t.normalizer = std::move(*n);
        }
        if (j.contains("pre_tokenizer") && !j["pre_tokenizer"].is_null()) {
            auto s = addPreTokenizer(j["pre_tokenizer"], t.pre_tokenizers);
            if (!s) return componentError(s.error(), origin);
        }
        if (j.contains("decoder") && !j["decoder"].is_null()) {
            auto s = addDecoder(j["decoder"], t.decoders);
            if (!s) return componentError(s.error(), origin);
        }

        // Added tokens extend the vocabulary (ids may lie past the model's).
        for (const auto& a : j.value("added_tokens", json::array())) {
            AddedToken tok;
            tok.content = str(a, "content");
            if (tok.content.empty() || !a.contains("id") || !a["id"].is_number_integer() || a["id"].get<std::int64_t>() < 0 ||
                a["id"].get<std::int64_t>() > 16 * 1024 * 1024)
                return corrupt(origin, "an added token has no content or no valid id");
            tok.id = a["id"].get<std::int32_t>();
            tok.single_word = boolean(a, "single_word", false);
            tok.lstrip = boolean(a, "lstrip", false);
            tok.rstrip = boolean(a, "rstrip", false);
            tok.special = boolean(a, "special", false);
            tok.normalized = boolean(a, "normalized", !tok.special);
            t.added.push_back(tok);
        }
        for (std::size_t k = 0; k < t.added.size(); ++k) {
            AddedToken& tok = t.added[k];
            t.added_by_content[tok.content] = tok.id;
            if (tok.normalized && t.normalizer) {
                std::string n = tok.content;
                t.normalizer->apply(n);
                t.normalized_trie.add(n, k);
            } else if (tok.normalized) {
                t.normalized_trie.add(tok.content, k);
            } else {
                t.raw_trie.add(tok.content, k);
            }
            t.vocab_size = std::max(t.vocab_size, static_cast<std::size_t>(tok.id) + 1);
        }
        for (std::size_t k = 0; k < t.added.size(); ++k) t.added_by_id[t.added[k].id] = k;

        auto pp = loadPostProcessor(j.value("post_processor", json()), origin, t);
        if (!pp) return pp.error();

        const std::string bos = configToken(cfg, "bos_token"), eos = configToken(cfg, "eos_token");
        if (!bos.empty()) {
            t.bos_id = t.anyId(bos);
            if (!t.bos_id) return makeError(ErrorCode::CorruptFile, "tokenizer_config.json beside " + origin + " names bos_token '" + bos + "', which is not a token");
        }
        if (!eos.empty()) {
            t.eos_id = t.anyId(eos);
            if (!t.eos_id) return makeError(ErrorCode::CorruptFile, "tokenizer_config.json beside " + origin + " names eos_token '" + eos + "', which is not a token");
        }
        bool template_adds_bos = false;
        if (t.single_template) {
            const auto& items = *t.single_template;
            if (!items.empty() && !items.front().is_sequence && !items.front().ids.empty()) {
                template_adds_bos = true;
                if (!t.bos_id) t.bos_id = items.front().ids.front();
            }
            if (!t.eos_id && items.size() > 1 && !items.back().is_sequence && !items.back().ids.empty()) t.eos_id = items.back().ids.back();
        }
        t.add_bos_default = cfg.contains("add_bos_token") && cfg["add_bos_token"].is_boolean() ? cfg["add_bos_token"].get<bool>() : template_adds_bos;
        t.clean_up_spaces = boolean(cfg, "clean_up_tokenization_spaces", false);
        return std::unique_ptr<HfTokenizer>(new HfTokenizer(std::move(impl)));
    } catch (const std::exception& e) {
        return corrupt(origin, std::string("unexpected content: ") + e.what());
    }
}

Result<std::unique_ptr<Tokenizer>> loadHfTokenizer(const std::string& tokenizer_json_path, const std::string& tokenizer_config_path_or_empty) {
    auto text = io::readFile(tokenizer_json_path);
    if (!text) return text.error();
    std::string cfg;
    if (!tokenizer_config_path_or_empty.empty()) {
        auto c = io::readFile(tokenizer_config_path_or_empty);
        if (!c) return c.error();
        cfg = std::move(*c);
    }
    auto t = parseHfTokenizer(*text, cfg, tokenizer_json_path);
    if (!t) return t.error();
    return std::unique_ptr<Tokenizer>(std::move(*t));
}

std::vector<std::int32_t> HfTokenizer::encode(const std::string& text, bool add_bos) const {
    std::vector<std::int32_t> ids;
    ids.reserve(text.size() / 3 + 4);
    const std::string clean = lossyUtf8(text);
    if (add_bos && impl_->single_template) {
        for (const auto& item : *impl_->single_template) {
            if (item.is_sequence) impl_->encodeText(clean, ids);
            else ids.insert(ids.end(), item.ids.begin(), item.ids.end());
        }
        return ids;
    }
    if (add_bos && impl_->bos_id) ids.push_back(*impl_->bos_id);
    impl_->encodeText(clean, ids);
    return ids;
}

std::string HfTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    std::vector<DecodeToken> tokens;
    tokens.reserve(ids.size());
    for (std::int32_t id : ids) {
        if (id < 0) continue;
        const auto i = static_cast<std::size_t>(id);
        auto added = impl_->added_by_id.find(id);
        if (added != impl_->added_by_id.end()) {
            tokens.push_back({impl_->added[added->second].content, true});
        } else if (i < impl_->pieces.size() && !impl_->pieces[i].empty()) {
            tokens.push_back({impl_->pieces[i], false});
        }
    }
    for (const auto& d : impl_->decoders) d->apply(tokens);
    std::string out;
    for (const auto& t : tokens) out += t.text;
    if (impl_->decoders.empty()) {
        // No decoder: the library joins the pieces with spaces.
        out.clear();
        for (std::size_t k = 0; k < tokens.size(); ++k) out += (k ? " " : "") + tokens[k].text;
    }
    if (impl_->clean_up_spaces) {
        for (const auto& [from, to] : std::initializer_list<std::pair<const char*, const char*>>{
                 {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}})
            replaceAll(out, from, to);
    }
    return out;
}

std::int64_t HfTokenizer::vocabSize() const { return static_cast<std::int64_t>(impl_->vocab_size); }
std::optional<std::int32_t> HfTokenizer::bosId() const { return impl_->bos_id; }
std::optional<std::int32_t> HfTokenizer::eosId() const { return impl_->eos_id; }
bool HfTokenizer::addsBosByDefault() const { return impl_->add_bos_default; }

std::string HfTokenizer::piece(std::int32_t id) const {
    auto added = impl_->added_by_id.find(id);
    if (added != impl_->added_by_id.end()) return impl_->added[added->second].content;
    if (id < 0 || static_cast<std::size_t>(id) >= impl_->pieces.size()) return {};
    return impl_->pieces[static_cast<std::size_t>(id)];
}

std::optional<std::int32_t> HfTokenizer::tokenId(const std::string& piece) const { return impl_->anyId(piece); }

}  // namespace srs::tokenizer
