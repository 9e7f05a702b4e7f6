// The README.md written beside an export: YAML front matter the Hub reads (base_model, tags,
// license and pipeline_tag carried over from the source model's card), then what was done —
// scheme, recipe, calibration data, how many tensors come from SignRound's tuned scales and how
// many were rounded to nearest from weights (and why), measured perplexities (and, for the
// exports, the KL divergence from the original and the top-1 agreement) — and how to load the
// result in transformers, vLLM and llama.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/eval/kld.h"
#include "core/export/tensor_sources.h"

namespace srs::exporter {

struct PerplexityRow {
    std::string model;  // "original (F32)", "W4G128 SignRound", ...
    std::string dataset;
    double ppl = 0.0;
    double bits_per_weight = 0.0;  // 0: not given
    std::optional<eval::KldStats> kld;  // against the original, on the same text (exports only)
};

struct ModelCardInfo {
    std::string repo_id;          // where the export will live, e.g. "me/Model-W4G128-auto-round" (may be empty)
    std::string base_model;       // Hub id of the source, or empty when unknown (a local folder)
    std::string source_readme;    // the source model's README.md, for license / tags / pipeline_tag
    std::string format;           // "auto_round", "auto_gptq", "auto_awq", "gguf:q4_k_m"
    std::string scheme;           // "W4A16 G128 sym"
    std::string recipe;           // "auto-round (200 iters, 128 samples × 2048 tokens)"
    std::vector<std::string> calibration;  // dataset names or file names
    std::vector<PerplexityRow> perplexities;
    std::string gguf_file;        // a GGUF export's file name; empty for the packed formats
    // Where the export's tensors come from (tuned scales or round-to-nearest); absent for a
    // conversion without tuning.
    std::optional<TensorSources> tensor_sources;
    std::string tool_version;
};

// Fields from a README's YAML front matter: only top-level scalars and "- item" lists are read,
// which is all the Hub's model-card keys need.
struct FrontMatter {
    std::string license;
    std::string pipeline_tag;
    std::vector<std::string> tags;
    std::vector<std::string> languages;
};
FrontMatter parseFrontMatter(const std::string& readme);

std::string renderModelCard(const ModelCardInfo& info);

}  // namespace srs::exporter
