// `signround bench tune`: SignRound tuning time per block with the reference path (plain
// LibTorch) and with the kernels path (fused quant-dequant and SignSGD, measured matmul backends),
// both measured in one run on a block of a given shape with random weights, plus the tuning
// FLOP/s against the plain matmul rate and a per-op profile of one iteration for each path.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/quant/quant_scheme.h"

namespace srs::quant {

struct TuneBenchOptions {
    // Default: Qwen3-0.6B's block.
    int hidden = 1024, intermediate = 3072, heads = 16, kv_heads = 8, head_dim = 128;
    int seqlen = 2048, batch = 8;
    int iters = 2;   // measured iterations per path
    int warmup = 1;  // iterations run first and not counted (the kernels path picks its matmul backends here)
    QuantScheme scheme;  // every linear of the block (W4G128 sym)
    std::string dtype = "bfloat16";  // the tuner's default (AutoRound's amp on CPU); "float32" = --disable_amp
    // What the per-block time is extrapolated to (AutoRound's defaults).
    int default_iters = 200, default_nsamples = 128;
    int matmul_n = 2048;  // the yardstick: an n×n×n multiply in `dtype`
    int top_ops = 0;      // also list this many individual ops per path, by time
    std::string device = "cpu";  // "cpu" or "cuda:N", already resolved (device::resolveDevice)
};

// The fused quant-dequant alone on one [out × in] weight, forward and backward (V, α, β), on the
// bench's device: time per call and the rate of the bytes each pass must move (forward: weight
// and V read, dequantized weight written, 12 B a weight; backward: weight, V and the incoming
// gradient read, ∂V written, 16 B a weight; the per-group values are left out).
struct QdqRate {
    std::int64_t out = 0, in = 0;
    int group = 0;
    double forward_us = 0, backward_us = 0;
    double forward_gbps = 0, backward_gbps = 0;  // GB = 10^9 bytes
};

struct PathTiming {
    std::string name;                                  // "reference" or "kernels"
    double iter_ms = 0;                                // mean over the measured iterations
    double forward_ms = 0;                             // one no-grad forward of a batch
    double block_s = 0;                                // extrapolated to the defaults
    double gflops = 0;                                 // tuning FLOP/s
    std::vector<std::pair<std::string, double>> ops;   // per-op ms per iteration, in print order
    // The most expensive individual ops (outermost recorded op name, category), ms per iteration.
    struct NamedOp {
        std::string name, category;
        double ms = 0;
        std::int64_t calls = 0;
    };
    std::vector<NamedOp> top_ops;
};

// Causal attention alone, forward + backward at the block's shape: our tiled op (the kernels
// path's) against LibTorch 2.x's scaled_dot_product_attention (is_causal, grouped heads), timed
// in the same run on the same inputs, and how far apart their outputs and gradients are.
struct AttentionDuel {
    double tiled_ms = 0, sdpa_ms = 0;  // forward + backward, mean of the measured repetitions
    double max_rel_diff = 0;           // max |tiled − sdpa| / max |sdpa| over the output and ∂q, ∂k, ∂v
};

struct TuneBenchResult {
    double matmul_gflops = 0;
    double flops_per_iter = 0;
    std::string qdq_isa;
    std::vector<std::string> linear_choices;  // the measured backends: each linear shape, then attention
    PathTiming reference, kernels;
    AttentionDuel attention;  // CPU only (the tiled op is a CPU kernel): zeros on a GPU
    std::vector<QdqRate> qdq_rates;
    std::string device_label;  // where it ran, as the log says it
    double speedup() const { return kernels.block_s > 0 ? reference.block_s / kernels.block_s : 0; }
    double matmulFraction() const { return matmul_gflops > 0 ? kernels.gflops / matmul_gflops : 0; }
};

Result<TuneBenchResult> runTuneBench(const TuneBenchOptions& options, const std::function<void(const std::string&)>& progress);

}  // namespace srs::quant
