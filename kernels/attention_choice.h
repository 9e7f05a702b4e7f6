// Causal attention on the kernels path with its implementation chosen by measurement: our tiled
// op (kernels/attention.h) or LibTorch 2.x's scaled_dot_product_attention (is_causal, grouped
// heads). The first time a shape (batch, heads, key/value heads, tokens, head size, dtype, with or
// without backward) is seen, both are timed on this machine — forward and backward when the
// inputs need gradients, forward alone when not — the faster one is kept for the rest of the
// process and the choice is logged. Their results agree to the compute dtype's rounding, not bit
// for bit (SDPA orders its sums differently), so a choice that flipped between two processes would
// change a run's bits (a resumed run must equal an uninterrupted one). Hence the tiled op stays
// unmeasured below kMeasureAttentionPairs query-key pairs a call (where attention costs little and
// timings are noisy), and SDPA replaces it only when at least kSdpaMargin faster. The tests pin
// one or the other where they need to.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace srs::kernels {

enum class AttentionBackend { Measured, Tiled, Sdpa };

// batch × heads × tokens² below which the tiled op is used without measuring (a Qwen3-0.6B block
// at 8 × 2048 tokens has 5.4e8), and how much faster SDPA must measure to be taken.
constexpr double kMeasureAttentionPairs = 1 << 26;
constexpr double kSdpaMargin = 0.10;

// q [B, H, T, D]; k, v [B, KV, T, D] as for causalAttention; returns [B, T, H, D] contiguous.
at::Tensor measuredCausalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale);

// Process-wide override (tests, benchmarks): Measured (the default) or always one backend.
void setAttentionBackend(AttentionBackend backend);
AttentionBackend attentionBackend();

// LibTorch's SDPA in the tiled op's layout ([B, T, H, D] contiguous out).
at::Tensor sdpaCausalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale);

struct AttentionChoice {
    std::int64_t batch = 0, heads = 0, kv_heads = 0, tokens = 0, head_dim = 0;
    std::string dtype;
    bool backward = false;  // timed forward + backward
    bool sdpa = false;      // true = SDPA won
    double tiled_ms = 0, sdpa_ms = 0;
    std::string describe() const;  // "attention 8x16/8x2048x128 bfloat16 fwd+bwd: SDPA 1077 ms (tiled 1461 ms)"
};

// The choices made so far in this process, in the order they were made.
std::vector<AttentionChoice> attentionChoices();

}  // namespace srs::kernels
