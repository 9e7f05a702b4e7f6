// Matrix products through oneDNN (the library LibTorch itself links, one copy in the process),
// for the block's linear layers where it beats LibTorch's own path on this machine.
#pragma once

#include <ATen/core/Tensor.h>

namespace srs::kernels {

// C[M,N] = A[M,K] · B[K,N] for 2-D float32 or bfloat16 tensors (both the same dtype), or uint8 A
// and int8 B (int32 C, exact), in row- or column-major layout (a transposed view is fine; other
// strides are copied first). C is a new contiguous tensor of that dtype, or `out_dtype` (float32
// from bfloat16 inputs) when given.
// Primitives are built once per shape, layout and dtype and cached.
at::Tensor onednnMatmul(const at::Tensor& a, const at::Tensor& b, c10::optional<at::ScalarType> out_dtype = c10::nullopt);

}  // namespace srs::kernels
