#include "core/eval/generate_text.h"

#include <algorithm>
#include <set>

namespace srs::eval {

std::vector<std::string> specialTokenStrings(const tokenizer::Tokenizer& tok, const tokenizer::ChatTemplate& tmpl) {
    std::set<std::string> candidates = {tmpl.bos_token, tmpl.eos_token};
    candidates.insert(tmpl.end_of_turn_tokens.begin(), tmpl.end_of_turn_tokens.end());
    if (auto b = tok.bosId()) candidates.insert(tok.piece(*b));
    if (auto e = tok.eosId()) candidates.insert(tok.piece(*e));
    std::vector<std::string> out;
    for (const auto& s : candidates)
        if (!s.empty() && tok.tokenId(s)) out.push_back(s);
    // Longest first, so that one special string that begins another never cuts it short.
    std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return out;
}

std::vector<std::int32_t> encodeWithSpecialTokens(const tokenizer::Tokenizer& tok, const std::string& text,
                                                  const std::vector<std::string>& specials) {
    if (tok.kind() == "hf-bpe") return tok.encode(text, false);
    std::vector<std::int32_t> ids;
    auto encodePlain = [&](std::size_t from, std::size_t to) {
        if (to <= from) return;
        const auto part = tok.encode(text.substr(from, to - from), false);
        ids.insert(ids.end(), part.begin(), part.end());
    };
    std::size_t plain_from = 0, i = 0;
    while (i < text.size()) {
        const std::string* hit = nullptr;
        for (const auto& s : specials)
            if (text.compare(i, s.size(), s) == 0) {
                hit = &s;
                break;
            }
        if (!hit) {
            ++i;
            continue;
        }
        encodePlain(plain_from, i);
        ids.push_back(*tok.tokenId(*hit));
        i += hit->size();
        plain_from = i;
    }
    encodePlain(plain_from, text.size());
    return ids;
}

namespace {
// The number of bytes a UTF-8 sequence starting with lead byte c has (0: not a lead byte).
int sequenceLength(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 0;
}
}  // namespace

std::size_t completeUtf8Prefix(const std::string& text) {
    std::size_t n = text.size();
    for (;;) {
        // A trailing sequence cut short: its lead byte within the last three bytes, too few after it.
        std::size_t lead = n;
        while (lead > 0 && n - lead < 4 && (static_cast<unsigned char>(text[lead - 1]) & 0xC0) == 0x80) --lead;
        if (lead > 0) {
            const int need = sequenceLength(static_cast<unsigned char>(text[lead - 1]));
            if (need > 1 && n - (lead - 1) < static_cast<std::size_t>(need)) {
                n = lead - 1;
                continue;
            }
        }
        // U+FFFD (EF BF BD), a decoder's stand-in for bytes it could not place yet.
        if (n >= 3 && text.compare(n - 3, 3, "\xEF\xBF\xBD") == 0) {
            n -= 3;
            continue;
        }
        return n;
    }
}

}  // namespace srs::eval
