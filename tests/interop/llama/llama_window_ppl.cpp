// Perplexity of a GGUF model computed by llama.cpp's library (libllama, built from source by the
// interop_llama_setup fixture; this file is compiled against it by setup.sh), in one of two
// protocols:
//
//   --protocol windows (default) — the same windows and scoring as `signround eval`
//   (core/eval/perplexity.cpp):
//     ids = tokenize(whole text) with no BOS/EOS added and no special-token parsing;
//     N = min(--window, the model's trained context length);
//     windows = floor(len(ids) / N) non-overlapping windows ids[w*N .. w*N+N), capped by --max-windows;
//     in each window (empty KV cache, positions 0..N-1) the tokens at 1..N-1 are scored from the
//     logits at 0..N-2; PPL = exp(sum of -log p / (windows * (N-1))).
//
//   --protocol llama-perplexity — what llama.cpp's `llama-perplexity` tool does, so its printed
//   figure can be checked against the library: ids = tokenize(text) with BOS added (when the
//   vocabulary asks for it); chunk c is ids[c*N .. c*N+N) with its first token replaced by BOS;
//   only the second half is scored: the tokens at N/2+1..N-1 from the logits at N/2..N-2.
//
// Log-softmax is done here in double precision over the full-vocabulary logits.
//
// usage: llama_window_ppl --model FILE.gguf --text FILE --window N [--max-windows K] [--threads T]
//                         [--protocol windows|llama-perplexity]
// Prints: one line naming the library, then
//         tokens N  window N  windows W  scored S  nll X  PPL Y  seconds T
// Exit 0 on success, 2 on any failure (with a message on stderr).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "llama.h"

namespace {

[[noreturn]] void fail(const char* fmt, ...) {
    std::fprintf(stderr, "llama_window_ppl: ");
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fprintf(stderr, "\n");
    std::exit(2);
}

struct Args {
    std::string model, text, protocol = "windows";
    int window = 0, max_windows = 0, threads = 1;
};

int parseInt(const char* name, const std::string& v, int min) {
    char* end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || x < min || x > 1 << 30) fail("--%s must be an integer >= %d, got '%s'", name, min, v.c_str());
    return int(x);
}

Args parseArgs(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        if (i + 1 >= argc) fail("%s needs a value", k.c_str());
        const std::string v = argv[++i];
        if (k == "--model") a.model = v;
        else if (k == "--text") a.text = v;
        else if (k == "--window") a.window = parseInt("window", v, 4);
        else if (k == "--max-windows") a.max_windows = parseInt("max-windows", v, 0);
        else if (k == "--threads") a.threads = parseInt("threads", v, 1);
        else if (k == "--protocol") a.protocol = v;
        else fail("unknown argument '%s'", k.c_str());
    }
    if (a.model.empty() || a.text.empty() || a.window == 0) fail("--model, --text and --window are required");
    if (a.protocol != "windows" && a.protocol != "llama-perplexity") fail("--protocol must be windows or llama-perplexity");
    return a;
}

// llama.cpp logs a lot at load time; keep only errors, so stdout/stderr stay readable in the test log.
void quietLog(ggml_log_level level, const char* text, void*) {
    if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

std::vector<llama_token> tokenize(const llama_vocab* vocab, const std::string& text, bool add_bos) {
    std::vector<llama_token> ids(text.size() + 16);
    int n = llama_tokenize(vocab, text.data(), int32_t(text.size()), ids.data(), int32_t(ids.size()), add_bos, false);
    if (n < 0) {
        ids.resize(std::size_t(-n));
        n = llama_tokenize(vocab, text.data(), int32_t(text.size()), ids.data(), int32_t(ids.size()), add_bos, false);
    }
    if (n < 0) fail("llama_tokenize failed (%d)", n);
    ids.resize(std::size_t(n));
    return ids;
}

// -log softmax(logits)[target], in double.
double nll(const float* logits, int n_vocab, llama_token target) {
    double mx = -INFINITY;
    for (int v = 0; v < n_vocab; ++v) mx = std::max(mx, double(logits[v]));
    double sum = 0.0;
    for (int v = 0; v < n_vocab; ++v) sum += std::exp(double(logits[v]) - mx);
    const double r = -(double(logits[target]) - mx - std::log(sum));
    if (!std::isfinite(r)) fail("non-finite log-probability");
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const Args a = parseArgs(argc, argv);
    const auto t0 = std::chrono::steady_clock::now();
    std::ifstream in(a.text, std::ios::binary);
    if (!in) fail("--text: cannot read %s", a.text.c_str());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();

    llama_log_set(quietLog, nullptr);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model* model = llama_model_load_from_file(a.model.c_str(), mp);
    if (!model) fail("llama.cpp could not load %s", a.model.c_str());
    const llama_vocab* vocab = llama_model_get_vocab(model);
    const int n_vocab = llama_vocab_n_tokens(vocab);
    const bool llama_ppl = a.protocol == "llama-perplexity";
    const bool add_bos = llama_ppl && llama_vocab_get_add_bos(vocab);

    std::vector<llama_token> ids = tokenize(vocab, text, add_bos);
    for (llama_token t : ids)
        if (t < 0 || t >= n_vocab) fail("token id %d is outside the model's vocabulary of %d", t, n_vocab);

    int N = a.window;
    const int train_ctx = llama_model_n_ctx_train(model);
    if (!llama_ppl && train_ctx > 0 && N > train_ctx) {
        std::fprintf(stderr, "warning: window %d is longer than the model's context (%d); using windows of %d\n", N, train_ctx, train_ctx);
        N = train_ctx;
    }
    int windows = int(ids.size() / std::size_t(N));
    if (a.max_windows > 0) windows = std::min(windows, a.max_windows);
    if (windows == 0) fail("the text has %zu tokens, fewer than one window of %d", ids.size(), N);

    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = uint32_t(N);
    cp.n_batch = uint32_t(N);
    cp.n_ubatch = uint32_t(N);
    cp.n_seq_max = 1;
    cp.n_threads = a.threads;
    cp.n_threads_batch = a.threads;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.no_perf = true;
    llama_context* ctx = llama_init_from_model(model, cp);
    if (!ctx) fail("llama.cpp could not create a context of %d tokens", N);

    const int first = llama_ppl ? N / 2 : 0;  // logits from this position on are scored
    llama_batch batch = llama_batch_init(N, 0, 1);
    double total = 0.0;
    for (int w = 0; w < windows; ++w) {
        llama_memory_clear(llama_get_memory(ctx), true);  // each window starts from an empty cache at position 0
        std::vector<llama_token> win(ids.begin() + std::ptrdiff_t(w) * N, ids.begin() + std::ptrdiff_t(w + 1) * N);
        if (add_bos) win[0] = llama_vocab_bos(vocab);
        batch.n_tokens = N;
        for (int i = 0; i < N; ++i) {
            batch.token[i] = win[std::size_t(i)];
            batch.pos[i] = i;
            batch.n_seq_id[i] = 1;
            batch.seq_id[i][0] = 0;
            batch.logits[i] = (i >= first && i < N - 1) ? 1 : 0;
        }
        if (llama_decode(ctx, batch) != 0) fail("llama_decode failed on window %d", w);
        for (int i = first; i < N - 1; ++i) {
            const float* logits = llama_get_logits_ith(ctx, i);
            if (!logits) fail("llama.cpp returned no logits for window %d position %d", w, i);
            total += nll(logits, n_vocab, win[std::size_t(i) + 1]);
        }
    }
    llama_batch_free(batch);

    const long scored = long(windows) * (N - 1 - first);
    const double mean = total / double(scored);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char desc[128] = {0};
    llama_model_desc(model, desc, sizeof desc);
    std::printf("llama.cpp (ggml %s), %s, protocol %s, %d thread(s)\n", ggml_version(), desc, a.protocol.c_str(), a.threads);
    std::printf("tokens %zu  window %d  windows %d  scored %ld  nll %.6f  PPL %.4f  seconds %.1f\n", ids.size(), N, windows, scored, mean,
                std::exp(mean), secs);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
