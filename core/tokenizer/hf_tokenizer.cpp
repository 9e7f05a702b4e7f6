#include "core/tokenizer/hf_tokenizer.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <queue>
#include <tuple>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include "core/common/json_field.h"
#include "core/common/log.h"
#include "core/io/read_text_file.h"

namespace srs::tokenizer {

// (srs::json is core/common/json_field.h's namespace; here json is the value type.)
using json = nlohmann::json;

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

// The regex budgets (regexStepBudget, regexCpuSecondsBudget). Measured with Qwen3's and
// Llama-3's tokenizer.json (test_hostile_tokenizer, realTokenizersHaveHeadroom) on each text in
// ../shared/data/text whole (0.8 to 2 MB: TinyStories, wikitext-2, NLTK, tinyshakespeare) and on
// 1 MiB runs of spaces, newlines, CRLF, punctuation, digits, CJK and letters: at most 0.28 steps
// per KiB on the texts and 1.13 per KiB on a run of digits (Qwen3 splits digits one by one),
// which is 1.7 % of the step budget; regex CPU at most 0.15 s per MiB, 2.4 % of the CPU budget.
// "(a+)+$" on 100 KiB of "a...b" is stopped at its 8,464 steps after 1.3 s of CPU.
constexpr std::int64_t kRegexStepsBase = 2000;
constexpr std::int64_t kRegexStepsPerKiB = 64;
constexpr double kRegexCpuSecondsBase = 2.0;
constexpr double kRegexCpuSecondsPerMiB = 4.0;

// The regex work one call (an encode, a decode, loading) may do, shared by every regex it runs:
// ICU counts its matcher's work in steps (see regexStepBudget); a hostile pattern that
// backtracks without end runs out of steps and the call returns an error instead of hanging.
// ICU counts each matcher's steps from its reset and drops the part of a step it has not
// finished, so a file whose regex runs on many short pieces (cut by added tokens or an earlier
// Split) could do nearly a step of work per piece uncounted: the CPU time spent inside the
// matchers is bounded too (regexCpuSecondsBudget), far above what real tokenizers take.
struct RegexBudget {
    std::int64_t limit = 0;
    std::int64_t used = 0;
    double cpu_limit_s = 0;
    double cpu_used_s = 0;
    std::string origin;  // the tokenizer file, for messages
    static RegexBudget forText(std::size_t bytes, const std::string& origin) {
        return {regexStepBudget(bytes), 0, regexCpuSecondsBudget(bytes), 0.0, origin};
    }
};

double threadCpuSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The backtracking stack one match may grow to: real patterns need about 100 bytes per byte of
// a long run of spaces or newlines (measured: 5 MB of spaces, 160 MB of stack); 2 GiB at most.
std::int32_t regexStackLimit(std::size_t text_bytes) {
    const std::uint64_t want = (64ull << 20) + 128ull * text_bytes;
    return static_cast<std::int32_t>(std::min<std::uint64_t>(want, 0x7fffffff));
}

class Regex {
public:
    // role names the regex in messages ("pre-tokenizer regex"); source is the pattern as the file
    // writes it.
    static Result<std::shared_ptr<Regex>> compile(const std::string& icu_pattern, std::string role, std::string source) {
        UErrorCode status = U_ZERO_ERROR;
        UParseError parse{};
        auto pattern = std::unique_ptr<icu::RegexPattern>(icu::RegexPattern::compile(
            icu::UnicodeString::fromUTF8(icu_pattern), UREGEX_MULTILINE | UREGEX_UNIX_LINES, parse, status));
        if (U_FAILURE(status) || !pattern)
            return makeError(ErrorCode::Unsupported, "the " + role + " '" + shortPattern(source) + "' does not compile (" + u_errorName(status) +
                                                         " at offset " + std::to_string(parse.offset) + ")");
        auto r = std::make_shared<Regex>();
        r->pattern_ = std::move(pattern);
        r->role_ = std::move(role);
        r->source_ = std::move(source);
        return r;
    }

    // Byte ranges of the non-empty matches in text (valid UTF-8), left to right; an error when
    // the budget runs out (or the backtracking stack overflows) first.
    Result<std::vector<std::pair<std::size_t, std::size_t>>> matches(std::string_view text, RegexBudget& budget) const {
        std::vector<std::pair<std::size_t, std::size_t>> out;
        if (text.empty()) return out;
        if (budget.used >= budget.limit || budget.cpu_used_s > budget.cpu_limit_s) return tooLong(budget);
        const double cpu_start = threadCpuSeconds();
        UErrorCode status = U_ZERO_ERROR;
        UText ut = UTEXT_INITIALIZER;
        utext_openUTF8(&ut, text.data(), static_cast<int64_t>(text.size()), &status);
        std::unique_ptr<icu::RegexMatcher> m(pattern_->matcher(status));
        if (U_FAILURE(status) || !m) {
            utext_close(&ut);
            return makeError(ErrorCode::Internal, budget.origin + ": cannot start a matcher for the " + role_ + ": " + u_errorName(status));
        }
        m->reset(&ut);
        // ICU counts the steps of one matcher from its reset: the callback reports them, the
        // time limit stops the match where this call would overdraw the budget.
        std::int32_t steps = 0;
        m->setMatchCallback(&Regex::onStep, &steps, status);
        m->setTimeLimit(static_cast<std::int32_t>(std::min<std::int64_t>(budget.limit - budget.used, 0x7fffffff)), status);
        m->setStackLimit(regexStackLimit(text.size()), status);
        while (m->find(status) && U_SUCCESS(status)) {
            const auto b = static_cast<std::size_t>(m->start64(status));
            const auto e = static_cast<std::size_t>(m->end64(status));
            if (e > b) out.emplace_back(b, e);
        }
        m.reset();
        utext_close(&ut);
        budget.used += steps;
        budget.cpu_used_s += threadCpuSeconds() - cpu_start;
        if (status == U_REGEX_TIME_OUT || status == U_REGEX_STOPPED_BY_CALLER) {
            budget.used = budget.limit;
            return tooLong(budget);
        }
        if (budget.cpu_used_s > budget.cpu_limit_s) return tooLong(budget);
        if (status == U_REGEX_STACK_OVERFLOW)
            return makeError(ErrorCode::CorruptFile,
                             budget.origin + ": the " + role_ + " '" + shortPattern(source_) + "' backtracked through more than " +
                                 std::to_string(regexStackLimit(text.size()) >> 20) + " MiB of stack on this text; the tokenizer file may be hostile",
                             "use the model's original tokenizer.json");
        if (U_FAILURE(status))
            return makeError(ErrorCode::Internal, budget.origin + ": the " + role_ + " '" + shortPattern(source_) + "' stopped: " + u_errorName(status));
        return out;
    }

    static std::string shortPattern(const std::string& p) { return p.size() > 200 ? p.substr(0, 200) + "..." : p; }

private:
    static UBool U_CALLCONV onStep(const void* context, int32_t steps) {
        *static_cast<std::int32_t*>(const_cast<void*>(context)) = steps;
        return true;
    }
    Error tooLong(const RegexBudget& budget) const {
        char cpu[64];
        std::snprintf(cpu, sizeof cpu, "%.1f s", budget.cpu_limit_s);
        const std::string what = budget.used >= budget.limit ? "more than " + std::to_string(budget.limit) + " steps of ICU's matcher"
                                                             : std::string("more than ") + cpu + " of CPU time in ICU's matcher";
        return makeError(ErrorCode::CorruptFile,
                         budget.origin + ": the " + role_ + " '" + shortPattern(source_) + "' took too long on this text (" + what +
                             " for its length); the tokenizer file may be hostile",
                         "use the model's original tokenizer.json: real tokenizers' regexes need a small fraction of this");
    }

    std::unique_ptr<icu::RegexPattern> pattern_;
    std::string role_, source_;
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

Result<SplitBehavior> parseBehavior(const std::string& b) {
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
    // An error only when a regex runs out of its budget (see RegexBudget).
    virtual Status apply(std::string& text, RegexBudget& budget) const = 0;
};

class UnicodeForm : public Normalizer {
public:
    explicit UnicodeForm(const icu::Normalizer2* n) : n_(n) {}
    Status apply(std::string& text, RegexBudget&) const override {
        UErrorCode status = U_ZERO_ERROR;
        if (n_->isNormalizedUTF8(text, status) && U_SUCCESS(status)) return {};
        status = U_ZERO_ERROR;
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
        icu::UnicodeString normalized = n_->normalize(u, status);
        if (U_FAILURE(status)) return {};
        text.clear();
        normalized.toUTF8String(text);
        return {};
    }

private:
    const icu::Normalizer2* n_;
};

class Lowercase : public Normalizer {
public:
    Status apply(std::string& text, RegexBudget&) const override {
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
        u.toLower(icu::Locale::getRoot());
        text.clear();
        u.toUTF8String(text);
        return {};
    }
};

class StripAccents : public Normalizer {
public:
    Status apply(std::string& text, RegexBudget&) const override {
        std::string out;
        for (std::size_t i = 0; i < text.size();) {
            std::size_t len = 0;
            char32_t cp = decodeUtf8(text, i, len);
            if (u_charType(static_cast<UChar32>(cp)) != U_NON_SPACING_MARK) out.append(text, i, len);
            i += len;
        }
        text.swap(out);
        return {};
    }
};

class Strip : public Normalizer {
public:
    Strip(bool left, bool right) : left_(left), right_(right) {}
    Status apply(std::string& text, RegexBudget&) const override {
        std::string_view v = text;
        if (right_) v = trimWhiteSpaceRight(v);
        if (left_) v = trimWhiteSpaceLeft(v);
        text = std::string(v);
        return {};
    }

private:
    bool left_, right_;
};

class Prepend : public Normalizer {
public:
    explicit Prepend(std::string p) : prepend_(std::move(p)) {}
    Status apply(std::string& text, RegexBudget&) const override {
        if (!text.empty()) text.insert(0, prepend_);
        return {};
    }

private:
    std::string prepend_;
};

class Replace : public Normalizer {
public:
    Replace(std::shared_ptr<Regex> regex, std::string literal, std::string content)
        : regex_(std::move(regex)), literal_(std::move(literal)), content_(std::move(content)) {}
    Status apply(std::string& text, RegexBudget& budget) const override { return replaceIn(text, budget); }
    Status replaceIn(std::string& text, RegexBudget& budget) const {
        if (!regex_) {
            replaceAll(text, literal_, content_);
            return {};
        }
        auto found = regex_->matches(text, budget);
        if (!found) return found.error();
        std::string out;
        std::size_t pos = 0;
        for (const auto& [b, e] : *found) {
            out.append(text, pos, b - pos);
            out += content_;
            pos = e;
        }
        out.append(text, pos, std::string::npos);
        text.swap(out);
        return {};
    }

private:
    std::shared_ptr<Regex> regex_;
    std::string literal_, content_;
};

class NormalizerSequence : public Normalizer {
public:
    std::vector<std::unique_ptr<Normalizer>> steps;
    Status apply(std::string& text, RegexBudget& budget) const override {
        for (const auto& s : steps) SRS_TRY(s->apply(text, budget));
        return {};
    }
};

// ---------------------------------------------------------------------------------------------
// Typed reads of tokenizer.json: every field through JsonFields (core/common/json_field.h), so a
// value of the wrong type is an error naming the file and the field's place
// ("tokenizer.json: pre_tokenizer.pretokenizers[1].behavior must be a string (found ...)"), never
// a json exception; absent or null fields take the library's defaults.

using JsonFields = ::srs::json::Fields;
const char* const kTokenizerHint = "re-download the model's tokenizer.json";

// The fields of the value at `where` ("pre_tokenizer.pretokenizers[1]") in the file `origin`.
JsonFields fieldsAt(const json& value, const std::string& origin, const std::string& where) {
    return JsonFields(value, origin, where + ".", ErrorCode::CorruptFile, kTokenizerHint);
}
std::string placeOf(const JsonFields& f) { return f.prefix().empty() ? std::string() : f.prefix().substr(0, f.prefix().size() - 1); }
std::string itemPlace(const JsonFields& f, const char* key, std::size_t i) { return f.prefix() + key + "[" + std::to_string(i) + "]"; }

// The list at key: nullptr when absent or null, an error when it is not a list.
Result<const json*> listAt(const JsonFields& f, const char* key) {
    const json* v = f.find(key);
    if (!v) return static_cast<const json*>(nullptr);
    if (!v->is_array()) return f.wrong(key, "a list", *v);
    return v;
}

// A component's "type"; an error when the component is not an object or has no string type.
Result<std::string> componentType(const JsonFields& f) {
    if (!f.isObject()) return f.notAnObject();
    return f.string("type");
}

Error unsupported(const JsonFields& f, const char* kind, const std::string& what) {
    return makeError(ErrorCode::Unsupported, f.file() + ": " + placeOf(f) + ": " + kind + " " + what + " is not supported");
}

// A pattern object {"String": "..."} or {"Regex": "..."} at key: a compiled regex for either
// (literal strings quoted), or the literal itself when literal_out is given and the pattern is a String.
Result<std::shared_ptr<Regex>> patternOf(const JsonFields& parent, const char* key, const std::string& role, std::string* literal_out) {
    auto obj = parent.object(key);
    if (!obj) return obj.error();
    if (!*obj || (!(*obj)->has("String") && !(*obj)->has("Regex")))
        return parent.error(parent.prefix() + key + ": a pattern is neither {\"String\": ...} nor {\"Regex\": ...}");
    const JsonFields& p = **obj;
    if (p.has("String")) {
        auto literal = p.string("String");
        if (!literal) return literal.error();
        if (literal_out) {
            *literal_out = *literal;
            return std::shared_ptr<Regex>();
        }
        return Regex::compile(quoteLiteral(*literal), role, *literal);
    }
    auto source = p.string("Regex");
    if (!source) return source.error();
    auto icu = RegexTranslator(*source).run();
    if (!icu) {
        Error e = icu.error().withContext(parent.file());
        e.hint = kTokenizerHint;
        return e;
    }
    auto r = Regex::compile(*icu, role, *source);
    if (!r) return r.error().withContext(parent.file());
    return r;
}

// A Replace normalizer or decoder: its pattern and content.
Result<std::unique_ptr<Replace>> makeReplace(const JsonFields& f) {
    std::string literal;
    auto regex = patternOf(f, "pattern", placeOf(f) + " Replace regex", &literal);
    if (!regex) return regex.error();
    auto content = f.string("content", "");
    if (!content) return content.error();
    return std::make_unique<Replace>(*regex, literal, *content);
}

Result<std::unique_ptr<Normalizer>> makeNormalizer(const JsonFields& f) {
    auto type = componentType(f);
    if (!type) return type.error();
    UErrorCode status = U_ZERO_ERROR;
    if (*type == "NFC") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFCInstance(status)));
    if (*type == "NFD") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFDInstance(status)));
    if (*type == "NFKC") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFKCInstance(status)));
    if (*type == "NFKD") return std::unique_ptr<Normalizer>(new UnicodeForm(icu::Normalizer2::getNFKDInstance(status)));
    if (*type == "Lowercase") return std::unique_ptr<Normalizer>(new Lowercase());
    if (*type == "StripAccents") return std::unique_ptr<Normalizer>(new StripAccents());
    if (*type == "Strip") {
        auto left = f.boolean("strip_left", true);
        if (!left) return left.error();
        auto right = f.boolean("strip_right", true);
        if (!right) return right.error();
        return std::unique_ptr<Normalizer>(new Strip(*left, *right));
    }
    if (*type == "Prepend") {
        auto prepend = f.string("prepend", "");
        if (!prepend) return prepend.error();
        return std::unique_ptr<Normalizer>(new Prepend(*prepend));
    }
    if (*type == "Replace") {
        auto r = makeReplace(f);
        if (!r) return r.error();
        return std::unique_ptr<Normalizer>(std::move(*r));
    }
    if (*type == "Sequence") {
        auto list = listAt(f, "normalizers");
        if (!list) return list.error();
        auto seq = std::make_unique<NormalizerSequence>();
        for (std::size_t i = 0; *list && i < (*list)->size(); ++i) {
            auto step = makeNormalizer(fieldsAt((**list)[i], f.file(), itemPlace(f, "normalizers", i)));
            if (!step) return step.error();
            seq->steps.push_back(std::move(*step));
        }
        return std::unique_ptr<Normalizer>(std::move(seq));
    }
    return unsupported(f, "normalizer", "'" + *type + "'");
}

// ---------------------------------------------------------------------------------------------
// Pre-tokenizers: each turns the list of pieces into a finer list.

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    // at_input_start: the pieces come from the start of the whole input (Metaspace "first").
    // An error only when a regex runs out of its budget (see RegexBudget).
    virtual Status apply(std::vector<std::string>& pieces, bool at_input_start, RegexBudget& budget) const = 0;
};

class SplitPre : public PreTokenizer {
public:
    SplitPre(std::shared_ptr<Regex> r, SplitBehavior b, bool invert) : regex_(std::move(r)), behavior_(b), invert_(invert) {}
    Status apply(std::vector<std::string>& pieces, bool, RegexBudget& budget) const override {
        std::vector<std::string> out;
        out.reserve(pieces.size() * 4);
        for (const auto& p : pieces) {
            auto found = regex_->matches(p, budget);
            if (!found) return found.error();
            applyBehavior(p, segmentsFrom(*found, p.size(), invert_), behavior_, out);
        }
        pieces.swap(out);
        return {};
    }

private:
    std::shared_ptr<Regex> regex_;
    SplitBehavior behavior_;
    bool invert_;
};

class ByteLevelPre : public PreTokenizer {
public:
    ByteLevelPre(bool add_prefix_space, std::shared_ptr<Regex> regex) : add_prefix_space_(add_prefix_space), regex_(std::move(regex)) {}
    Status apply(std::vector<std::string>& pieces, bool, RegexBudget& budget) const override {
        const auto& alphabet = byteAlphabet();
        std::vector<std::string> split;
        for (auto& p : pieces) {
            if (add_prefix_space_ && (p.empty() || p[0] != ' ')) p.insert(0, " ");
            if (!regex_) {
                split.push_back(std::move(p));
                continue;
            }
            auto found = regex_->matches(p, budget);
            if (!found) return found.error();
            applyBehavior(p, segmentsFrom(*found, p.size(), false), SplitBehavior::Isolated, split);
        }
        for (auto& p : split) {
            std::string mapped;
            mapped.reserve(p.size() * 2);
            for (unsigned char b : p) mapped += alphabet.byte_to_utf8[b];
            p.swap(mapped);
        }
        pieces.swap(split);
        return {};
    }

private:
    bool add_prefix_space_;
    std::shared_ptr<Regex> regex_;
};

class DigitsPre : public PreTokenizer {
public:
    explicit DigitsPre(bool individual) : individual_(individual) {}
    Status apply(std::vector<std::string>& pieces, bool, RegexBudget&) const override {
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
        return {};
    }

private:
    bool individual_;
};

enum class PrependScheme { Always, First, Never };

class MetaspacePre : public PreTokenizer {
public:
    // replacement is never empty (the loader refuses that: splitting at "" would never end).
    MetaspacePre(std::string replacement, PrependScheme scheme, bool split)
        : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}
    Status apply(std::vector<std::string>& pieces, bool at_input_start, RegexBudget&) const override {
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
        return {};
    }

private:
    std::string replacement_;
    PrependScheme scheme_;
    bool split_;
};

const char* const kGpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

Result<PrependScheme> prependSchemeOf(const JsonFields& f) {
    if (f.has("prepend_scheme")) {
        auto s = f.string("prepend_scheme");
        if (!s) return s.error();
        if (*s == "always") return PrependScheme::Always;
        if (*s == "first") return PrependScheme::First;
        if (*s == "never") return PrependScheme::Never;
        return unsupported(f, "Metaspace", "prepend_scheme '" + *s + "'");
    }
    auto add = f.boolean("add_prefix_space", true);
    if (!add) return add.error();
    return *add ? PrependScheme::Always : PrependScheme::Never;
}

// Metaspace's replacement: one non-empty string (splitting at "" would never end).
Result<std::string> metaspaceReplacement(const JsonFields& f) {
    auto r = f.string("replacement", "\xE2\x96\x81");
    if (!r) return r.error();
    if (r->empty()) return f.wrong("replacement", "a non-empty string", json(*r));
    return r;
}

Status addPreTokenizer(const JsonFields& f, std::vector<std::unique_ptr<PreTokenizer>>& out) {
    auto type = componentType(f);
    if (!type) return type.error();
    if (*type == "Sequence") {
        auto list = listAt(f, "pretokenizers");
        if (!list) return list.error();
        for (std::size_t i = 0; *list && i < (*list)->size(); ++i)
            SRS_TRY(addPreTokenizer(fieldsAt((**list)[i], f.file(), itemPlace(f, "pretokenizers", i)), out));
        return {};
    }
    if (*type == "Split") {
        auto regex = patternOf(f, "pattern", "pre-tokenizer regex", nullptr);
        if (!regex) return regex.error();
        auto name = f.string("behavior");
        if (!name) return name.error();
        auto behavior = parseBehavior(*name);
        if (!behavior) return unsupported(f, "Split", "behavior '" + *name + "'");
        auto invert = f.boolean("invert", false);
        if (!invert) return invert.error();
        out.push_back(std::make_unique<SplitPre>(*regex, *behavior, *invert));
        return {};
    }
    if (*type == "ByteLevel") {
        auto use_regex = f.boolean("use_regex", true);
        if (!use_regex) return use_regex.error();
        auto prefix = f.boolean("add_prefix_space", true);
        if (!prefix) return prefix.error();
        std::shared_ptr<Regex> regex;
        if (*use_regex) {
            auto icu = RegexTranslator(kGpt2Pattern).run();
            if (!icu) return icu.error();
            auto r = Regex::compile(*icu, "ByteLevel pre-tokenizer's GPT-2 regex", kGpt2Pattern);
            if (!r) return r.error();
            regex = *r;
        }
        out.push_back(std::make_unique<ByteLevelPre>(*prefix, regex));
        return {};
    }
    if (*type == "Digits") {
        auto individual = f.boolean("individual_digits", false);
        if (!individual) return individual.error();
        out.push_back(std::make_unique<DigitsPre>(*individual));
        return {};
    }
    if (*type == "Metaspace") {
        auto scheme = prependSchemeOf(f);
        if (!scheme) return scheme.error();
        auto replacement = metaspaceReplacement(f);
        if (!replacement) return replacement.error();
        auto split = f.boolean("split", true);
        if (!split) return split.error();
        out.push_back(std::make_unique<MetaspacePre>(*replacement, *scheme, *split));
        return {};
    }
    return unsupported(f, "pre-tokenizer", "'" + *type + "'");
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
    ReplaceDecoder(std::unique_ptr<Replace> r, std::string origin) : replace_(std::move(r)), origin_(std::move(origin)) {}
    // One budget for the whole decode. decode has no error to return: once a regex runs out of
    // its budget, the tokens left are kept as they are, with one warning.
    void apply(std::vector<DecodeToken>& tokens) const override {
        std::size_t bytes = 0;
        for (const auto& t : tokens) bytes += t.text.size();
        RegexBudget budget = RegexBudget::forText(bytes, origin_);
        for (auto& t : tokens) {
            if (auto st = replace_->replaceIn(t.text, budget); !st) {
                log::warn("decoding: " + st.error().toString());
                return;
            }
        }
    }

private:
    std::unique_ptr<Replace> replace_;
    std::string origin_;
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

Status addDecoder(const JsonFields& f, std::vector<std::unique_ptr<Decoder>>& out) {
    auto type = componentType(f);
    if (!type) return type.error();
    if (*type == "Sequence") {
        auto list = listAt(f, "decoders");
        if (!list) return list.error();
        for (std::size_t i = 0; *list && i < (*list)->size(); ++i)
            SRS_TRY(addDecoder(fieldsAt((**list)[i], f.file(), itemPlace(f, "decoders", i)), out));
        return {};
    }
    if (*type == "ByteLevel") {
        out.push_back(std::make_unique<ByteLevelDecoder>());
        return {};
    }
    if (*type == "ByteFallback") {
        out.push_back(std::make_unique<ByteFallbackDecoder>());
        return {};
    }
    if (*type == "Fuse") {
        out.push_back(std::make_unique<FuseDecoder>());
        return {};
    }
    if (*type == "Strip") {
        auto content = f.string("content", " ");
        if (!content) return content.error();
        auto start = f.integer("start", 0, 1 << 20, 0);
        if (!start) return start.error();
        auto stop = f.integer("stop", 0, 1 << 20, 0);
        if (!stop) return stop.error();
        out.push_back(std::make_unique<StripDecoder>(*content, static_cast<int>(*start), static_cast<int>(*stop)));
        return {};
    }
    if (*type == "Replace") {
        auto r = makeReplace(f);
        if (!r) return r.error();
        out.push_back(std::make_unique<ReplaceDecoder>(std::move(*r), f.file()));
        return {};
    }
    if (*type == "Metaspace") {
        auto scheme = prependSchemeOf(f);
        if (!scheme) return scheme.error();
        auto replacement = metaspaceReplacement(f);
        if (!replacement) return replacement.error();
        out.push_back(std::make_unique<MetaspaceDecoder>(*replacement, *scheme != PrependScheme::Never));
        return {};
    }
    return unsupported(f, "decoder", "'" + *type + "'");
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

    Status encodeText(const std::string& text, std::vector<std::int32_t>& ids, RegexBudget& budget) const {
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
            if (normalizer) SRS_TRY(normalizer->apply(part.text, budget));
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
                for (const auto& pre : pre_tokenizers) SRS_TRY(pre->apply(pieces, at_start, budget));
                at_start = false;
                for (const auto& w : pieces)
                    if (!w.empty()) bpeWord(w, ids);
            }
        }
        return {};
    }

    std::string origin;  // the tokenizer.json, for messages
};

namespace {

// ---------------------------------------------------------------------------------------------
// Loading

constexpr std::int64_t kMaxTokenId = 16 * 1024 * 1024;

// The value of a typed read into *out, or its error.
template <typename T>
Status take(Result<T> r, T* out) {
    if (!r) return r.error();
    *out = std::move(*r);
    return {};
}

Error corrupt(const std::string& origin, const std::string& what) { return makeError(ErrorCode::CorruptFile, origin + ": " + what, kTokenizerHint); }

// model.vocab: piece -> id, ids in [0, kMaxTokenId].
Status loadVocab(const JsonFields& m, HfTokenizer::Impl& t) {
    const json* vocab = m.find("vocab");
    if (!vocab || !vocab->is_object()) return corrupt(m.file(), "model.vocab is missing or not an object");
    std::int64_t max_id = -1;
    for (const auto& [piece, id] : vocab->items()) {
        const bool valid = id.is_number_unsigned() ? id.get<std::uint64_t>() <= 0x7fffffffu
                                                   : id.is_number_integer() && id.get<std::int64_t>() >= 0 && id.get<std::int64_t>() <= 0x7fffffff;
        if (!valid) return corrupt(m.file(), "model.vocab entry '" + piece + "' has no valid id (found " + ::srs::json::describe(id) + ")");
        max_id = std::max(max_id, id.get<std::int64_t>());
    }
    if (max_id > kMaxTokenId) return corrupt(m.file(), "model.vocab ids go up to " + std::to_string(max_id) + " (at most " + std::to_string(kMaxTokenId) + ")");
    t.pieces.assign(static_cast<std::size_t>(max_id + 1), std::string());
    for (const auto& [piece, id] : vocab->items()) t.pieces[static_cast<std::size_t>(id.get<std::int64_t>())] = piece;
    t.vocab_size = t.pieces.size();
    t.vocab.reserve(t.pieces.size());
    for (const auto& [piece, id] : vocab->items()) {
        const auto i = static_cast<std::size_t>(id.get<std::int64_t>());
        t.vocab[t.pieces[i]] = static_cast<std::int32_t>(i);
    }
    return {};
}

// model.merges: "a b" or ["a", "b"], each of pieces in the vocabulary, ranked by position.
Status loadMerges(const JsonFields& m, HfTokenizer::Impl& t) {
    const json* merges = m.find("merges");
    if (!merges || !merges->is_array()) return corrupt(m.file(), "model.merges is missing or not a list");
    t.merges.reserve(merges->size());
    std::string merged;
    for (std::size_t rank = 0; rank < merges->size(); ++rank) {
        const auto& e = (*merges)[rank];
        std::string a, b;
        if (e.is_string()) {
            const std::string& s = e.get_ref<const std::string&>();
            const auto space = s.find(' ');
            if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                return corrupt(m.file(), "model.merges: merge " + std::to_string(rank) + " ('" + s + "') is not two pieces separated by one space");
            a = s.substr(0, space);
            b = s.substr(space + 1);
        } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
            a = e[0].get<std::string>();
            b = e[1].get<std::string>();
        } else {
            return corrupt(m.file(), "model.merges: merge " + std::to_string(rank) + " is neither \"a b\" nor [\"a\", \"b\"] (found " +
                                         ::srs::json::describe(e) + ")");
        }
        auto ia = t.lookup(a), ib = t.lookup(b);
        std::string_view b_tail = b;
        if (!t.continuing_subword_prefix.empty() && b_tail.compare(0, t.continuing_subword_prefix.size(), t.continuing_subword_prefix) == 0)
            b_tail.remove_prefix(t.continuing_subword_prefix.size());
        merged.assign(a);
        merged.append(b_tail);
        auto im = t.lookup(merged);
        if (!ia || !ib || !im)
            return corrupt(m.file(), "model.merges: merge " + std::to_string(rank) + " ('" + a + "' + '" + b + "') uses a piece outside the vocabulary");
        t.merges[(static_cast<std::uint64_t>(static_cast<std::uint32_t>(*ia)) << 32) | static_cast<std::uint32_t>(*ib)] = {static_cast<std::int32_t>(rank), *im};
    }
    return {};
}

Status loadModel(const JsonFields& m, HfTokenizer::Impl& t) {
    auto type = m.string("type", "");
    if (!type) return type.error();
    if (!type->empty() && *type != "BPE")
        return makeError(ErrorCode::Unsupported, m.file() + ": tokenizer model '" + *type + "' is not supported (only BPE)",
                         "a SentencePiece tokenizer.model, where the model has one, can be used instead");
    double dropout = 0.0;
    std::string unk;
    SRS_TRY(take(m.string("continuing_subword_prefix", ""), &t.continuing_subword_prefix));
    SRS_TRY(take(m.string("end_of_word_suffix", ""), &t.end_of_word_suffix));
    SRS_TRY(take(m.boolean("fuse_unk", false), &t.fuse_unk));
    SRS_TRY(take(m.boolean("byte_fallback", false), &t.byte_fallback));
    SRS_TRY(take(m.boolean("ignore_merges", false), &t.ignore_merges));
    SRS_TRY(take(m.number("dropout", ::srs::json::NumberRange{0.0, 1.0}, 0.0), &dropout));
    SRS_TRY(take(m.string("unk_token", ""), &unk));
    if (dropout > 0.0) log::warn(m.file() + ": BPE dropout is ignored; tokenization here is deterministic");
    SRS_TRY(loadVocab(m, t));
    SRS_TRY(loadMerges(m, t));
    if (!unk.empty()) t.unk_id = t.lookup(unk);
    t.byte_piece_ids.fill(-1);
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        if (auto id = t.lookup(name)) t.byte_piece_ids[b] = *id;
    }
    return {};
}

// A token named by tokenizer_config: a string, or an object with "content"; "" when absent.
Result<std::string> configToken(const JsonFields& cfg, const char* key) {
    const json* v = cfg.find(key);
    if (!v) return std::string();
    if (v->is_string()) return v->get<std::string>();
    if (v->is_object()) {
        auto content = fieldsAt(*v, cfg.file(), key).string("content");
        if (!content) return content.error();
        return content;
    }
    return cfg.wrong(key, "a string or an object with \"content\"", *v);
}

// One TemplateProcessing item: {"Sequence": ...} or {"SpecialToken": {"id": NAME}}, NAME's ids
// from special_tokens (each below the vocabulary size) or the token itself.
Result<TemplateItem> templateItem(const JsonFields& item, const JsonFields& p, const HfTokenizer::Impl& t) {
    if (item.isObject() && item.has("Sequence")) return TemplateItem{true, {}};
    auto special = item.object("SpecialToken");
    if (!special) return special.error();
    if (!*special) return item.error("a post-processor template item (" + placeOf(item) + ") is neither Sequence nor SpecialToken");
    auto name = (*special)->string("id");
    if (!name) return name.error();
    TemplateItem ti;
    auto specials = p.object("special_tokens");
    if (!specials) return specials.error();
    const json* entry = *specials ? (*specials)->find(*name) : nullptr;
    static const json kNull;
    const JsonFields e = fieldsAt(entry ? *entry : kNull, p.file(), p.prefix() + "special_tokens." + *name);
    auto ids = entry ? listAt(e, "ids") : Result<const json*>(static_cast<const json*>(nullptr));
    if (!ids) return ids.error();
    if (*ids) {
        const std::int64_t max = static_cast<std::int64_t>(t.vocab_size) - 1;
        for (std::size_t i = 0; i < (*ids)->size(); ++i) {
            const json& v = (**ids)[i];
            std::int64_t id = -1;
            if (v.is_number_unsigned()) id = v.get<std::uint64_t>() <= static_cast<std::uint64_t>(max) ? static_cast<std::int64_t>(v.get<std::uint64_t>()) : -1;
            else if (v.is_number_integer()) id = v.get<std::int64_t>();
            if (id < 0 || id > max) return e.wrong("ids[" + std::to_string(i) + "]", "a token id in " + ::srs::json::integerRangeText(0, max), v);
            ti.ids.push_back(static_cast<std::int32_t>(id));
        }
    } else if (auto id = t.anyId(*name)) {
        ti.ids.push_back(*id);
    } else {
        return corrupt(p.file(), "the post-processor template names '" + *name + "', which is not a token");
    }
    return ti;
}

Status loadPostProcessor(const JsonFields& p, HfTokenizer::Impl& t) {
    auto type = componentType(p);
    if (!type) return type.error();
    if (*type == "ByteLevel") return {};
    if (*type == "Sequence") {
        auto list = listAt(p, "processors");
        if (!list) return list.error();
        for (std::size_t i = 0; *list && i < (*list)->size(); ++i)
            SRS_TRY(loadPostProcessor(fieldsAt((**list)[i], p.file(), itemPlace(p, "processors", i)), t));
        return {};
    }
    if (*type == "TemplateProcessing") {
        auto single = listAt(p, "single");
        if (!single) return single.error();
        if (!*single) return corrupt(p.file(), placeOf(p) + ": TemplateProcessing has no 'single' template");
        std::vector<TemplateItem> items;
        for (std::size_t i = 0; i < (*single)->size(); ++i) {
            auto item = templateItem(fieldsAt((**single)[i], p.file(), itemPlace(p, "single", i)), p, t);
            if (!item) return item.error();
            items.push_back(std::move(*item));
        }
        t.single_template = std::move(items);
        return {};
    }
    return unsupported(p, "post-processor", "'" + *type + "'");
}

// added_tokens: each with content and an id in [0, kMaxTokenId]; they extend the vocabulary.
Status loadAddedTokens(const JsonFields& top, HfTokenizer::Impl& t) {
    auto list = listAt(top, "added_tokens");
    if (!list) return list.error();
    for (std::size_t i = 0; *list && i < (*list)->size(); ++i) {
        const JsonFields a = fieldsAt((**list)[i], top.file(), itemPlace(top, "added_tokens", i));
        if (!a.isObject()) return a.notAnObject();
        AddedToken tok;
        auto content = a.string("content");
        if (!content) return content.error();
        if (content->empty()) return a.wrong("content", "a non-empty string", json(*content));
        auto id = a.integer("id", 0, kMaxTokenId);
        if (!id) return id.error();
        tok.content = *content;
        tok.id = static_cast<std::int32_t>(*id);
        for (auto [key, out, fallback] : {std::tuple<const char*, bool*, bool>{"single_word", &tok.single_word, false},
                                          {"lstrip", &tok.lstrip, false}, {"rstrip", &tok.rstrip, false}, {"special", &tok.special, false}}) {
            auto v = a.boolean(key, fallback);
            if (!v) return v.error();
            *out = *v;
        }
        auto normalized = a.boolean("normalized", !tok.special);
        if (!normalized) return normalized.error();
        tok.normalized = *normalized;
        t.added.push_back(tok);
    }
    std::size_t bytes = 0;  // one regex budget for normalizing them all
    for (const auto& tok : t.added) bytes += tok.content.size();
    RegexBudget budget = RegexBudget::forText(bytes, top.file());
    for (std::size_t k = 0; k < t.added.size(); ++k) {
        AddedToken& tok = t.added[k];
        t.added_by_content[tok.content] = tok.id;
        if (tok.normalized && t.normalizer) {
            std::string n = tok.content;
            SRS_TRY(t.normalizer->apply(n, budget));
            t.normalized_trie.add(n, k);
        } else if (tok.normalized) {
            t.normalized_trie.add(tok.content, k);
        } else {
            t.raw_trie.add(tok.content, k);
        }
        t.vocab_size = std::max(t.vocab_size, static_cast<std::size_t>(tok.id) + 1);
    }
    for (std::size_t k = 0; k < t.added.size(); ++k) t.added_by_id[t.added[k].id] = k;
    return {};
}

// tokenizer_config.json: bos / eos (which must be tokens), add_bos_token, clean_up_tokenization_spaces.
Status loadConfig(const JsonFields& cfg, HfTokenizer::Impl& t) {
    auto bos = configToken(cfg, "bos_token");
    if (!bos) return bos.error();
    auto eos = configToken(cfg, "eos_token");
    if (!eos) return eos.error();
    if (!bos->empty()) {
        t.bos_id = t.anyId(*bos);
        if (!t.bos_id) return makeError(ErrorCode::CorruptFile, cfg.file() + " names bos_token '" + *bos + "', which is not a token");
    }
    if (!eos->empty()) {
        t.eos_id = t.anyId(*eos);
        if (!t.eos_id) return makeError(ErrorCode::CorruptFile, cfg.file() + " names eos_token '" + *eos + "', which is not a token");
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
    auto add_bos = cfg.boolean("add_bos_token", template_adds_bos);
    if (!add_bos) return add_bos.error();
    auto clean = cfg.boolean("clean_up_tokenization_spaces", false);
    if (!clean) return clean.error();
    t.add_bos_default = *add_bos;
    t.clean_up_spaces = *clean;
    return {};
}

// Everything but the JSON parsing, which the caller has done (depth-limited).
Result<std::unique_ptr<HfTokenizer::Impl>> buildTokenizer(const json& j, const json& cfg_json, const std::string& origin, const std::string& cfg_name) {
    const JsonFields top(j, origin, "", ErrorCode::CorruptFile, kTokenizerHint);
    auto model = top.object("model");
    if (!model || !*model) return corrupt(origin, "there is no 'model' object");
    auto impl = std::make_unique<HfTokenizer::Impl>();
    HfTokenizer::Impl& t = *impl;
    t.origin = origin;
    SRS_TRY(loadModel(**model, t));
    if (top.has("normalizer")) {
        auto n = makeNormalizer(fieldsAt(j["normalizer"], origin, "normalizer"));
        if (!n) return n.error();
        t.normalizer = std::move(*n);
    }
    if (top.has("pre_tokenizer")) SRS_TRY(addPreTokenizer(fieldsAt(j["pre_tokenizer"], origin, "pre_tokenizer"), t.pre_tokenizers));
    if (top.has("decoder")) SRS_TRY(addDecoder(fieldsAt(j["decoder"], origin, "decoder"), t.decoders));
    SRS_TRY(loadAddedTokens(top, t));
    if (top.has("post_processor")) SRS_TRY(loadPostProcessor(fieldsAt(j["post_processor"], origin, "post_processor"), t));
    const JsonFields cfg(cfg_json, cfg_name, "", ErrorCode::CorruptFile, "re-download the model's tokenizer_config.json");
    if (!cfg.isObject()) return cfg.notAnObject();
    SRS_TRY(loadConfig(cfg, t));
    return impl;
}

}  // namespace

std::int64_t regexStepBudget(std::size_t text_bytes) {
    return kRegexStepsBase + kRegexStepsPerKiB * static_cast<std::int64_t>((text_bytes + 1023) / 1024);
}

double regexCpuSecondsBudget(std::size_t text_bytes) {
    return kRegexCpuSecondsBase + kRegexCpuSecondsPerMiB * static_cast<double>(text_bytes) / (1024.0 * 1024.0);
}

HfTokenizer::HfTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HfTokenizer::~HfTokenizer() = default;

Result<std::unique_ptr<HfTokenizer>> parseHfTokenizer(const std::string& tokenizer_json, const std::string& config_json,
                                                      const std::string& origin) {
    try {
        auto j = ::srs::json::parseJson(tokenizer_json, origin);
        if (!j) return corrupt(origin, "not valid JSON or not a tokenizer.json (" + j.error().message + ")");
        const std::string cfg_name = "tokenizer_config.json beside " + origin;
        json cfg = json::object();
        if (!config_json.empty()) {
            auto c = ::srs::json::parseJson(config_json, cfg_name);
            if (!c) return makeError(ErrorCode::CorruptFile, c.error().message, "re-download the model's tokenizer_config.json");
            cfg = std::move(*c);
        }
        auto impl = buildTokenizer(*j, cfg, origin, cfg_name);
        if (!impl) return impl.error();
        return std::unique_ptr<HfTokenizer>(new HfTokenizer(std::move(*impl)));
    } catch (const std::exception& e) {
        // Nothing above throws on content (every field is read typed); this is for bad_alloc.
        return corrupt(origin, std::string("cannot be loaded: ") + e.what());
    }
}

Result<std::unique_ptr<Tokenizer>> loadHfTokenizer(const std::string& tokenizer_json_path, const std::string& tokenizer_config_path_or_empty) {
    auto text = io::readTextFile(tokenizer_json_path, io::kMaxTokenizerFileBytes);
    if (!text) return text.error();
    std::string cfg;
    if (!tokenizer_config_path_or_empty.empty()) {
        auto c = io::readTextFile(tokenizer_config_path_or_empty, io::kMaxConfigFileBytes);
        if (!c) return c.error();
        cfg = std::move(*c);
    }
    auto t = parseHfTokenizer(*text, cfg, tokenizer_json_path);
    if (!t) return t.error();
    return std::unique_ptr<Tokenizer>(std::move(*t));
}

Result<std::vector<std::int32_t>> HfTokenizer::tryEncode(const std::string& text, bool add_bos) const { return tryEncode(text, add_bos, nullptr); }

Result<std::vector<std::int32_t>> HfTokenizer::tryEncode(const std::string& text, bool add_bos, RegexCost* cost) const {
    std::vector<std::int32_t> ids;
    ids.reserve(text.size() / 3 + 4);
    const std::string clean = lossyUtf8(text);
    RegexBudget budget = RegexBudget::forText(clean.size(), impl_->origin);
    Status st;
    if (add_bos && impl_->single_template) {
        for (const auto& item : *impl_->single_template) {
            if (!item.is_sequence) ids.insert(ids.end(), item.ids.begin(), item.ids.end());
            else if (st = impl_->encodeText(clean, ids, budget); !st) break;
        }
    } else {
        if (add_bos && impl_->bos_id) ids.push_back(*impl_->bos_id);
        st = impl_->encodeText(clean, ids, budget);
    }
    if (cost) *cost = {budget.used, budget.cpu_used_s};
    if (!st) return st.error();
    return ids;
}

std::vector<std::int32_t> HfTokenizer::encode(const std::string& text, bool add_bos) const {
    auto ids = tryEncode(text, add_bos);
    if (ids) return std::move(*ids);
    log::error(ids.error().toString() + " (the text gets no ids)");
    return {};
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
