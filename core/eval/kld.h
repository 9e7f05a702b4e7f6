// How far a quantized model's next-token distributions are from the original's, over the same
// scored tokens: the figures the llama.cpp community reads first (`llama-perplexity
// --kl-divergence`). Plain data; no torch here.
#pragma once

#include <cstdint>

namespace srs::eval {

struct KldStats {
    std::uint64_t tokens = 0;     // scored tokens the figures are over
    // KL(P_reference || P_model) per scored token, in nats: mean and the distribution's points.
    double mean = 0.0;
    double median = 0.0;
    double p99 = 0.0;             // 99th percentile
    double p999 = 0.0;            // 99.9th percentile
    double max = 0.0;
    double top1_agreement = 0.0;  // fraction of scored tokens whose argmax equals the reference's, in [0, 1]
    double reference_ppl = 0.0;   // the reference's perplexity over the same tokens
    double ppl_ratio = 0.0;       // this model's perplexity / reference_ppl
};

}  // namespace srs::eval
