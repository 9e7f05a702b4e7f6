#include "kernels/linear.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/custom_function.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>

#include "core/common/numeric_cast.h"
#include "core/common/log.h"
#include "kernels/cpu/onednn_matmul.h"
#include "kernels/measured_choices.h"

namespace srs::kernels {
namespace {

thread_local bool t_fast = false;

using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>;

MeasuredChoices<Key, LinearChoice>& choices() {
    static MeasuredChoices<Key, LinearChoice> c;
    return c;
}

// Best of `trials` runs of f after one warm-up, in ms.
template <class F>
double bestMs(F&& f, int trials) {
    f();
    double best = 1e300;
    for (int i = 0; i < trials; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

LinearChoice measure(std::int64_t M, std::int64_t N, std::int64_t K, at::ScalarType dt) {
    at::NoGradGuard ng;
    LinearChoice c;
    c.m = M;
    c.n = N;
    c.k = K;
    c.dtype = dt == at::kBFloat16 ? "bfloat16" : "float32";
    at::Tensor x = at::randn({M, K}).to(dt), w = at::randn({N, K}).to(dt), dy = at::randn({M, N}).to(dt);
    // Fewer trials for big products: the choice must not cost more than a few iterations.
    const double flops = 2.0 * num::real(M) * num::real(N) * num::real(K);
    const int trials = flops > 2e10 ? 1 : flops > 1e9 ? 2 : 3;
    auto pick = [&](double (&ms)[2], auto&& torch_fn, auto&& dnnl_fn) {
        ms[0] = bestMs(torch_fn, trials);
        ms[1] = bestMs(dnnl_fn, trials);
        return ms[1] < ms[0];
    };
    c.forward_onednn = pick(c.forward_ms, [&] { at::mm(x, w.t()); }, [&] { onednnMatmul(x, w.t()); });
    c.grad_input_onednn = pick(c.grad_input_ms, [&] { at::mm(dy, w); }, [&] { onednnMatmul(dy, w); });
    c.grad_weight_onednn = pick(c.grad_weight_ms, [&] { at::mm(dy.t(), x); }, [&] { onednnMatmul(dy.t(), x); });
    return c;
}

const LinearChoice& choiceFor(std::int64_t M, std::int64_t N, std::int64_t K, at::ScalarType dt) {
    return choices().get(Key{M, N, K, static_cast<int>(dt)}, [&] { return measure(M, N, K, dt); });
}

at::Tensor mm(bool onednn, const at::Tensor& a, const at::Tensor& b) { return onednn ? onednnMatmul(a, b) : at::mm(a, b); }

struct LinearFunction : public torch::autograd::Function<LinearFunction> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
        RECORD_FUNCTION("srs::linear", std::vector<c10::IValue>{});
        const std::int64_t K = x.size(-1), N = w.size(0);
        at::Tensor x2 = x.reshape({-1, K});
        const LinearChoice& c = choiceFor(x2.size(0), N, K, x.scalar_type());
        at::Tensor y = mm(c.forward_onednn, x2, w.t());
        const bool has_bias = b.numel() > 0;  // no bias travels as an empty tensor
        if (has_bias) y.add_(b);
        ctx->save_for_backward({x2, w});
        ctx->saved_data["bias"] = has_bias;
        ctx->saved_data["x_sizes"] = x.sizes().vec();
        std::vector<std::int64_t> out_sizes = x.sizes().vec();
        out_sizes.back() = N;
        return y.view(out_sizes);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
        auto saved = ctx->get_saved_variables();
        const at::Tensor& x2 = saved[0];
        const at::Tensor& w = saved[1];
        const std::int64_t N = w.size(0), K = w.size(1);
        at::Tensor dy = grads[0].reshape({-1, N}).to(x2.scalar_type());
        const LinearChoice& c = choiceFor(x2.size(0), N, K, x2.scalar_type());
        at::Tensor dx, dw, db;
        if (ctx->needs_input_grad(0)) dx = mm(c.grad_input_onednn, dy, w).view(ctx->saved_data["x_sizes"].toIntVector());
        if (ctx->needs_input_grad(1)) dw = mm(c.grad_weight_onednn, dy.t(), x2);
        if (ctx->saved_data["bias"].toBool() && ctx->needs_input_grad(2)) db = dy.sum(0);
        return {dx, dw, db};
    }
};

std::string ms(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f ms", v);
    return b;
}

}  // namespace

std::string LinearChoice::describe() const {
    auto one = [](const char* what, bool dnnl, const double (&t)[2]) {
        return std::string(what) + " " + (dnnl ? "oneDNN " + ms(t[1]) + " (LibTorch " + ms(t[0]) + ")" : "LibTorch " + ms(t[0]) + " (oneDNN " + ms(t[1]) + ")");
    };
    return "linear " + std::to_string(m) + "x" + std::to_string(k) + "->" + std::to_string(n) + " " + dtype + ": " +
           one("forward", forward_onednn, forward_ms) + ", " + one("dx", grad_input_onednn, grad_input_ms) + ", " +
           one("dw", grad_weight_onednn, grad_weight_ms);
}

FastLinearScope::FastLinearScope(bool on) : previous_(t_fast) { t_fast = on; }
FastLinearScope::~FastLinearScope() { t_fast = previous_; }
bool fastKernelsOn() { return t_fast; }

at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
    const bool supported = x.scalar_type() == w.scalar_type() && (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16) &&
                           x.device().is_cpu() && w.dim() == 2 && x.dim() >= 2;
    if (!t_fast || !supported) return at::linear(x, w, b);
    return LinearFunction::apply(x, w, b.defined() ? b : at::empty({0}, x.options()));
}

std::vector<LinearChoice> linearChoices() { return choices().all(); }

}  // namespace srs::kernels
