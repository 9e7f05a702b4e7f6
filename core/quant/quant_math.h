// Integer weight quantization as AutoRound defines it (ALGORITHM.md §2), as differentiable
// LibTorch ops so SignRound can tune through them:
//   groups     each row of W [out, in] split into groups of `group_size` inputs; a ragged last
//              group is zero-padded (and the padding dropped after qdq); -1 = one group per row
//   sym        llama.cpp's "full range": scale = ±max|w| / 2^(b−1), the extreme weight lands on
//              −2^(b−1), q in [−2^(b−1), 2^(b−1)−1]; scales may be negative
//   asym       scale = (max' − min') / (2^b − 1), zero = round(−min'/scale), q in [0, 2^b − 1]
//   tuning     V (rounding offset per weight), α/β (min/max clipping per group, in [0, 1])
//   scales     rounded to fp16 inside the graph and pushed off zero (±1e-5), as exported
// Rounding is round-half-to-even with a straight-through gradient.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include "core/common/result.h"
#include "core/quant/quant_scheme.h"

namespace srs::quant {

// Per-group extremes of the full-precision weight, computed once (not from the tuned weight).
struct GroupRange {
    at::Tensor wmin;  // [out·G], ≤ 0
    at::Tensor wmax;  // [out·G], ≥ 0
};
GroupRange groupRange(const at::Tensor& weight, const QuantScheme& s);

struct QdqResult {
    at::Tensor weight;  // dequantized, [out, in], float32, differentiable w.r.t. V / α / β
    at::Tensor scale;   // [out, G] float32 (fp16-representable when fp16_scale)
    at::Tensor zero;    // [out, G] float32 holding integers
    at::Tensor q;       // [out, in] float32 holding the unsigned stored integers in [0, 2^b − 1]
};

// v: [out·G, gs] or undefined (= 0); alpha/beta: [out·G] or undefined (= 1).
QdqResult quantDequant(const at::Tensor& weight, const QuantScheme& s, const GroupRange& range, const at::Tensor& v = {},
                       const at::Tensor& alpha = {}, const at::Tensor& beta = {});

// Optimized RTN for symmetric schemes (ALGORITHM.md §2.6): per group, try scales around
// maxq / max|w| and keep the one with the least imatrix-weighted squared error. `imatrix` is the
// per-input-channel Σx² of the layer's inputs ([in]); undefined weighs all inputs equally.
QdqResult optimizedRtn(const at::Tensor& weight, const QuantScheme& s, const at::Tensor& imatrix);

// Round-to-nearest: V = 0, α = β = 1.
QdqResult rtn(const at::Tensor& weight, const QuantScheme& s);

// x rounded half-to-even in the forward pass, identity gradient.
at::Tensor roundSte(const at::Tensor& x);

}  // namespace srs::quant
