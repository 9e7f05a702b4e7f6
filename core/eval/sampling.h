// Choosing the next token from a row of logits: greedy, or temperature, top-k and top-p sampling
// with our own seeded generator (std::mt19937_64), so that a seed gives the same tokens on every
// machine and independently of LibTorch's random state. No torch here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "core/eval/generate.h"

namespace srs::eval {

// The index of the largest logit, the lowest one among equals; NaN counts as -inf. n > 0.
std::int32_t argmaxLogit(const float* logits, std::size_t n);

class Sampler {
public:
    explicit Sampler(const SamplingOptions& options);

    // temperature <= 0: argmaxLogit. Otherwise: logits / temperature, sorted by probability (ties
    // to the lower id); the top_k first kept (0: all); of those, the shortest prefix whose
    // probability reaches top_p kept (at least one token); one token drawn from what is left,
    // renormalized, with a 53-bit uniform from the generator (walked in that sorted order; with
    // no cut at all, in id order, which needs no sort).
    std::int32_t sample(const float* logits, std::size_t n);

private:
    static constexpr std::size_t kInitialSort = 1024;
    void sortFrom(const float* logits, std::size_t from, std::size_t count);

    SamplingOptions options_;
    std::mt19937_64 rng_;
    std::vector<std::int32_t> order_;  // reused between calls
    std::vector<double> probs_;
};

}  // namespace srs::eval
