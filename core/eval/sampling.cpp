#include "core/eval/sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace srs::eval {
namespace {

double finiteOrLowest(float x) { return std::isnan(x) ? -std::numeric_limits<double>::infinity() : static_cast<double>(x); }

// A uniform double in [0, 1) from the top 53 bits of one draw: the same on every platform, unlike
// std::uniform_real_distribution, whose algorithm the standard leaves to the library.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0); }

}  // namespace

std::int32_t argmaxLogit(const float* logits, std::size_t n) {
    std::size_t best = 0;
    double best_v = finiteOrLowest(logits[0]);
    for (std::size_t i = 1; i < n; ++i) {
        const double v = finiteOrLowest(logits[i]);
        if (v > best_v) {
            best = i;
            best_v = v;
        }
    }
    return static_cast<std::int32_t>(best);
}

Sampler::Sampler(const SamplingOptions& options) : options_(options), rng_(options.seed) {}

void Sampler::sortFrom(const float* logits, std::size_t from, std::size_t count) {
    // Most likely first, the lower id first among equals: a strict order, so the first `count`
    // entries are the same whether the rest is sorted or not.
    auto more_likely = [&](std::int32_t a, std::int32_t b) {
        const double la = finiteOrLowest(logits[a]), lb = finiteOrLowest(logits[b]);
        return la > lb || (la == lb && a < b);
    };
    const auto first = order_.begin() + static_cast<std::ptrdiff_t>(from);
    std::partial_sort(first, first + static_cast<std::ptrdiff_t>(count), order_.end(), more_likely);
}

std::int32_t Sampler::sample(const float* logits, std::size_t n) {
    if (options_.temperature <= 0.0 || n == 1) return argmaxLogit(logits, n);
    const std::int32_t best = argmaxLogit(logits, n);
    const double top = finiteOrLowest(logits[best]);
    if (!std::isfinite(top)) return best;
    // exp((logit - max) / temperature): the softmax up to its normalization.
    const auto weight = [&](std::size_t id) { return std::exp((finiteOrLowest(logits[id]) - top) / options_.temperature); };
    const bool cut_k = options_.top_k > 0 && static_cast<std::size_t>(options_.top_k) < n, cut_p = options_.top_p < 1.0;
    if (!cut_k && !cut_p) {  // nothing cut: a draw over all ids, in id order, needs no sort
        double total = 0.0;
        for (std::size_t i = 0; i < n; ++i) total += weight(i);
        const double u = uniform01(rng_) * total;
        double cumulative = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            if (u < (cumulative += weight(i))) return static_cast<std::int32_t>(i);
        return best;
    }
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), 0);
    const std::size_t kept = cut_k ? static_cast<std::size_t>(options_.top_k) : n;
    // Only the head of the order is sorted at first (top-k, or for top-p alone a guess at the
    // nucleus), the rest once the walk reaches it.
    std::size_t sorted = cut_k ? kept : std::min(n, kInitialSort);
    sortFrom(logits, 0, sorted);
    double total = 0.0;
    if (cut_k)
        for (std::size_t i = 0; i < kept; ++i) total += weight(order_[i]);
    else
        for (std::size_t i = 0; i < n; ++i) total += weight(i);
    // Top-p: the shortest prefix whose share of the kept probability reaches top_p (at least one).
    probs_.clear();
    double cumulative = 0.0;
    for (std::size_t i = 0; i < kept; ++i) {
        if (i == sorted) {
            sortFrom(logits, sorted, kept - sorted);
            sorted = kept;
        }
        probs_.push_back(weight(order_[i]));
        cumulative += probs_.back();
        if (cut_p && cumulative >= options_.top_p * total) break;
    }
    const double u = uniform01(rng_) * cumulative;
    double walk = 0.0;
    for (std::size_t i = 0; i < probs_.size(); ++i)
        if (u < (walk += probs_[i])) return order_[i];
    return order_[probs_.size() - 1];
}

}  // namespace srs::eval
