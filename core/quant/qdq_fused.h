// quantDequant's dequantized weight through the fused kernels (kernels/cpu/qdq.h, kernels/cuda), as a
// differentiable op: one pass forward, one pass backward for V, α and β together. Same values as
// quantDequant(...).weight and the same gradients to float rounding (tests/unit/kernels).
#pragma once

#include <ATen/core/Tensor.h>

#include "core/quant/quant_math.h"

namespace srs::quant {

// Whether quantDequantFused runs on this weight's device: the CPU always; a CUDA device where
// kernels/cuda are built in and LibTorch computes on the default stream.
bool fusedKernelsRunOn(const at::Tensor& weight);

// weight [out, in] float32 (frozen); v [out·G, gs] or undefined; alpha/beta [out·G] or undefined.
at::Tensor quantDequantFused(const at::Tensor& weight, const QuantScheme& s, const GroupRange& range, const at::Tensor& v = {},
                             const at::Tensor& alpha = {}, const at::Tensor& beta = {});

// The SignSGD step of one parameter in one pass: p ← p − lr·sign(p.grad) (clamped to [0, 1] when
// clamp01), and p.grad zeroed. No-op when p or its gradient is undefined. The CPU kernel on CPU
// tensors, ATen ops elsewhere.
void signSgdStepFused(at::Tensor& p, double lr, bool clamp01);

}  // namespace srs::quant
