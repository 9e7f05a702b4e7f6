#include "core/device/estimator.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <thread>

#include "core/common/units.h"
#include "core/eval/kld_summary.h"

namespace fs = std::filesystem;

namespace srs::device {
namespace {

// Per block: the weights of all its linears (all) and of the ones being tuned (tuned).
struct BlockParams {
    double all = 0, tuned = 0;
    double groups = 0;  // quantization groups of the tuned layers (one α and one β each)
    double padded = 0;  // the tuned weights padded to whole groups (V's entries)
};

BlockParams blockParams(const job::RunPlan& plan) {
    BlockParams b;
    for (const auto& l : plan.layers)
        if (l.block == 0) {
            const double p = static_cast<double>(l.out_features) * static_cast<double>(l.in_features);
            b.all += p;
            if (l.quantized()) {
                b.tuned += p;
                const double g = static_cast<double>(l.scheme->groups(l.in_features));
                b.groups += static_cast<double>(l.out_features) * g;
                b.padded += static_cast<double>(l.out_features) * g * l.scheme->effectiveGroupSize(l.in_features);
            }
        }
    return b;
}

// Memory while a block is tuned. One activation cache holds nsamples × seqlen × hidden values; at
// a block boundary the FP inputs, FP outputs, quantized-chain inputs and the quantized outputs
// being assembled (its pieces plus the concatenation) are alive: five caches. While tuning, three
// caches plus the autograd graph of one mini-batch: per token about 8·hidden + 4·intermediate
// values of the compute dtype, kept for backward and mirrored by the gradients. The reference
// path also keeps, per head, a row of scores in fp32 (scaled, masked, softmax) and in the compute
// dtype; the kernels path's tiled attention keeps none (it recomputes a tile's scores in
// backward) and holds a few tiles of 256 query rows per thread.
// In a distributed run each rank holds its share of the samples (rounded up): the caches shrink,
// the block and its tuning state do not.
double tuningBytes(const job::RunPlan& plan, const io::ModelConfig& mc, const BlockParams& p, int world) {
    const job::JobConfig& c = plan.config;
    const double N = std::ceil(c.effectiveNsamples() / static_cast<double>(world)), T = c.effectiveSeqlen(), B = std::max(1, c.batch_size);
    const double H = static_cast<double>(mc.hidden_size), I = static_cast<double>(mc.intermediate_size);
    const double heads = static_cast<double>(mc.num_attention_heads);
    const double cd = c.amp_dtype == "float32" ? 4.0 : 2.0;  // bytes per activation in the compute dtype
    const int iters = c.effectiveIters();
    const double act = N * T * H * cd;
    const double block_weights = p.all * cd + p.all * 4.0;  // the block in the compute dtype + the mapped pages read
    const double tuned_weights = iters > 0 ? p.tuned * 4.0 * 6.0  // fp32 copy, V, its gradient, best V, qdq weight and its gradient
                                           : p.tuned * 4.0 * 3.0;  // fp32 copy, qdq weight, RTN result
    const bool kernels = plan.kernels != quant::KernelPath::Reference;
    const double per_token_graph = (8.0 * H + 4.0 * I) * cd + (kernels ? 0.0 : heads * T * (3.0 * 4.0 + cd));
    const double kv_group = std::max(1.0, heads / std::max<double>(1.0, static_cast<double>(mc.num_key_value_heads)));
    const double attention_tiles = kernels ? std::max(1u, std::thread::hardware_concurrency()) * kv_group * 256.0 * T * (4.0 * 4.0) : 0.0;  // scores, ∂p, probabilities, ∂s
    const double graph = iters > 0 ? 2.0 * B * T * per_token_graph + attention_tiles : 0.0;
    const double forward_batch = B * T * ((4.0 * H + 3.0 * I) * cd) + 8.0 * 1024 * 1024;  // no-grad block forward + one score chunk
    return block_weights + tuned_weights + std::max(3.0 * act + std::max(graph, forward_batch), 5.0 * act);
}

// GPU memory while a block is tuned on a GPU (core/job/tune_step_torch.cpp): the block in the
// compute dtype, its tuned layers' fp32 state as on the CPU, the block's FP and quantized-chain
// inputs and its FP outputs moved there for the block (three caches), and either one mini-batch's
// autograd graph (LibTorch's fused attention keeps no score matrices) or, at the end of the block,
// the quantized outputs being assembled (two more caches).
double gpuTuningBytes(const job::RunPlan& plan, const io::ModelConfig& mc, const BlockParams& p, int world) {
    const job::JobConfig& c = plan.config;
    const double N = std::ceil(c.effectiveNsamples() / static_cast<double>(world)), T = c.effectiveSeqlen(), B = std::max(1, c.batch_size);
    const double H = static_cast<double>(mc.hidden_size), I = static_cast<double>(mc.intermediate_size);
    const double cd = c.amp_dtype == "float32" ? 4.0 : 2.0;
    const int iters = c.effectiveIters();
    const double act = N * T * H * cd;
    const double block_weights = p.all * cd;
    const double tuned_weights = iters > 0 ? p.tuned * 4.0 * 6.0 : p.tuned * 4.0 * 3.0;
    const double graph = iters > 0 ? 2.0 * B * T * (8.0 * H + 4.0 * I) * cd : B * T * (4.0 * H + 3.0 * I) * cd;
    return block_weights + tuned_weights + std::max(3.0 * act + graph, 5.0 * act);
}

// The CUDA context, LibTorch's kernels and cuBLAS's workspace: an allowance of 1 GiB, not yet
// measured (no session has had a GPU; tools/gpu/check.sh samples the real peak with nvidia-smi).
constexpr double kCudaContextBytes = 1024.0 * 1024.0 * 1024.0;

// Calibration: the text files, their token ids, the embedding and the first cache.
double calibrationBytes(const job::JobConfig& c, const io::ModelConfig& mc) {
    const double N = c.effectiveNsamples(), T = c.effectiveSeqlen(), H = static_cast<double>(mc.hidden_size);
    const double cd = c.amp_dtype == "float32" ? 4.0 : 2.0;
    double text_bytes = 0;
    for (const auto& d : c.datasets) {
        std::error_code ec;
        const auto size = fs::file_size(d, ec);
        if (!ec) text_bytes += static_cast<double>(size);
    }
    return 3.0 * text_bytes + N * T * 8.0 + static_cast<double>(mc.vocab_size) * H * cd + N * T * H * cd;
}

// Evaluation (core/job/evaluate_step_torch.cpp): each export is scored with the original as the
// reference for its KL divergence, so two whole models are resident in float32 (the export
// dequantized and the original), with the logits of both for a batch of 8 windows, and the
// double-precision buffers one scoring step uses (core/eval/kld_summary.h).
double evaluationBytes(const job::JobConfig& c, const io::WeightSource& source) {
    if (c.eval_text.empty()) return 0;
    double params = 0;
    for (const auto& n : source.tensorNames()) {
        auto shape = source.shape(n);
        if (!shape) continue;
        double p = 1;
        for (auto d : *shape) p *= static_cast<double>(d);
        params += p;
    }
    const double vocab = static_cast<double>(source.config().vocab_size);
    const double chunk = static_cast<double>(eval::kScoreChunkBuffers) * std::max<double>(static_cast<double>(eval::kScoreChunkValues), vocab) * 8.0;
    return 2.0 * params * 4.0 + 2.0 * 8.0 * c.eval_window * vocab * 4.0 + chunk;
}

}  // namespace

double blockForwardFlopsPerToken(const io::ModelConfig& mc, double block_linear_params, int seqlen) {
    const double heads = static_cast<double>(mc.num_attention_heads);
    const double hd = static_cast<double>(mc.head_dim > 0 ? mc.head_dim : mc.hidden_size / std::max<std::int64_t>(1, mc.num_attention_heads));
    return 2.0 * block_linear_params + 4.0 * seqlen * heads * hd;
}

Result<JobEstimate> estimateJob(const job::JobConfig& config, const MachineRates& rates) {
    auto source = io::openWeightSource(config.model);
    if (!source) return source.error();
    return estimateJob(*source, config, rates);
}

Result<JobEstimate> estimateJob(const std::shared_ptr<io::WeightSource>& source, const job::JobConfig& config, const MachineRates& rates) {
    if (!source) return makeError(ErrorCode::InvalidArgument, "no model to estimate");
    auto plan = job::planRun(*source, config);
    if (!plan) return plan.error();
    JobEstimate e;
    e.plan = std::move(*plan);
    const job::JobConfig& c = e.plan.config;
    const auto& mc = source->config();
    const BlockParams p = blockParams(e.plan);

    const int world = std::max(1, rates.world_size);
    // Every rank draws all the calibration samples before keeping its share; rank 0 alone evaluates.
    const double peak = std::max({tuningBytes(e.plan, mc, p, world), calibrationBytes(c, mc), evaluationBytes(c, *source)});
    e.job_memory_bytes = static_cast<std::uint64_t>(peak);
    e.peak_rss_bytes = rates.base_rss_bytes + e.job_memory_bytes;
    if (rates.gpu_memory_bytes > 0) {
        e.gpu_peak_bytes = static_cast<std::uint64_t>(std::max(gpuTuningBytes(e.plan, mc, p, world), evaluationBytes(c, *source)) + kCudaContextBytes);
        e.fits_gpu = static_cast<double>(e.gpu_peak_bytes) <= 0.95 * static_cast<double>(rates.gpu_memory_bytes);
    }

    // Time. Tuning runs iters × accumulation steps mini-batches forward and backward (≈ 3
    // forwards) and four forwards over all samples (FP target, RTN and best loss, quantized output),
    // at the rate a measured tuning step runs.
    const double N = c.effectiveNsamples(), T = c.effectiveSeqlen(), B = std::max(1, c.batch_size);
    const double f_tok = blockForwardFlopsPerToken(mc, p.all, static_cast<int>(T));
    // Distributed: the global batch and the samples are shared by the ranks; per iteration the
    // gradients of V / α / β (fp32) are summed by a ring all-reduce, and after each block the
    // ranks' activation caches go to rank 0.
    const double iters = c.effectiveIters();
    const double global_batch = std::min(N, B * c.gradient_accumulate_steps);
    const double per_block = iters * 3.0 * global_batch * T * f_tok / world + 4.0 * std::ceil(N / world) * T * f_tok;
    e.flops = per_block * e.plan.num_blocks;
    e.world_size = world;
    if (world > 1) {
        const double cd = c.amp_dtype == "float32" ? 4.0 : 2.0;
        const bool minmax = c.enable_minmax_tuning && iters > 0;
        e.gradient_values_per_block = iters > 0 ? p.padded + (minmax ? 2.0 * p.groups : 0.0) : 0.0;
        e.allreduce_bytes_per_iteration = 2.0 * (world - 1) / world * 4.0 * e.gradient_values_per_block;
        e.gather_bytes_per_block = 2.0 * (N - std::floor(N / world)) * T * static_cast<double>(mc.hidden_size) * cd;
        if (rates.link_gbytes_per_s > 0) {
            const double rate = rates.link_gbytes_per_s * 1e9;
            // Two collectives per iteration (gradients, loss), two per block (its losses).
            e.comm_seconds = e.plan.num_blocks * (iters * (e.allreduce_bytes_per_iteration / rate + 2.0 * rates.link_latency_s) +
                                                  e.gather_bytes_per_block / rate + 2.0 * rates.link_latency_s);
        }
    }
    if (rates.tuning_gflops > 0 && (world == 1 || rates.link_gbytes_per_s > 0))
        e.seconds = e.flops / (rates.tuning_gflops * 1e9) + e.comm_seconds;
    return e;
}

std::string gpuMemoryProblem(const JobEstimate& e, std::uint64_t gpu_memory_bytes) {
    if (gpu_memory_bytes == 0 || e.fits_gpu) return {};
    const job::JobConfig& c = e.plan.config;
    return "the run needs about " + units::formatBytes(e.gpu_peak_bytes) + " of GPU memory at its peak, the GPU has " +
           units::formatBytes(gpu_memory_bytes) + " (" + std::to_string(c.effectiveNsamples()) + " samples of " + std::to_string(c.effectiveSeqlen()) +
           " tokens are on the GPU while a block is tuned)";
}

}  // namespace srs::device
