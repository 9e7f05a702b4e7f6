#include "core/model/llama_model.h"

#include "kernels/attention.h"
#include "kernels/attention_choice.h"
#include "kernels/block_ops.h"
#include "kernels/linear.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace srs::model {
namespace {

std::string blockPrefix(int index) { return "model.layers." + std::to_string(index) + "."; }

Result<at::Tensor> loadTensor(const io::WeightSource& src, const std::string& name, at::ScalarType dtype,
                              const std::vector<std::int64_t>& expected) {
    auto t = src.loadFloat(name);
    if (!t) return t.error();
    if (!expected.empty() && t->shape != expected) {
        std::string got, want;
        for (auto d : t->shape) got += (got.empty() ? "" : ", ") + std::to_string(d);
        for (auto d : expected) want += (want.empty() ? "" : ", ") + std::to_string(d);
        return makeError(ErrorCode::CorruptFile, "tensor '" + name + "' has shape [" + got + "] but config.json implies [" + want + "]",
                         "config.json and the weights do not belong together");
    }
    return toTensor(*t, dtype);
}

}  // namespace

const std::vector<std::string>& blockLinearNames() { return io::decoderBlockLinearNames(); }

at::Tensor toTensor(const io::FloatTensor& t, at::ScalarType dtype) {
    at::Tensor x = at::empty(t.shape, at::kFloat);
    std::memcpy(x.data_ptr<float>(), t.data.data(), t.data.size() * sizeof(float));
    return dtype == at::kFloat ? x : x.to(dtype);
}

Result<at::ScalarType> parseComputeDtype(const std::string& name) {
    if (name == "float32" || name == "fp32" || name == "f32") return at::kFloat;
    if (name == "bfloat16" || name == "bf16") return at::kBFloat16;
    return makeError(ErrorCode::InvalidArgument, "unknown compute dtype '" + name + "'",
                     "use float32 or bfloat16 (float16 matmuls are not available on the CPU)");
}

Rope::Rope(const io::ModelConfig& c) {
    const std::int64_t d = c.head_dim;
    at::Tensor idx = at::arange(0, d, 2, at::kDouble);
    at::Tensor inv = 1.0 / at::pow(c.rope_theta, idx / static_cast<double>(d));
    const auto& rs = c.rope_scaling;
    if (rs.type == "linear") {
        inv = inv / rs.factor;
    } else if (rs.type == "llama3") {
        // Long wavelengths are slowed by `factor`, short ones kept, the band between blended.
        const double old_ctx = static_cast<double>(rs.original_max_position_embeddings > 0 ? rs.original_max_position_embeddings : 8192);
        const double low_wavelen = old_ctx / rs.low_freq_factor, high_wavelen = old_ctx / rs.high_freq_factor;
        auto acc = inv.accessor<double, 1>();
        for (std::int64_t i = 0; i < inv.size(0); ++i) {
            double f = acc[i], wavelen = 2.0 * M_PI / f;
            if (wavelen < high_wavelen) continue;
            if (wavelen > low_wavelen) {
                acc[i] = f / rs.factor;
            } else {
                double smooth = (old_ctx / wavelen - rs.low_freq_factor) / (rs.high_freq_factor - rs.low_freq_factor);
                acc[i] = (1.0 - smooth) * f / rs.factor + smooth * f;
            }
        }
    }
    inv_freq_ = inv.to(at::kFloat);
}

std::pair<at::Tensor, at::Tensor> Rope::cosSin(const at::Tensor& positions) const {
    at::Tensor pos = positions.to(at::kFloat);
    at::Tensor freqs = pos.unsqueeze(-1) * inv_freq_;  // [..., T, d/2]
    at::Tensor emb = at::cat({freqs, freqs}, -1);       // [..., T, d]
    at::Tensor c = emb.cos(), s = emb.sin();
    if (pos.dim() == 2) {  // [B, T, d] -> [B, 1, T, d] to broadcast over heads
        c = c.unsqueeze(1);
        s = s.unsqueeze(1);
    }
    return {c, s};
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
    at::Tensor xf = x.to(at::kFloat);
    at::Tensor var = xf.pow(2).mean(-1, true);
    at::Tensor y = (xf * at::rsqrt(var + eps)).to(x.scalar_type());
    return y * weight.to(x.scalar_type());
}

namespace {
at::Tensor rotateHalf(const at::Tensor& x) {
    auto halves = x.chunk(2, -1);
    return at::cat({-halves[1], halves[0]}, -1);
}
// The plain composition: full T×T scores per (sample, head), masked, float32 softmax.
at::Tensor referenceAttention(at::Tensor q, at::Tensor k, at::Tensor v, double scale) {
    const std::int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3), KV = k.size(1);
    const at::ScalarType dt = q.scalar_type();
    if (KV != H) {  // grouped-query attention: query head h reads key/value head h / (H / KV)
        k = k.repeat_interleave(H / KV, 1);
        v = v.repeat_interleave(H / KV, 1);
    }
    // Attention in chunks of (sample, head) pairs, so no score tensor exceeds ~8 MiB: large
    // temporaries are mmap'ed and page-faulted afresh on every call by glibc, which made a
    // batched forward several times slower than the arithmetic (measured on stories260K).
    at::Tensor mask = at::ones({T, T}, q.options().dtype(at::kBool)).triu(1);
    const std::int64_t per_pair = T * T * 4;
    const std::int64_t pairs = std::max<std::int64_t>(1, (8ll << 20) / std::max<std::int64_t>(per_pair, 1));
    at::Tensor qf = q.reshape({B * H, T, D}), kf = k.reshape({B * H, T, D}), vf = v.reshape({B * H, T, D});
    // split (one backward node that concatenates the chunks' gradients once), not narrow in a loop:
    // each narrow's backward materializes a zero gradient of the whole tensor, which made the
    // backward quadratic in the number of chunks (measured: 118 s of copies per tuning iteration
    // at 8 x 2048 tokens, 16 heads).
    std::vector<at::Tensor> outs;
    const auto qs = qf.split(pairs, 0), ks = kf.split(pairs, 0), vs = vf.split(pairs, 0);
    for (std::size_t i = 0; i < qs.size(); ++i) {
        at::Tensor sc = at::matmul(qs[i], ks[i].transpose(-2, -1)).to(at::kFloat) * scale;
        sc = sc.masked_fill(mask, -std::numeric_limits<float>::infinity());
        outs.push_back(at::matmul(at::softmax(sc, -1).to(dt), vs[i]));
    }
    at::Tensor ctx = outs.size() == 1 ? outs[0] : at::cat(outs, 0);
    return ctx.view({B, H, T, D}).transpose(1, 2).reshape({B, T, H * D});
}
}  // namespace

namespace {
// "supported: llama, mistral, qwen2, qwen3 (RoPE scaling none, linear, llama3)"
std::string supportedHint() {
    std::string types, ropes = "none";
    for (const auto& t : io::ModelConfig::supportedModelTypes()) types += (types.empty() ? "" : ", ") + t;
    for (const auto& r : io::ModelConfig::supportedRopeScalings()) ropes += ", " + r;
    return "supported: " + types + " (RoPE scaling " + ropes + ")";
}
}  // namespace

Result<std::unique_ptr<DecoderBlock>> DecoderBlock::load(const io::WeightSource& src, int index, at::ScalarType dtype) {
    const auto& c = src.config();
    if (!c.isSupported()) return makeError(ErrorCode::Unsupported, c.unsupportedReason(), supportedHint());
    if (index < 0 || index >= c.num_hidden_layers)
        return makeError(ErrorCode::InvalidArgument, "block " + std::to_string(index) + " does not exist");
    std::unique_ptr<DecoderBlock> b(new DecoderBlock());
    b->index_ = index;
    b->config_ = c;
    b->dtype_ = dtype;
    const std::string p = blockPrefix(index);
    const std::int64_t q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim, h = c.hidden_size,
                       f = c.intermediate_size;
    const std::map<std::string, std::vector<std::int64_t>> shapes = {
        {"self_attn.q_proj", {q, h}}, {"self_attn.k_proj", {kv, h}}, {"self_attn.v_proj", {kv, h}}, {"self_attn.o_proj", {h, q}},
        {"mlp.gate_proj", {f, h}},    {"mlp.up_proj", {f, h}},       {"mlp.down_proj", {h, f}}};
    try {
        for (const auto& name : blockLinearNames()) {
            auto w = loadTensor(src, p + name + ".weight", dtype, shapes.at(name));
            if (!w) return w.error();
            b->weights_[name] = *w;
            if (src.has(p + name + ".bias")) {
                auto bias = loadTensor(src, p + name + ".bias", dtype, {shapes.at(name)[0]});
                if (!bias) return bias.error();
                b->biases_[name] = *bias;
            } else {
                b->biases_[name] = at::Tensor();
            }
        }
        auto in = loadTensor(src, p + "input_layernorm.weight", at::kFloat, {h});
        if (!in) return in.error();
        b->input_norm_ = *in;
        auto post = loadTensor(src, p + "post_attention_layernorm.weight", at::kFloat, {h});
        if (!post) return post.error();
        b->post_norm_ = *post;
        if (c.qk_norm) {
            auto qn = loadTensor(src, p + "self_attn.q_norm.weight", at::kFloat, {c.head_dim});
            if (!qn) return qn.error();
            auto kn = loadTensor(src, p + "self_attn.k_norm.weight", at::kFloat, {c.head_dim});
            if (!kn) return kn.error();
            b->q_norm_ = *qn;
            b->k_norm_ = *kn;
        }
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, "loading block " + std::to_string(index) + ": " + e.what());
    }
    return b;
}

const at::Tensor& DecoderBlock::weight(const std::string& linear) const { return weights_.at(linear); }
const at::Tensor& DecoderBlock::bias(const std::string& linear) const { return biases_.at(linear); }

void DecoderBlock::to(const c10::Device& device) {
    for (auto& [k, w] : weights_) w = w.to(device);
    for (auto& [k, b] : biases_)
        if (b.defined()) b = b.to(device);
    for (at::Tensor* t : {&input_norm_, &post_norm_, &q_norm_, &k_norm_})
        if (t->defined()) *t = t->to(device);
}

c10::Device DecoderBlock::device() const { return input_norm_.device(); }

std::uint64_t DecoderBlock::sizeBytes() const {
    std::uint64_t n = 0;
    for (const auto& [k, w] : weights_) n += w.nbytes();
    for (const auto& [k, b] : biases_)
        if (b.defined()) n += b.nbytes();
    return n;
}

bool DecoderBlock::useFastKernels(const at::Tensor& hidden, const at::Tensor& cos) const {
    // The kernels path: fused norm / rope / SwiGLU and the measured attention (tiled or SDPA, kernels/), on the CPU
    // for positions shared by the batch (cos / sin [T, D]); elsewhere the plain composition.
    const at::ScalarType dt = hidden.scalar_type();
    return kernels::fastKernelsOn() && hidden.device().is_cpu() && (dt == at::kFloat || dt == at::kBFloat16) && cos.dim() == 2;
}

DecoderBlock::Qkv DecoderBlock::attentionInputs(const at::Tensor& hidden, const at::Tensor& cos, const at::Tensor& sin, const LinearFn& linear,
                                                bool fast) const {
    const auto& c = config_;
    const std::int64_t B = hidden.size(0), T = hidden.size(1), H = c.num_attention_heads, KV = c.num_key_value_heads, D = c.head_dim;
    if (fast) {
        const double eps = c.rms_norm_eps;
        at::Tensor x = kernels::rmsNormRope(hidden, input_norm_, eps);
        at::Tensor q = kernels::rmsNormRope(linear("self_attn.q_proj", x), c.qk_norm ? q_norm_ : at::Tensor(), eps, cos, sin);
        at::Tensor k = kernels::rmsNormRope(linear("self_attn.k_proj", x), c.qk_norm ? k_norm_ : at::Tensor(), eps, cos, sin);
        at::Tensor v = linear("self_attn.v_proj", x);
        return {q.view({B, T, H, D}).transpose(1, 2), k.view({B, T, KV, D}).transpose(1, 2), v.view({B, T, KV, D}).transpose(1, 2)};
    }
    const at::ScalarType dt = hidden.scalar_type();
    at::Tensor x = rmsNorm(hidden, input_norm_, c.rms_norm_eps);
    at::Tensor q = linear("self_attn.q_proj", x).view({B, T, H, D}).transpose(1, 2);
    at::Tensor k = linear("self_attn.k_proj", x).view({B, T, KV, D}).transpose(1, 2);
    at::Tensor v = linear("self_attn.v_proj", x).view({B, T, KV, D}).transpose(1, 2);
    if (c.qk_norm) {
        q = rmsNorm(q, q_norm_, c.rms_norm_eps);
        k = rmsNorm(k, k_norm_, c.rms_norm_eps);
    }
    at::Tensor cs = cos.to(dt), sn = sin.to(dt);
    q = q * cs + rotateHalf(q) * sn;
    k = k * cs + rotateHalf(k) * sn;
    return {q, k, v};
}

at::Tensor DecoderBlock::selfAttention(const Qkv& qkv, bool fast) const {
    const std::int64_t B = qkv.q.size(0), H = qkv.q.size(1), T = qkv.q.size(2), D = qkv.q.size(3);
    const double scale = 1.0 / std::sqrt(static_cast<double>(D));
    if (fast) return kernels::measuredCausalAttention(qkv.q, qkv.k, qkv.v, scale).view({B, T, H * D});
    // On a GPU the kernels path is LibTorch's fused (flash / memory-efficient) attention: no T×T
    // score matrices kept for the backward.
    if (qkv.q.is_cuda() && kernels::fastKernelsOn()) return kernels::sdpaCausalAttention(qkv.q, qkv.k, qkv.v, scale).view({B, T, H * D});
    return referenceAttention(qkv.q, qkv.k, qkv.v, scale);
}

at::Tensor DecoderBlock::attentionOutputAndMlp(const at::Tensor& hidden, const at::Tensor& ctx, const LinearFn& linear, bool fast) const {
    at::Tensor h1 = hidden + linear("self_attn.o_proj", ctx);
    if (fast) {
        at::Tensor y = kernels::rmsNormRope(h1, post_norm_, config_.rms_norm_eps);
        return h1 + linear("mlp.down_proj", kernels::swiglu(linear("mlp.gate_proj", y), linear("mlp.up_proj", y)));
    }
    at::Tensor y = rmsNorm(h1, post_norm_, config_.rms_norm_eps);
    at::Tensor mlp = linear("mlp.down_proj", at::silu(linear("mlp.gate_proj", y)) * linear("mlp.up_proj", y));
    return h1 + mlp;
}

at::Tensor DecoderBlock::forward(const at::Tensor& hidden, const at::Tensor& cos, const at::Tensor& sin,
                                 const WeightOverrides* overrides, std::map<std::string, at::Tensor>* input_sq_sums) const {
    const at::ScalarType dt = hidden.scalar_type();
    auto linear = [&](const std::string& name, const at::Tensor& x) {
        const at::Tensor* w = &weights_.at(name);
        if (overrides) {
            auto it = overrides->find(name);
            if (it != overrides->end()) w = &it->second;
        }
        const at::Tensor& b = biases_.at(name);
        if (input_sq_sums) {
            at::Tensor sq = x.detach().to(at::kFloat).pow(2).reshape({-1, x.size(-1)}).sum(0);
            auto it = input_sq_sums->find(name);
            if (it == input_sq_sums->end())
                (*input_sq_sums)[name] = sq;
            else
                it->second.add_(sq);
        }
        // kernels::linear is at::linear unless the caller opened a FastLinearScope (tuning with kernels).
        return kernels::linear(x, w->scalar_type() == dt ? *w : w->to(dt), b.defined() ? b.to(dt) : at::Tensor());
    };
    const bool fast = useFastKernels(hidden, cos);
    const Qkv qkv = attentionInputs(hidden, cos, sin, linear, fast);
    return attentionOutputAndMlp(hidden, selfAttention(qkv, fast), linear, fast);
}

at::Tensor BlockKvCache::keys() const { return length_ > 0 ? k_.narrow(2, 0, length_) : at::Tensor(); }
at::Tensor BlockKvCache::values() const { return length_ > 0 ? v_.narrow(2, 0, length_) : at::Tensor(); }

void BlockKvCache::append(const at::Tensor& k, const at::Tensor& v) {
    const std::int64_t t = k.size(2), need = length_ + t;
    if (!k_.defined() || need > k_.size(2)) {
        // Double the capacity (at least what is needed) and move what is stored.
        const std::int64_t cap = std::max<std::int64_t>(need, k_.defined() ? 2 * k_.size(2) : std::max<std::int64_t>(need, 64));
        at::Tensor nk = at::empty({k.size(0), k.size(1), cap, k.size(3)}, k.options());
        at::Tensor nv = at::empty({v.size(0), v.size(1), cap, v.size(3)}, v.options());
        if (length_ > 0) {
            nk.narrow(2, 0, length_).copy_(keys());
            nv.narrow(2, 0, length_).copy_(values());
        }
        k_ = nk;
        v_ = nv;
    }
    k_.narrow(2, length_, t).copy_(k);
    v_.narrow(2, length_, t).copy_(v);
    length_ = need;
}

void BlockKvCache::clear() {
    k_ = at::Tensor();
    v_ = at::Tensor();
    length_ = 0;
}

namespace {
// New queries over cached and new keys: q [B, H, T, D] at positions [past, past + T); k, v
// [B, KV, past + T, D]. Query i sees keys 0 .. past + i. The heads sharing a key/value head are
// stacked into one product (no repeat of the cache); scores and softmax in float32, as in
// referenceAttention. Returns [B, T, H·D].
at::Tensor cachedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, std::int64_t past, double scale) {
    const std::int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3), KV = k.size(1), S = k.size(2), G = H / KV;
    const at::ScalarType dt = q.scalar_type();
    at::Tensor qg = q.reshape({B, KV, G * T, D});  // row g·T + i: head kv·G + g, query i
    at::Tensor sc = at::matmul(qg, k.transpose(-2, -1)).to(at::kFloat) * scale;  // [B, KV, G·T, S]
    at::Tensor mask = at::ones({T, S}, q.options().dtype(at::kBool)).triu(past + 1).repeat({G, 1});
    sc = sc.masked_fill(mask, -std::numeric_limits<float>::infinity());
    at::Tensor ctx = at::matmul(at::softmax(sc, -1).to(dt), v);  // [B, KV, G·T, D]
    return ctx.view({B, H, T, D}).transpose(1, 2).reshape({B, T, H * D});
}
}  // namespace

at::Tensor DecoderBlock::forwardCached(const at::Tensor& hidden, const at::Tensor& cos, const at::Tensor& sin, BlockKvCache& cache) const {
    const at::ScalarType dt = hidden.scalar_type();
    auto linear = [&](const std::string& name, const at::Tensor& x) {
        const at::Tensor& w = weights_.at(name);
        const at::Tensor& b = biases_.at(name);
        return kernels::linear(x, w.scalar_type() == dt ? w : w.to(dt), b.defined() ? b.to(dt) : at::Tensor());
    };
    const bool fast = useFastKernels(hidden, cos);
    const Qkv qkv = attentionInputs(hidden, cos, sin, linear, fast);
    const std::int64_t past = cache.length();
    cache.append(qkv.k, qkv.v);
    // The first chunk attends to itself only: forward()'s attention, so a prefill is bit-for-bit forward().
    at::Tensor ctx = past == 0 ? selfAttention(qkv, fast)
                               : cachedAttention(qkv.q, cache.keys(), cache.values(), past, 1.0 / std::sqrt(static_cast<double>(qkv.q.size(3))));
    return attentionOutputAndMlp(hidden, ctx, linear, fast);
}

Result<std::unique_ptr<CausalLM>> CausalLM::loadShell(std::shared_ptr<io::WeightSource> source, at::ScalarType dtype) {
    const auto& c = source->config();
    if (!c.isSupported()) return makeError(ErrorCode::Unsupported, c.unsupportedReason(), supportedHint());
    std::unique_ptr<CausalLM> m(new CausalLM());
    m->source_ = source;
    m->dtype_ = dtype;
    m->rope_ = std::make_unique<Rope>(c);
    try {
        auto emb = loadTensor(*source, "model.embed_tokens.weight", dtype, {c.vocab_size, c.hidden_size});
        if (!emb) return emb.error();
        m->embed_ = *emb;
        auto norm = loadTensor(*source, "model.norm.weight", at::kFloat, {c.hidden_size});
        if (!norm) return norm.error();
        m->norm_ = *norm;
        if (source->has("lm_head.weight")) {
            auto head = loadTensor(*source, "lm_head.weight", dtype, {c.vocab_size, c.hidden_size});
            if (!head) return head.error();
            m->lm_head_ = *head;
        } else if (c.tie_word_embeddings) {
            m->lm_head_ = m->embed_;
        } else {
            return makeError(ErrorCode::CorruptFile, "no lm_head.weight and tie_word_embeddings is false", "the checkpoint is incomplete");
        }
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("loading the model: ") + e.what());
    }
    return m;
}

Result<std::unique_ptr<CausalLM>> CausalLM::load(std::shared_ptr<io::WeightSource> source, at::ScalarType dtype) {
    auto m = loadShell(source, dtype);
    if (!m) return m.error();
    for (int i = 0; i < (*m)->numBlocks(); ++i) {
        auto b = DecoderBlock::load(*source, i, dtype);
        if (!b) return b.error();
        (*m)->blocks_.push_back(std::move(*b));
    }
    return m;
}

void CausalLM::to(const c10::Device& device) {
    const bool tied = lm_head_.is_same(embed_);
    embed_ = embed_.to(device);
    norm_ = norm_.to(device);
    lm_head_ = tied ? embed_ : lm_head_.to(device);
    for (auto& b : blocks_) b->to(device);
}

c10::Device CausalLM::device() const { return embed_.device(); }

at::Tensor CausalLM::embed(const at::Tensor& ids) const { return at::embedding(embed_, ids.to(embed_.device())); }

at::Tensor CausalLM::head(const at::Tensor& hidden) const {
    at::Tensor x = rmsNorm(hidden, norm_, config().rms_norm_eps);
    return at::linear(x, lm_head_.to(x.scalar_type())).to(at::kFloat);
}

at::Tensor CausalLM::logits(const at::Tensor& ids) const {
    const std::int64_t T = ids.size(1);
    auto [cos, sin] = rope_->cosSin(at::arange(T, at::kLong));
    cos = cos.to(embed_.device());
    sin = sin.to(embed_.device());
    at::Tensor h = embed(ids);
    for (const auto& b : blocks_) h = b->forward(h, cos, sin);
    return head(h);
}

at::Tensor CausalLM::logitsCached(const at::Tensor& ids, KvCache& cache) const {
    if (cache.blocks.size() != blocks_.size()) cache.blocks.assign(blocks_.size(), BlockKvCache());
    const std::int64_t past = cache.length(), T = ids.size(1);
    auto [cos, sin] = rope_->cosSin(at::arange(past, past + T, at::kLong));
    cos = cos.to(embed_.device());
    sin = sin.to(embed_.device());
    at::Tensor h = embed(ids);
    for (std::size_t i = 0; i < blocks_.size(); ++i) h = blocks_[i]->forwardCached(h, cos, sin, cache.blocks[i]);
    return head(h);
}

}  // namespace srs::model
