// The pre-flight estimate of a quantization run: which scheme each linear layer gets (as the
// pipeline decides it), the peak memory the run adds to its process, the tuning time from a
// per-block FLOP count and the machine's measured matmul rate, and the bytes every requested
// export will take (from the exporters' own plans: packed tensors, GGUF block types, configs,
// tokenizer files and model card). Plain C++: no torch, no Qt. Checked against measured runs by
// tests/unit/estimator.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/weight_source.h"
#include "core/job/job_config.h"

namespace srs::device {

struct PlannedLayer {
    std::string name;  // "model.layers.0.self_attn.q_proj"
    int block = 0;
    std::int64_t out_features = 0;
    std::int64_t in_features = 0;
    bool quantized = false;  // false: kept in full precision
    int bits = 16;
    int group_size = 0;
    bool sym = true;
    std::string kept_reason;  // why a layer stays in full precision
};

// Every decoder-block linear layer with its scheme under these settings, as the pipeline decides
// it: the default scheme, layer_config and fp_layers, the first GGUF format's per-tensor types,
// and packed formats keeping layers they cannot store in full precision. Errors: a bad scheme or
// layer_config (the message says which key).
Result<std::vector<PlannedLayer>> planLayers(const io::WeightSource& source, const job::JobConfig& config);

struct MachineRates {
    double tuning_gflops = 0.0;        // measured (measureTuningGflops); 0: unknown, no time estimate
    std::uint64_t base_rss_bytes = 0;  // resident memory of the process before the run
};

struct OutputEstimate {
    std::string format;  // as in JobConfig::formats ("auto_round", "gguf:q4_k_m")
    std::uint64_t bytes = 0;
};

struct JobEstimate {
    std::vector<PlannedLayer> layers;
    int layers_quantized = 0;
    std::uint64_t job_memory_bytes = 0;  // what the run adds to its process at its peak
    std::uint64_t peak_rss_bytes = 0;    // base_rss_bytes + job_memory_bytes
    double flops = 0.0;                  // tuning and forward passes, all blocks
    double seconds = -1.0;               // flops / tuning rate; -1 when the rate is unknown
    std::vector<OutputEstimate> outputs;
};

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
