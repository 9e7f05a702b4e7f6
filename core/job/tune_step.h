// The tuning step of a run, one decoder block at a time: load the block from disk, run it on the
// FP chain's inputs for the targets, tune its planned layers (SignRound, or RTN with iters 0) on
// the quantized chain's inputs, and run the tuned block to get the next block's quantized-chain
// inputs. Internal to the pipeline (LibTorch).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/dist/collective.h"
#include "core/export/quantized_model.h"
#include "core/io/weight_source.h"
#include "core/job/job_events.h"
#include "core/job/run_plan.h"

namespace srs::job {

// The inputs of the next block to tune: the full-precision chain's and the quantized chain's
// (undefined before the first block).
struct BlockInputs {
    at::Tensor fp, q;
};

struct TunedBlock {
    std::vector<exporter::QuantizedLayer> layers;  // with data, for the block file
    BlockFinished stats;
};

// The source's tensors outside the decoder blocks (embedding, final norm, head), refused when one
// holds NaN or infinity, naming it; the blocks' own are checked as each is tuned. Loads them one
// at a time.
Status checkModelTensorsFinite(const io::WeightSource& source);

class BlockTuner {
public:
    using PauseFn = std::function<void(const std::string& where)>;
    // device: where each block computes (its weights, the tuning parameters and, for the block's
    // time, its share of the activation caches; the caches themselves stay in host memory, where
    // the checkpoint writes them).
    BlockTuner(const RunPlan& plan, const io::WeightSource& source, at::ScalarType dtype, std::int64_t seqlen, JobObserver& observer,
               const CancelToken& cancel, PauseFn pause_point, c10::Device device = c10::Device(c10::kCPU));

    // A distributed run: `inputs` hold this rank's samples, rows [shard_first, shard_first + n)
    // of global_samples; the losses, gradients and input statistics are summed over the ranks.
    void setDistributed(dist::Collective* collective, std::int64_t shard_first, std::int64_t global_samples);

    // Tunes block k and replaces `inputs` with its outputs (the next block's inputs).
    Result<TunedBlock> tune(int k, BlockInputs& inputs);

private:
    const RunPlan& plan_;
    const io::WeightSource& source_;
    at::ScalarType dtype_;
    JobObserver& obs_;
    CancelToken cancel_;
    PauseFn pause_;
    at::Tensor cos_, sin_;
    c10::Device device_;
    dist::Collective* collective_ = nullptr;
    std::int64_t shard_first_ = 0, global_samples_ = 0;
};

}  // namespace srs::job
