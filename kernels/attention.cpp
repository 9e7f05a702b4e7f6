#include "kernels/attention.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>
#include <ATen/record_function.h>
#include <c10/util/BFloat16.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/cpu/fast_math.h"
#include "kernels/cpu/onednn_matmul.h"

namespace srs::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// A query tile: rows r0 … r0+m−1 of the query heads that share one key/value head, stacked
// head after head ([g·m, D]), against keys 0 … r0+m−1; stacked row i is query r0 + i mod m and
// sees keys 0 … r0 + i mod m. s holds the raw products q·kᵀ, float32 [g·m, n] with n = r0+m.

// Row i's probabilities: softmax(s·scale) over its visible keys, 0 for the masked ones.
inline void rowProbabilities(const float* s, std::int64_t visible, float scale, float* p) {
    for (std::int64_t j = 0; j < visible; ++j) p[j] = s[j] * scale;
    const float mx = laneMax(p, visible);
    for (std::int64_t j = 0; j < visible; ++j) p[j] = fastExp(p[j] - mx);
    const float inv = 1.0f / laneSum(p, visible);
    for (std::int64_t j = 0; j < visible; ++j) p[j] *= inv;
}

inline void storeRow(const float* v, std::int64_t n, float* out) { std::memcpy(out, v, static_cast<std::size_t>(n) * sizeof(float)); }
inline void storeRow(const float* v, std::int64_t n, c10::BFloat16* out) {
    for (std::int64_t j = 0; j < n; ++j) out[j].x = floatToBf16(v[j]);
}

// Forward: the tile's probabilities in T (the dtype of the p·v product), rows [i0, i1).
template <class T>
SRS_ISA_CLONES void tileForwardRows(const float* s, std::int64_t n, std::int64_t r0, std::int64_t m, float scale, T* p, std::int64_t i0,
                                    std::int64_t i1, float* row) {
    for (std::int64_t i = i0; i < i1; ++i) {
        const std::int64_t visible = r0 + i % m + 1;
        rowProbabilities(s + i * n, visible, scale, row);
        for (std::int64_t j = visible; j < n; ++j) row[j] = 0.0f;
        storeRow(row, n, p + i * n);
    }
}

// Backward: from the recomputed products s and ∂p = ∂o·vᵀ (float32 [g·m, n]) the score gradient
// ∂s = p ⊙ (∂p − Σ ∂p ⊙ p) · scale and the probabilities, both in T, rows [i0, i1). Each row holds
// all of its visible keys, so the row sum is complete.
template <class T>
SRS_ISA_CLONES void tileBackwardRows(const float* s, const float* dp, std::int64_t n, std::int64_t r0, std::int64_t m, float scale, T* ds, T* p,
                                     std::int64_t i0, std::int64_t i1, float* row) {
    float* prod = row + n;
    for (std::int64_t i = i0; i < i1; ++i) {
        const std::int64_t visible = r0 + i % m + 1;
        const float* dpr = dp + i * n;
        rowProbabilities(s + i * n, visible, scale, row);
        for (std::int64_t j = 0; j < visible; ++j) prod[j] = dpr[j] * row[j];
        const float dot = laneSum(prod, visible);
        for (std::int64_t j = 0; j < visible; ++j) prod[j] = row[j] * (dpr[j] - dot) * scale;
        for (std::int64_t j = visible; j < n; ++j) row[j] = prod[j] = 0.0f;
        storeRow(row, n, p + i * n);
        storeRow(prod, n, ds + i * n);
    }
}

template <class F>
void forTileRows(std::int64_t m, std::int64_t n, F&& f) {
    at::parallel_for(0, m, 16, [&](std::int64_t i0, std::int64_t i1) {
        std::vector<float> row(static_cast<std::size_t>(2 * n));
        f(i0, i1, row.data());
    });
}

// The tile's stacked queries (or output gradients): rows r0 … r0+m−1 of heads h0 … h0+g−1.
at::Tensor stackHeads(const std::vector<at::Tensor>& per_head, std::int64_t r0, std::int64_t m) {
    if (per_head.size() == 1) return per_head[0].narrow(0, r0, m);
    std::vector<at::Tensor> parts;
    for (const auto& t : per_head) parts.push_back(t.narrow(0, r0, m));
    return at::cat(parts, 0);
}

void checkShapes(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) throw std::invalid_argument("causalAttention: q, k and v must be [B, heads, T, D]");
    if (k.sizes() != v.sizes() || q.size(0) != k.size(0) || q.size(2) != k.size(2) || q.size(3) != k.size(3))
        throw std::invalid_argument("causalAttention: q, k and v disagree in batch, length or head size");
    if (k.size(1) < 1 || q.size(1) % k.size(1) != 0)
        throw std::invalid_argument("causalAttention: the query heads must be a multiple of the key/value heads");
    if (q.scalar_type() != k.scalar_type() || q.scalar_type() != v.scalar_type())
        throw std::invalid_argument("causalAttention: q, k and v must have one dtype");
}

// Runs f(sample, key/value head) for every pair. With enough pairs for the threads, the pairs are
// spread over them and each runs its products and row loops on one thread (no fork and join per
// tile; every pair writes only its own slices); with few pairs, one at a time, each op threaded.
// The workers take the caller's thread-local state (grad mode, inference mode), as ATen ops on
// the caller's tensors require.
template <class F>
void forEachKvPair(std::int64_t B, std::int64_t KV, F&& f) {
    const std::int64_t pairs = B * KV;
    if (pairs >= 2 * at::get_num_threads()) {
        const at::ThreadLocalState state;
        at::parallel_for(0, pairs, 1, [&](std::int64_t a, std::int64_t z) {
            at::ThreadLocalStateGuard guard(state);
            for (std::int64_t i = a; i < z; ++i) f(i / KV, i % KV);
        });
    } else {
        for (std::int64_t i = 0; i < pairs; ++i) f(i / KV, i % KV);
    }
}

// A [T, D] view of one (sample, head) with a unit last stride (copying only if it has none).
at::Tensor pair2d(const at::Tensor& t, std::int64_t b, std::int64_t h) {
    at::Tensor x = t.select(0, b).select(0, h);
    return x.stride(1) == 1 ? x : x.contiguous();
}

struct AttentionFunction : public torch::autograd::Function<AttentionFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
        RECORD_FUNCTION("srs::attention", std::vector<c10::IValue>{});
        checkShapes(q, k, v);
        at::NoGradGuard ng;
        const std::int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3), KV = k.size(1), g = H / KV;
        const at::ScalarType dt = q.scalar_type();
        const float fscale = static_cast<float>(scale);
        at::Tensor out = at::empty({B, T, H, D}, q.options());
        forEachKvPair(B, KV, [&](std::int64_t b, std::int64_t kvh) {
                const at::Tensor k2 = pair2d(k, b, kvh), v2 = pair2d(v, b, kvh);
                std::vector<at::Tensor> q2;
                for (std::int64_t j = 0; j < g; ++j) q2.push_back(pair2d(q, b, kvh * g + j));
                for (std::int64_t r0 = 0; r0 < T; r0 += kAttentionTile) {
                    const std::int64_t m = std::min(kAttentionTile, T - r0), n = r0 + m;
                    const at::Tensor s = onednnMatmul(stackHeads(q2, r0, m), k2.narrow(0, 0, n).t(), at::kFloat);
                    at::Tensor p = at::empty({g * m, n}, q.options());
                    forTileRows(g * m, n, [&](std::int64_t i0, std::int64_t i1, float* row) {
                        if (dt == at::kFloat)
                            tileForwardRows(s.data_ptr<float>(), n, r0, m, fscale, p.data_ptr<float>(), i0, i1, row);
                        else
                            tileForwardRows(s.data_ptr<float>(), n, r0, m, fscale, p.data_ptr<c10::BFloat16>(), i0, i1, row);
                    });
                    const at::Tensor o = onednnMatmul(p, v2.narrow(0, 0, n));  // [g·m, D]
                    for (std::int64_t j = 0; j < g; ++j) out.select(0, b).select(1, kvh * g + j).narrow(0, r0, m).copy_(o.narrow(0, j * m, m));
                }
        });
        ctx->save_for_backward({q, k, v});
        ctx->saved_data["scale"] = scale;
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        RECORD_FUNCTION("srs::attention_backward", std::vector<c10::IValue>{});
        auto saved = ctx->get_saved_variables();
        const at::Tensor &q = saved[0], &k = saved[1], &v = saved[2];
        const double scale = ctx->saved_data["scale"].toDouble();
        const float fscale = static_cast<float>(scale);
        const at::ScalarType dt = q.scalar_type();
        const at::Tensor dout = grads[0].to(dt).transpose(1, 2);  // [B, H, T, D] view of [B, T, H, D]
        const std::int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3), KV = k.size(1), g = H / KV;
        at::Tensor dq = at::empty({B, T, H, D}, q.options());
        // Key/value gradients sum over the query heads that share a head and over tiles: float32.
        at::Tensor dk = at::zeros({B, T, KV, D}, q.options().dtype(at::kFloat));
        at::Tensor dv = at::zeros({B, T, KV, D}, q.options().dtype(at::kFloat));
        forEachKvPair(B, KV, [&](std::int64_t b, std::int64_t kvh) {
                const at::Tensor k2 = pair2d(k, b, kvh), v2 = pair2d(v, b, kvh);
                at::Tensor dk2 = dk.select(0, b).select(1, kvh), dv2 = dv.select(0, b).select(1, kvh);
                std::vector<at::Tensor> q2, do2;
                for (std::int64_t j = 0; j < g; ++j) {
                    q2.push_back(pair2d(q, b, kvh * g + j));
                    do2.push_back(pair2d(dout, b, kvh * g + j));
                }
                for (std::int64_t r0 = 0; r0 < T; r0 += kAttentionTile) {
                    const std::int64_t m = std::min(kAttentionTile, T - r0), n = r0 + m;
                    const at::Tensor qs = stackHeads(q2, r0, m), dos = stackHeads(do2, r0, m), kc = k2.narrow(0, 0, n), vc = v2.narrow(0, 0, n);
                    const at::Tensor sc = onednnMatmul(qs, kc.t(), at::kFloat), dp = onednnMatmul(dos, vc.t(), at::kFloat);
                    const at::Tensor ds_t = at::empty({g * m, n}, q.options()), p_t = at::empty({g * m, n}, q.options());
                    forTileRows(g * m, n, [&](std::int64_t i0, std::int64_t i1, float* row) {
                        const float* sp = sc.data_ptr<float>();
                        const float* dpp = dp.data_ptr<float>();
                        if (dt == at::kFloat)
                            tileBackwardRows(sp, dpp, n, r0, m, fscale, ds_t.data_ptr<float>(), p_t.data_ptr<float>(), i0, i1, row);
                        else
                            tileBackwardRows(sp, dpp, n, r0, m, fscale, ds_t.data_ptr<c10::BFloat16>(), p_t.data_ptr<c10::BFloat16>(), i0, i1, row);
                    });
                    const at::Tensor dqs = onednnMatmul(ds_t, kc);  // [g·m, D]
                    for (std::int64_t j = 0; j < g; ++j) dq.select(0, b).select(1, kvh * g + j).narrow(0, r0, m).copy_(dqs.narrow(0, j * m, m));
                    // One product per tile sums the shared head's gradient over its query heads.
                    dk2.narrow(0, 0, n).add_(onednnMatmul(ds_t.t(), qs, at::kFloat));
                    dv2.narrow(0, 0, n).add_(onednnMatmul(p_t.t(), dos, at::kFloat));
                }
        });
        return {dq.transpose(1, 2), dk.to(dt).transpose(1, 2), dv.to(dt).transpose(1, 2), at::Tensor()};
    }
};

}  // namespace

at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
    return AttentionFunction::apply(q, k, v, scale);
}

}  // namespace srs::kernels
