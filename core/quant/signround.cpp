#include "core/quant/signround.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <ATen/record_function.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/quant/nonfinite.h"
#include "core/quant/qdq_fused.h"
#include "kernels/linear.h"

namespace srs::quant {

double autoLearningRate(int iters, int bits) {
    if (iters <= 0) return 0.0;
    return (iters >= 1000 && bits <= 3 ? 2.0 : 1.0) / iters;
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

std::int64_t globalSamples(const at::Tensor& inputs, const TuneOptions& opt) {
    return opt.collective && opt.global_samples > 0 ? opt.global_samples : inputs.size(0);
}

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

// Names for messages: "block 4, layer model.layers.3.mlp.down_proj", "block 4 (model.layers.3)",
// "layer up", "the block".
std::string where(const TuneOptions& opt, const std::string& layer = {}) {
    const std::string block = opt.block_number > 0 ? "block " + std::to_string(opt.block_number) : std::string();
    if (!layer.empty()) return (block.empty() ? std::string() : block + ", ") + "layer " + opt.module_prefix + layer;
    if (block.empty()) return "the block";
    std::string prefix = opt.module_prefix;
    if (!prefix.empty() && prefix.back() == '.') prefix.pop_back();
    return prefix.empty() ? block : block + " (" + prefix + ")";
}

const char* const kBadWeightsHint =
    "quantizing cannot repair non-finite numbers: the model file is damaged or was saved from a diverged training run; "
    "re-download or re-convert it (signround eval on the original shows whether its own outputs are finite)";
const char* const kScaleHint =
    "weights this large are no trained values: check the model file (signround inspect, and signround eval on the original)";
const char* const kOverflowHint =
    "the model's weights or the calibration data drive this block's activations past float32's range; check the model file "
    "(signround eval on the original shows whether its own outputs are finite) and the calibration text";

// What is not finite in a layer's quant-dequant (scale, zero point or dequantized weight) and
// the likely cause, with what to do; empty when all of it is finite.
struct QdqProblem {
    std::string text, hint;
};
QdqProblem qdqProblem(const LayerParams& lp, const QdqResult& q) {
    const at::Tensor* bad = nullptr;
    std::string part;
    if (!allFinite(q.scale)) bad = &q.scale, part = "a scale";
    else if (!allFinite(q.zero)) bad = &q.zero, part = "a zero point";
    else if (!allFinite(q.weight)) bad = &q.weight, part = "a dequantized weight";
    if (!bad) return {};
    std::string cause;
    const char* hint = kOverflowHint;
    const QuantScheme& sc = lp.plan->scheme;
    const double wmax = lp.weight.abs().max().item<double>();
    const double levels = sc.sym ? static_cast<double>(1 << (sc.bits - 1)) : static_cast<double>((1 << sc.bits) - 1);
    if (!allFinite(lp.v) || !allFinite(lp.alpha) || !allFinite(lp.beta))
        cause = "; its tuned rounding offsets V / clipping factors α, β are not finite";
    else if (sc.fp16_scale && wmax / levels > 65504.0)
        cause = "; its largest weight magnitude, " + formatValue(wmax) + ", needs a scale beyond 65504, the most the float16 scales hold",
        hint = kScaleHint;
    return {part + " holding " + describeNonFinite(*bad) + cause, hint};
}

// Why a block loss is not finite when the block's inputs, targets and weights are (checked
// before): a layer whose quant-dequant is not, else the quantized block overflowing float32, with
// the layer of the largest quantized weight named.
Error lossError(const std::vector<LayerParams>& params, const TuneOptions& opt, double loss, const std::string& when, bool with_params) {
    at::NoGradGuard ng;
    const std::string what = "the loss became " + formatValue(loss) + " " + when;
    double largest = -1.0;
    std::string largest_layer;
    for (const auto& lp : params) {
        const QdqResult q = with_params ? quantDequant(lp.weight, lp.plan->scheme, lp.range, lp.v, lp.alpha, lp.beta)
                                        : quantDequant(lp.weight, lp.plan->scheme, lp.range);
        const QdqProblem problem = qdqProblem(lp, q);
        if (!problem.text.empty())
            return makeError(ErrorCode::InvalidArgument, where(opt, lp.plan->name) + ": " + what + ": the layer's quantization gives " + problem.text,
                             problem.hint);
        const double m = q.weight.abs().max().item<double>();
        if (m > largest) largest = m, largest_layer = lp.plan->name;
    }
    return makeError(ErrorCode::InvalidArgument,
                     where(opt) + ": " + what + " although its inputs, its targets and every layer's quantized weight are finite: the quantized block's " +
                         "activations overflow float32 (its largest quantized weight magnitude, " + formatValue(largest) + ", is in layer " +
                         opt.module_prefix + largest_layer + ")",
                     kOverflowHint);
}

// One sync for all the gradients of an iteration; the parameter to blame only when one is not finite.
Status checkGradients(const std::vector<LayerParams>& params, const TuneOptions& opt, int it) {
    std::vector<at::Tensor> flags;
    for (const auto& lp : params)
        for (const at::Tensor* p : {&lp.v, &lp.alpha, &lp.beta})
            if (p->defined() && p->grad().defined()) flags.push_back(finiteFlag(p->grad()));
    if (flags.empty() || at::stack(flags).all().item<bool>()) return {};
    for (const auto& lp : params)
        for (const auto& [p, label] : std::initializer_list<std::pair<const at::Tensor*, const char*>>{
                 {&lp.v, "rounding offsets V"}, {&lp.alpha, "clipping factors α"}, {&lp.beta, "clipping factors β"}})
            if (p->defined() && !allFinite(p->grad()))
                return makeError(ErrorCode::InvalidArgument,
                                 where(opt, lp.plan->name) + ": the gradient of its " + label + " became non-finite at iteration " + std::to_string(it + 1) +
                                     " of " + std::to_string(opt.iters) + ", " + describeNonFinite(p->grad()) +
                                     ", while the loss is finite (the backward pass overflows float32)",
                                 std::string(kOverflowHint) + "; --iters 0 (round-to-nearest) needs no gradients");
    return {};
}

// V at zero for every planned layer and, with min-max tuning, α / β at one.
Result<std::vector<LayerParams>> makeLayerParams(const std::map<std::string, at::Tensor>& weights,
                                                 const std::vector<LayerPlan>& plan, const TuneOptions& opt) {
    std::vector<LayerParams> params;
    for (const auto& p : plan) {
        SRS_TRY(validateScheme(p.scheme));
        auto it = weights.find(p.name);
        if (it == weights.end()) return makeError(ErrorCode::Internal, "no weight for layer " + p.name);
        LayerParams lp;
        lp.plan = &p;
        lp.weight = it->second.detach().to(at::kFloat).contiguous();
        if (!allFinite(lp.weight))
            return makeError(ErrorCode::InvalidArgument, where(opt, p.name) + ": its weight holds " + describeNonFinite(lp.weight), kBadWeightsHint);
        lp.range = groupRange(lp.weight, p.scheme);
        const std::int64_t out = lp.weight.size(0), in = lp.weight.size(1);
        const int gs = p.scheme.effectiveGroupSize(in);
        const std::int64_t g = p.scheme.groups(in);
        const auto f32 = lp.weight.options().dtype(at::kFloat);  // on the weight's device
        lp.v = at::zeros({out * g, gs}, f32).requires_grad_(opt.iters > 0);
        if (opt.enable_minmax_tuning && opt.iters > 0) {
            lp.alpha = at::ones({out * g}, f32).requires_grad_(true);
            lp.beta = at::ones({out * g}, f32).requires_grad_(true);
        }
        lp.lr = opt.lr > 0 ? opt.lr : autoLearningRate(opt.iters, p.scheme.bits);
        lp.minmax_lr = opt.minmax_lr > 0 ? opt.minmax_lr : lp.lr;
        params.push_back(lp);
    }
    return params;
}

// The fused kernels: the CPU ones on CPU weights, kernels/cuda on CUDA weights where they are
// built and can run on the stream LibTorch computes on (qdq_fused.h); else the reference path.
bool useFusedKernels(const TuneOptions& opt, const std::vector<LayerParams>& params) {
    bool fused = opt.kernels != KernelPath::Reference;
    for (const auto& lp : params) fused = fused && fusedKernelsRunOn(lp.weight);
    return fused;
}

// Every layer's quant-dequant with its V / α / β, or plain round-to-nearest without them.
std::map<std::string, QdqResult> qdqAll(const std::vector<LayerParams>& params, bool with_params) {
    std::map<std::string, QdqResult> out;
    for (const auto& lp : params) {
        out[lp.plan->name] = with_params ? quantDequant(lp.weight, lp.plan->scheme, lp.range, lp.v, lp.alpha, lp.beta)
                                         : quantDequant(lp.weight, lp.plan->scheme, lp.range);
    }
    return out;
}

std::map<std::string, at::Tensor> overridesOf(const std::map<std::string, QdqResult>& q) {
    std::map<std::string, at::Tensor> o;
    for (const auto& [name, r] : q) o[name] = r.weight;
    return o;
}

// The dequantized weights a training forward uses, differentiable in V / α / β.
using TrainingWeightsFn = std::map<std::string, at::Tensor> (*)(const std::vector<LayerParams>&);

// The parameters of the kept iteration: the lowest loss so far, or the last with not_use_best_mse.
struct BestParams {
    std::vector<at::Tensor> v, alpha, beta;
    double loss = std::numeric_limits<double>::infinity();
    int iter = 0;
};

// What the iterations share whichever kernels they run on: the sample order, the micro-batched
// forward and backward, and the kept parameters.
class TuneLoop {
    const BlockForward& forward_;
    const at::Tensor& inputs_;
    const at::Tensor& targets_;
    std::int64_t global_batch_;
    IndexSampler sampler_;

public:
    TuneLoop(const BlockForward& forward, const at::Tensor& inputs, const at::Tensor& targets, const TuneOptions& options,
             std::vector<LayerParams>& layer_params)
        : forward_(forward), inputs_(inputs), targets_(targets),
          global_batch_(std::min<std::int64_t>(globalSamples(inputs, options), std::int64_t{options.batch_size} * options.gradient_accumulate_steps)),
          sampler_(globalSamples(inputs, options), global_batch_, options.seed), opt(options), params(layer_params) {
        best.v.resize(params.size());
        best.alpha.resize(params.size());
        best.beta.resize(params.size());
    }

    const TuneOptions& opt;
    std::vector<LayerParams>& params;
    BestParams best;

    // Forward and backward over the next global batch, one micro-batch at a time, so that the
    // gradients add up; returns the mean micro-batch loss, or why a loss or gradient is not finite.
    Result<double> accumulateGradients(TrainingWeightsFn trainingWeights, int it) {
        if (opt.collective) return accumulateDistributed(trainingWeights, it);
        at::Tensor index = at::tensor(sampler_.next(), at::kLong).to(inputs_.device());
        const std::int64_t micro_batches = (global_batch_ + opt.batch_size - 1) / opt.batch_size;
        double total = 0.0;
        int micro = 0;
        for (std::int64_t m0 = 0; m0 < global_batch_; m0 += opt.batch_size, ++micro) {
            const std::int64_t k = std::min<std::int64_t>(opt.batch_size, global_batch_ - m0);
            at::Tensor sel = index.narrow(0, m0, k);
            at::Tensor x = inputs_.index_select(0, sel), y = targets_.index_select(0, sel);
            at::Tensor out = forward_(x, trainingWeights(params));
            at::Tensor loss;
            {
                RECORD_USER_SCOPE("srs::loss");
                loss = maskedMse(out, y);
            }
            const double l = loss.item<double>();  // the sync the loss needs anyway
            if (!std::isfinite(l))
                return lossError(params, opt, l, "at iteration " + std::to_string(it + 1) + " of " + std::to_string(opt.iters), true);
            total += l;
            (loss * 1000.0 / static_cast<double>(micro_batches)).backward();
        }
        SRS_TRY(checkGradients(params, opt, it));
        return total / std::max(micro, 1);
    }

    // The same in a distributed run: every rank draws the same global batch and runs the samples
    // of it that it holds; each sample's loss is weighted 1/global batch, so that the gradients and
    // losses summed over the ranks are the one-process ones (equal micro-batches) up to summation order.
    Result<double> accumulateDistributed(TrainingWeightsFn trainingWeights, int it) {
        const std::int64_t first = opt.shard_first, held = inputs_.size(0);
        std::vector<std::int64_t> mine;
        for (std::int64_t i : sampler_.next())
            if (i >= first && i < first + held) mine.push_back(i - first);
        double local = 0.0;
        const auto count = static_cast<std::int64_t>(mine.size());
        at::Tensor index = at::tensor(mine, at::kLong).to(inputs_.device());
        for (std::int64_t m0 = 0; m0 < count; m0 += opt.batch_size) {
            const std::int64_t k = std::min<std::int64_t>(opt.batch_size, count - m0);
            at::Tensor sel = index.narrow(0, m0, k);
            at::Tensor out = forward_(inputs_.index_select(0, sel), trainingWeights(params));
            at::Tensor loss = maskedMse(out, targets_.index_select(0, sel));
            const double l = loss.item<double>();
            if (!std::isfinite(l))
                return lossError(params, opt, l, "at iteration " + std::to_string(it + 1) + " of " + std::to_string(opt.iters), true);
            local += l * static_cast<double>(k);
            (loss * (1000.0 * static_cast<double>(k) / static_cast<double>(global_batch_))).backward();
        }
        const std::string what = where(opt) + ", iteration " + std::to_string(it + 1);
        std::vector<at::Tensor*> grads;
        for (auto& lp : params)
            for (at::Tensor* p : {&lp.v, &lp.alpha, &lp.beta})
                if (p->defined()) {
                    if (!p->grad().defined()) p->mutable_grad() = at::zeros_like(*p);
                    grads.push_back(&p->mutable_grad());
                }
        SRS_TRY(dist::allreduceSum(*opt.collective, grads, what + " (gradients)"));
        at::Tensor sum = at::full({1}, local, inputs_.options().dtype(at::kDouble));  // where the collective sums (NCCL: the GPU)
        SRS_TRY(opt.collective->allreduceSum(sum, what + " (loss)"));
        SRS_TRY(checkGradients(params, opt, it));
        return sum.item<double>() / static_cast<double>(global_batch_);
    }

    // Call with the loss of the current parameters, before they are stepped.
    void keepIfBest(int it, double loss) {
        const bool keep = opt.not_use_best_mse ? it == opt.iters - 1 : loss < best.loss;
        if (!keep) return;
        RECORD_USER_SCOPE("srs::keep_best");
        best.loss = loss;
        best.iter = it;
        for (std::size_t i = 0; i < params.size(); ++i) {
            best.v[i] = params[i].v.detach().clone();
            if (params[i].alpha.defined()) {
                best.alpha[i] = params[i].alpha.detach().clone();
                best.beta[i] = params[i].beta.detach().clone();
            }
        }
    }
};

// --- The fused path: the qdq and SignSGD kernels of qdq_fused.h.

std::map<std::string, at::Tensor> fusedTrainingWeights(const std::vector<LayerParams>& params) {
    RECORD_USER_SCOPE("srs::qdq");
    std::map<std::string, at::Tensor> o;
    for (const auto& lp : params)
        o[lp.plan->name] = quantDequantFused(lp.weight, lp.plan->scheme, lp.range, lp.v, lp.alpha, lp.beta);
    return o;
}

// One iteration; the fused step clamps α / β to [0, 1] as it moves them. Returns the loss.
Result<double> fusedIteration(TuneLoop& loop, int it, double factor) {
    const auto loss = loop.accumulateGradients(fusedTrainingWeights, it);
    if (!loss) return loss.error();
    loop.keepIfBest(it, *loss);
    RECORD_USER_SCOPE("srs::optimizer");
    for (auto& lp : loop.params) {
        signSgdStepFused(lp.v, lp.lr * factor, false);
        signSgdStepFused(lp.alpha, lp.minmax_lr * factor, true);
        signSgdStepFused(lp.beta, lp.minmax_lr * factor, true);
    }
    return loss;
}

// --- The reference path: quantDequant through autograd, and SignSGD in ATen ops.

std::map<std::string, at::Tensor> referenceTrainingWeights(const std::vector<LayerParams>& params) {
    RECORD_USER_SCOPE("srs::qdq");
    std::map<std::string, at::Tensor> o;
    for (const auto& lp : params)
        o[lp.plan->name] = quantDequant(lp.weight, lp.plan->scheme, lp.range, lp.v, lp.alpha, lp.beta).weight;
    return o;
}

void clampMinmax(std::vector<LayerParams>& params) {
    at::NoGradGuard ng;
    for (auto& lp : params)
        if (lp.alpha.defined()) {
            lp.alpha.clamp_(0.0, 1.0);
            lp.beta.clamp_(0.0, 1.0);
        }
}

// p ← p − lr·sign(p.grad), and the gradient zeroed; nothing when p or its gradient is undefined.
void signSgdStep(at::Tensor& p, double lr) {
    if (p.defined() && p.grad().defined()) {
        p.sub_(p.grad().sign() * lr);
        p.mutable_grad().zero_();
    }
}

// One iteration; α / β are clamped to [0, 1] before the forward, since the step leaves them free.
// Returns the loss.
Result<double> referenceIteration(TuneLoop& loop, int it, double factor) {
    clampMinmax(loop.params);
    const auto loss = loop.accumulateGradients(referenceTrainingWeights, it);
    if (!loss) return loss.error();
    loop.keepIfBest(it, *loss);
    RECORD_USER_SCOPE("srs::optimizer");
    at::NoGradGuard ng;
    for (auto& lp : loop.params) {
        signSgdStep(lp.v, lp.lr * factor);
        signSgdStep(lp.alpha, lp.minmax_lr * factor);
        signSgdStep(lp.beta, lp.minmax_lr * factor);
    }
    return loss;
}

// Up to opt.iters iterations on one path, with the learning rates decaying linearly to zero;
// stops early after dynamic_max_gap iterations without a better loss.
Status runIterations(TuneLoop& loop, bool fused, const IterationFn& on_iteration, const CancelToken& cancel,
                     std::vector<double>& losses) {
    const TuneOptions& opt = loop.opt;
    for (int it = 0; it < opt.iters; ++it) {
        SRS_TRY(cancel.check("tuning"));
        const double factor = 1.0 - static_cast<double>(it) / opt.iters;
        const auto result = fused ? fusedIteration(loop, it, factor) : referenceIteration(loop, it, factor);
        if (!result) return result.error();
        const double loss = *result;
        losses.push_back(loss);
        if (on_iteration) on_iteration(it, loss, loop.params.empty() ? 0.0 : loop.params.front().lr * factor);
        if (opt.dynamic_max_gap > 0 && it - loop.best.iter >= opt.dynamic_max_gap) break;
    }
    return {};
}

// The layers' final quant-dequant, detached: with the kept V / α / β after tuning; without
// iterations, round-to-nearest, improved with the imatrix where it applies.
std::map<std::string, QdqResult> finalQdq(std::vector<LayerParams>& params, const BestParams& best,
                                          const std::map<std::string, QdqResult>& rtn_q, const TuneOptions& opt) {
    if (opt.iters > 0) {
        for (std::size_t i = 0; i < params.size(); ++i) {
            params[i].v = best.v[i];
            params[i].alpha = best.alpha[i];
            params[i].beta = best.beta[i];
        }
    }
    std::map<std::string, QdqResult> final_q = opt.iters > 0 ? qdqAll(params, true) : rtn_q;
    if (opt.iters == 0 && opt.imatrix) {
        for (const auto& lp : params) {
            auto im = opt.imatrix->find(lp.plan->name);
            if (lp.plan->scheme.sym && lp.plan->scheme.bits < 8 && im != opt.imatrix->end())
                final_q[lp.plan->name] = optimizedRtn(lp.weight, lp.plan->scheme, im->second);
        }
    }
    for (auto& [name, r] : final_q) {
        r.weight = r.weight.detach();
        r.scale = r.scale.detach();
    }
    return final_q;
}

TunedLayer tunedLayer(const LayerParams& lp, const QdqResult& tuned, const QdqResult& rtn) {
    TunedLayer t;
    t.name = lp.plan->name;
    t.scheme = lp.plan->scheme;
    t.result = tuned;
    t.stats.name = t.name;
    t.stats.scheme = t.scheme;
    t.stats.out_features = lp.weight.size(0);
    t.stats.in_features = lp.weight.size(1);
    t.stats.weight_rel_error_rtn = relError(lp.weight, rtn.weight);
    t.stats.weight_rel_error_tuned = relError(lp.weight, t.result.weight);
    t.stats.flipped_fraction = t.result.q.ne(rtn.q).to(at::kFloat).mean().item<double>();
    return t;
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

Result<double> blockLoss(const BlockForward& forward, const std::map<std::string, at::Tensor>& overrides, const at::Tensor& inputs,
                         const at::Tensor& targets, const TuneOptions& opt) {
    if (!opt.collective) return blockLoss(forward, overrides, inputs, targets, opt.batch_size);
    at::NoGradGuard ng;
    double sum = 0.0;
    for (std::int64_t b = 0; b < inputs.size(0); b += opt.batch_size) {
        const std::int64_t k = std::min<std::int64_t>(opt.batch_size, inputs.size(0) - b);
        at::Tensor out = forward(inputs.narrow(0, b, k), overrides);
        sum += maskedMse(out, targets.narrow(0, b, k)).item<double>() * static_cast<double>(k);
    }
    at::Tensor total = at::full({1}, sum, inputs.options().dtype(at::kDouble));
    SRS_TRY(opt.collective->allreduceSum(total, where(opt) + " (block loss)"));
    return total.item<double>() / static_cast<double>(globalSamples(inputs, opt));
}

Result<BlockTuneResult> tuneBlock(const BlockForward& forward, const std::map<std::string, at::Tensor>& weights,
                                  const at::Tensor& inputs, const at::Tensor& targets, const std::vector<LayerPlan>& plan,
                                  const TuneOptions& opt, const IterationFn& on_iteration, const CancelToken& cancel) {
    BlockTuneResult result;
    if (inputs.size(0) == 0) return makeError(ErrorCode::InvalidArgument, "no calibration samples for the block");
    if (opt.batch_size < 1 || opt.gradient_accumulate_steps < 1)
        return makeError(ErrorCode::InvalidArgument, "batch_size and gradient_accumulate_steps must be at least 1");
    try {
        // Refused before anything is tuned: the loss would be NaN from the first batch.
        if (!allFinite(inputs))
            return makeError(ErrorCode::InvalidArgument, where(opt) + ": the block's inputs hold " + describeNonFinite(inputs), kOverflowHint);
        if (!allFinite(targets))
            return makeError(ErrorCode::InvalidArgument,
                             where(opt) + ": the full-precision block's outputs (the tuning targets) hold " + describeNonFinite(targets), kOverflowHint);
        auto params = makeLayerParams(weights, plan, opt);
        if (!params) return params.error();
        const bool fused = useFusedKernels(opt, *params);
        kernels::FastLinearScope fast_linear(fused);

        // Round-to-nearest reference (also what iters = 0 keeps).
        std::map<std::string, QdqResult> rtn_q;
        {
            at::NoGradGuard ng;
            rtn_q = qdqAll(*params, false);
        }
        for (const auto& lp : *params) {
            const QdqProblem problem = qdqProblem(lp, rtn_q.at(lp.plan->name));
            if (!problem.text.empty())
                return makeError(ErrorCode::InvalidArgument, where(opt, lp.plan->name) + ": round-to-nearest gives " + problem.text, problem.hint);
        }
        auto rtn_loss = blockLoss(forward, overridesOf(rtn_q), inputs, targets, opt);
        if (!rtn_loss) return rtn_loss.error();
        result.rtn_loss = *rtn_loss;
        if (!std::isfinite(result.rtn_loss)) return lossError(*params, opt, result.rtn_loss, "with round-to-nearest weights", false);

        TuneLoop loop(forward, inputs, targets, opt, *params);
        SRS_TRY(runIterations(loop, fused, on_iteration, cancel, result.minibatch_losses));
        result.best_iter = loop.best.iter;

        at::NoGradGuard ng;
        std::map<std::string, QdqResult> final_q = finalQdq(*params, loop.best, rtn_q, opt);
        for (const auto& lp : *params) {
            const QdqProblem problem = qdqProblem(lp, final_q.at(lp.plan->name));
            if (!problem.text.empty())
                return makeError(ErrorCode::InvalidArgument, where(opt, lp.plan->name) + ": the kept quantization gives " + problem.text, problem.hint);
        }
        result.best_loss = result.rtn_loss;
        if (opt.iters > 0 || opt.imatrix) {
            auto best_loss = blockLoss(forward, overridesOf(final_q), inputs, targets, opt);
            if (!best_loss) return best_loss.error();
            result.best_loss = *best_loss;
        }
        if (!std::isfinite(result.best_loss)) return lossError(*params, opt, result.best_loss, "with the kept weights", opt.iters > 0);
        for (const auto& lp : *params) {
            TunedLayer t = tunedLayer(lp, final_q.at(lp.plan->name), rtn_q.at(lp.plan->name));
            result.qdq_weights[t.name] = t.result.weight;
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
    l.scheme = t.scheme;
    l.out_features = t.result.q.size(0);
    l.in_features = t.result.q.size(1);
    at::Tensor q = t.result.q.to(at::kCPU).to(at::kByte).contiguous();
    l.q.assign(q.data_ptr<std::uint8_t>(), q.data_ptr<std::uint8_t>() + q.numel());
    at::Tensor s = t.result.scale.to(at::kCPU).to(at::kFloat).contiguous();
    l.scales.assign(s.data_ptr<float>(), s.data_ptr<float>() + s.numel());
    at::Tensor z = t.result.zero.to(at::kCPU).to(at::kInt).contiguous();
    l.zeros.assign(z.data_ptr<std::int32_t>(), z.data_ptr<std::int32_t>() + z.numel());
    if (bias.defined()) {
        at::Tensor b = bias.to(at::kCPU).to(at::kFloat).contiguous();
        l.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    }
    return l;
}

}  // namespace srs::quant
