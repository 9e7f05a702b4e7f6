// The fused quant-dequant forward and backward of kernels/cpu/qdq.h on a CUDA device, with the
// same arithmetic (no FMA contraction: built with --fmad=false; IEEE division; rint is round half
// to even), so values equal the CPU kernel's bit for bit and gradients to float rounding.
// Built only with -DSRS_WITH_CUDA=ON (SRS_HAVE_CUDA is then defined). The kernels take raw
// buffers (device pointers, e.g. a CUDA tensor's data_ptr from the wheel's LibTorch, or host
// buffers copied in and out), so they do not depend on LibTorch's CUDA headers.
#pragma once

#include <string>

#include "kernels/cpu/qdq.h"

namespace srs::kernels::cuda {

// Number of CUDA devices; 0 with the reason in *why when there is none (no driver, no GPU).
int deviceCount(std::string* why);

// Device pointers throughout (QdqInputs' fields point to device memory). Returns "" or the
// CUDA error text. Synchronous.
std::string qdqForwardDevice(const QdqShape& shape, const QdqInputs& in, float* deq);
std::string qdqBackwardDevice(const QdqShape& shape, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha,
                              float* grad_beta);

// The same, queued on the legacy default stream (the stream LibTorch computes on unless told
// otherwise) of the current device, without waiting: the pipeline's calls. Returns "" or the
// launch error; a fault inside the kernel shows at LibTorch's next synchronizing call.
std::string qdqForwardAsync(const QdqShape& shape, const QdqInputs& in, float* deq);
std::string qdqBackwardAsync(const QdqShape& shape, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha,
                             float* grad_beta);

// Host buffers: copied to device 0, computed there, results copied back. For tests and checks.
std::string qdqForwardHost(const QdqShape& shape, const QdqInputs& in, float* deq);
std::string qdqBackwardHost(const QdqShape& shape, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha,
                            float* grad_beta);

}  // namespace srs::kernels::cuda
