#include "core/job/tune_step.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>
#include <cmath>
#include <set>

#include "core/model/llama_model.h"
#include "core/quant/nonfinite.h"
#include "core/quant/signround.h"
#include "kernels/linear.h"

namespace srs::job {
namespace {

using Clock = std::chrono::steady_clock;

// The block over all samples in mini-batches, without gradients, on the run's kernel path;
// overrides: the tuned layers' dequantized weights (null: the original block).
Result<at::Tensor> runBlock(const model::DecoderBlock& b, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, const RunPlan& plan,
                            const model::WeightOverrides* overrides, std::map<std::string, at::Tensor>* sq_sums, const CancelToken& cancel) {
    at::NoGradGuard ng;
    kernels::FastLinearScope fast(plan.kernels != quant::KernelPath::Reference);
    std::vector<at::Tensor> outs;
    const std::int64_t bs = std::max(1, plan.config.batch_size);
    for (std::int64_t i = 0; i < x.size(0); i += bs) {
        SRS_TRY(cancel.check("running a block"));
        outs.push_back(b.forward(x.narrow(0, i, std::min(bs, x.size(0) - i)), cos, sin, overrides, sq_sums));
    }
    return at::cat(outs, 0).contiguous();
}

const char* const kBadSourceHint =
    "quantizing cannot repair non-finite weights: the model file is damaged or was saved from a diverged training run; "
    "re-download or re-convert it";
const char* const kOverflowHint =
    "the model's weights or the calibration data drive the activations past float32's range; check the model file "
    "(signround eval on it shows whether its own outputs are finite) and the calibration text";

std::string blockName(int k) { return "block " + std::to_string(k + 1) + " (model.layers." + std::to_string(k) + ")"; }

// One source tensor outside the block's linears (a norm's weight, the embedding), refused when
// not finite. where: "block 4 (model.layers.3)", or empty outside the blocks.
Status checkSourceTensor(const io::WeightSource& source, const std::string& name, const std::string& where) {
    auto t = source.loadFloat(name);
    if (!t) return t.error();
    for (float v : t->data)
        if (!std::isfinite(v))
            return makeError(ErrorCode::InvalidArgument,
                             (where.empty() ? std::string() : where + ": ") + "the source tensor " + name + " holds " +
                                 quant::describeNonFinite(model::toTensor(*t, at::kFloat)),
                             kBadSourceHint);
    return {};
}

// input_layernorm / post_attention_layernorm / q_norm / k_norm: the block's other float tensors.
bool isNormWeight(const std::string& name) {
    const std::string suffix = "norm.weight";
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Every weight of block k as loaded (the linears, their biases) and its other tensors (norms)
// from the source: a NaN or infinity there is refused before anything is run or tuned.
Status checkBlockWeights(const model::DecoderBlock& b, const io::WeightSource& source, int k) {
    const std::string prefix = "model.layers." + std::to_string(k) + ".";
    const std::string block = "block " + std::to_string(k + 1);
    std::set<std::string> linear_tensors;
    for (const auto& l : model::blockLinearNames()) {
        for (const auto& [t, suffix] : std::initializer_list<std::pair<const at::Tensor*, const char*>>{{&b.weight(l), ".weight"}, {&b.bias(l), ".bias"}}) {
            linear_tensors.insert(prefix + l + suffix);
            if (!quant::allFinite(*t))
                return makeError(ErrorCode::InvalidArgument, block + ", layer " + prefix + l + ": the source tensor " + prefix + l + suffix + " holds " +
                                                                 quant::describeNonFinite(*t), kBadSourceHint);
        }
    }
    for (const auto& name : source.tensorNames())
        if (name.compare(0, prefix.size(), prefix) == 0 && !linear_tensors.count(name) && isNormWeight(name))
            SRS_TRY(checkSourceTensor(source, name, blockName(k)));
    return {};
}

// The block's tensor of largest magnitude (its linears' weights as run, its norms from the
// source): the usual culprit when activations overflow on finite weights.
std::pair<std::string, double> largestWeight(const model::DecoderBlock& b, const io::WeightSource& source, const model::WeightOverrides* overrides,
                                             int k) {
    const std::string prefix = "model.layers." + std::to_string(k) + ".";
    std::pair<std::string, double> best{"", -1.0};
    for (const auto& l : model::blockLinearNames()) {
        auto o = overrides ? overrides->find(l) : model::WeightOverrides::const_iterator();
        const at::Tensor& w = overrides && o != overrides->end() ? o->second : b.weight(l);
        const double m = w.abs().max().item<double>();
        if (m > best.second) best = {prefix + l + ".weight", m};
    }
    for (const auto& name : source.tensorNames()) {
        if (name.compare(0, prefix.size(), prefix) != 0 || !isNormWeight(name)) continue;
        auto t = source.loadFloat(name);
        if (!t) continue;
        for (float v : t->data)
            if (std::fabs(v) > best.second) best = {name, std::fabs(v)};
    }
    return best;
}

// Where a block's forward stops being finite on finite inputs and finite weights: the first
// linear (in forward order) whose input activations overflow float32 (their Σx² is not finite),
// and the block's largest weight. Runs the block once more, sample by sample; only on failure.
Error activationError(const model::DecoderBlock& b, const io::WeightSource& source, const at::Tensor& x, const at::Tensor& out, const at::Tensor& cos,
                      const at::Tensor& sin, const model::WeightOverrides* overrides, int k, const std::string& chain) {
    at::NoGradGuard ng;
    const std::string prefix = "model.layers." + std::to_string(k) + ".";
    std::map<std::string, at::Tensor> sq;
    for (std::int64_t i = 0; i < x.size(0); ++i) b.forward(x.narrow(0, i, 1), cos, sin, overrides, &sq);
    std::string layer;
    for (const auto& l : model::blockLinearNames()) {
        auto it = sq.find(l);
        if (it != sq.end() && !quant::allFinite(it->second)) {
            layer = l;
            break;
        }
    }
    const auto [largest_name, largest] = largestWeight(b, source, overrides, k);
    std::string msg = layer.empty() ? blockName(k) : "block " + std::to_string(k + 1) + ", layer " + prefix + layer;
    msg += ": the " + chain + " block's output holds " + quant::describeNonFinite(out) + " although its inputs and weights are finite: ";
    msg += layer.empty() ? "the activations overflow float32 after its last linear layer (in a norm or the residual sum)"
                         : "the activations entering this layer overflow float32";
    msg += "; the block's largest weight magnitude, " + quant::formatValue(largest) + ", is in " + largest_name;
    return makeError(ErrorCode::InvalidArgument, msg, kOverflowHint);
}

// The block's inputs, refused when not finite: from the embedding for the first block, else from
// the checkpoint (a later block's inputs are the outputs checked in tune()).
Status checkInputs(const BlockInputs& in, int k) {
    for (const auto& [t, chain] : std::initializer_list<std::pair<const at::Tensor*, const char*>>{{&in.fp, "full-precision"}, {&in.q, "quantized"}})
        if (!quant::allFinite(*t))
            return makeError(ErrorCode::InvalidArgument,
                             blockName(k) + ": the " + chain + " chain's inputs hold " + quant::describeNonFinite(*t) +
                                 (k == 0 ? " (the embeddings, model.embed_tokens.weight, of the calibration tokens)" : " (read from the checkpoint)"),
                             k == 0 ? std::string(kBadSourceHint) : "run without --resume to start over");
    return {};
}

quant::TuneOptions tuneOptions(const RunPlan& plan, int k) {
    const JobConfig& c = plan.config;
    quant::TuneOptions opt;
    opt.iters = c.effectiveIters();
    opt.lr = c.lr.value_or(0.0);
    opt.minmax_lr = c.minmax_lr.value_or(0.0);
    opt.batch_size = c.batch_size;
    opt.gradient_accumulate_steps = c.gradient_accumulate_steps;
    opt.enable_minmax_tuning = c.enable_minmax_tuning;
    opt.not_use_best_mse = c.not_use_best_mse;
    opt.dynamic_max_gap = c.dynamic_max_gap;
    opt.seed = c.seed + static_cast<std::uint64_t>(k);  // per block, so a resumed run samples the same
    opt.kernels = plan.kernels;
    opt.block_number = k + 1;
    opt.module_prefix = "model.layers." + std::to_string(k) + ".";
    return opt;
}

}  // namespace

Status checkModelTensorsFinite(const io::WeightSource& source) {
    for (const char* name : {"model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"})
        if (source.has(name)) SRS_TRY(checkSourceTensor(source, name, {}));
    return {};
}

BlockTuner::BlockTuner(const RunPlan& plan, const io::WeightSource& source, at::ScalarType dtype, std::int64_t seqlen, JobObserver& observer,
                       const CancelToken& cancel, PauseFn pause_point, c10::Device device)
    : plan_(plan), source_(source), dtype_(dtype), obs_(observer), cancel_(cancel), pause_(std::move(pause_point)), device_(device) {
    auto [cos, sin] = model::Rope(source.config()).cosSin(at::arange(seqlen, at::kLong));
    cos_ = cos.to(device_);
    sin_ = sin.to(device_);
}

void BlockTuner::setDistributed(dist::Collective* collective, std::int64_t shard_first, std::int64_t global_samples) {
    collective_ = collective;
    shard_first_ = shard_first;
    global_samples_ = global_samples;
}

Result<TunedBlock> BlockTuner::tune(int k, BlockInputs& inputs) {
    const auto t0 = Clock::now();
    const std::int64_t paused0 = cancel_.pausedMs();
    auto block = model::DecoderBlock::load(source_, k, dtype_);
    if (!block) return block.error();
    SRS_TRY(checkBlockWeights(**block, source_, k));
    SRS_TRY(checkInputs(inputs, k));
    // On a GPU: the block and this block's activations there (host copies stay in `inputs`).
    BlockInputs on;
    try {
        (*block)->to(device_);
        on.fp = inputs.fp.to(device_);
        if (inputs.q.defined()) on.q = inputs.q.to(device_);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Unsupported, blockName(k) + ": cannot place the block and its activations on " + device_.str() + ": " + e.what(),
                         "use fewer --nsamples or a shorter --seqlen, or --device cpu");
    }
    std::vector<quant::LayerPlan> layers;
    std::map<std::string, at::Tensor> weights;
    const std::string prefix = "model.layers." + std::to_string(k) + ".";
    BlockStarted started{k, plan_.num_blocks, {}, plan_.config.effectiveIters()};
    for (const auto& l : model::blockLinearNames()) {
        const PlannedLayer* p = plan_.layer(prefix + l);
        if (!p || !p->scheme) continue;
        layers.push_back({l, *p->scheme});
        weights[l] = (*block)->weight(l).to(at::kFloat);
        started.layers.push_back(prefix + l);
    }
    obs_.onBlockStarted(started);

    // Optimized RTN (iters 0) weighs each input channel by its Σx² on the FP forward.
    quant::TuneOptions opt = tuneOptions(plan_, k);
    opt.collective = collective_;
    opt.shard_first = shard_first_;
    opt.global_samples = global_samples_;
    const bool opt_rtn = opt.iters == 0 && !plan_.config.disable_opt_rtn;
    std::map<std::string, at::Tensor> imatrix;
    if (opt_rtn) opt.imatrix = &imatrix;
    auto fp_out = runBlock(**block, on.fp, cos_, sin_, plan_, nullptr, opt_rtn ? &imatrix : nullptr, cancel_);
    if (!fp_out) return fp_out.error();
    if (!quant::allFinite(*fp_out)) return activationError(**block, source_, on.fp, *fp_out, cos_, sin_, nullptr, k, "full-precision");
    if (collective_ && opt_rtn) {  // the input statistics of every rank's samples
        std::vector<at::Tensor*> sums;
        for (auto& [name, t] : imatrix) sums.push_back(&t);
        SRS_TRY(dist::allreduceSum(*collective_, sums, blockName(k) + " (input statistics)"));
    }
    const at::Tensor input = plan_.config.enable_quanted_input && on.q.defined() ? on.q : on.fp;
    const model::DecoderBlock* bp = block->get();
    auto forward = [this, bp](const at::Tensor& x, const std::map<std::string, at::Tensor>& o) { return bp->forward(x, cos_, sin_, &o); };
    quant::BlockTuneResult r;
    if (!layers.empty()) {
        auto tuned = quant::tuneBlock(forward, weights, input, *fp_out, layers, opt,
                                      [&](int it, double loss, double lr) {
                                          obs_.onIteration({k, it, opt.iters, loss, lr});
                                          pause_("at block " + std::to_string(k + 1) + ", iteration " + std::to_string(it + 1));
                                      },
                                      cancel_);
        if (!tuned) return tuned.error();
        r = std::move(*tuned);
    }
    auto q_out = runBlock(**block, input, cos_, sin_, plan_, &r.qdq_weights, nullptr, cancel_);
    if (!q_out) return q_out.error();
    if (!quant::allFinite(*q_out)) return activationError(**block, source_, input, *q_out, cos_, sin_, &r.qdq_weights, k, "quantized");

    TunedBlock out;
    for (const auto& t : r.layers) out.layers.push_back(quant::toQuantizedLayer(prefix + t.name, t, (*block)->bias(t.name)));
    const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() - (cancel_.pausedMs() - paused0);
    out.stats = BlockFinished{k, plan_.num_blocks, r.rtn_loss, r.best_loss, r.best_iter, std::max<std::int64_t>(0, ms), {}};
    for (const auto& t : r.layers) out.stats.layers.push_back(t.stats);
    inputs.fp = fp_out->to(at::kCPU);
    inputs.q = q_out->to(at::kCPU);
    return out;
}

}  // namespace srs::job
