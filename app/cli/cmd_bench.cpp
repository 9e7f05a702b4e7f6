// signround bench: figures users and developers track, each printed together with the machine's
// plain matmul throughput measured in the same run, so ratios stay comparable across machines.
//   bench eval      perplexity-evaluation tokens/s of a model
//   bench quantize  peak memory of a 4-layer vs a 32-layer synthetic model (streaming), tuning
//                   throughput and its fraction of matmul FLOP/s, time per block
//   bench autoscheme  AutoScheme's scoring time for a model (fresh, then from the cache)
//   bench tune      SignRound time per block, reference path vs kernels path, in one run
//   bench hash      SHA-256 and SHA-1 MB/s of the Hub's hashing (OpenSSL), and of the former
//                   hand-written SHA-256 (bench_hash_reference.cpp) on the same buffer
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <limits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "core/common/numeric_cast.h"
#include "core/common/log.h"
#include "core/common/units.h"
#include "core/device/device_choice_torch.h"
#include "core/eval/perplexity.h"
#include "core/hub/sha.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors_writer.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "core/quant/tune_bench.h"
#include "core/tokenizer/spm_tokenizer.h"
#include "kernels/matmul_bench.h"

namespace fs = std::filesystem;

// The former hand-written SHA-256, kept for `bench hash` only (bench_hash_reference.cpp).
namespace srs::cli::bench {
std::string referenceSha256Hex(const std::uint8_t* data, std::size_t size, std::size_t piece);
}

namespace {

int runBench(const std::vector<std::string>& argv);

const srs::cli::Command kBench{
    "bench", "Benchmarks: evaluation speed, quantization memory and tuning throughput, AutoScheme scoring time, hashing",
    "signround bench eval --model PATH --text FILE [--window 256] [--max_windows 200]\n"
    "       signround bench quantize --tokenizer tokenizer.model --dataset FILE [--hidden 512] [--intermediate 1536] [--iters 20]\n"
    "                                [--nsamples 32] [--seqlen 256] [--layers 4,32] [--workdir DIR]\n"
    "       signround bench autoscheme --model PATH --dataset FILE [--options W2A16G64,W4A16,W8A16] [--avg_bits 3.0]\n"
    "                                  [--nsamples 16] [--seqlen 256]\n"
    "       signround bench tune [--hidden 1024] [--intermediate 3072] [--heads 16] [--kv_heads 8] [--head_dim 128] [--seqlen 2048]\n"
    "                            [--batch 8] [--iters 2] [--warmup 1] [--disable_amp] [--device auto|cpu|cuda|cuda:N]\n"
    "                            [--top N]\n"
    "       signround bench hash [--mib 1024] [--rounds 3]",
    runBench};
SRS_CLI_COMMAND(kBench);

struct Shape {
    int hidden = 512, intermediate = 1536, heads = 8, kv_heads = 4, vocab = 512, layers = 4;
};

// Per-token FLOPs of one decoder block's forward: its linears, plus attention scores and context.
double blockFlopsPerToken(const Shape& s, int seqlen) {
    const double hd = s.hidden / s.heads;
    const double linear = 2.0 * (s.hidden * (s.heads * hd) * 2 + s.hidden * (s.kv_heads * hd) * 2 + 3.0 * s.hidden * s.intermediate);
    const double attention = 2.0 * 2.0 * seqlen / 2.0 * s.heads * hd;  // causal: on average half the keys
    return linear + attention;
}

std::uint64_t blockParams(const Shape& s) {
    const std::uint64_t hd = s.hidden / s.heads;
    return static_cast<std::uint64_t>(s.hidden) * hd * (2 * s.heads + 2 * s.kv_heads) + 3ull * s.hidden * s.intermediate;
}

srs::Status writeSyntheticModel(const std::string& dir, const Shape& s, const std::string& tokenizer_model) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    const int hd = s.hidden / s.heads;
    nlohmann::json config = {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"}, {"hidden_size", s.hidden},
                             {"intermediate_size", s.intermediate}, {"num_hidden_layers", s.layers}, {"num_attention_heads", s.heads},
                             {"num_key_value_heads", s.kv_heads}, {"vocab_size", s.vocab}, {"max_position_embeddings", 4096},
                             {"rms_norm_eps", 1e-5}, {"rope_theta", 10000.0}, {"tie_word_embeddings", true}, {"torch_dtype", "float32"},
                             {"head_dim", hd}, {"bos_token_id", 1}, {"eos_token_id", 2}};
    SRS_TRY(srs::io::writeFileAtomic(dir + "/config.json", config.dump(2)));
    SRS_TRY(srs::io::writeFileAtomic(dir + "/tokenizer_config.json", "{\"add_bos_token\": true}"));
    fs::copy_file(tokenizer_model, dir + "/tokenizer.model", fs::copy_options::overwrite_existing, ec);
    if (ec) return srs::makeError(srs::ErrorCode::IoError, "cannot copy " + tokenizer_model + ": " + ec.message());
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> specs = {{"model.embed_tokens.weight", {s.vocab, s.hidden}},
                                                                           {"model.norm.weight", {s.hidden}}};
    for (int l = 0; l < s.layers; ++l) {
        std::string p = "model.layers." + std::to_string(l) + ".";
        specs.push_back({p + "input_layernorm.weight", {s.hidden}});
        specs.push_back({p + "post_attention_layernorm.weight", {s.hidden}});
        specs.push_back({p + "self_attn.q_proj.weight", {s.heads * hd, s.hidden}});
        specs.push_back({p + "self_attn.k_proj.weight", {s.kv_heads * hd, s.hidden}});
        specs.push_back({p + "self_attn.v_proj.weight", {s.kv_heads * hd, s.hidden}});
        specs.push_back({p + "self_attn.o_proj.weight", {s.hidden, s.heads * hd}});
        specs.push_back({p + "mlp.gate_proj.weight", {s.intermediate, s.hidden}});
        specs.push_back({p + "mlp.up_proj.weight", {s.intermediate, s.hidden}});
        specs.push_back({p + "mlp.down_proj.weight", {s.hidden, s.intermediate}});
    }
    std::vector<srs::io::TensorToWrite> tensors;
    for (const auto& [name, shape] : specs) tensors.push_back({name, srs::io::DType::F32, shape, nullptr});
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 0.02f);
    return srs::io::writeSafetensorsStreamed(dir + "/model.safetensors", tensors, [&](std::size_t i) -> srs::Result<srs::io::TensorBytes> {
        std::uint64_t n = 1;
        for (auto d : tensors[i].shape) n *= static_cast<std::uint64_t>(d);
        std::vector<float> v(n);
        const bool norm = tensors[i].shape.size() == 1;
        for (auto& x : v) x = norm ? 1.0f : dist(rng);
        srs::io::TensorBytes b;
        b.owned.resize(n * sizeof(float));
        std::memcpy(b.owned.data(), v.data(), b.owned.size());
        return b;
    });
}

struct ChildRun {
    int exit_code = -1;
    std::vector<nlohmann::json> events;
};

// Runs this executable with args, collecting its JSON-lines output.
ChildRun runSelf(const std::vector<std::string>& args) {
    ChildRun r;
    int fds[2];
    if (pipe(fds) != 0) return r;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        std::vector<char*> cargs;
        std::string self = "/proc/self/exe";
        cargs.push_back(self.data());
        std::vector<std::string> copy = args;
        for (auto& a : copy) cargs.push_back(a.data());
        cargs.push_back(nullptr);
        execv("/proc/self/exe", cargs.data());
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::size_t pos = 0;
    while (pos < out.size()) {
        std::size_t e = out.find('\n', pos);
        std::string line = out.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
        pos = e == std::string::npos ? out.size() : e + 1;
        try {
            r.events.push_back(nlohmann::json::parse(line));
        } catch (...) {
        }
    }
    return r;
}

int benchEval(const srs::cli::Args& a) {
    if (!a.get("model") || !a.get("text")) return srs::cli::usageError(kBench, "bench eval needs --model and --text");
    srs::eval::EvalOptions opt;
    opt.window = 256;
    opt.max_windows = 200;
    std::string err;
    if (!a.getInt("window", srs::cli::limits::kWindow, &opt.window, &err) ||
        !a.getInt("max_windows", srs::cli::IntRange{0, std::numeric_limits<int>::max()}, &opt.max_windows, &err))
        return srs::cli::usageError(kBench, err);
    if (auto e = srs::cli::checkInputFile("text", *a.get("text")); !e.empty()) return srs::cli::usageError(kBench, e);
    auto mm32 = srs::kernels::measureMatmul(1024, "float32");
    auto mm16 = srs::kernels::measureMatmul(1024, "bfloat16");
    auto mm8 = srs::kernels::measureMatmul(1024, "int8");
    opt.batch_size = 16;
    auto r = srs::eval::evaluatePerplexity(*a.get("model"), *a.get("text"), opt);
    if (!r) return srs::cli::fail(r.error().message, r.error().hint);
    std::printf("matmul fp32 1024^3: %.1f GFLOP/s\n", mm32.gflops);
    // int8 would need the activations quantized too (W8A8); the formats we write are weight-only,
    // so their perplexity is computed with float activations and int8 is shown for reference.
    std::printf("matmul bf16 1024^3: %.1f GFLOP/s; int8 (oneDNN u8 x s8 -> s32) 1024^3: %.1f GOP/s (not used: our schemes keep\n"
                "  16-bit activations, which an int8 product would quantize)\n",
                mm16.gflops, mm8.gflops);
    std::printf("eval: %d windows of %d tokens, %.0f tokens/s, PPL %.4f (%s)\n", r->windows, opt.window, r->tokens_per_s, r->ppl,
                srs::units::formatDuration(r->elapsed_ms).c_str());
    return 0;
}

int benchQuantize(const srs::cli::Args& a) {
    if (!a.get("tokenizer") || !a.get("dataset")) return srs::cli::usageError(kBench, "bench quantize needs --tokenizer and --dataset");
    Shape base;
    int it = 20, n = 32, t = 256;
    std::vector<int> depths = {4, 32};
    std::string err;
    using namespace srs::cli::limits;
    if (!a.getInt("hidden", srs::cli::IntRange{16, 65536}, &base.hidden, &err) ||
        !a.getInt("intermediate", srs::cli::IntRange{1, 262144}, &base.intermediate, &err) || !a.getInt("iters", kIters, &it, &err) ||
        !a.getInt("nsamples", kNsamples, &n, &err) || !a.getInt("seqlen", kSeqlen, &t, &err) ||
        !a.getIntList("layers", srs::cli::IntRange{1, 1024}, &depths, &err))
        return srs::cli::usageError(kBench, err);
    if (base.hidden % (2 * base.heads) != 0)  // head_dim = hidden / heads must be whole and even (RoPE)
        return srs::cli::usageError(kBench, "--hidden " + std::to_string(base.hidden) + " must be a multiple of " + std::to_string(2 * base.heads) +
                                                " (" + std::to_string(base.heads) + " heads of an even size)");
    auto tok = srs::tokenizer::SpmTokenizer::fromModelFile(*a.get("tokenizer"));
    if (!tok) return srs::cli::fail(tok.error().message, tok.error().hint);
    if ((*tok)->vocabSize() < 1 || (*tok)->vocabSize() > std::numeric_limits<int>::max())
        return srs::cli::fail(*a.get("tokenizer") + " has more pieces than a vocabulary can hold");
    base.vocab = static_cast<int>((*tok)->vocabSize());
    const std::string iters = std::to_string(it), nsamples = std::to_string(n), seqlen = std::to_string(t);
    std::string work = a.getOr("workdir", (fs::temp_directory_path() / ("signround-bench-" + std::to_string(getpid()))).string());
    auto mm32 = srs::kernels::measureMatmul(1024, "float32");
    auto mm16 = srs::kernels::measureMatmul(1024, "bfloat16");
    std::printf("matmul 1024^3: fp32 %.1f GFLOP/s, bf16 %.1f GFLOP/s\n", mm32.gflops, mm16.gflops);
    std::printf("synthetic Llama blocks: hidden %d, intermediate %d, %d/%d heads; W4G128, iters %s, nsamples %s, seqlen %s, bf16\n",
                base.hidden, base.intermediate, base.heads, base.kv_heads, iters.c_str(), nsamples.c_str(), seqlen.c_str());
    std::vector<std::uint64_t> peaks;
    double tune_flops_per_s = 0;
    double block_ms = 0;
    for (int depth : depths) {
        Shape s = base;
        s.layers = depth;
        const std::string dir = work + "/synthetic-" + std::to_string(depth);
        auto w = writeSyntheticModel(dir, s, *a.get("tokenizer"));
        if (!w) return srs::cli::fail(w.error().message, w.error().hint);
        ChildRun r = runSelf({"quantize", "--model", dir, "--dataset", *a.get("dataset"), "--output_dir", work + "/out-" + std::to_string(depth),
                              "--bits", "4", "--group_size", "128", "--iters", iters, "--nsamples", nsamples, "--seqlen", seqlen, "--json"});
        const nlohmann::json* fin = nullptr;
        std::vector<double> blocks;
        for (const auto& e : r.events) {
            if (e.value("event", "") == "finished") fin = &e;
            if (e.value("event", "") == "block_finished") blocks.push_back(e.value("elapsed_ms", 0.0));
        }
        if (r.exit_code != 0 || !fin || fin->value("state", "") != "finished")
            return srs::cli::fail("the " + std::to_string(depth) + "-layer run failed" + (fin ? ": " + fin->value("message", "") : ""));
        std::uint64_t peak = fin->value("peak_rss_bytes", std::uint64_t(0));
        peaks.push_back(peak);
        double mean_block = 0;
        for (double b : blocks) mean_block += b / srs::num::real(blocks.size());
        const int batch = 8;
        const double f_tok = blockFlopsPerToken(s, t);
        // Per block: iters × (forward + backward ≈ 3 forwards) on batch×seqlen tokens, plus four
        // forwards over all samples (FP target, RTN loss, tuned loss, quantized output).
        const double flops = it * 3.0 * batch * t * f_tok + 4.0 * n * t * f_tok;
        tune_flops_per_s = flops / (mean_block / 1000.0);
        block_ms = mean_block;
        std::printf("%2d layers: %s of weights, peak RSS %s, %.2f s per block, %.1f GFLOP/s in tuning\n", depth,
                    srs::units::formatBytes(static_cast<std::uint64_t>(depth) * 4ull * blockParams(s)).c_str(),
                    srs::units::formatBytes(peak).c_str(), mean_block / 1000.0, tune_flops_per_s / 1e9);
    }
    if (peaks.size() >= 2 && peaks.front() > 0)
        std::printf("peak RSS ratio %d/%d layers: %.3f\n", depths.back(), depths.front(), srs::num::real(peaks.back()) / srs::num::real(peaks.front()));
    std::printf("tuning throughput: %.1f GFLOP/s = %.2f of the bf16 matmul rate\n", tune_flops_per_s / 1e9, tune_flops_per_s / (mm16.gflops * 1e9));
    // Default settings (200 iters, 128 samples of 2048 tokens, batch 8) at the throughput just measured.
    Shape s = base;
    const double f2048 = blockFlopsPerToken(s, 2048);
    const double default_flops = 200 * 3.0 * 8 * 2048 * f2048 + 4.0 * 128 * 2048 * f2048;
    std::printf("projected wall time per block at default settings (200 iters, 128 x 2048 tokens): %s (measured here: %.2f s per block)\n",
                srs::units::formatDuration(static_cast<std::int64_t>(default_flops / tune_flops_per_s * 1000)).c_str(), block_ms / 1000.0);
    std::error_code ec;
    if (!a.get("workdir")) fs::remove_all(work, ec);
    return 0;
}

// Scores a model's layers with an empty cache (the time a first search costs), then searches again
// (served from the cache), and prints both with the matmul rate as the yardstick.
int benchAutoScheme(const srs::cli::Args& a) {
    if (!a.get("model") || !a.get("dataset")) return srs::cli::usageError(kBench, "bench autoscheme needs --model and --dataset");
    srs::quant::autoscheme::AutoSchemeOptions o;
    o.model = *a.get("model");
    o.datasets = srs::cli::splitList(*a.get("dataset"));
    o.options = a.getOr("options", o.options);
    std::string err;
    if (!a.getDouble("avg_bits", srs::cli::limits::kAvgBits, &o.avg_bits, &err) ||
        !a.getInt("nsamples", srs::cli::limits::kNsamples, &o.nsamples, &err) || !a.getInt("seqlen", srs::cli::limits::kSeqlen, &o.seqlen, &err))
        return srs::cli::usageError(kBench, err);
    if (auto opts = srs::quant::autoscheme::parseSchemeOptions(o.options); !opts) return srs::cli::fail(opts.error().message, opts.error().hint);
    const fs::path cache = fs::temp_directory_path() / ("signround-bench-autoscheme-" + std::to_string(getpid()));
    o.cache_dir = cache.string();
    auto mm32 = srs::kernels::measureMatmul(1024, "float32");
    std::printf("matmul fp32 1024^3: %.1f GFLOP/s\n", mm32.gflops);
    auto first = srs::quant::autoscheme::runAutoScheme(o);
    std::error_code ec;
    if (!first) {
        fs::remove_all(cache, ec);
        return srs::cli::fail(first.error().message, first.error().hint);
    }
    auto second = srs::quant::autoscheme::runAutoScheme(o);
    fs::remove_all(cache, ec);
    if (!second) return srs::cli::fail(second.error().message, second.error().hint);
    int quantized_options = 0;
    for (const auto& opt : first->options) quantized_options += opt.full_precision() ? 0 : 1;
    std::printf("autoscheme %s: %zu layers, options %s, %d samples x %d tokens\n", o.model.c_str(), first->layers.size(), o.options.c_str(),
                o.nsamples, o.seqlen);
    std::printf("scoring time: %.2f s (%.2f s per quantized option); search from the cache: %lld ms\n", srs::num::real(first->scoring_ms) / 1000.0,
                quantized_options ? srs::num::real(first->scoring_ms) / 1000.0 / quantized_options : 0.0, static_cast<long long>(second->scoring_ms));
    std::printf("chosen mix: %.4f bits per weight for a target of %.2f\n", first->allocation.avg_bits(), o.avg_bits);
    return 0;
}

// bench tune: the reference path and the kernels path timed in the same run (core/quant/tune_bench).
int benchTune(const srs::cli::Args& a) {
    srs::quant::TuneBenchOptions o;
    std::string err;
    struct Field {
        const char* flag;
        srs::cli::IntRange range;
        int* dst;
    };
    for (const Field& f : {Field{"hidden", {1, 65536}, &o.hidden}, Field{"intermediate", {1, 262144}, &o.intermediate},
                           Field{"heads", {1, 1024}, &o.heads}, Field{"kv_heads", {1, 1024}, &o.kv_heads}, Field{"head_dim", {2, 1024}, &o.head_dim},
                           Field{"seqlen", {2, 131072}, &o.seqlen}, Field{"batch", {1, 4096}, &o.batch}, Field{"iters", {1, 100000}, &o.iters},
                           Field{"warmup", {1, 1000}, &o.warmup}, Field{"top", {0, 100000}, &o.top_ops}})
        if (!a.getInt(f.flag, f.range, f.dst, &err)) return srs::cli::usageError(kBench, err);
    if (a.flag("disable_amp")) o.dtype = "float32";
    const auto device = srs::device::resolveDevice(a.getOr("device", "cpu"), srs::device::currentDeviceAvailability());
    if (!device) return srs::cli::fail(device.error().message, device.error().hint);
    o.device = device->name;
    std::printf("bench tune on %s: one decoder block, hidden %d, intermediate %d, %d/%d heads, head_dim %d, random weights; W%dG%d %s, %s,\n"
                "  batch %d x seqlen %d; %d measured iteration(s) per path after %d warm-up, reference and kernels in this run\n",
                device->label.c_str(), o.hidden, o.intermediate, o.heads, o.kv_heads, o.head_dim, o.scheme.bits, o.scheme.group_size, o.scheme.sym ? "sym" : "asym", o.dtype.c_str(), o.batch,
                o.seqlen, o.iters, o.warmup);
    std::fflush(stdout);
    auto r = srs::quant::runTuneBench(o, [](const std::string& m) { srs::log::info(m); });
    if (!r) return srs::cli::fail(r.error().message, r.error().hint);
    std::printf("matmul %s %d^3: %.1f GFLOP/s (LibTorch, the yardstick)\n", o.dtype.c_str(), o.matmul_n, r->matmul_gflops);
    std::printf("qdq kernels: %s\n", r->qdq_isa.c_str());
    for (const auto& c : r->linear_choices) std::printf("kernels %s\n", c.c_str());
    std::printf("per-op profile, ms per iteration (outermost LibTorch ops, attributed by the tuner's phases):\n");
    std::printf("  %-16s %12s %12s\n", "op", "reference", "kernels");
    for (std::size_t i = 0; i < r->reference.ops.size(); ++i)
        std::printf("  %-16s %12.1f %12.1f\n", r->reference.ops[i].first.c_str(), r->reference.ops[i].second, r->kernels.ops[i].second);
    for (const auto* p : {&r->reference, &r->kernels}) {
        if (p->top_ops.empty()) continue;
        std::printf("top %zu ops of the %s path, ms per iteration (calls):\n", p->top_ops.size(), p->name.c_str());
        for (const auto& op : p->top_ops)
            std::printf("  %-48s %-14s %10.1f (%lld)\n", op.name.c_str(), op.category.c_str(), op.ms, static_cast<long long>(op.calls));
    }
    const int fwd_batches = 4 * ((o.default_nsamples + o.batch - 1) / o.batch);
    std::printf("per block at the defaults = %d iters x iteration + %d no-grad forwards of a batch (FP target, RTN loss, best loss,\n"
                "  next block's input over %d samples):\n",
                o.default_iters, fwd_batches, o.default_nsamples);
    for (const auto* p : {&r->reference, &r->kernels})
        std::printf("  %-9s %9.1f ms per iteration, %8.1f ms per forward -> %s per block; %.1f GFLOP/s = %.2f of matmul\n", p->name.c_str(),
                    p->iter_ms, p->forward_ms, srs::units::formatDuration(static_cast<std::int64_t>(p->block_s * 1000)).c_str(), p->gflops,
                    r->matmul_gflops > 0 ? p->gflops / r->matmul_gflops : 0.0);
    if (!device->cuda)
        std::printf("attention forward + backward at this shape: tiled (kernels path) %.1f ms, LibTorch scaled_dot_product_attention %.1f ms"
                    " (sdpa/tiled %.2f; max relative difference %.2g)\n",
                    r->attention.tiled_ms, r->attention.sdpa_ms, r->attention.tiled_ms > 0 ? r->attention.sdpa_ms / r->attention.tiled_ms : 0.0,
                    r->attention.max_rel_diff);
    if (r->qdq_rates.empty()) std::printf("qdq: no fused quant-dequant on %s (%s)\n", device->name.c_str(), r->qdq_isa.c_str());
    for (const auto& q : r->qdq_rates)
        std::printf("qdq %lld x %lld group %d: forward %.1f us (%.1f GB/s), backward %.1f us (%.1f GB/s)\n", static_cast<long long>(q.out),
                    static_cast<long long>(q.in), q.group, q.forward_us, q.forward_gbps, q.backward_us, q.backward_gbps);
    std::printf("speedup %.2f  matmul_fraction %.2f\n", r->speedup(), r->matmulFraction());
    return 0;
}

// bench hash: the Hub's hashers (core/hub/sha: OpenSSL's EVP) over one buffer of pseudo-random
// bytes fed in 1 MiB pieces, as downloads and hashFile feed them, and the former hand-written
// SHA-256 over the same buffer, so the speed-up is measured in one run. MB = 10^6 bytes. Each rate
// is the best of --rounds passes, taken in turn, so a busy machine disturbs the ratio less.
struct HashBuffer {
    std::uint8_t* data;
    std::size_t size;
};

template <typename Hasher>
srs::Result<std::string> hashInPieces(const HashBuffer& buf, std::size_t piece) {
    Hasher h;
    for (std::size_t i = 0; i < buf.size; i += piece) h.update(buf.data + i, std::min(piece, buf.size - i));
    std::string hex = h.hexDigest();
    SRS_TRY(h.status());
    return hex;
}

int benchHash(const srs::cli::Args& a) {
    long long mib = 1024, rounds = 3;
    std::string err;
    if (!a.getInt("mib", srs::cli::IntRange{1, 65536}, &mib, &err) || !a.getInt("rounds", srs::cli::IntRange{1, 100}, &rounds, &err))
        return srs::cli::usageError(kBench, err);
    const std::size_t size = static_cast<std::size_t>(mib) << 20;
    constexpr std::size_t kPiece = std::size_t(1) << 20;
    // 2 MiB-aligned and advised onto huge pages where the kernel allows: with 4 KiB pages a buffer
    // this size costs a TLB miss every 4 KiB (dear under a hypervisor's nested paging), a cost the
    // product never pays, as it hashes 1 MiB pieces while they are cache-warm.
    constexpr std::size_t kHugePage = std::size_t(2) << 20;
    std::unique_ptr<std::uint8_t, decltype(&std::free)> mem(static_cast<std::uint8_t*>(std::aligned_alloc(kHugePage, size)), &std::free);
    if (!mem) return srs::cli::fail("cannot allocate a " + std::to_string(mib) + " MiB buffer", "pass a smaller --mib");
    madvise(mem.get(), size, MADV_HUGEPAGE);  // advice only: ignored where THP is off
    const HashBuffer buf{mem.get(), size};
    std::uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift64: cheap, incompressible bytes
    for (std::size_t i = 0; i < size; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::memcpy(buf.data + i, &x, 8);
    }
    std::printf("bench hash: %lld MiB of pseudo-random bytes fed in 1 MiB pieces, best of %lld round(s), MB = 10^6 bytes; hashing by %s\n",
                mib, rounds, srs::hub::hashBackendName().c_str());
    std::fflush(stdout);
    using Clock = std::chrono::steady_clock;
    auto mbPerS = [size](Clock::time_point t0) {
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        return s > 0 ? static_cast<double>(size) / 1e6 / s : 0.0;
    };
    std::string h256, h1, href;
    double r256 = 0, r1 = 0, rref = 0;
    for (long long round = 0; round < rounds; ++round) {
        auto t0 = Clock::now();
        auto d256 = hashInPieces<srs::hub::Sha256>(buf, kPiece);
        r256 = std::max(r256, mbPerS(t0));
        if (!d256) return srs::cli::fail(d256.error().message, d256.error().hint);
        t0 = Clock::now();
        auto d1 = hashInPieces<srs::hub::Sha1>(buf, kPiece);
        r1 = std::max(r1, mbPerS(t0));
        if (!d1) return srs::cli::fail(d1.error().message, d1.error().hint);
        t0 = Clock::now();
        href = srs::cli::bench::referenceSha256Hex(buf.data, size, kPiece);
        rref = std::max(rref, mbPerS(t0));
        h256 = *d256;
        h1 = *d1;
    }
    std::printf("sha256           %10.1f MB/s  %s  (srs::hub::Sha256, OpenSSL EVP)\n", r256, h256.c_str());
    std::printf("sha1             %10.1f MB/s  %s  (srs::hub::Sha1, OpenSSL EVP)\n", r1, h1.c_str());
    std::printf("sha256_reference %10.1f MB/s  %s  (the former hand-written SHA-256, kept in the bench only)\n", rref, href.c_str());
    if (href != h256) return srs::cli::fail("the reference SHA-256 and srs::hub::Sha256 disagree on the same buffer");
    std::printf("speedup_sha256 %.2f\n", rref > 0 ? r256 / rref : 0.0);
    return 0;
}

int runBench(const std::vector<std::string>& argv) {
    if (argv.empty()) return srs::cli::usageError(kBench, "give a benchmark: eval, quantize, autoscheme, tune or hash");
    srs::cli::Args a;
    std::string err;
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (!a.parse(rest, {"model", "text", "window", "max_windows", "tokenizer", "dataset", "hidden", "intermediate", "iters", "nsamples",
                        "seqlen", "layers", "workdir", "options", "avg_bits", "heads", "kv_heads", "head_dim", "batch", "warmup", "top", "mib", "rounds", "device"},
                 {"disable_amp"}, &err))
        return srs::cli::usageError(kBench, err);
    if (!a.positional().empty()) return srs::cli::usageError(kBench, "unexpected argument '" + a.positional().front() + "'");
    if (argv[0] == "eval") return benchEval(a);
    if (argv[0] == "quantize") return benchQuantize(a);
    if (argv[0] == "autoscheme") return benchAutoScheme(a);
    if (argv[0] == "tune") return benchTune(a);
    if (argv[0] == "hash") return benchHash(a);
    return srs::cli::usageError(kBench, "unknown benchmark '" + argv[0] + "'");
}

}  // namespace
