// Causal self-attention for the tuning hot path, as one differentiable op.
//
// The plain composition (llama_model.cpp's reference path) builds the full T×T score matrix of
// every (sample, head) pair, masks its upper half, takes a float32 softmax and keeps the scores,
// the mask and both casts of the probabilities for the backward: about 7 bytes per score, 3.5 GiB
// per tuning batch of 8 × 2048 tokens with 16 heads, and half of the matmul work is on masked keys.
//
// This op walks each (sample, key/value head) in query tiles of kAttentionTile rows, the query
// heads that share the key/value head stacked into one product (grouped-query attention without
// repeat_interleave). A tile's scores cover only the keys up to its last row (masked keys are
// never computed), so the softmax of a tile row is the whole row's; it runs in float32 in one
// vectorized pass per row. It keeps nothing but q, k and v for the backward and recomputes a
// tile's probabilities there. The (sample, key/value head) pairs are spread over the threads.
#pragma once

#include <ATen/core/Tensor.h>

namespace srs::kernels {

// q [B, H, T, D]; k, v [B, KV, T, D] with H a multiple of KV (query head h reads key/value head
// h / (H / KV)); any strides whose last one is 1; float32 or bfloat16 (scores and softmax in
// float32, the products in the input dtype, as in the reference). Returns [B, T, H, D] contiguous,
// ready to be viewed as [B, T, H·D]. Differentiable in q, k and v.
at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale);

// The query tile height.
constexpr std::int64_t kAttentionTile = 256;

}  // namespace srs::kernels
