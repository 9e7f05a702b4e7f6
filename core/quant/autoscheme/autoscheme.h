// AutoScheme: per-layer sensitivity scores and a mixed-bit layer_config for a target average
// bit width (ALGORITHM.md §4.2–4.3). For each candidate scheme, every quantizable layer is
// round-to-nearest quantized at once, the whole model runs on calibration text with the
// next-token loss, and each layer scores Σ |∂L/∂Ŵ ⊙ (W − Ŵ)| — the first-order loss increase its
// quantization causes. The allocator then picks one scheme per layer under the bit budget.
// Scores are cached per model, data and options, so a second search with another target is
// instant. Plain facade: no torch in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/quant/autoscheme/bit_allocation.h"

namespace srs::quant::autoscheme {

struct AutoSchemeOptions {
    std::string model;
    std::vector<std::string> datasets;
    std::string options = "W2A16G64,W4A16,W8A16";
    double avg_bits = 3.0;
    int nsamples = 16;  // AutoRound's AutoScheme defaults
    int seqlen = 256;
    int batch_size = 8;
    std::uint64_t seed = 42;
    bool ignore_scale_zp_bits = false;
    std::string cache_dir;  // empty: ~/.cache/signround-studio/autoscheme
    std::string device = "auto";  // where the scoring runs: auto | cpu | cuda | cuda:N (device::resolveDevice)
};

struct LayerChoice {
    std::string name;
    std::int64_t params = 0;
    std::vector<double> scores;  // per option
    int chosen = 0;
};

struct AutoSchemeResult {
    std::vector<SchemeOption> options;
    std::vector<LayerChoice> layers;
    AllocationResult allocation;
    nlohmann::json layer_config;
    bool scores_from_cache = false;
    std::int64_t scoring_ms = 0;
};

using AutoSchemeProgress = std::function<void(const std::string& what, int done, int total)>;

Result<AutoSchemeResult> runAutoScheme(const AutoSchemeOptions& options, const AutoSchemeProgress& progress = {},
                                       const CancelToken& cancel = {});

}  // namespace srs::quant::autoscheme
