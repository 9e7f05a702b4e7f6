#include "core/quant/quant_math.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>

#include <limits>

namespace srs::quant {

at::Tensor roundSte(const at::Tensor& x) { return x + (at::round(x) - x).detach(); }

namespace {

// [out, in] -> [out·G, gs], zero-padding a ragged last group.
at::Tensor toGroups(const at::Tensor& w, int gs) {
    const std::int64_t out = w.size(0), in = w.size(1), g = (in + gs - 1) / gs;
    at::Tensor x = w;
    if (g * gs != in) x = at::constant_pad_nd(w, {0, g * gs - in}, 0);
    return x.reshape({out * g, gs});
}

at::Tensor fromGroups(const at::Tensor& x, std::int64_t out, std::int64_t in) {
    const std::int64_t padded = x.numel() / out;
    at::Tensor w = x.reshape({out, padded});
    return padded == in ? w : w.narrow(1, 0, in);
}

}  // namespace

GroupRange groupRange(const at::Tensor& weight, const QuantScheme& s) {
    at::Tensor g = toGroups(weight.detach().to(at::kFloat), s.effectiveGroupSize(weight.size(1)));
    return {at::clamp_max(std::get<0>(g.min(1)), 0.0), at::clamp_min(std::get<0>(g.max(1)), 0.0)};
}

QdqResult quantDequant(const at::Tensor& weight, const QuantScheme& s, const GroupRange& range, const at::Tensor& v,
                       const at::Tensor& alpha, const at::Tensor& beta) {
    const std::int64_t out = weight.size(0), in = weight.size(1);
    const int gs = s.effectiveGroupSize(in);
    const std::int64_t g = (in + gs - 1) / gs;
    at::Tensor w = toGroups(weight.to(at::kFloat), gs);  // [out·G, gs]
    const double thr = s.fp16_scale ? 1e-5 : 1e-8;
    auto to_scale_dtype = [&](const at::Tensor& x) {
        // The cast sits inside the graph: the gradient passes through, the value is what is exported.
        if (!s.fp16_scale) return x;
        at::Tensor y = x.to(at::kHalf).to(at::kFloat);
        // Autograd casts the gradient to fp16 on its way back; saturate it first, so that a large
        // one keeps its sign instead of overflowing to ±inf (what the fused kernels do too).
        if (y.requires_grad()) y.register_hook([](const at::Tensor& g) { return g.clamp(-65504.0, 65504.0); });
        return y;
    };
    at::Tensor wmin = alpha.defined() ? range.wmin * alpha : range.wmin;
    at::Tensor wmax = beta.defined() ? range.wmax * beta : range.wmax;

    at::Tensor scale, zero, q, deq;
    if (s.sym) {
        const double maxq = static_cast<double>(1 << (s.bits - 1));
        at::Tensor a = -wmin, c = wmax;
        at::Tensor max_v = at::where(c < a, a, -c);  // the larger side wins; a positive max gives a negative scale
        scale = to_scale_dtype(max_v / maxq);
        scale = at::where(scale >= 0, at::clamp_min(scale, thr), at::clamp_max(scale, -thr));
        at::Tensor x = w / scale.unsqueeze(1);
        if (v.defined()) x = x + v;
        at::Tensor qs = at::clamp(roundSte(x), -maxq, maxq - 1);
        deq = qs * scale.unsqueeze(1);
        zero = at::full_like(scale, maxq);
        q = (qs + maxq).detach();
    } else {
        const double maxq = static_cast<double>((1 << s.bits) - 1);
        scale = to_scale_dtype((wmax - wmin) / maxq);
        scale = at::clamp_min(scale, thr);
        zero = at::clamp(roundSte(-wmin / scale), 0.0, maxq);
        at::Tensor x = w / scale.unsqueeze(1);
        if (v.defined()) x = x + v;
        at::Tensor qa = at::clamp(roundSte(x) + zero.unsqueeze(1), 0.0, maxq);
        deq = (qa - zero.unsqueeze(1)) * scale.unsqueeze(1);
        q = qa.detach();
    }
    QdqResult r;
    r.weight = fromGroups(deq, out, in);
    r.scale = scale.reshape({out, g});
    r.zero = zero.detach().reshape({out, g});
    r.q = fromGroups(q, out, in);
    return r;
}

QdqResult rtn(const at::Tensor& weight, const QuantScheme& s) { return quantDequant(weight, s, groupRange(weight, s)); }

QdqResult optimizedRtn(const at::Tensor& weight, const QuantScheme& s, const at::Tensor& imatrix) {
    if (!s.sym) return rtn(weight, s);  // AutoRound has no asymmetric variant: plain RTN
    at::NoGradGuard ng;
    const std::int64_t out = weight.size(0), in = weight.size(1);
    const int gs = s.effectiveGroupSize(in);
    const std::int64_t g = (in + gs - 1) / gs;
    const double maxq = static_cast<double>(1 << (s.bits - 1));
    at::Tensor w = toGroups(weight.to(at::kFloat), gs);  // [R, gs]
    at::Tensor imp = imatrix.defined() ? imatrix.to(at::kFloat).reshape({1, in}) : at::ones({1, in}, w.options());
    at::Tensor weights = toGroups(imp.expand({out, in}).contiguous(), gs);  // padding weighs 0
    // The signed element of largest magnitude per group.
    at::Tensor idx = w.abs().argmax(1, true);
    at::Tensor gmax = w.gather(1, idx).squeeze(1);
    gmax = at::where(gmax.abs() < 1e-12, at::full_like(gmax, 1e-12), gmax);
    const bool two_bit = s.bits == 2;
    const double step = two_bit ? 0.01 : maxq * 0.75 / 100.0;
    const int kmax = two_bit ? 90 : 100;
    at::Tensor best_err = at::full({w.size(0)}, std::numeric_limits<float>::infinity(), w.options());
    at::Tensor best_iscale = -maxq / gmax;
    for (int k = -kmax; k <= kmax; ++k) {
        at::Tensor iscale = -(maxq - step * k) / gmax;  // [R]
        at::Tensor q = at::clamp(at::round(w * iscale.unsqueeze(1)), -maxq, maxq - 1);
        at::Tensor err = (weights * (q / iscale.unsqueeze(1) - w).pow(2)).sum(1);
        at::Tensor better = err < best_err;
        best_err = at::where(better, err, best_err);
        best_iscale = at::where(better, iscale, best_iscale);
    }
    at::Tensor scale = 1.0 / best_iscale;
    if (s.fp16_scale) scale = scale.to(at::kHalf).to(at::kFloat);
    const double thr = s.fp16_scale ? 1e-5 : 1e-8;
    scale = at::where(scale >= 0, at::clamp_min(scale, thr), at::clamp_max(scale, -thr));
    at::Tensor qs = at::clamp(at::round(w / scale.unsqueeze(1)), -maxq, maxq - 1);
    QdqResult r;
    r.weight = fromGroups(qs * scale.unsqueeze(1), out, in);
    r.scale = scale.reshape({out, g});
    r.zero = at::full_like(r.scale, maxq);
    r.q = fromGroups(qs + maxq, out, in);
    return r;
}

}  // namespace srs::quant
