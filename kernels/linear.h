// The block's linear layers, y = x·wᵀ + b, with a backend per product chosen by measurement.
// Inside a FastLinearScope, the first time a shape (tokens M, outputs N, inputs K, dtype) is seen,
// its three products — the forward x·wᵀ, ∂x = ∂y·w and ∂w = ∂yᵀ·x — are each timed with
// LibTorch and with oneDNN on this machine, the faster one is kept for the rest of the process and
// the choice is logged. Outside a scope it is exactly at::linear (the reference path).
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace srs::kernels {

at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b);

// Turns the measured-backend linear on (or off) for this thread while alive.
class FastLinearScope {
public:
    explicit FastLinearScope(bool on = true);
    ~FastLinearScope();
    FastLinearScope(const FastLinearScope&) = delete;
    FastLinearScope& operator=(const FastLinearScope&) = delete;

private:
    bool previous_;
};

// Whether this thread is inside a FastLinearScope: the block then also uses the fused block ops
// (kernels/attention.h, kernels/block_ops.h) instead of the plain LibTorch composition.
bool fastKernelsOn();

struct LinearChoice {
    std::int64_t m = 0, n = 0, k = 0;
    std::string dtype;
    // Per product: true = oneDNN won. Times in ms (best of the trials), LibTorch then oneDNN.
    bool forward_onednn = false, grad_input_onednn = false, grad_weight_onednn = false;
    double forward_ms[2] = {0, 0}, grad_input_ms[2] = {0, 0}, grad_weight_ms[2] = {0, 0};
    std::string describe() const;  // "linear 16384x1024->2048 bfloat16: forward oneDNN 9.8 ms (LibTorch 12.1), ..."
};

// The choices made so far in this process, in the order they were made.
std::vector<LinearChoice> linearChoices();

}  // namespace srs::kernels
