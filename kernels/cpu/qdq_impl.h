// The body of the fused quant-dequant kernels (qdq.h), included once per instruction set by
// qdq_scalar.cpp, qdq_avx2.cpp and qdq_avx512.cpp, each compiled with its own -m flags and
// -ffp-contract=off (no fused multiply-adds: every operation rounds as the LibTorch reference's
// separate ops do). Inner loops run over blocks of kLanes elements with per-lane accumulators so
// the compiler vectorizes them, reductions included, without reassociating anything else.
// Define SRS_QDQ_NS (the namespace of this variant) before including.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/qdq.h"

namespace srs::kernels::SRS_QDQ_NS {

namespace {

constexpr int kLanes = 16;

// x rounded to the nearest fp16 value (ties to even, subnormals, overflow to ±inf), as float:
// what `.to(at::kHalf).to(at::kFloat)` gives.
inline float roundToHalf(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint32_t sign = x & 0x80000000u, ax = x & 0x7fffffffu;
    std::uint32_t out;
    if (ax >= 0x7f800000u) {
        out = x;  // inf, NaN
    } else if (ax >= 0x477ff000u) {
        out = sign | 0x7f800000u;  // ≥ 65520 rounds to inf
    } else if (ax < 0x38800000u) {
        // Below the smallest normal half (2^-14): a multiple of 2^-24, rounded to even.
        const float m = std::nearbyint(std::fabs(f) * 16777216.0f);
        const float r = m / 16777216.0f;
        std::memcpy(&out, &r, 4);
        out |= sign;
    } else {
        // Keep 10 mantissa bits, round to nearest even on the 13 dropped ones (a carry may bump
        // the exponent, which is still right).
        const std::uint32_t rem = ax & 0x1fffu;
        std::uint32_t kept = ax & ~0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (kept & 0x2000u))) kept += 0x2000u;
        out = sign | kept;
    }
    float r;
    std::memcpy(&r, &out, 4);
    return r;
}

// The gradient across the fp16 cast of a scale: rounded to fp16 as autograd rounds it, but
// saturating at ±65504 instead of overflowing to ±inf. SignSGD takes only its sign, which a
// saturated value keeps; an inf would be taken for an overflow of the backward pass (and two of
// opposite signs, summed over micro-batches or ranks, make a NaN). Real models reach it: the
// o_proj of SmolLM2-135M's first block, whose outputs feed its massive activations.
inline float gradThroughHalf(float g) { return roundToHalf(g > 65504.0f ? 65504.0f : (g < -65504.0f ? -65504.0f : g)); }

// One group's scale (and zero point) as the reference computes them.
struct Group {
    float wmin = 0, wmax = 0;  // after α/β
    float s1 = 0;              // the scale after fp16 rounding, before the ±threshold clamp
    float s = 0;               // the scale used
    float zr = 0, zero = 0;    // asym: round(−wmin/s) before and after its clamp to [0, maxq]
    float y = 0;               // asym: −wmin/s unrounded
    bool take_min = false;     // sym: the min side decided the scale
};

inline Group makeGroup(const QdqShape& p, const QdqInputs& in, std::int64_t r) {
    Group g;
    g.wmin = in.alpha ? in.wmin[r] * in.alpha[r] : in.wmin[r];
    g.wmax = in.beta ? in.wmax[r] * in.beta[r] : in.wmax[r];
    const float thr = p.fp16_scale ? 1e-5f : 1e-8f;
    if (p.sym) {
        const float maxq = static_cast<float>(1 << (p.bits - 1));
        const float a = -g.wmin, c = g.wmax;
        g.take_min = c < a;
        const float s0 = (g.take_min ? a : -c) / maxq;
        g.s1 = p.fp16_scale ? roundToHalf(s0) : s0;
        g.s = g.s1 >= 0 ? (g.s1 < thr ? thr : g.s1) : (g.s1 > -thr ? -thr : g.s1);
    } else {
        const float maxq = static_cast<float>((1 << p.bits) - 1);
        const float s0 = (g.wmax - g.wmin) / maxq;
        g.s1 = p.fp16_scale ? roundToHalf(s0) : s0;
        g.s = g.s1 < thr ? thr : g.s1;
        g.y = -g.wmin / g.s;
        g.zr = std::nearbyint(g.y);
        g.zero = g.zr < 0.0f ? 0.0f : (g.zr > maxq ? maxq : g.zr);
    }
    return g;
}

inline float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

}  // namespace

void forwardRows(const QdqShape& p, const QdqInputs& in, float* deq, std::int64_t r0, std::int64_t r1) {
    const std::int64_t G = p.groups();
    const int gs = p.group_size;
    for (std::int64_t r = r0; r < r1; ++r) {
        const std::int64_t o = r / G, c0 = (r % G) * gs;
        const std::int64_t n = p.in - c0 < gs ? p.in - c0 : gs;
        const Group g = makeGroup(p, in, r);
        const float* __restrict w = in.weight + o * p.in + c0;
        const float* __restrict v = in.v ? in.v + r * gs : nullptr;
        float* __restrict d = deq + o * p.in + c0;
        const float s = g.s;
        if (p.sym) {
            const float lo = -static_cast<float>(1 << (p.bits - 1)), hi = static_cast<float>((1 << (p.bits - 1)) - 1);
            if (v) {
                for (std::int64_t j = 0; j < n; ++j) d[j] = clampf(std::nearbyint(w[j] / s + v[j]), lo, hi) * s;
            } else {
                for (std::int64_t j = 0; j < n; ++j) d[j] = clampf(std::nearbyint(w[j] / s), lo, hi) * s;
            }
        } else {
            const float hi = static_cast<float>((1 << p.bits) - 1), z = g.zero;
            if (v) {
                for (std::int64_t j = 0; j < n; ++j) d[j] = (clampf(std::nearbyint(w[j] / s + v[j]) + z, 0.0f, hi) - z) * s;
            } else {
                for (std::int64_t j = 0; j < n; ++j) d[j] = (clampf(std::nearbyint(w[j] / s) + z, 0.0f, hi) - z) * s;
            }
        }
    }
}

void backwardRows(const QdqShape& p, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha, float* grad_beta,
                  std::int64_t r0, std::int64_t r1) {
    const std::int64_t G = p.groups();
    const int gs = p.group_size;
    const bool need_scale = grad_alpha || grad_beta;
    const float thr = p.fp16_scale ? 1e-5f : 1e-8f;
    for (std::int64_t r = r0; r < r1; ++r) {
        const std::int64_t o = r / G, c0 = (r % G) * gs;
        const std::int64_t n = p.in - c0 < gs ? p.in - c0 : gs;
        const Group g = makeGroup(p, in, r);
        const float* __restrict w = in.weight + o * p.in + c0;
        const float* __restrict gd = grad_deq + o * p.in + c0;
        const float* __restrict v = in.v ? in.v + r * gs : nullptr;
        float* __restrict gv = grad_v ? grad_v + r * gs : nullptr;
        const float s = g.s;
        // Per lane: Σ ∂L/∂s through deq = q·s and through x = w/s; asym also Σ ∂L/∂zero.
        float acc_s[kLanes] = {}, acc_ds[kLanes] = {}, acc_z[kLanes] = {};
        if (p.sym) {
            const float lo = -static_cast<float>(1 << (p.bits - 1)), hi = static_cast<float>((1 << (p.bits - 1)) - 1);
            auto body = [&](std::int64_t j, int k) {
                const float xd = w[j] / s;
                const float x = v ? xd + v[j] : xd;
                const float rq = std::nearbyint(x);
                const float q = clampf(rq, lo, hi);
                const float gq = gd[j] * s;                         // ∂L/∂q
                const float gx = (rq >= lo && rq <= hi) ? gq : 0.0f;  // clamp passes inside its range
                if (gv) gv[j] = gx;
                acc_s[k] += gd[j] * q;
                acc_ds[k] += -gx * (xd / s);
            };
            std::int64_t j = 0;
            for (; j + kLanes <= n; j += kLanes)
                for (int k = 0; k < kLanes; ++k) body(j + k, k);
            for (; j < n; ++j) body(j, 0);
        } else {
            const float hi = static_cast<float>((1 << p.bits) - 1), z = g.zero;
            auto body = [&](std::int64_t j, int k) {
                const float xd = w[j] / s;
                const float x = v ? xd + v[j] : xd;
                const float qp = std::nearbyint(x) + z;
                const float qa = clampf(qp, 0.0f, hi);
                const float gsub = gd[j] * s;                          // ∂L/∂(qa − zero)
                const float gx = (qp >= 0.0f && qp <= hi) ? gsub : 0.0f;
                if (gv) gv[j] = gx;
                acc_s[k] += gd[j] * (qa - z);
                acc_ds[k] += -gx * (xd / s);
                acc_z[k] += gx - gsub;
            };
            std::int64_t j = 0;
            for (; j + kLanes <= n; j += kLanes)
                for (int k = 0; k < kLanes; ++k) body(j + k, k);
            for (; j < n; ++j) body(j, 0);
        }
        if (gv)
            for (std::int64_t j = n; j < gs; ++j) gv[j] = 0.0f;  // padding of a ragged last group
        if (!need_scale) continue;
        float sum_s = 0, sum_ds = 0, sum_z = 0;
        for (int k = 0; k < kLanes; ++k) {
            sum_s += acc_s[k];
            sum_ds += acc_ds[k];
            sum_z += acc_z[k];
        }
        float g_s = sum_s + sum_ds;
        float g_wmin = 0, g_wmax = 0;
        if (p.sym) {
            const float maxq = static_cast<float>(1 << (p.bits - 1));
            const bool pass = g.s1 >= 0 ? g.s1 >= thr : g.s1 <= -thr;
            float g_s1 = pass ? g_s : 0.0f;
            if (p.fp16_scale) g_s1 = gradThroughHalf(g_s1);  // the gradient crosses the fp16 cast too
            const float g_max = g_s1 / maxq;
            if (g.take_min)
                g_wmin = -g_max;  // max_v = −wmin
            else
                g_wmax = -g_max;  // max_v = −wmax
        } else {
            const float maxq = static_cast<float>((1 << p.bits) - 1);
            // zero = clamp(round(y)), y = −wmin / s
            const float g_zr = (g.zr >= 0.0f && g.zr <= maxq) ? sum_z : 0.0f;
            g_wmin += -(g_zr / s);
            g_s += -g_zr * (g.y / s);
            float g_s1 = g.s1 >= thr ? g_s : 0.0f;
            if (p.fp16_scale) g_s1 = gradThroughHalf(g_s1);
            const float g_d = g_s1 / maxq;  // s0 = (wmax − wmin) / maxq
            g_wmax += g_d;
            g_wmin += -g_d;
        }
        if (grad_alpha) grad_alpha[r] = g_wmin * in.wmin[r];
        if (grad_beta) grad_beta[r] = g_wmax * in.wmax[r];
    }
}

void signSgd(float* __restrict p, float* __restrict grad, std::int64_t n, float lr, bool clamp, float lo, float hi) {
    if (clamp) {
        for (std::int64_t i = 0; i < n; ++i) {
            const float sg = static_cast<float>((0.0f < grad[i]) - (grad[i] < 0.0f));
            p[i] = clampf(p[i] - sg * lr, lo, hi);
            grad[i] = 0.0f;
        }
    } else {
        for (std::int64_t i = 0; i < n; ++i) {
            const float sg = static_cast<float>((0.0f < grad[i]) - (grad[i] < 0.0f));
            p[i] = p[i] - sg * lr;
            grad[i] = 0.0f;
        }
    }
}

}  // namespace srs::kernels::SRS_QDQ_NS
