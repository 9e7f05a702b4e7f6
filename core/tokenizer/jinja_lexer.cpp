#include "core/tokenizer/jinja_lexer.h"

#include <cctype>
#include <cstring>

#include "core/tokenizer/jinja_value.h"

namespace srs::tokenizer::jinja {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string rstripSpace(const std::string& s) {
    std::size_t end = s.size();
    while (end > 0 && isSpace(s[end - 1])) --end;
    return s.substr(0, end);
}

void appendUtf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Python's string escapes (Jinja decodes literals with "unicode-escape"); an unknown escape keeps
// its backslash.
std::string unescape(const std::string& body, std::size_t pos) {
    std::string out;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] != '\\' || i + 1 == body.size()) {
            out += body[i];
            continue;
        }
        const char c = body[++i];
        auto hex = [&](std::size_t n) {
            unsigned long cp = 0;
            for (std::size_t k = 1; k <= n; ++k) {
                const char h = i + k < body.size() ? body[i + k] : '\0';
                if (!std::isxdigit(static_cast<unsigned char>(h))) throw JinjaError("bad \\x/\\u escape in a string", pos);
                cp = cp * 16 + static_cast<unsigned long>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
            }
            i += n;
            if (cp > 0x10FFFF) throw JinjaError("escape beyond Unicode in a string", pos);
            appendUtf8(out, cp);
        };
        switch (c) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case '\\': out += '\\'; break;
            case '\'': out += '\''; break;
            case '"': out += '"'; break;
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'v': out += '\v'; break;
            case '\n': break;  // a backslash-newline continues the line
            case 'x': hex(2); break;
            case 'u': hex(4); break;
            case 'U': hex(8); break;
            default:
                if (c >= '0' && c <= '7') {
                    unsigned long cp = static_cast<unsigned long>(c - '0');
                    for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k)
                        cp = cp * 8 + static_cast<unsigned long>(body[++i] - '0');
                    appendUtf8(out, cp);
                } else {
                    out += '\\';
                    out += c;
                }
        }
    }
    return out;
}

class Lexer {
public:
    explicit Lexer(const std::string& src) : src_(src) {}

    std::vector<Token> run() {
        while (pos_ < src_.size()) {
            if (!lexData()) break;
        }
        tokens_.push_back(Token{Token::Type::Eof, "", src_.size()});
        return std::move(tokens_);
    }

private:
    // Text up to the next tag, then the tag. False when the text ran to the end.
    bool lexData() {
        std::size_t open = pos_;
        while (true) {
            open = src_.find('{', open);
            if (open == std::string::npos || open + 1 >= src_.size()) {
                emitText(src_.substr(pos_), pos_);
                pos_ = src_.size();
                return false;
            }
            const char k = src_[open + 1];
            if (k == '{' || k == '%' || k == '#') break;
            ++open;
        }
        const char kind = src_[open + 1];
        const char sign = open + 2 < src_.size() && (src_[open + 2] == '-' || src_[open + 2] == '+') ? src_[open + 2] : '\0';
        std::string text = src_.substr(pos_, open - pos_);
        if (sign == '-') {
            text = rstripSpace(text);
        } else if (sign != '+' && kind != '{') {
            // lstrip_blocks: only spaces/tabs between the line's start and the tag.
            const std::size_t l = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
            if ((l > 0 || line_starting_) && l < text.size()) {
                bool blank = true;
                for (std::size_t i = l; i < text.size(); ++i) blank = blank && isSpace(text[i]);
                if (blank) text.resize(l);
            }
        }
        emitText(text, pos_);
        pos_ = open + 2 + (sign ? 1 : 0);
        line_starting_ = false;
        if (kind == '#') lexComment(open);
        else if (kind == '%' && lexRaw(open)) {
        } else lexTag(kind == '{', open);
        return true;
    }

    void emitText(const std::string& text, std::size_t at) {
        if (!text.empty()) tokens_.push_back(Token{Token::Type::Text, text, at});
    }

    // After a closing "%}" / "#}": trim_blocks' newline, "-" all whitespace, "+" nothing.
    void afterTagEnd(char sign, bool is_var) {
        if (sign == '-') {
            while (pos_ < src_.size() && isSpace(src_[pos_])) ++pos_;
        } else if (sign != '+' && !is_var && pos_ < src_.size() && src_[pos_] == '\n') {
            ++pos_;
        }
        line_starting_ = pos_ > 0 && src_[pos_ - 1] == '\n';
    }

    void lexComment(std::size_t open) {
        const std::size_t end = src_.find("#}", pos_);
        if (end == std::string::npos) throw JinjaError("missing end of comment tag '#}'", open);
        const char sign = end > pos_ && (src_[end - 1] == '-' || src_[end - 1] == '+') ? src_[end - 1] : '\0';
        pos_ = end + 2;
        afterTagEnd(sign, false);
    }

    // "{% raw %}" ... "{% endraw %}": the text between is kept as it is.
    bool lexRaw(std::size_t open) {
        std::size_t p = pos_;
        while (p < src_.size() && isSpace(src_[p])) ++p;
        if (src_.compare(p, 3, "raw") != 0 || (p + 3 < src_.size() && isNameChar(src_[p + 3]))) return false;
        p += 3;
        while (p < src_.size() && isSpace(src_[p])) ++p;
        char sign = '\0';
        if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) sign = src_[p++];
        if (src_.compare(p, 2, "%}") != 0) throw JinjaError("malformed raw tag", open);
        pos_ = p + 2;
        if (sign == '-') while (pos_ < src_.size() && isSpace(src_[pos_])) ++pos_;
        for (std::size_t q = src_.find("{%", pos_); q != std::string::npos; q = src_.find("{%", q + 2)) {
            std::size_t r = q + 2;
            const char open_sign = r < src_.size() && (src_[r] == '-' || src_[r] == '+') ? src_[r++] : '\0';
            while (r < src_.size() && isSpace(src_[r])) ++r;
            if (src_.compare(r, 6, "endraw") != 0) continue;
            r += 6;
            while (r < src_.size() && isSpace(src_[r])) ++r;
            char end_sign = '\0';
            if (r < src_.size() && (src_[r] == '-' || src_[r] == '+')) end_sign = src_[r++];
            if (src_.compare(r, 2, "%}") != 0) continue;
            std::string text = src_.substr(pos_, q - pos_);
            if (open_sign == '-') text = rstripSpace(text);
            emitText(text, pos_);
            pos_ = r + 2;
            afterTagEnd(end_sign, false);
            return true;
        }
        throw JinjaError("missing '{% endraw %}' for this raw block", open);
    }

    void lexTag(bool is_var, std::size_t open) {
        tokens_.push_back(Token{is_var ? Token::Type::VarBegin : Token::Type::BlockBegin, "", open});
        std::vector<char> brackets;
        while (true) {
            while (pos_ < src_.size() && isSpace(src_[pos_])) ++pos_;
            if (pos_ >= src_.size())
                throw JinjaError(std::string("unclosed tag: missing '") + (is_var ? "}}" : "%}") + "'", open);
            if (brackets.empty() && tryTagEnd(is_var)) return;
            lexExprToken(brackets);
        }
    }

    bool tryTagEnd(bool is_var) {
        const char* end = is_var ? "}}" : "%}";
        char sign = '\0';
        std::size_t p = pos_;
        if (src_[p] == '-' || (src_[p] == '+' && !is_var)) sign = src_[p++];
        if (src_.compare(p, 2, end) != 0) return false;
        tokens_.push_back(Token{is_var ? Token::Type::VarEnd : Token::Type::BlockEnd, "", pos_});
        pos_ = p + 2;
        afterTagEnd(sign, is_var);
        return true;
    }

    void lexExprToken(std::vector<char>& brackets) {
        const std::size_t start = pos_;
        const char c = src_[pos_];
        if (isDigit(c)) return lexNumber();
        if (isNameStart(c)) {
            while (pos_ < src_.size() && isNameChar(src_[pos_])) ++pos_;
            tokens_.push_back(Token{Token::Type::Name, src_.substr(start, pos_ - start), start});
            return;
        }
        if (c == '\'' || c == '"') return lexString();
        static const char* kOps[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "[", "]", "(", ")",
                                     "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"};
        for (const char* op : kOps) {
            const std::size_t n = std::strlen(op);
            if (src_.compare(pos_, n, op) != 0) continue;
            if (n == 1) balance(brackets, op[0]);
            tokens_.push_back(Token{Token::Type::Op, op, start});
            pos_ += n;
            return;
        }
        // The whole UTF-8 sequence, so that the message stays valid text.
        std::size_t n = 1;
        while (start + n < src_.size() && n < 4 && (static_cast<unsigned char>(src_[start + n]) & 0xC0) == 0x80) ++n;
        throw JinjaError("unexpected character '" + src_.substr(start, n) + "' in a tag", start);
    }

    void balance(std::vector<char>& brackets, char c) {
        if (c == '(') brackets.push_back(')');
        else if (c == '[') brackets.push_back(']');
        else if (c == '{') brackets.push_back('}');
        else if (c == ')' || c == ']' || c == '}') {
            if (brackets.empty()) throw JinjaError(std::string("unexpected '") + c + "'", pos_);
            if (brackets.back() != c) throw JinjaError(std::string("unexpected '") + c + "', expected '" + brackets.back() + "'", pos_);
            brackets.pop_back();
        }
    }

    void lexNumber() {
        const std::size_t start = pos_;
        auto digits = [&] {
            while (pos_ < src_.size() && (isDigit(src_[pos_]) || (src_[pos_] == '_' && pos_ + 1 < src_.size() && isDigit(src_[pos_ + 1]))))
                ++pos_;
        };
        digits();
        bool is_float = false;
        // A float needs digits after the dot; "x.0.1" style attribute chains stay integers.
        const bool after_dot = start > 0 && src_[start - 1] == '.';
        if (!after_dot && pos_ + 1 < src_.size() && src_[pos_] == '.' && isDigit(src_[pos_ + 1])) {
            ++pos_;
            digits();
            is_float = true;
        }
        if (!after_dot && pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
            std::size_t p = pos_ + 1;
            if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
            if (p < src_.size() && isDigit(src_[p])) {
                pos_ = p;
                digits();
                is_float = true;
            }
        }
        std::string text;
        for (std::size_t i = start; i < pos_; ++i)
            if (src_[i] != '_') text += src_[i];
        tokens_.push_back(Token{is_float ? Token::Type::Float : Token::Type::Int, text, start});
    }

    void lexString() {
        const std::size_t start = pos_;
        const char quote = src_[pos_++];
        std::string body;
        while (pos_ < src_.size() && src_[pos_] != quote) {
            if (src_[pos_] == '\\' && pos_ + 1 < src_.size()) body += src_[pos_++];
            body += src_[pos_++];
        }
        if (pos_ >= src_.size()) throw JinjaError("unterminated string literal", start);
        ++pos_;
        tokens_.push_back(Token{Token::Type::String, unescape(body, start), start});
    }

    const std::string& src_;
    std::size_t pos_ = 0;
    bool line_starting_ = true;
    std::vector<Token> tokens_;
};

}  // namespace

std::string normalizeTemplateSource(const std::string& source) {
    std::string out;
    out.reserve(source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out += source[i];
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::vector<Token> tokenize(const std::string& normalized_source) { return Lexer(normalized_source).run(); }

std::string describePosition(const std::string& src, std::size_t pos) {
    if (pos == std::string::npos) return "";
    pos = std::min(pos, src.size());
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < pos; ++i) {
        if (src[i] == '\n') {
            ++line;
            col = 1;
        } else if ((static_cast<unsigned char>(src[i]) & 0xC0) != 0x80) {
            ++col;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

}  // namespace srs::tokenizer::jinja
