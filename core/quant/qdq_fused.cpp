#include "core/quant/qdq_fused.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/custom_function.h>

#include <c10/core/DeviceGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <stdexcept>

#include "kernels/cpu/qdq.h"
#ifdef SRS_HAVE_CUDA
#include "kernels/cuda/qdq_cuda.h"
#endif

namespace srs::quant {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

kernels::QdqShape shapeOf(const at::Tensor& w, std::int64_t bits, std::int64_t gs, bool sym, bool fp16) {
    kernels::QdqShape s;
    s.out = w.size(0);
    s.in = w.size(1);
    s.group_size = static_cast<int>(gs);
    s.bits = static_cast<int>(bits);
    s.sym = sym;
    s.fp16_scale = fp16;
    return s;
}

// Absent parameters travel as empty tensors (Function::apply does not take undefined ones).
bool present(const at::Tensor& t) { return t.defined() && t.numel() > 0; }
const float* ptr(const at::Tensor& t) { return present(t) ? t.data_ptr<float>() : nullptr; }

at::Tensor f32(const at::Tensor& t) { return t.defined() ? t.detach().to(at::kFloat).contiguous() : t; }

// The kernels for the weight's device: the CPU ones, or kernels/cuda queued on the default stream
// of the weight's GPU (fusedKernelsRunOn said they may).
void runForward(const at::Tensor& weight, const kernels::QdqShape& s, const kernels::QdqInputs& in, float* deq) {
    if (weight.is_cpu()) return kernels::qdqForward(s, in, deq);
#ifdef SRS_HAVE_CUDA
    c10::DeviceGuard guard(weight.device());
    if (const std::string e = kernels::cuda::qdqForwardAsync(s, in, deq); !e.empty()) throw std::runtime_error("CUDA quant-dequant forward: " + e);
#else
    throw std::logic_error("fused quant-dequant asked for on " + weight.device().str() + " in a build without kernels/cuda");
#endif
}

void runBackward(const at::Tensor& weight, const kernels::QdqShape& s, const kernels::QdqInputs& in, const float* gd, float* gv, float* ga,
                 float* gb) {
    if (weight.is_cpu()) return kernels::qdqBackward(s, in, gd, gv, ga, gb);
#ifdef SRS_HAVE_CUDA
    c10::DeviceGuard guard(weight.device());
    if (const std::string e = kernels::cuda::qdqBackwardAsync(s, in, gd, gv, ga, gb); !e.empty())
        throw std::runtime_error("CUDA quant-dequant backward: " + e);
#else
    throw std::logic_error("fused quant-dequant asked for on " + weight.device().str() + " in a build without kernels/cuda");
#endif
}

struct QdqFunction : public torch::autograd::Function<QdqFunction> {
    // Differentiable inputs first (v, alpha, beta); the rest are constants.
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& v, const at::Tensor& alpha, const at::Tensor& beta,
                              const at::Tensor& weight, const at::Tensor& wmin, const at::Tensor& wmax, std::int64_t bits,
                              std::int64_t group_size, bool sym, bool fp16_scale) {
        RECORD_FUNCTION("srs::qdq_forward", std::vector<c10::IValue>{});
        kernels::QdqShape s = shapeOf(weight, bits, group_size, sym, fp16_scale);
        kernels::QdqInputs in{ptr(weight), ptr(v), ptr(alpha), ptr(beta), ptr(wmin), ptr(wmax)};
        at::Tensor deq = at::empty({s.out, s.in}, weight.options());
        runForward(weight, s, in, deq.data_ptr<float>());
        ctx->saved_data["v"] = v;
        ctx->saved_data["alpha"] = alpha;
        ctx->saved_data["beta"] = beta;
        ctx->saved_data["weight"] = weight;
        ctx->saved_data["wmin"] = wmin;
        ctx->saved_data["wmax"] = wmax;
        ctx->saved_data["shape"] = std::vector<std::int64_t>{bits, group_size, sym, fp16_scale};
        return deq;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        RECORD_FUNCTION("srs::qdq_backward", std::vector<c10::IValue>{});
        auto get = [&](const char* k) { return ctx->saved_data[k].toTensor(); };
        at::Tensor v = get("v"), alpha = get("alpha"), beta = get("beta"), weight = get("weight");
        auto sh = ctx->saved_data["shape"].toIntVector();
        kernels::QdqShape s = shapeOf(weight, sh[0], sh[1], sh[2] != 0, sh[3] != 0);
        kernels::QdqInputs in{ptr(weight), ptr(v), ptr(alpha), ptr(beta), ptr(get("wmin")), ptr(get("wmax"))};
        at::Tensor gd = grads[0].to(at::kFloat).contiguous();
        at::Tensor gv, ga, gb;
        if (present(v) && ctx->needs_input_grad(0)) gv = at::empty({s.groupRows(), s.group_size}, weight.options());
        if (present(alpha) && ctx->needs_input_grad(1)) ga = at::empty({s.groupRows()}, weight.options());
        if (present(beta) && ctx->needs_input_grad(2)) gb = at::empty({s.groupRows()}, weight.options());
        if (gv.defined() || ga.defined() || gb.defined())
            runBackward(weight, s, in, gd.data_ptr<float>(), gv.defined() ? gv.data_ptr<float>() : nullptr,
                                 ga.defined() ? ga.data_ptr<float>() : nullptr, gb.defined() ? gb.data_ptr<float>() : nullptr);
        return {gv, ga, gb, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

bool fusedKernelsRunOn(const at::Tensor& weight) {
    if (weight.is_cpu()) return true;
#ifdef SRS_HAVE_CUDA
    // kernels/cuda queue their work on the default stream: fine while LibTorch computes there too.
    if (weight.is_cuda()) return c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->getStream(weight.device()).id() == 0;
#endif
    return false;
}

at::Tensor quantDequantFused(const at::Tensor& weight, const QuantScheme& s, const GroupRange& range, const at::Tensor& v,
                             const at::Tensor& alpha, const at::Tensor& beta) {
    const int gs = s.effectiveGroupSize(weight.size(1));
    // The kernel reads the parameters' storage directly; they are float32 contiguous leaves in
    // the tuner, and anything else is converted (the gradient then flows through the copy).
    auto param = [&weight](const at::Tensor& t) {
        if (!t.defined()) return at::empty({0}, weight.options().dtype(at::kFloat));
        return t.scalar_type() != at::kFloat || !t.is_contiguous() ? t.to(at::kFloat).contiguous() : t;
    };
    return QdqFunction::apply(param(v), param(alpha), param(beta), f32(weight), f32(range.wmin), f32(range.wmax),
                              static_cast<std::int64_t>(s.bits), static_cast<std::int64_t>(gs), s.sym, s.fp16_scale);
}

void signSgdStepFused(at::Tensor& p, double lr, bool clamp01) {
    if (!p.defined() || !p.grad().defined()) return;
    at::Tensor& g = p.mutable_grad();
    if (!p.is_cpu() || !p.is_contiguous() || !g.is_contiguous() || p.scalar_type() != at::kFloat || g.scalar_type() != at::kFloat) {
        at::NoGradGuard ng;
        p.sub_(g.sign() * lr);
        if (clamp01) p.clamp_(0.0, 1.0);
        g.zero_();
        return;
    }
    kernels::signSgdStep(p.data_ptr<float>(), g.data_ptr<float>(), p.numel(), static_cast<float>(lr), clamp01, 0.0f, 1.0f);
}

}  // namespace srs::quant
