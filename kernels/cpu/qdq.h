// Fused quant-dequant of a weight for SignRound tuning, on plain float buffers: one pass forward
// (weight, rounding offset V, min/max clip factors α/β → dequantized weight) and one pass backward
// (straight-through: gradients of V, α and β together). The arithmetic is exactly that of
// core/quant/quant_math.cpp's LibTorch reference (same operations in the same order, fp16-rounded
// scales, round half to even, the same clamp masks), so values match it bit for bit and
// gradients to float rounding (only the order of the per-group sums differs).
//
// Compiled three times from one source (qdq_impl.h) with scalar, AVX2 and AVX-512 flags; the
// variant is picked once from cpuid. Work is split over groups with ATen's thread pool.
#pragma once

#include <cstdint>

namespace srs::kernels {

struct QdqShape {
    std::int64_t out = 0, in = 0;  // weight [out, in]
    int group_size = 0;            // effective group size, 1..in (a ragged last group is allowed)
    int bits = 4;
    bool sym = true;
    bool fp16_scale = true;
    std::int64_t groups() const { return (in + group_size - 1) / group_size; }
    std::int64_t groupRows() const { return out * groups(); }
};

// All float32, contiguous. Group tensors have out·groups() entries; v is [out·groups(), group_size]
// (zero-padded layout) or null (= 0); alpha/beta null means 1 (no min/max tuning).
struct QdqInputs {
    const float* weight = nullptr;
    const float* v = nullptr;
    const float* alpha = nullptr;
    const float* beta = nullptr;
    const float* wmin = nullptr;  // per-group min of the full-precision weight, clamped ≤ 0
    const float* wmax = nullptr;  // per-group max, clamped ≥ 0
};

// deq: [out, in].
void qdqForward(const QdqShape& shape, const QdqInputs& in, float* deq);
// grad_deq: [out, in]. Writes (overwrites) grad_v ([out·G, gs], padding gets 0), grad_alpha and
// grad_beta ([out·G]); any of the three may be null when not wanted.
void qdqBackward(const QdqShape& shape, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha,
                 float* grad_beta);

// SignSGD step in one pass: p ← p − lr·sign(g) (sign(0) = sign(NaN) = 0), then clamped to
// [lo, hi] when clamp is set, and g ← 0.
void signSgdStep(float* p, float* grad, std::int64_t n, float lr, bool clamp = false, float lo = 0.0f, float hi = 1.0f);

// "avx512", "avx2" or "scalar": the variant in use on this CPU. SRS_QDQ_ISA=scalar|avx2 forces a
// lower one (for tests and comparisons).
const char* qdqIsa();

}  // namespace srs::kernels
