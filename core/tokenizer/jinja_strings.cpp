#include "core/tokenizer/jinja_strings.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace srs::tokenizer::jinja {

namespace {

bool isPySpace(const std::string& cp) {
    if (cp.size() == 1) {
        const auto c = static_cast<unsigned char>(cp[0]);
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    }
    // U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000
    static const char* kWide[] = {"\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf",
                                  "\xe2\x81\x9f", "\xe3\x80\x80"};
    for (const char* w : kWide)
        if (cp == w) return true;
    return cp.size() == 3 && cp[0] == '\xe2' && cp[1] == '\x80' && static_cast<unsigned char>(cp[2]) >= 0x80 &&
           static_cast<unsigned char>(cp[2]) <= 0x8a;
}

bool isAsciiAlpha(const std::string& cp) { return cp.size() == 1 && std::isalpha(static_cast<unsigned char>(cp[0])); }

}  // namespace

std::string pyStrip(const std::string& s, const std::string* chars, int which) {
    const auto cps = codePoints(s);
    std::vector<std::string> set;
    if (chars) set = codePoints(*chars);
    auto strip = [&](const std::string& cp) { return chars ? std::find(set.begin(), set.end(), cp) != set.end() : isPySpace(cp); };
    std::size_t b = 0, e = cps.size();
    if (which & 1)
        while (b < e && strip(cps[b])) ++b;
    if (which & 2)
        while (e > b && strip(cps[e - 1])) --e;
    std::string out;
    for (std::size_t i = b; i < e; ++i) out += cps[i];
    return out;
}

std::vector<std::string> pySplit(const std::string& s, const std::string* sep, std::int64_t maxsplit) {
    chargeWork(s.size() / 64);
    std::vector<std::string> out;
    if (sep) {
        std::size_t start = 0;
        while (maxsplit < 0 || static_cast<std::int64_t>(out.size()) < maxsplit) {
            const auto at = s.find(*sep, start);
            if (at == std::string::npos) break;
            out.push_back(s.substr(start, at - start));
            start = at + sep->size();
        }
        out.push_back(s.substr(start));
        return out;
    }
    const auto cps = codePoints(s);
    std::size_t i = 0;
    while (i < cps.size()) {
        while (i < cps.size() && isPySpace(cps[i])) ++i;
        if (i == cps.size()) break;
        std::string word;
        if (maxsplit >= 0 && static_cast<std::int64_t>(out.size()) == maxsplit) {
            for (; i < cps.size(); ++i) word += cps[i];
            // Python keeps the rest as it is, but trailing whitespace is removed.
            out.push_back(pyStrip(word, nullptr, 2));
            break;
        }
        while (i < cps.size() && !isPySpace(cps[i])) word += cps[i++];
        out.push_back(std::move(word));
    }
    return out;
}

std::vector<std::string> pySplitLines(const std::string& s) {
    std::vector<std::string> out;
    std::string line;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' || s[i] == '\r') {
            if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
            out.push_back(line);
            line.clear();
        } else {
            line += s[i];
        }
    }
    if (!line.empty()) out.push_back(line);
    return out;
}

std::string pyReplace(const std::string& s, const std::string& old, const std::string& repl, std::int64_t count) {
    chargeWork(s.size() / 64);
    std::string out;
    std::int64_t done = 0;
    if (old.empty()) {
        // Python inserts the replacement before every character and at the end.
        for (const auto& cp : codePoints(s)) {
            if (count < 0 || done < count) {
                out += repl;
                ++done;
            }
            out += cp;
        }
        if (count < 0 || done < count) out += repl;
        return out;
    }
    std::size_t start = 0;
    while (count < 0 || done < count) {
        const auto at = s.find(old, start);
        if (at == std::string::npos) break;
        out.append(s, start, at - start);
        out += repl;
        start = at + old.size();
        ++done;
    }
    out.append(s, start, std::string::npos);
    return out;
}

std::string asciiUpper(std::string s) {
    for (auto& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

std::string asciiLower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string pyTitle(const std::string& s) {
    std::string out;
    bool prev_cased = false;
    for (const auto& cp : codePoints(s)) {
        if (isAsciiAlpha(cp)) {
            out += prev_cased ? asciiLower(cp) : asciiUpper(cp);
            prev_cased = true;
        } else {
            out += cp;
            prev_cased = false;
        }
    }
    return out;
}

std::string pyCapitalize(const std::string& s) {
    const auto cps = codePoints(s);
    std::string out;
    for (std::size_t i = 0; i < cps.size(); ++i) out += i == 0 ? asciiUpper(cps[i]) : asciiLower(cps[i]);
    return out;
}

std::string jinjaTitle(const std::string& s) {
    // Words begin after runs of whitespace, '-', '(', '{', '[', '<'; each word is capitalized.
    auto is_sep = [](const std::string& cp) { return isPySpace(cp) || cp == "-" || cp == "(" || cp == "{" || cp == "[" || cp == "<"; };
    std::string out, word;
    auto flush = [&] {
        out += pyCapitalize(word);
        word.clear();
    };
    for (const auto& cp : codePoints(s)) {
        if (is_sep(cp)) {
            flush();
            out += cp;
        } else {
            word += cp;
        }
    }
    flush();
    return out;
}

bool asciiClass(const std::string& s, const std::string& method) {
    if (s.empty()) return false;
    for (const auto& cp : codePoints(s)) {
        const bool one = cp.size() == 1;
        const auto c = static_cast<unsigned char>(cp[0]);
        bool ok = false;
        if (method == "isdigit") ok = one && std::isdigit(c);
        else if (method == "isspace") ok = isPySpace(cp);
        else if (method == "isalpha") ok = one && std::isalpha(c);
        else ok = one && std::isalnum(c);
        if (!ok) return false;
    }
    return true;
}

std::string pyPercentFormat(const std::string& fmt, const List& args, std::size_t pos) {
    std::string out;
    std::size_t next = 0;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') {
            out += fmt[i];
            continue;
        }
        if (++i >= fmt.size()) throw JinjaError("incomplete format", pos);
        const char c = fmt[i];
        if (c == '%') {
            out += '%';
            continue;
        }
        if (next >= args.size()) throw JinjaError("not enough arguments for format string", pos);
        const Value& v = args[next++];
        if (c == 's') out += v.toStr();
        else if (c == 'r') out += v.repr();
        else if ((c == 'd' || c == 'i') && v.isNumber()) out += std::to_string(v.isFloat() ? static_cast<std::int64_t>(v.asDouble()) : v.asInt());
        else if (c == 'f' && v.isNumber()) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%f", v.asDouble());
            out += buf;
        } else throw JinjaError(std::string("unsupported format '%") + c + "' for a " + v.typeName(), pos);
    }
    if (next < args.size()) throw JinjaError("not all arguments converted during string formatting", pos);
    return out;
}

}  // namespace srs::tokenizer::jinja
