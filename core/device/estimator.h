// The pre-flight estimate of a quantization run: the run's own plan (job::planRun: every layer's
// scheme, the exports and the bytes each will take) plus a cost model: the peak memory the run
// adds to its process and the tuning time from a per-block FLOP count and the machine's measured
// tuning rate. Plain C++: no torch, no Qt. Checked against measured runs by tests/unit/estimator.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/weight_source.h"
#include "core/job/job_config.h"
#include "core/job/run_plan.h"

namespace srs::device {

struct MachineRates {
    double tuning_gflops = 0.0;        // measured (measureTuningGflops); 0: unknown, no time estimate
    std::uint64_t base_rss_bytes = 0;  // resident memory of the process before the run
    // A distributed run (core/dist): its number of ranks, the rate one rank's all-reduce traffic
    // moves at (bytes on the wire per second per rank: NCCL's "bus bandwidth") and the latency of
    // one collective. A rate of 0 leaves the communication time unknown.
    int world_size = 1;
    double link_gbytes_per_s = 0.0;
    double link_latency_s = 0.0;
    // A run on a GPU: its memory (0: the run is on the CPU). tuning_gflops is then the GPU's.
    std::uint64_t gpu_memory_bytes = 0;
};

struct JobEstimate {
    job::RunPlan plan;                   // the run's own plan: layers, schemes, exports and their bytes
    std::uint64_t job_memory_bytes = 0;  // what the run adds to its process at its peak (per rank)
    std::uint64_t peak_rss_bytes = 0;    // base_rss_bytes + job_memory_bytes
    double flops = 0.0;                  // tuning and forward passes, all blocks (per rank: its share of the samples)
    double seconds = -1.0;               // flops / tuning rate + communication; -1 when a rate is unknown

    // Distributed runs (world_size > 1); all zero for one process.
    int world_size = 1;
    double gradient_values_per_block = 0.0;  // V, α and β of one block: what each iteration sums over the ranks
    double allreduce_bytes_per_iteration = 0.0;  // on the wire per rank: ring all-reduce, 2(N−1)/N × 4 bytes × those values
    double gather_bytes_per_block = 0.0;     // the other ranks' activation caches sent to rank 0 for the checkpoint
    double comm_seconds = 0.0;               // all of that at the link rate and latency, all blocks
    // A run on a GPU (rates.gpu_memory_bytes > 0): its peak GPU memory (the block, its tuning state,
    // the block's activation caches and one mini-batch's autograd graph, or the evaluation's two
    // models and logits, plus the CUDA context) and whether that fits the GPU with 5 % to spare.
    // On a GPU the activation caches live in host memory between blocks: job_memory_bytes counts them.
    std::uint64_t gpu_peak_bytes = 0;
    bool fits_gpu = true;
};

// Why a GPU run cannot fit, with the numbers and what to change; empty when it fits or runs on the CPU.
std::string gpuMemoryProblem(const JobEstimate& e, std::uint64_t gpu_memory_bytes);

Result<JobEstimate> estimateJob(const std::shared_ptr<io::WeightSource>& source, const job::JobConfig& config, const MachineRates& rates);
// Opens config.model first.
Result<JobEstimate> estimateJob(const job::JobConfig& config, const MachineRates& rates);

// FLOPs of one decoder block's forward per token: 2 per weight of its linears, and per head
// 4·seqlen·head_dim for the scores and the context (the full seqlen × seqlen product is
// computed, then masked).
double blockForwardFlopsPerToken(const io::ModelConfig& config, double block_linear_params, int seqlen);

// Implemented with LibTorch (estimator_torch.cpp), so only programs linking srs_core have them;
// the GUI receives the tuning rate as a function from app/gui/main.cpp. Thread-safe, cached.
//
// The plain matmul rate in GFLOP/s for an n×n×n multiply in dtype ("float32", "bfloat16"),
// measured once per (n, dtype) for about half a second.
double measureMatmulGflops(int n, const std::string& dtype);
// The rate a tuning step really runs at on this machine, in GFLOP/s of block forward FLOPs × 3
// (forward and backward): forward and backward passes of the model's first decoder block, its
// weights replaced by differentiable copies as the tuner does, on random batch × seqlen inputs in
// the run's compute dtype (at most 2048 tokens, sequences of at most 512): the median of three
// windows of 0.15 s, i.e. the machine as busy as it is now. Cached per (model, probe shape, dtype); 0 when the model cannot be read.
double measureTuningGflops(const job::JobConfig& config);

}  // namespace srs::device
