#include "support/spm_to_tokenizer_json.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace srs::test {

using nlohmann::json;
using srs::tokenizer::PieceType;

std::string llamaTokenizerJsonFrom(const srs::tokenizer::SpmVocab& v) {
    json vocab = json::object();
    std::unordered_map<std::string, int> id_of;
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        vocab[v.pieces[i]] = static_cast<int>(i);
        id_of.emplace(v.pieces[i], static_cast<int>(i));
    }
    auto mergeable = [&](const std::string& p) {
        auto it = id_of.find(p);
        if (it == id_of.end()) return false;
        const PieceType t = v.types[static_cast<std::size_t>(it->second)];
        return t == PieceType::Normal || t == PieceType::UserDefined;
    };
    // Every way to write a piece as two pieces; SentencePiece merges the pair whose result
    // scores highest, so that order (then ids, for a stable file) is the merge rank.
    std::vector<std::tuple<float, int, int, int>> merges;  // (-score, merged id, left id, right id)
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        if (v.types[i] != PieceType::Normal) continue;
        const std::string& p = v.pieces[i];
        for (std::size_t k = 1; k < p.size(); ++k) {
            if ((static_cast<unsigned char>(p[k]) & 0xC0) == 0x80) continue;  // inside a UTF-8 character
            const std::string a = p.substr(0, k), b = p.substr(k);
            if (mergeable(a) && mergeable(b)) merges.emplace_back(-v.scores[i], static_cast<int>(i), id_of[a], id_of[b]);
        }
    }
    std::sort(merges.begin(), merges.end());
    json merge_list = json::array();
    for (const auto& [score, merged, a, b] : merges)
        merge_list.push_back(json::array({v.pieces[static_cast<std::size_t>(a)], v.pieces[static_cast<std::size_t>(b)]}));

    json added = json::array();
    for (std::size_t i = 0; i < v.pieces.size(); ++i) {
        const PieceType t = v.types[i];
        if (t != PieceType::Control && t != PieceType::Unknown) continue;
        added.push_back({{"id", static_cast<int>(i)}, {"content", v.pieces[i]}, {"single_word", false}, {"lstrip", false},
                         {"rstrip", false}, {"normalized", false}, {"special", true}});
    }
    const std::string space = "\xE2\x96\x81";
    json normalizers = json::array();
    if (v.add_dummy_prefix) normalizers.push_back({{"type", "Prepend"}, {"prepend", space}});
    normalizers.push_back({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", space}});
    json tok = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", {{"type", "Sequence"}, {"normalizers", normalizers}}},
        {"pre_tokenizer", nullptr},
        {"decoder",
         {{"type", "Sequence"},
          {"decoders",
           {{{"type", "Replace"}, {"pattern", {{"String", space}}}, {"content", " "}},
            {{"type", "ByteFallback"}},
            {{"type", "Fuse"}},
            {{"type", "Strip"}, {"content", " "}, {"start", v.add_dummy_prefix ? 1 : 0}, {"stop", 0}}}}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", v.unk_id >= 0 ? json(v.pieces[static_cast<std::size_t>(v.unk_id)]) : json(nullptr)},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", true},
          {"byte_fallback", v.byte_fallback},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", merge_list}}}};
    if (v.bos_id >= 0) {
        const std::string bos = v.pieces[static_cast<std::size_t>(v.bos_id)];
        tok["post_processor"] = {
            {"type", "TemplateProcessing"},
            {"single", {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
            {"pair", json::array()},
            {"special_tokens", {{bos, {{"id", bos}, {"ids", {v.bos_id}}, {"tokens", {bos}}}}}}};
    } else {
        tok["post_processor"] = nullptr;
    }
    return tok.dump(1);
}

}  // namespace srs::test
