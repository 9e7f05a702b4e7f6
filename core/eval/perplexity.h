// Perplexity of a model on a text, the way everyone compares quantized models: tokenize the whole
// text (no BOS), cut it into non-overlapping windows of `window` tokens, predict tokens 1..N−1 of
// each window from its own prefix, PPL = exp(mean NLL). A trailing partial window is not scored,
// as in the reference protocol of shared/data/PROVENANCE.md. Plain facade: no torch here.
//
// With a reference (EvalOptions::reference, the original model) both models run on the same
// window batches and every scored token also gets KL(P_reference || P_model), top-1 agreement and
// the reference's NLL (log-softmax in double precision, a bounded number of rows at a time; a
// model against itself gives exactly 0). Memory: both models are resident at once (each loaded in
// the compute dtype), and the logits of one batch of windows of both.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/eval/kld.h"
#include "core/quant/quant_scheme.h"

namespace srs::eval {

enum class EvalProtocol { Windows, LlamaPerplexity };

struct EvalOptions {
    int window = 2048;
    int batch_size = 4;          // windows per forward
    std::string dtype = "float32";
    int max_windows = 0;         // 0: all
    std::string tokenizer_folder;  // tokenize with this folder's tokenizer instead of the model's
    // The block implementation: the kernels path (tiled attention, fused norm / rope / SwiGLU,
    // measured matmul backends) unless Reference, the plain-LibTorch ops.
    quant::KernelPath kernels = quant::KernelPath::Fused;
    // The original to measure KL divergence against (a folder or .gguf, same tokenizer): scored on
    // the same windows, its figures go in PerplexityReport::kld. Empty: perplexity only.
    std::string reference;
    // Which tokens are scored. Windows: our protocol above. LlamaPerplexity: what llama.cpp's
    // llama-perplexity does (BOS first in every window, only the second half scored), so that our
    // figures can be set beside its own.
    EvalProtocol protocol = EvalProtocol::Windows;
    // Where the models run: "cpu" or "cuda:N", already resolved (device::resolveDevice); the
    // scoring runs there too, only the per-token figures come back to the host.
    std::string device = "cpu";
};

struct PerplexityReport {
    std::string model;
    std::string text;
    std::uint64_t tokens = 0;         // ids of the whole text
    std::uint64_t scored_tokens = 0;  // predicted tokens
    int windows = 0;
    int window = 0;                   // tokens per window actually used (clamped to the model's context)
    double mean_nll = 0.0;
    double ppl = 0.0;
    std::int64_t elapsed_ms = 0;
    double tokens_per_s = 0.0;        // tokens through the model per second
    std::optional<KldStats> kld;      // when EvalOptions::reference was given
};

using EvalProgressFn = std::function<void(int windows_done, int windows_total)>;

// model_path: a model folder (HF or packed export) or a .gguf; the tokenizer comes with it.
Result<PerplexityReport> evaluatePerplexity(const std::string& model_path, const std::string& text_file, const EvalOptions& options,
                                            const EvalProgressFn& progress = {}, const CancelToken& cancel = {});

}  // namespace srs::eval
