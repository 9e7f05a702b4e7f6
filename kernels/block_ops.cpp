#include "kernels/block_ops.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/util/BFloat16.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "kernels/cpu/fast_math.h"

namespace srs::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

inline float load(const float* p, std::int64_t i) { return p[i]; }
inline float load(const c10::BFloat16* p, std::int64_t i) { return bf16ToFloat(p[i].x); }
// The value after a store in T: identity for float32, round-to-nearest-even for bfloat16.
inline float rd(float v, const float*) { return v; }
inline float rd(float v, const c10::BFloat16*) { return bf16ToFloat(floatToBf16(v)); }
inline void store(float* p, std::int64_t i, float v) { p[i] = v; }
inline void store(c10::BFloat16* p, std::int64_t i, float v) { p[i].x = floatToBf16(v); }

// 1 / sqrt(mean(x²) + eps) of one row, in float32.
template <class T>
inline float invRms(const T* xr, std::int64_t d, float eps) {
    float ss = 0;
    for (std::int64_t i = 0; i < d; ++i) {
        const float v = load(xr, i);
        ss += v * v;
    }
    return 1.0f / std::sqrt(ss / static_cast<float>(d) + eps);
}

struct NormRopeShape {
    std::int64_t rows = 0, d = 0, heads = 1, t = 1;  // row r is (sample, position (r / heads) % t, head r % heads)
    float eps = 1e-6f;
    bool norm = true, rope = false;
};

// Forward of rows [r0, r1). w, cos, sin float32; scratch holds 2·d floats.
template <class T>
SRS_ISA_CLONES void normRopeForwardRows(const NormRopeShape& s, const T* x, const float* w, const float* cos, const float* sin, T* y,
                                        std::int64_t r0, std::int64_t r1, float* scratch) {
    const std::int64_t d = s.d, half = d / 2;
    float* n = scratch;
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * d;
        if (s.norm) {
            const float inv = invRms(xr, d, s.eps);
            // As the reference: (x·r) stored in T, times w stored in T, the product stored in T.
            for (std::int64_t i = 0; i < d; ++i) n[i] = rd(rd(load(xr, i) * inv, x) * rd(w[i], x), x);
        } else {
            for (std::int64_t i = 0; i < d; ++i) n[i] = load(xr, i);
        }
        T* yr = y + r * d;
        if (!s.rope) {
            for (std::int64_t i = 0; i < d; ++i) store(yr, i, n[i]);
            continue;
        }
        const std::int64_t pos = (r / s.heads) % s.t;
        const float* c = cos + pos * d;
        const float* sn = sin + pos * d;
        for (std::int64_t i = 0; i < half; ++i) {
            store(yr, i, rd(n[i] * rd(c[i], x), x) + rd(-n[i + half] * rd(sn[i], x), x));
            store(yr, i + half, rd(n[i + half] * rd(c[i + half], x), x) + rd(n[i] * rd(sn[i + half], x), x));
        }
    }
}

// Backward of rows [r0, r1): dx from dy, recomputing the row's norm. scratch holds 2·d floats.
template <class T>
SRS_ISA_CLONES void normRopeBackwardRows(const NormRopeShape& s, const T* x, const float* w, const float* cos, const float* sin, const T* dy,
                                         T* dx, std::int64_t r0, std::int64_t r1, float* scratch) {
    const std::int64_t d = s.d, half = d / 2;
    float* da = scratch;          // ∂ of the normed row (before rope), times w
    float* nr = scratch + d;      // the normed row x·r (float)
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * d;
        const T* gr = dy + r * d;
        if (s.rope) {
            const std::int64_t pos = (r / s.heads) % s.t;
            const float* c = cos + pos * d;
            const float* sn = sin + pos * d;
            // y_i = n_i c_i − n_{i+h} s_i (i < h);  y_{i+h} = n_{i+h} c_{i+h} + n_i s_{i+h}
            for (std::int64_t i = 0; i < half; ++i) {
                const float g0 = load(gr, i), g1 = load(gr, i + half);
                da[i] = g0 * rd(c[i], x) + g1 * rd(sn[i + half], x);
                da[i + half] = g1 * rd(c[i + half], x) - g0 * rd(sn[i], x);
            }
        } else {
            for (std::int64_t i = 0; i < d; ++i) da[i] = load(gr, i);
        }
        T* out = dx + r * d;
        if (!s.norm) {
            for (std::int64_t i = 0; i < d; ++i) store(out, i, da[i]);
            continue;
        }
        const float inv = invRms(xr, d, s.eps);
        float dot = 0;
        for (std::int64_t i = 0; i < d; ++i) {
            da[i] *= rd(w[i], x);
            nr[i] = load(xr, i) * inv;
            dot += da[i] * nr[i];
        }
        const float mean = dot / static_cast<float>(d);
        for (std::int64_t i = 0; i < d; ++i) store(out, i, inv * (da[i] - nr[i] * mean));
    }
}

template <class T>
SRS_ISA_CLONES void swigluForwardRange(const T* g, const T* u, T* y, std::int64_t a, std::int64_t b) {
    for (std::int64_t i = a; i < b; ++i) {
        const float gv = load(g, i);
        const float silu = rd(gv / (1.0f + fastExp(-gv)), g);  // the reference stores silu(g) in T
        store(y, i, silu * load(u, i));
    }
}

template <class T>
SRS_ISA_CLONES void swigluBackwardRange(const T* g, const T* u, const T* dy, T* dg, T* du, std::int64_t a, std::int64_t b) {
    for (std::int64_t i = a; i < b; ++i) {
        const float gv = load(g, i), uv = load(u, i), dyv = load(dy, i);
        const float sig = 1.0f / (1.0f + fastExp(-gv));
        const float silu = gv * sig;
        store(du, i, dyv * rd(silu, g));
        store(dg, i, dyv * uv * (sig * (1.0f + gv * (1.0f - sig))));
    }
}

bool floatOrBf16(const at::Tensor& t) { return t.scalar_type() == at::kFloat || t.scalar_type() == at::kBFloat16; }

NormRopeShape normShape(const at::Tensor& x, const at::Tensor& w, double eps, const at::Tensor& cos) {
    NormRopeShape s;
    s.norm = w.numel() > 0;
    s.rope = cos.defined();
    s.d = s.norm ? w.numel() : s.rope && cos.dim() == 2 ? cos.size(1) : 0;
    if (!s.norm && !s.rope) throw std::invalid_argument("rmsNormRope: give a norm weight, cos / sin, or both");
    if (s.d < 1 || x.size(-1) % s.d != 0) throw std::invalid_argument("rmsNormRope: the last dimension is not a multiple of the row length");
    s.rows = x.numel() / s.d;
    s.eps = static_cast<float>(eps);
    if (s.rope) {
        if (x.dim() != 3 || cos.dim() != 2 || cos.size(0) != x.size(1) || cos.size(1) != s.d || s.d % 2)
            throw std::invalid_argument("rmsNormRope: rope needs x [B, T, heads·D] and cos / sin [T, D] with D even");
        s.heads = x.size(-1) / s.d;
        s.t = x.size(1);
    }
    return s;
}

template <class F>
void forRows(std::int64_t rows, std::int64_t d, F&& f) {
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(d, 1));
    at::parallel_for(0, rows, grain, [&](std::int64_t r0, std::int64_t r1) {
        std::vector<float> scratch(static_cast<std::size_t>(2 * d));
        f(r0, r1, scratch.data());
    });
}

struct NormRopeFunction : public torch::autograd::Function<NormRopeFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x_in, const at::Tensor& w_in, double eps, const at::Tensor& cos_in,
                              const at::Tensor& sin_in) {
        RECORD_FUNCTION("srs::rms_norm_rope", std::vector<c10::IValue>{});
        at::Tensor x = x_in.contiguous(), w = w_in.detach().to(at::kFloat).contiguous();  // w: empty = no norm
        const bool rope = cos_in.numel() > 0;
        at::Tensor cos = rope ? cos_in.to(at::kFloat).contiguous() : at::Tensor(), sin = rope ? sin_in.to(at::kFloat).contiguous() : at::Tensor();
        const NormRopeShape s = normShape(x, w, eps, cos);
        at::Tensor y = at::empty_like(x);
        const float* wp = s.norm ? w.data_ptr<float>() : nullptr;
        const float* cp = rope ? cos.data_ptr<float>() : nullptr;
        const float* sp = rope ? sin.data_ptr<float>() : nullptr;
        forRows(s.rows, s.d, [&](std::int64_t r0, std::int64_t r1, float* scratch) {
            if (x.scalar_type() == at::kFloat)
                normRopeForwardRows(s, x.data_ptr<float>(), wp, cp, sp, y.data_ptr<float>(), r0, r1, scratch);
            else
                normRopeForwardRows(s, x.data_ptr<c10::BFloat16>(), wp, cp, sp, y.data_ptr<c10::BFloat16>(), r0, r1, scratch);
        });
        ctx->save_for_backward({x, w, rope ? cos : at::empty({0}), rope ? sin : at::empty({0})});
        ctx->saved_data["eps"] = eps;
        return y;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        RECORD_FUNCTION("srs::rms_norm_rope_backward", std::vector<c10::IValue>{});
        auto saved = ctx->get_saved_variables();
        const at::Tensor &x = saved[0], &w = saved[1];
        const bool rope = saved[2].numel() > 0;
        const at::Tensor cos = rope ? saved[2] : at::Tensor(), sin = rope ? saved[3] : at::Tensor();
        const NormRopeShape s = normShape(x, w, ctx->saved_data["eps"].toDouble(), cos);
        at::Tensor dy = grads[0].to(x.scalar_type()).contiguous();
        at::Tensor dx = at::empty_like(x);
        const float* wp = s.norm ? w.data_ptr<float>() : nullptr;
        const float* cp = rope ? cos.data_ptr<float>() : nullptr;
        const float* sp = rope ? sin.data_ptr<float>() : nullptr;
        forRows(s.rows, s.d, [&](std::int64_t r0, std::int64_t r1, float* scratch) {
            if (x.scalar_type() == at::kFloat)
                normRopeBackwardRows(s, x.data_ptr<float>(), wp, cp, sp, dy.data_ptr<float>(), dx.data_ptr<float>(), r0, r1, scratch);
            else
                normRopeBackwardRows(s, x.data_ptr<c10::BFloat16>(), wp, cp, sp, dy.data_ptr<c10::BFloat16>(),
                                     dx.data_ptr<c10::BFloat16>(), r0, r1, scratch);
        });
        return {dx, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

constexpr std::int64_t kElementGrain = 32768;

struct SwigluFunction : public torch::autograd::Function<SwigluFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& gate, const at::Tensor& up) {
        RECORD_FUNCTION("srs::swiglu", std::vector<c10::IValue>{});
        at::Tensor g = gate.contiguous(), u = up.contiguous();
        at::Tensor y = at::empty_like(g);
        at::parallel_for(0, g.numel(), kElementGrain, [&](std::int64_t a, std::int64_t b) {
            if (g.scalar_type() == at::kFloat)
                swigluForwardRange(g.data_ptr<float>(), u.data_ptr<float>(), y.data_ptr<float>(), a, b);
            else
                swigluForwardRange(g.data_ptr<c10::BFloat16>(), u.data_ptr<c10::BFloat16>(), y.data_ptr<c10::BFloat16>(), a, b);
        });
        ctx->save_for_backward({g, u});
        return y;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        RECORD_FUNCTION("srs::swiglu_backward", std::vector<c10::IValue>{});
        auto saved = ctx->get_saved_variables();
        const at::Tensor &g = saved[0], &u = saved[1];
        at::Tensor dy = grads[0].to(g.scalar_type()).contiguous();
        at::Tensor dg = at::empty_like(g), du = at::empty_like(u);
        at::parallel_for(0, g.numel(), kElementGrain, [&](std::int64_t a, std::int64_t b) {
            if (g.scalar_type() == at::kFloat)
                swigluBackwardRange(g.data_ptr<float>(), u.data_ptr<float>(), dy.data_ptr<float>(), dg.data_ptr<float>(), du.data_ptr<float>(), a, b);
            else
                swigluBackwardRange(g.data_ptr<c10::BFloat16>(), u.data_ptr<c10::BFloat16>(), dy.data_ptr<c10::BFloat16>(),
                                    dg.data_ptr<c10::BFloat16>(), du.data_ptr<c10::BFloat16>(), a, b);
        });
        return {dg, du};
    }
};

}  // namespace

at::Tensor rmsNormRope(const at::Tensor& x, const at::Tensor& w, double eps, const at::Tensor& cos, const at::Tensor& sin) {
    if (!floatOrBf16(x) || !x.device().is_cpu()) throw std::invalid_argument("rmsNormRope: float32 or bfloat16 CPU tensors only");
    if (cos.defined() != sin.defined()) throw std::invalid_argument("rmsNormRope: give both cos and sin, or neither");
    const at::Tensor none = at::empty({0}, at::kFloat);
    return NormRopeFunction::apply(x, w.defined() ? w : none, eps, cos.defined() ? cos : none, sin.defined() ? sin : none);
}

at::Tensor swiglu(const at::Tensor& gate, const at::Tensor& up) {
    if (!floatOrBf16(gate) || gate.scalar_type() != up.scalar_type() || gate.sizes() != up.sizes() || !gate.device().is_cpu())
        throw std::invalid_argument("swiglu: gate and up must be float32 or bfloat16 CPU tensors of one shape and dtype");
    return SwigluFunction::apply(gate, up);
}

}  // namespace srs::kernels
