#include "core/quant/signround.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/quant/qdq_fused.h"
#include "kernels/linear.h"

namespace srs::quant {

double autoLearningRate(int iters, int bits) {
    if (iters <= 0) return 0.0;
    return (iters >= 1000 && bits <= 3 ? 2.0 : 1.0) / iters;
}

Result<KernelPath> parseKernelPath(const std::string& name) {
    if (name == "auto") return KernelPath::Auto;
    if (name == "fused") return KernelPath::Fused;
    if (name == "reference") return KernelPath::Reference;
    return makeError(ErrorCode::InvalidArgument, "unknown kernels '" + name + "'", "use --kernels auto, fused or reference");
}

namespace {

at::Tensor lossMask(std::int64_t T, const at::Tensor& like) {
    at::Tensor m = at::ones({1, T, 1}, like.options().dtype(at::kFloat));
    m.narrow(1, T - 1, 1).zero_();
    return m;
}

at::Tensor maskedMse(const at::Tensor& pred, const at::Tensor& ref) {
    at::Tensor m = lossMask(pred.size(1), pred);
    return at::mse_loss(pred.to(at::kFloat) * m, ref.to(at::kFloat) * m);
}

// AutoRound's sampler: a seeded shuffle of all sample indices, consumed `batch` at a time and
// reshuffled when fewer than `batch` remain (the remainder is dropped).
class IndexSampler {
public:
    IndexSampler(std::int64_t n, std::int64_t batch, std::uint64_t seed) : rng_(seed), batch_(batch) {
        order_.resize(static_cast<std::size_t>(n));
        std::iota(order_.begin(), order_.end(), 0);
        reshuffle();
    }
    std::vector<std::int64_t> next() {
        if (pos_ + batch_ > static_cast<std::int64_t>(order_.size())) reshuffle();
        std::vector<std::int64_t> out(order_.begin() + pos_, order_.begin() + pos_ + batch_);
        pos_ += batch_;
        return out;
    }

private:
    void reshuffle() {
        // Fisher–Yates with our own draws, so the order does not depend on the standard library.
        for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_() % i]);
        pos_ = 0;
    }
    std::mt19937_64 rng_;
    std::int64_t batch_;
    std::int64_t pos_ = 0;
    std::vector<std::int64_t> order_;
};

struct LayerParams {
    const LayerPlan* plan = nullptr;
    at::Tensor weight;  // float32, frozen
    GroupRange range;
    at::Tensor v, alpha, beta;  // trainable
    double lr = 0.0, minmax_lr = 0.0;
};

double relError(const at::Tensor& w, const at::Tensor& q) {
    double n = w.norm().item<double>();
    return n > 0 ? (w - q).norm().item<double>() / n : 0.0;
}

}  // namespace

double blockLoss(const BlockForward& forward, const std::map<std::string, at::Tensor>& overrides, const at::Tensor& inputs,
                 const at::Tensor& targets, int batch_size) {
    at::NoGradGuard ng;
    const std::int64_t n = inputs.size(0);
    double sum = 0.0;
    for (std::int64_t b = 0; b < n; b += batch_size) {
        const std::int64_t k = std::min<std::int64_t>(batch_size, n - b);
        at::Tensor out = forward(inputs.narrow(0, b, k), overrides);
        sum += maskedMse(out, targets.narrow(0, b, k)).item<double>() * static_cast<double>(k);
    }
    return sum / static_cast<double>(n);
}

Result<BlockTuneResult> tuneBlock(const BlockForward& forward, const std::map<std::string, at::Tensor>& weights,
                                  const at::Tensor& inputs, const at::Tensor& targets, const std::vector<LayerPlan>& plan,
                                  const TuneOptions& opt, const IterationFn& on_iteration, const CancelToken& cancel) {
    BlockTuneResult result;
    if (inputs.size(0) == 0) return makeError(ErrorCode::InvalidArgument, "no calibration samples for the block");
    if (opt.batch_size < 1 || opt.gradient_accumulate_steps < 1)
        return makeError(ErrorCode::InvalidArgument, "batch_size and gradient_accumulate_steps must be at least 1");
    try {
        std::vector<LayerParams> params;
        for (const auto& p : plan) {
            SRS_TRY(validateScheme(p.scheme));
            auto it = weights.find(p.name);
            if (it == weights.end()) return makeError(ErrorCode::Internal, "no weight for layer " + p.name);
            LayerParams lp;
            lp.plan = &p;
            lp.weight = it->second.detach().to(at::kFloat).contiguous();
            lp.range = groupRange(lp.weight, p.scheme);
            const std::int64_t out = lp.weight.size(0), in = lp.weight.size(1);
            const int gs = p.scheme.effectiveGroupSize(in);
            const std::int64_t g = p.scheme.groups(in);
            lp.v = at::zeros({out * g, gs}, at::kFloat).requires_grad_(opt.iters > 0);
            if (opt.enable_minmax_tuning && opt.iters > 0) {
                lp.alpha = at::ones({out * g}, at::kFloat).requires_grad_(true);
                lp.beta = at::ones({out * g}, at::kFloat).requires_grad_(true);
            }
            lp.lr = opt.lr > 0 ? opt.lr : autoLearningRate(opt.iters, p.scheme.bits);
            lp.minmax_lr = opt.minmax_lr > 0 ? opt.minmax_lr : lp.lr;
            params.push_back(lp);
        }
        // The fused kernels work on CPU float32 weights (all the tuner holds today).
        bool fused = opt.kernels != KernelPath::Reference;
        for (const auto& lp : params) fused = fused && lp.weight.device().is_cpu();
        kernels::FastLinearScope fast_linear(fused);
        // The dequantized weights the training forward uses, differentiable in V / α / β.
        auto trainingWeights = [&]() {
            RECORD_USER_SCOPE("srs::qdq");
            std::map<std::string, at::Tensor> o;
            for (auto& lp : params)
                o[lp.plan->name] = fused ? quantDequantFused(lp.weight, lp.plan->scheme, lp.range, lp.v, lp.alpha, lp.beta)
                                         : quantDequant(lp.weight, lp.plan->scheme, lp.range, lp.v, lp.alpha, lp.beta).weight;
            return o;
        };
        auto qdqAll = [&](bool with_params) {
            std::map<std::string, QdqResult> out;
            for (auto& lp : params) {
                out[lp.plan->name] = with_params ? quantDequant(lp.weight, lp.plan->scheme, lp.range, lp.v, lp.alpha, lp.beta)
                                                 : quantDequant(lp.weight, lp.plan->scheme, lp.range);
            }
            return out;
        };
        auto overridesOf = [](const std::map<std::string, QdqResult>& q) {
            std::map<std::string, at::Tensor> o;
            for (const auto& [name, r] : q) o[name] = r.weight;
            return o;
        };

        // Round-to-nearest reference (also what iters = 0 keeps).
        std::map<std::string, QdqResult> rtn_q;
        {
            at::NoGradGuard ng;
            rtn_q = qdqAll(false);
        }
        result.rtn_loss = blockLoss(forward, overridesOf(rtn_q), inputs, targets, opt.batch_size);

        const std::int64_t n = inputs.size(0);
        const std::int64_t global_batch = std::min<std::int64_t>(n, static_cast<std::int64_t>(opt.batch_size) * opt.gradient_accumulate_steps);
        IndexSampler sampler(n, global_batch, opt.seed);
        std::vector<at::Tensor> best_v(params.size()), best_a(params.size()), best_b(params.size());
        double best = std::numeric_limits<double>::infinity();
        int last_best = 0;
        for (int it = 0; it < opt.iters; ++it) {
            SRS_TRY(cancel.check("tuning"));
            const double factor = 1.0 - static_cast<double>(it) / opt.iters;
            if (!fused) {  // the fused step clamps α / β as it moves them
                at::NoGradGuard ng;
                for (auto& lp : params)
                    if (lp.alpha.defined()) {
                        lp.alpha.clamp_(0.0, 1.0);
                        lp.beta.clamp_(0.0, 1.0);
                    }
            }
            std::vector<std::int64_t> idx = sampler.next();
            at::Tensor index = at::tensor(idx, at::kLong);
            double total = 0.0;
            int micro = 0;
            for (std::int64_t m0 = 0; m0 < global_batch; m0 += opt.batch_size, ++micro) {
                const std::int64_t k = std::min<std::int64_t>(opt.batch_size, global_batch - m0);
                at::Tensor sel = index.narrow(0, m0, k);
                at::Tensor x = inputs.index_select(0, sel), y = targets.index_select(0, sel);
                at::Tensor out = forward(x, trainingWeights());
                at::Tensor loss;
                {
                    RECORD_USER_SCOPE("srs::loss");
                    loss = maskedMse(out, y);
                }
                total += loss.item<double>();
                (loss * 1000.0 / static_cast<double>((global_batch + opt.batch_size - 1) / opt.batch_size)).backward();
            }
            total /= std::max(micro, 1);
            result.minibatch_losses.push_back(total);
            // Keep the parameters that produced this loss, before they are stepped.
            const bool keep = opt.not_use_best_mse ? it == opt.iters - 1 : total < best;
            if (keep) {
                RECORD_USER_SCOPE("srs::keep_best");
                best = total;
                last_best = it;
                for (std::size_t i = 0; i < params.size(); ++i) {
                    best_v[i] = params[i].v.detach().clone();
                    if (params[i].alpha.defined()) {
                        best_a[i] = params[i].alpha.detach().clone();
                        best_b[i] = params[i].beta.detach().clone();
                    }
                }
            }
            if (fused) {
                RECORD_USER_SCOPE("srs::optimizer");
                for (auto& lp : params) {
                    signSgdStepFused(lp.v, lp.lr * factor, false);
                    signSgdStepFused(lp.alpha, lp.minmax_lr * factor, true);
                    signSgdStepFused(lp.beta, lp.minmax_lr * factor, true);
                }
            } else {
                RECORD_USER_SCOPE("srs::optimizer");
                at::NoGradGuard ng;
                for (auto& lp : params) {
                    auto step = [](at::Tensor& p, double lr) {
                        if (p.defined() && p.grad().defined()) {
                            p.sub_(p.grad().sign() * lr);
                            p.mutable_grad().zero_();
                        }
                    };
                    step(lp.v, lp.lr * factor);
                    step(lp.alpha, lp.minmax_lr * factor);
                    step(lp.beta, lp.minmax_lr * factor);
                }
            }
            if (on_iteration) on_iteration(it, total, params.empty() ? 0.0 : params.front().lr * factor);
            if (opt.dynamic_max_gap > 0 && it - last_best >= opt.dynamic_max_gap) break;
        }
        result.best_iter = last_best;

        // Final weights with the kept parameters.
        at::NoGradGuard ng;
        if (opt.iters > 0) {
            for (std::size_t i = 0; i < params.size(); ++i) {
                params[i].v = best_v[i];
                params[i].alpha = best_a[i];
                params[i].beta = best_b[i];
            }
        }
        std::map<std::string, QdqResult> final_q = opt.iters > 0 ? qdqAll(true) : rtn_q;
        if (opt.iters == 0 && opt.imatrix) {
            for (auto& lp : params) {
                auto im = opt.imatrix->find(lp.plan->name);
                if (lp.plan->scheme.sym && lp.plan->scheme.bits < 8 && im != opt.imatrix->end())
                    final_q[lp.plan->name] = optimizedRtn(lp.weight, lp.plan->scheme, im->second);
            }
        }
        for (auto& [name, r] : final_q) {
            r.weight = r.weight.detach();
            r.scale = r.scale.detach();
        }
        result.best_loss = opt.iters > 0 || opt.imatrix ? blockLoss(forward, overridesOf(final_q), inputs, targets, opt.batch_size) : result.rtn_loss;
        for (auto& lp : params) {
            const std::string& name = lp.plan->name;
            TunedLayer t;
            t.name = name;
            t.scheme = lp.plan->scheme;
            t.result = final_q[name];
            t.stats.name = name;
            t.stats.bits = t.scheme.bits;
            t.stats.group_size = t.scheme.group_size;
            t.stats.sym = t.scheme.sym;
            t.stats.out_features = lp.weight.size(0);
            t.stats.in_features = lp.weight.size(1);
            t.stats.weight_rel_error_rtn = relError(lp.weight, rtn_q[name].weight);
            t.stats.weight_rel_error_tuned = relError(lp.weight, t.result.weight);
            t.stats.flipped_fraction = t.result.q.ne(rtn_q[name].q).to(at::kFloat).mean().item<double>();
            result.qdq_weights[name] = t.result.weight;
            result.layers.push_back(std::move(t));
        }
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("tuning failed: ") + e.what());
    }
    return result;
}

exporter::QuantizedLayer toQuantizedLayer(const std::string& module_name, const TunedLayer& t, const at::Tensor& bias) {
    exporter::QuantizedLayer l;
    l.name = module_name;
    l.bits = t.scheme.bits;
    l.group_size = t.scheme.group_size;
    l.sym = t.scheme.sym;
    l.out_features = t.result.q.size(0);
    l.in_features = t.result.q.size(1);
    at::Tensor q = t.result.q.to(at::kByte).contiguous();
    l.q.assign(q.data_ptr<std::uint8_t>(), q.data_ptr<std::uint8_t>() + q.numel());
    at::Tensor s = t.result.scale.to(at::kFloat).contiguous();
    l.scales.assign(s.data_ptr<float>(), s.data_ptr<float>() + s.numel());
    at::Tensor z = t.result.zero.to(at::kInt).contiguous();
    l.zeros.assign(z.data_ptr<std::int32_t>(), z.data_ptr<std::int32_t>() + z.numel());
    if (bias.defined()) {
        at::Tensor b = bias.to(at::kFloat).contiguous();
        l.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    }
    return l;
}

}  // namespace srs::quant
