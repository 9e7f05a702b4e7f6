// SignRound for one decoder block (ALGORITHM.md §1): each linear gets a rounding offset V per
// weight and clipping factors α/β per group; SignSGD moves them by lr·sign(grad) with a linearly
// decaying learning rate to minimise the MSE between the quantized block's output (on the
// quantized chain's inputs) and the full-precision block's output; the parameters of the
// iteration with the lowest mini-batch loss are kept. iters = 0 is round-to-nearest.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/dist/collective.h"
#include "core/export/quantized_model.h"
#include "core/job/job_events.h"
#include "core/quant/quant_scheme.h"
#include "core/quant/quant_math.h"

namespace srs::quant {


struct TuneOptions {
    int iters = 200;
    double lr = 0.0;         // <= 0: auto per layer, 1/iters (2/iters when iters >= 1000 and bits <= 3)
    double minmax_lr = 0.0;  // <= 0: same as that layer's lr
    int batch_size = 8;
    int gradient_accumulate_steps = 1;
    bool enable_minmax_tuning = true;
    bool not_use_best_mse = false;
    int dynamic_max_gap = -1;
    std::uint64_t seed = 42;
    KernelPath kernels = KernelPath::Fused;
    // iters = 0 only: optimized RTN with these per-layer input statistics (Σx² per input
    // channel), for symmetric layers below 8 bits; null = plain RTN.
    const std::map<std::string, at::Tensor>* imatrix = nullptr;
    // Where the block sits, for error messages: its 1-based number (0: not named) and the prefix
    // of its layers' module names ("model.layers.3.").
    int block_number = 0;
    std::string module_prefix;
    // A distributed run (null: one process). `inputs` / `targets` hold this rank's samples, rows
    // [shard_first, shard_first + inputs.size(0)) of global_samples; every rank draws the same
    // global mini-batches, runs forward and backward on the samples of them it holds, and the
    // gradients and losses are summed over the ranks before the same SignSGD step everywhere.
    dist::Collective* collective = nullptr;
    std::int64_t shard_first = 0;
    std::int64_t global_samples = 0;
};

double autoLearningRate(int iters, int bits);

struct LayerPlan {
    std::string name;  // linear name within the block, e.g. "self_attn.q_proj"
    QuantScheme scheme;
};

// The block as the tuner sees it: a forward that takes replacement weights for its linears.
using BlockForward = std::function<at::Tensor(const at::Tensor& hidden, const std::map<std::string, at::Tensor>& overrides)>;
// (iteration, mini-batch loss, learning rate) for live plots.
using IterationFn = std::function<void(int iter, double loss, double lr)>;

struct TunedLayer {
    std::string name;
    QuantScheme scheme;
    QdqResult result;  // with the kept parameters, detached
    job::LayerStats stats;
};

struct BlockTuneResult {
    double rtn_loss = 0.0;   // block-output MSE over all samples with round-to-nearest
    double best_loss = 0.0;  // the same with the kept parameters
    int best_iter = 0;
    std::vector<double> minibatch_losses;
    std::vector<TunedLayer> layers;
    std::map<std::string, at::Tensor> qdq_weights;  // linear name -> dequantized weight (float32)
};

// weights: the full-precision [out, in] weights of the linears in `plan` (float32).
// inputs / targets: [N, T, H]; the loss ignores each sample's last position (no next token).
// Nothing non-finite comes out: a weight, input or target holding NaN / infinity is refused before
// tuning, and a loss (round-to-nearest, any iteration, the kept one), a gradient of V / α / β or a
// layer's scale / zero / dequantized weight that is not finite stops the block with an error naming
// the block, the layer where one is to blame, and what was not finite.
Result<BlockTuneResult> tuneBlock(const BlockForward& forward, const std::map<std::string, at::Tensor>& weights,
                                  const at::Tensor& inputs, const at::Tensor& targets, const std::vector<LayerPlan>& plan,
                                  const TuneOptions& options, const IterationFn& on_iteration, const CancelToken& cancel);

// Masked block-output MSE over all samples, in batches, without gradients.
double blockLoss(const BlockForward& forward, const std::map<std::string, at::Tensor>& overrides, const at::Tensor& inputs,
                 const at::Tensor& targets, int batch_size);
// The same over all ranks' samples when options.collective is set (each rank passes its shard).
Result<double> blockLoss(const BlockForward& forward, const std::map<std::string, at::Tensor>& overrides, const at::Tensor& inputs,
                         const at::Tensor& targets, const TuneOptions& options);

// The export hand-off for one tuned layer (full module name given).
exporter::QuantizedLayer toQuantizedLayer(const std::string& module_name, const TunedLayer& layer, const at::Tensor& bias);

}  // namespace srs::quant
