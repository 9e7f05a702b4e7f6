#include "core/job/tune_step.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>

#include "core/model/llama_model.h"
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
    return opt;
}

}  // namespace

BlockTuner::BlockTuner(const RunPlan& plan, const io::WeightSource& source, at::ScalarType dtype, std::int64_t seqlen, JobObserver& observer,
                       const CancelToken& cancel, PauseFn pause_point)
    : plan_(plan), source_(source), dtype_(dtype), obs_(observer), cancel_(cancel), pause_(std::move(pause_point)) {
    auto [cos, sin] = model::Rope(source.config()).cosSin(at::arange(seqlen, at::kLong));
    cos_ = cos;
    sin_ = sin;
}

Result<TunedBlock> BlockTuner::tune(int k, BlockInputs& inputs) {
    const auto t0 = Clock::now();
    const std::int64_t paused0 = cancel_.pausedMs();
    auto block = model::DecoderBlock::load(source_, k, dtype_);
    if (!block) return block.error();
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
    const bool opt_rtn = opt.iters == 0 && !plan_.config.disable_opt_rtn;
    std::map<std::string, at::Tensor> imatrix;
    if (opt_rtn) opt.imatrix = &imatrix;
    auto fp_out = runBlock(**block, inputs.fp, cos_, sin_, plan_, nullptr, opt_rtn ? &imatrix : nullptr, cancel_);
    if (!fp_out) return fp_out.error();
    const at::Tensor input = plan_.config.enable_quanted_input && inputs.q.defined() ? inputs.q : inputs.fp;
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

    TunedBlock out;
    for (const auto& t : r.layers) out.layers.push_back(quant::toQuantizedLayer(prefix + t.name, t, (*block)->bias(t.name)));
    const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() - (cancel_.pausedMs() - paused0);
    out.stats = BlockFinished{k, plan_.num_blocks, r.rtn_loss, r.best_loss, r.best_iter, std::max<std::int64_t>(0, ms), {}};
    for (const auto& t : r.layers) out.stats.layers.push_back(t.stats);
    inputs.fp = *fp_out;
    inputs.q = *q_out;
    return out;
}

}  // namespace srs::job
