// Turning per-token figures into KldStats, without torch: the distribution points are defined as
// llama.cpp's `llama-perplexity --kl-divergence` defines them, so that our figures and its figures
// mean the same thing:
//   - percentile(f): the values sorted ascending, position f·(n−1), linear interpolation between
//     the two neighbouring values (f ≤ 0: the smallest, f ≥ 1: the largest);
//   - median: the middle value, or the mean of the two middle values when n is even (the same as
//     percentile(0.5) under that definition);
//   - max: the largest value.
#pragma once

#include <cstdint>
#include <vector>

#include "core/eval/kld.h"

namespace srs::eval {

// How many logit values one scoring step turns into double precision at a time (rows of the
// vocabulary): bounds the extra memory of log-softmax and KL divergence to a few buffers of this
// many doubles, whatever the window, batch or vocabulary (the estimator counts them).
inline constexpr std::int64_t kScoreChunkValues = std::int64_t(1) << 22;
// The double-precision buffers alive at once while a chunk is scored (logits, log-probabilities
// and probabilities of both models, and the product): the estimator's figure.
inline constexpr int kScoreChunkBuffers = 6;

// sorted: ascending, not empty.
double percentileOfSorted(const std::vector<double>& sorted, double fraction);
double medianOfSorted(const std::vector<double>& sorted);

// What the scoring loop gathered over `per_token_kld.size()` scored tokens: the KL divergence of
// each, how many had the same argmax in both models, and the summed negative log-likelihoods of
// the true next token under the evaluated model and under the reference.
struct KldAccumulator {
    std::vector<double> per_token_kld;
    std::uint64_t top1_matches = 0;
    double model_nll_sum = 0.0;
    double reference_nll_sum = 0.0;
};

// The figures of KldStats; all zero when no token was scored.
KldStats summarizeKld(KldAccumulator acc);

}  // namespace srs::eval
