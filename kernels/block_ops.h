// Fused element-wise ops of a decoder block for the tuning hot path, each one differentiable op
// with one pass forward and one pass backward over a row, instead of LibTorch's chain of casts,
// reductions and products that each write a full-size temporary (and keep several for backward).
//
// Values follow the reference composition in llama_model.cpp, including where it rounds to
// bfloat16 between steps, so forward results match it to the last bit in most elements; the
// gradients are computed in float32 and agree to bfloat16 tolerance (tests/unit/kernels).
#pragma once

#include <ATen/core/Tensor.h>

namespace srs::kernels {

// RMS norm over the last dimension times a weight (a constant: no gradient flows to it), then, when
// cos and sin are given, the rotary embedding:
//   n = x / sqrt(mean(x²) + eps) · w;  y = n·cos + rotate_half(n)·sin.
// x [B, T, heads·D] (any float32 / bfloat16 tensor; copied if not contiguous), w [D] float32;
// cos / sin [T, D] float32 or undefined; heads = x's last dimension / D. Returns x's shape and dtype.
// An undefined w skips the norm (rope only); at least one of the two is given.
at::Tensor rmsNormRope(const at::Tensor& x, const at::Tensor& w, double eps, const at::Tensor& cos = {}, const at::Tensor& sin = {});

// silu(gate) · up, element-wise, gate and up of one shape and dtype.
at::Tensor swiglu(const at::Tensor& gate, const at::Tensor& up);

}  // namespace srs::kernels
