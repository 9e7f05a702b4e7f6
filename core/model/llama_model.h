// The Llama-family decoder (llama, mistral, qwen2 with q/k/v bias, qwen3 with q/k RMSNorm):
// RMSNorm, rotate-half RoPE (plain, linear and llama3 scaling), grouped-query attention written
// out by hand on the reference path (the plain composition the kernels are checked against; the
// kernels path uses kernels/attention.h, which `bench tune` measures against LibTorch's
// scaled_dot_product_attention), SwiGLU MLP; tied or untied embeddings.
//
// DecoderBlock is the unit SignRound tunes: it loads only its own weights from a WeightSource, so
// a run can stream block by block, and its forward takes optional replacement weights for its
// linear layers, through which autograd flows. CausalLM chains embedding, blocks, norm and head.
// Header for core code only (it exposes at::Tensor); ui/ and app/ use the plain facades.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/weight_source.h"

namespace srs::model {

// The projections of one block, in forward order.
const std::vector<std::string>& blockLinearNames();  // "self_attn.q_proj", ..., "mlp.down_proj"

class Rope {
public:
    explicit Rope(const io::ModelConfig& config);
    // cos and sin for the given positions ([T] or [B,T] int64), shaped to broadcast over heads:
    // [T, head_dim] or [B, 1, T, head_dim], float32.
    std::pair<at::Tensor, at::Tensor> cosSin(const at::Tensor& positions) const;
    const at::Tensor& invFreq() const { return inv_freq_; }

private:
    at::Tensor inv_freq_;  // [head_dim / 2], float32, scaling applied
};

using WeightOverrides = std::map<std::string, at::Tensor>;

// The keys and values one block has seen so far, for generation one token at a time: after RoPE
// (and q/k norm), before the grouped-query repeat, in the hidden dtype. Storage grows by doubling,
// so appending a token copies only that token.
class BlockKvCache {
public:
    std::int64_t length() const { return length_; }
    // [B, KV, length, D] views of the stored keys / values (undefined while empty).
    at::Tensor keys() const;
    at::Tensor values() const;
    // Appends k, v [B, KV, T, D] at positions [length, length + T).
    void append(const at::Tensor& k, const at::Tensor& v);
    void clear();

private:
    at::Tensor k_, v_;  // [B, KV, capacity, D]
    std::int64_t length_ = 0;
};

// One BlockKvCache per block of a CausalLM.
struct KvCache {
    std::vector<BlockKvCache> blocks;
    std::int64_t length() const { return blocks.empty() ? 0 : blocks.front().length(); }
    void clear() { blocks.clear(); }
};

class DecoderBlock {
public:
    // Loads block `index` from the source; weights are converted to `dtype` (float32 or bfloat16).
    static Result<std::unique_ptr<DecoderBlock>> load(const io::WeightSource& source, int index, at::ScalarType dtype);

    int index() const { return index_; }
    const io::ModelConfig& config() const { return config_; }
    at::ScalarType dtype() const { return dtype_; }
    // [out, in] weight and (possibly undefined) bias of a linear, by its name in blockLinearNames().
    const at::Tensor& weight(const std::string& linear) const;
    const at::Tensor& bias(const std::string& linear) const;
    std::uint64_t sizeBytes() const;
    // Moves every tensor of the block to `device` (a no-op where they are already).
    void to(const c10::Device& device);
    c10::Device device() const;

    // hidden [B, T, H] -> [B, T, H]. cos/sin from Rope::cosSin. Overridden linears use the given
    // tensors (any dtype; cast to the hidden dtype) instead of the stored weights.
    // input_sq_sums, when given, accumulates per linear the Σx² of its input over all tokens
    // ([in], float32): the "imatrix" of optimized RTN.
    at::Tensor forward(const at::Tensor& hidden, const at::Tensor& cos, const at::Tensor& sin,
                       const WeightOverrides* overrides = nullptr, std::map<std::string, at::Tensor>* input_sq_sums = nullptr) const;
    // The same for new tokens at positions [cache.length(), cache.length() + T), attending to the
    // cached ones too; their keys and values are appended to the cache. cos / sin [T, D] for those
    // positions. With an empty cache it computes exactly what forward() does.
    at::Tensor forwardCached(const at::Tensor& hidden, const at::Tensor& cos, const at::Tensor& sin, BlockKvCache& cache) const;

private:
    using LinearFn = std::function<at::Tensor(const std::string&, const at::Tensor&)>;
    struct Qkv {
        at::Tensor q, k, v;  // q [B, H, T, D]; k, v [B, KV, T, D] (possibly strided views)
    };
    // Norm, q/k/v projections, q/k norm and RoPE; `fast`: the fused kernels (forward's two paths).
    Qkv attentionInputs(const at::Tensor& hidden, const at::Tensor& cos, const at::Tensor& sin, const LinearFn& linear, bool fast) const;
    // The causal attention of q over k, v of the same positions: [B, T, H·D].
    at::Tensor selfAttention(const Qkv& qkv, bool fast) const;
    // Output projection, residual, post-attention norm and SwiGLU MLP, residual.
    at::Tensor attentionOutputAndMlp(const at::Tensor& hidden, const at::Tensor& ctx, const LinearFn& linear, bool fast) const;
    bool useFastKernels(const at::Tensor& hidden, const at::Tensor& cos) const;

    DecoderBlock() = default;
    int index_ = 0;
    io::ModelConfig config_;
    at::ScalarType dtype_;
    std::map<std::string, at::Tensor> weights_, biases_;
    at::Tensor input_norm_, post_norm_, q_norm_, k_norm_;
};

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

class CausalLM {
public:
    // Loads everything (embedding, all blocks, norm, head).
    static Result<std::unique_ptr<CausalLM>> load(std::shared_ptr<io::WeightSource> source, at::ScalarType dtype);
    // Loads embedding, final norm and head only; blocks are loaded one at a time by the caller.
    static Result<std::unique_ptr<CausalLM>> loadShell(std::shared_ptr<io::WeightSource> source, at::ScalarType dtype);

    const io::ModelConfig& config() const { return source_->config(); }
    const Rope& rope() const { return *rope_; }
    int numBlocks() const { return static_cast<int>(config().num_hidden_layers); }
    bool hasBlocks() const { return !blocks_.empty(); }
    DecoderBlock& block(int i) { return *blocks_.at(i); }
    // Moves the embedding, norm, head and every loaded block to `device`.
    void to(const c10::Device& device);
    c10::Device device() const;

    at::Tensor embed(const at::Tensor& ids) const;      // [B, T] int64 -> [B, T, H]
    at::Tensor head(const at::Tensor& hidden) const;    // final norm + lm_head -> [B, T, V] float32
    at::Tensor logits(const at::Tensor& ids) const;     // all of it; needs load()
    // ids [B, T] at positions [cache.length(), cache.length() + T): the logits of those positions
    // ([B, T, V] float32), their keys and values appended to the cache (sized to the blocks on
    // first use). Prefill with the prompt, then one token at a time; equals logits() of the whole
    // sequence. Needs load().
    at::Tensor logitsCached(const at::Tensor& ids, KvCache& cache) const;

private:
    std::shared_ptr<io::WeightSource> source_;
    at::ScalarType dtype_;
    std::unique_ptr<Rope> rope_;
    at::Tensor embed_, norm_, lm_head_;
    std::vector<std::unique_ptr<DecoderBlock>> blocks_;
};

// FloatTensor (float32, row-major) -> at::Tensor of dtype, owning its memory.
at::Tensor toTensor(const io::FloatTensor& t, at::ScalarType dtype);
Result<at::ScalarType> parseComputeDtype(const std::string& name);  // "float32" | "bfloat16"

}  // namespace srs::model
