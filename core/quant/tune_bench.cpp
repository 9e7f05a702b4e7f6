#include "core/quant/tune_bench.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <ATen/SequenceNumber.h>
#include <ATen/record_function.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/common/numeric_cast.h"
#include "core/io/weight_source.h"
#include "core/model/llama_model.h"
#include "core/quant/qdq_fused.h"
#include "core/quant/signround.h"
#include "kernels/attention.h"
#include "kernels/attention_choice.h"
#include "kernels/cpu/qdq.h"
#include "kernels/linear.h"
#include "kernels/matmul_bench.h"

namespace srs::quant {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Waits for the device's queued work (GPU kernels run asynchronously); nothing on the CPU.
void sync(const c10::Device& d) {
    if (!d.is_cpu()) c10::impl::getDeviceGuardImpl(d.type())->synchronizeDevice(d.index());
}

// An n×n×n matmul in dtype on a GPU: the yardstick there (kernels::measureMatmul is the CPU's).
double deviceMatmulGflops(int n, at::ScalarType dtype, const c10::Device& d) {
    const at::Tensor a = at::randn({n, n}, at::TensorOptions().device(d)).to(dtype), b = at::randn({n, n}, at::TensorOptions().device(d)).to(dtype);
    at::matmul(a, b);
    sync(d);
    int reps = 0;
    const auto t0 = Clock::now();
    while (reps < 3 || msSince(t0) < 500.0) {
        at::matmul(a, b);
        if (++reps % 10 == 0) sync(d);
    }
    sync(d);
    const double s = msSince(t0) / 1000.0;
    return 2.0 * n * static_cast<double>(n) * n * reps / s / 1e9;
}

// The fused quant-dequant forward and backward on a random [out × in] weight (QdqRate).
QdqRate measureQdq(std::int64_t out, std::int64_t in, int group, const c10::Device& d, int reps) {
    QuantScheme s;
    s.bits = 4;
    s.group_size = group;
    const auto f32 = at::TensorOptions().device(d).dtype(at::kFloat);
    const at::Tensor w = at::randn({out, in}, f32) * 0.02;
    const GroupRange range = groupRange(w, s);
    const std::int64_t rows = out * s.groups(in);
    at::Tensor v = at::zeros({rows, s.effectiveGroupSize(in)}, f32).requires_grad_(true);
    at::Tensor alpha = at::ones({rows}, f32).requires_grad_(true), beta = at::ones({rows}, f32).requires_grad_(true);
    const at::Tensor grad = at::randn({out, in}, f32);
    QdqRate r{out, in, group};
    double fwd = 0, bwd = 0;
    for (int i = -1; i < reps; ++i) {  // i = -1: warm-up
        sync(d);
        auto t0 = Clock::now();
        at::Tensor deq = quantDequantFused(w, s, range, v, alpha, beta);
        sync(d);
        const double f = msSince(t0);
        t0 = Clock::now();
        deq.backward(grad);
        sync(d);
        const double b = msSince(t0);
        if (i >= 0) fwd += f, bwd += b;
        for (at::Tensor* p : {&v, &alpha, &beta}) p->mutable_grad().zero_();
    }
    const double n = static_cast<double>(out) * static_cast<double>(in);
    r.forward_us = 1000.0 * fwd / reps;
    r.backward_us = 1000.0 * bwd / reps;
    r.forward_gbps = r.forward_us > 0 ? 12.0 * n / (r.forward_us * 1e-6) / 1e9 : 0.0;
    r.backward_gbps = r.backward_us > 0 ? 16.0 * n / (r.backward_us * 1e-6) / 1e9 : 0.0;
    return r;
}

// One decoder block of the requested shape with random N(0, 0.02) weights, held in memory.
class RandomBlockSource : public io::WeightSource {
public:
    explicit RandomBlockSource(const TuneBenchOptions& o) {
        c_.model_type = "qwen3";
        c_.architectures = {"Qwen3ForCausalLM"};
        c_.hidden_size = o.hidden;
        c_.intermediate_size = o.intermediate;
        c_.num_hidden_layers = 1;
        c_.num_attention_heads = o.heads;
        c_.num_key_value_heads = o.kv_heads;
        c_.head_dim = o.head_dim;
        c_.vocab_size = 1;
        c_.max_position_embeddings = o.seqlen;
        c_.rms_norm_eps = 1e-6;
        c_.rope_theta = 1000000.0;
        c_.qk_norm = true;
        const std::int64_t q = o.heads * o.head_dim, kv = o.kv_heads * o.head_dim, h = o.hidden, f = o.intermediate;
        const std::string p = "model.layers.0.";
        shapes_ = {{p + "self_attn.q_proj.weight", {q, h}},     {p + "self_attn.k_proj.weight", {kv, h}},
                   {p + "self_attn.v_proj.weight", {kv, h}},    {p + "self_attn.o_proj.weight", {h, q}},
                   {p + "mlp.gate_proj.weight", {f, h}},        {p + "mlp.up_proj.weight", {f, h}},
                   {p + "mlp.down_proj.weight", {h, f}},        {p + "input_layernorm.weight", {h}},
                   {p + "post_attention_layernorm.weight", {h}}, {p + "self_attn.q_norm.weight", {o.head_dim}},
                   {p + "self_attn.k_norm.weight", {o.head_dim}}};
    }
    const io::ModelConfig& config() const override { return c_; }
    std::vector<std::string> tensorNames() const override {
        std::vector<std::string> n;
        for (const auto& [k, s] : shapes_) n.push_back(k);
        return n;
    }
    bool has(const std::string& name) const override { return shapes_.count(name) > 0; }
    Result<std::vector<std::int64_t>> shape(const std::string& name) const override {
        auto it = shapes_.find(name);
        if (it == shapes_.end()) return makeError(ErrorCode::NotFound, name);
        return it->second;
    }
    Result<io::FloatTensor> loadFloat(const std::string& name) const override {
        auto it = shapes_.find(name);
        if (it == shapes_.end()) return makeError(ErrorCode::NotFound, name);
        io::FloatTensor t;
        t.shape = it->second;
        std::uint64_t n = 1;
        for (auto d : t.shape) n *= static_cast<std::uint64_t>(d);
        t.data.resize(n);
        if (t.shape.size() == 1) {
            std::fill(t.data.begin(), t.data.end(), 1.0f);
        } else {
            std::mt19937 rng(static_cast<std::uint32_t>(std::hash<std::string>()(name)));
            std::normal_distribution<float> dist(0.0f, 0.02f);
            for (auto& x : t.data) x = dist(rng);
        }
        return t;
    }
    std::string storedDtype(const std::string&) const override { return "F32"; }
    const std::string& path() const override { return path_; }
    std::string tokenizerFolder() const override { return {}; }

private:
    io::ModelConfig c_;
    std::map<std::string, std::vector<std::int64_t>> shapes_;
    std::string path_ = "<random block>";
};

// Per-op profile from LibTorch's RecordFunction callbacks, on the tuning thread only. Only the
// outermost recorded op is timed (nested ones are inside its time). The tuner marks its phases
// with user scopes (srs::qdq, srs::loss, srs::optimizer, srs::keep_best); backward nodes are
// attributed by the sequence number of the forward op that made them, so the reference path's
// many small quant-dequant backward nodes count as "qdq backward".
struct Profiler {
    static Profiler& get() {
        static Profiler p;
        return p;
    }
    std::mutex mu;
    bool on = false;
    std::thread::id thread;
    std::map<std::string, double> ms;
    std::map<std::pair<std::string, std::string>, std::pair<double, std::int64_t>> by_name;  // (name, category) -> ms, calls
    std::vector<std::pair<std::uint64_t, std::uint64_t>> qdq_seq, loss_seq;
};
thread_local int t_depth = 0;

struct OpCtx : public at::ObserverContext {
    Clock::time_point t0;
    bool counted = false, transparent = false;
    std::string category;
    std::uint64_t seq0 = 0;
};

bool startsWith(const char* s, const char* p) { return std::strncmp(s, p, std::strlen(p)) == 0; }
bool contains(const std::string& s, const char* p) { return s.find(p) != std::string::npos; }

bool inRanges(std::uint64_t seq, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges) {
    for (const auto& [a, b] : ranges)
        if (seq >= a && seq < b) return true;
    return false;
}

std::string classify(const at::RecordFunction& fn, Profiler& p) {
    const std::string name = fn.name();
    if (fn.scope() == at::RecordScope::BACKWARD_FUNCTION) {
        const std::int64_t seq = fn.seqNr();
        if (seq >= 0 && inRanges(static_cast<std::uint64_t>(seq), p.qdq_seq)) return "qdq backward";
        if (seq >= 0 && inRanges(static_cast<std::uint64_t>(seq), p.loss_seq)) return "loss";
        if (contains(name, "AccumulateGrad")) return "optimizer";
        if (contains(name, "MmBackward") || contains(name, "AddmmBackward") || contains(name, "BmmBackward") || contains(name, "LinearFunction") ||
            contains(name, "MatmulBackward"))
            return "matmuls";
        for (const char* m : {"ToCopyBackward", "IndexSelectBackward", "CatBackward", "CloneBackward", "RepeatInterleave", "ExpandBackward",
                              "UnsafeViewBackward", "ViewBackward", "ReshapeAliasBackward", "TransposeBackward", "TBackward", "PermuteBackward",
                              "SliceBackward", "NarrowBackward", "SelectBackward", "UnsqueezeBackward", "SqueezeBackward", "ConstantPadNdBackward"})
            if (contains(name, m)) return "data movement";
        return "other";
    }
    if (name == "srs::qdq" || name == "srs::qdq_forward") return "qdq forward";
    if (name == "srs::loss") return "loss";
    if (name == "srs::optimizer") return "optimizer";
    if (name == "srs::keep_best") return "data movement";
    if (name == "srs::linear") return "matmuls";
    for (const char* m : {"aten::linear", "aten::matmul", "aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm"})
        if (name == m) return "matmuls";
    for (const char* m : {"aten::to", "aten::_to_copy", "aten::copy_", "aten::index_select", "aten::cat", "aten::contiguous", "aten::clone",
                          "aten::repeat_interleave", "aten::reshape", "aten::constant_pad_nd", "aten::narrow", "aten::item",
                          "aten::_local_scalar_dense", "aten::empty", "aten::zeros", "aten::ones", "aten::tensor"})
        if (name == m) return "data movement";
    return "other";
}

std::unique_ptr<at::ObserverContext> onStart(const at::RecordFunction& fn) {
    Profiler& p = Profiler::get();
    auto c = std::make_unique<OpCtx>();
    if (std::this_thread::get_id() != p.thread) return c;
    const char* name = fn.name();
    // The engine's wrapper around each node and the call into backward() hold everything else.
    if (startsWith(name, "autograd::engine::evaluate_function") || std::strcmp(name, "aten::_backward") == 0) {
        c->transparent = true;
        return c;
    }
    c->counted = t_depth == 0;
    ++t_depth;
    if (c->counted) {
        std::lock_guard<std::mutex> lock(p.mu);
        c->category = classify(fn, p);
    }
    if (std::strcmp(name, "srs::qdq") == 0 || std::strcmp(name, "srs::loss") == 0) c->seq0 = at::sequence_number::peek();
    c->t0 = Clock::now();
    return c;
}

void onEnd(const at::RecordFunction& fn, at::ObserverContext* ctx) {
    Profiler& p = Profiler::get();
    if (std::this_thread::get_id() != p.thread) return;
    auto* c = static_cast<OpCtx*>(ctx);
    if (!c || c->transparent) return;
    --t_depth;
    const double ms = msSince(c->t0);
    std::lock_guard<std::mutex> lock(p.mu);
    const char* name = fn.name();
    if (std::strcmp(name, "srs::qdq") == 0) p.qdq_seq.push_back({c->seq0, at::sequence_number::peek()});
    if (std::strcmp(name, "srs::loss") == 0) p.loss_seq.push_back({c->seq0, at::sequence_number::peek()});
    if (c->counted && p.on) {
        p.ms[c->category] += ms;
        auto& n = p.by_name[{name, c->category}];
        n.first += ms;
        ++n.second;
    }
}

// FLOPs of one tuning iteration, the useful work only: the linears forward, ∂w for all and ∂x
// where the input carries a gradient (not q/k/v, whose input is the block's input), and causal
// attention over the T(T+1)/2 (query, key) pairs a query may see, forward (q·kᵀ, p·v) and backward
// (twice the forward). Masked pairs are not counted, whether a path computes them (the reference's
// full score matrices) or skips them (the kernels' tiles); nor is the kernels' recomputation.
double flopsPerIteration(const TuneBenchOptions& o) {
    const double M = static_cast<double>(o.batch) * o.seqlen;
    const double q = o.heads * o.head_dim, kv = o.kv_heads * o.head_dim, h = o.hidden, f = o.intermediate;
    const double qkv = h * (q + 2 * kv), rest = q * h + 3 * h * f;
    const double linear = 2 * M * (qkv + rest) /*fwd*/ + 2 * M * (qkv + rest) /*dw*/ + 2 * M * rest /*dx*/;
    const double visible_pairs = static_cast<double>(o.seqlen) * (o.seqlen + 1) / 2.0;
    const double attn_fwd = 2.0 * 2.0 * o.batch * o.heads * visible_pairs * o.head_dim;
    return linear + 3 * attn_fwd;
}

PathTiming runPath(KernelPath path, model::DecoderBlock& block, const at::Tensor& cos, const at::Tensor& sin, const at::Tensor& inputs,
                   const at::Tensor& targets, const TuneBenchOptions& o, double flops, const std::function<void(const std::string&)>& progress,
                   Status* status) {
    PathTiming t;
    t.name = path == KernelPath::Reference ? "reference" : "kernels";
    const c10::Device device = inputs.device();
    std::map<std::string, at::Tensor> weights;
    std::vector<LayerPlan> plan;
    for (const auto& name : model::blockLinearNames()) {
        weights[name] = block.weight(name).to(at::kFloat);
        plan.push_back({name, o.scheme});
    }
    auto forward = [&](const at::Tensor& x, const std::map<std::string, at::Tensor>& ov) { return block.forward(x, cos, sin, &ov); };
    TuneOptions opt;
    opt.iters = o.warmup + o.iters;
    opt.batch_size = o.batch;
    opt.kernels = path;
    Profiler& p = Profiler::get();
    {
        std::lock_guard<std::mutex> lock(p.mu);
        p.ms.clear();
        p.by_name.clear();
        p.qdq_seq.clear();
        p.loss_seq.clear();
        p.on = false;
        p.thread = std::this_thread::get_id();
    }
    auto handle = at::addGlobalCallback(at::RecordFunctionCallback(onStart, onEnd));
    std::vector<Clock::time_point> stamps;
    auto r = tuneBlock(forward, weights, inputs, targets, plan, opt,
                       [&](int it, double loss, double) {
                           sync(device);  // the iteration's queued GPU work, so that the stamps time it
                           stamps.push_back(Clock::now());
                           std::lock_guard<std::mutex> lock(p.mu);
                           p.on = it >= o.warmup - 1 && it < opt.iters - 1;
                           if (progress) progress(t.name + ": iteration " + std::to_string(it + 1) + "/" + std::to_string(opt.iters) + ", loss " + std::to_string(loss));
                       },
                       CancelToken());
    at::removeCallback(handle);
    if (!r) {
        *status = r.error();
        return t;
    }
    const int first = o.warmup - 1;  // stamp before the first measured iteration (-1: the start)
    const double measured_ms = std::chrono::duration<double, std::milli>(stamps.back() - stamps[static_cast<std::size_t>(first)]).count();
    t.iter_ms = measured_ms / o.iters;
    {
        kernels::FastLinearScope fast(path != KernelPath::Reference);
        blockLoss(forward, r->qdq_weights, inputs, targets, o.batch);  // warm
        sync(device);
        const auto t0 = Clock::now();
        blockLoss(forward, r->qdq_weights, inputs, targets, o.batch);
        sync(device);
        t.forward_ms = msSince(t0) / num::real(std::max<std::int64_t>(1, (inputs.size(0) + o.batch - 1) / o.batch));
    }
    // Per block at the defaults: default_iters iterations, plus four no-grad passes over all
    // samples (FP target, RTN loss, best loss, quantized output for the next block).
    const double fwd_batches = 4.0 * ((o.default_nsamples + o.batch - 1) / o.batch);
    t.block_s = (o.default_iters * t.iter_ms + fwd_batches * t.forward_ms) / 1000.0;
    t.gflops = flops / (t.iter_ms / 1000.0) / 1e9;
    double tracked = 0;
    for (const char* k : {"matmuls", "qdq forward", "qdq backward", "loss", "optimizer", "data movement", "other"}) {
        const double v = p.ms.count(k) ? p.ms[k] / o.iters : 0.0;
        tracked += v;
        t.ops.push_back({k, v});
    }
    t.ops.push_back({"untracked", std::max(0.0, t.iter_ms - tracked)});
    t.ops.push_back({"total", t.iter_ms});
    for (const auto& [key, v] : p.by_name) t.top_ops.push_back({key.first, key.second, v.first / o.iters, v.second / o.iters});
    std::sort(t.top_ops.begin(), t.top_ops.end(), [](const auto& a, const auto& b) { return a.ms > b.ms; });
    if (t.top_ops.size() > static_cast<std::size_t>(std::max(0, o.top_ops))) t.top_ops.resize(static_cast<std::size_t>(std::max(0, o.top_ops)));
    return t;
}

// Forward + backward of causal attention at the block's shape in `dtype`: ours and LibTorch's SDPA.
AttentionDuel duelAttention(const TuneBenchOptions& o, at::ScalarType dtype) {
    at::manual_seed(2);
    const auto B = o.batch, H = o.heads, KV = o.kv_heads, T = o.seqlen, D = o.head_dim;
    const at::Tensor q0 = at::randn({B, H, T, D}).to(dtype), k0 = at::randn({B, KV, T, D}).to(dtype), v0 = at::randn({B, KV, T, D}).to(dtype);
    const at::Tensor grad_bthd = at::randn({B, T, H, D}).to(dtype);
    const double scale = 1.0 / std::sqrt(static_cast<double>(D));
    struct Out {
        at::Tensor o, dq, dk, dv;
    };
    auto run = [&](bool sdpa) {
        at::Tensor q = q0.detach().requires_grad_(true), k = k0.detach().requires_grad_(true), v = v0.detach().requires_grad_(true);
        at::Tensor out;
        out = sdpa ? kernels::sdpaCausalAttention(q, k, v, scale) : kernels::causalAttention(q, k, v, scale);
        out.backward(grad_bthd);
        return Out{out.detach().contiguous(), q.grad(), k.grad(), v.grad()};
    };
    AttentionDuel d;
    Out a = run(false), b = run(true);  // the warm-up, also the comparison
    for (auto [x, y] : {std::pair{a.o, b.o}, {a.dq, b.dq}, {a.dk, b.dk}, {a.dv, b.dv}}) {
        const double ref = y.to(at::kFloat).abs().max().item<double>();
        const double diff = (x.to(at::kFloat) - y.to(at::kFloat)).abs().max().item<double>();
        d.max_rel_diff = std::max(d.max_rel_diff, ref > 0 ? diff / ref : diff);
    }
    const int reps = std::max(1, o.iters);
    for (bool sdpa : {false, true}) {
        const auto t0 = Clock::now();
        for (int i = 0; i < reps; ++i) run(sdpa);
        (sdpa ? d.sdpa_ms : d.tiled_ms) = msSince(t0) / reps;
    }
    return d;
}

}  // namespace

Result<TuneBenchResult> runTuneBench(const TuneBenchOptions& o, const std::function<void(const std::string&)>& progress) {
    if (o.hidden < 1 || o.intermediate < 1 || o.heads < 1 || o.kv_heads < 1 || o.head_dim < 2 || o.head_dim % 2 || o.heads % o.kv_heads ||
        o.seqlen < 2 || o.batch < 1 || o.iters < 1 || o.warmup < 1)
        return makeError(ErrorCode::InvalidArgument, "bench tune: sizes must be positive (heads a multiple of kv_heads, head_dim even, seqlen ≥ 2, iters and warmup ≥ 1)");
    auto dt = model::parseComputeDtype(o.dtype);
    if (!dt) return dt.error();
    TuneBenchResult res;
    c10::Device device(c10::kCPU);
    try {
        device = c10::Device(o.device);
    } catch (const std::exception&) {
        return makeError(ErrorCode::InvalidArgument, "bench tune: unknown device '" + o.device + "'", "use --device cpu or cuda:N");
    }
    try {
        if (progress) progress("measuring the plain matmul rate");
        res.matmul_gflops = device.is_cpu() ? kernels::measureMatmul(o.matmul_n, o.dtype).gflops
                                            : deviceMatmulGflops(std::max(o.matmul_n, 8192), *dt, device);
        RandomBlockSource src(o);
        auto block = model::DecoderBlock::load(src, 0, *dt);
        if (!block) return block.error();
        (*block)->to(device);
        model::Rope rope(src.config());
        auto [cos, sin] = rope.cosSin(at::arange(o.seqlen, at::kLong));
        cos = cos.to(device);
        sin = sin.to(device);
        at::manual_seed(1);
        at::Tensor inputs = at::randn({o.batch, o.seqlen, o.hidden}).to(*dt).to(device);
        at::Tensor targets;
        {
            at::NoGradGuard ng;
            targets = (*block)->forward(inputs, cos, sin);
        }
        res.flops_per_iter = flopsPerIteration(o);
        res.qdq_isa = device.is_cpu()        ? kernels::qdqIsa()
                      : fusedKernelsRunOn(inputs) ? "CUDA (kernels/cuda on " + device.str() + ")"
                                                  : "none on " + device.str() +
                                                        " (kernels/cuda not built in, or LibTorch not on its default stream: the kernels path runs ATen ops there)";
        Status st;
        res.reference = runPath(KernelPath::Reference, **block, cos, sin, inputs, targets, o, res.flops_per_iter, progress, &st);
        if (!st) return st.error();
        res.kernels = runPath(KernelPath::Fused, **block, cos, sin, inputs, targets, o, res.flops_per_iter, progress, &st);
        if (!st) return st.error();
        for (const auto& c : kernels::linearChoices()) res.linear_choices.push_back(c.describe());
        for (const auto& c : kernels::attentionChoices()) res.linear_choices.push_back(c.describe());
        if (device.is_cpu()) {
            if (progress) progress("attention alone: the tiled op against LibTorch's scaled_dot_product_attention");
            res.attention = duelAttention(o, *dt);
        }
        if (progress) progress("the fused quant-dequant alone, forward and backward, at group 128 and 32");
        const int reps = device.is_cpu() ? 2 : 20;
        if (fusedKernelsRunOn(inputs))
            for (int g : {128, 32}) res.qdq_rates.push_back(measureQdq(4096, 4096, g, device, reps));
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("bench tune failed: ") + e.what());
    }
    return res;
}

}  // namespace srs::quant
