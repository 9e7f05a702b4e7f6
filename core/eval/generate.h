// Text generation from a model (a Hugging Face folder, one of our packed exports, or a GGUF):
// greedy or sampled (temperature, top-k, top-p, with a seed), one token at a time through a KV
// cache, stopping at EOS, at the chat template's end-of-turn token, at max_new_tokens or at the
// model's context length. With `chat`, the prompt is one user message rendered through the model's
// chat template (an error when the model has none). Plain facade: the model and its cache live
// behind the pimpl, on LibTorch; the GUI and the CLI see ids, text and timings only.
//
// One Generator holds one loaded model and one generation at a time; it is not thread-safe, but
// may be used from any one thread at a time (the GUI's worker).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/quant/quant_scheme.h"

namespace srs::eval {

struct SamplingOptions {
    double temperature = 0.0;  // 0: greedy (the argmax, ties to the lowest id)
    int top_k = 0;             // keep the k most likely tokens; 0: all
    double top_p = 1.0;        // keep the smallest set whose probability reaches top_p; 1: all
    std::uint64_t seed = 0;    // same seed, model, prompt and options: the same tokens
};

struct GenerateOptions {
    int max_new_tokens = 128;
    bool chat = false;  // render the prompt as one user message through the model's chat template
    SamplingOptions sampling;
};

enum class StopReason { None, Eos, EndOfTurn, MaxTokens, ContextFull, Cancelled };
const char* stopReasonName(StopReason reason);  // "eos", "end-of-turn", "max-tokens", "context-full", "cancelled", "none"

struct GeneratedToken {
    int index = 0;           // 0 for the first generated token
    std::int32_t id = 0;
    std::string text;        // the text this token adds to the decoded output (may be empty mid-UTF-8)
    double elapsed_ms = 0;   // time to produce this token (its forward and sampling)
};

struct GenerationResult {
    std::vector<std::int32_t> prompt_ids;  // what the model was fed, BOS and chat template included
    std::vector<std::int32_t> ids;         // generated tokens, the stop token excluded
    std::string text;                      // decoded generated tokens
    StopReason stop = StopReason::None;
    double prompt_ms = 0;                  // the prompt's forward (prefill)
    double generate_ms = 0;                // all generated tokens
    double tokens_per_s = 0;               // generated tokens / generate_ms
};

struct GeneratorOptions {
    std::string dtype = "float32";  // float32 | bfloat16
    quant::KernelPath kernels = quant::KernelPath::Fused;
};

class Generator {
public:
    static Result<std::unique_ptr<Generator>> open(const std::string& model_path, const GeneratorOptions& options = {});
    ~Generator();
    Generator(const Generator&) = delete;
    Generator& operator=(const Generator&) = delete;

    const std::string& modelPath() const;
    bool hasChatTemplate() const;
    std::int64_t contextLength() const;

    // The ids a prompt becomes (BOS as the tokenizer asks, the chat template when `chat`).
    Result<std::vector<std::int32_t>> promptIds(const std::string& prompt, bool chat) const;
    std::string decode(const std::vector<std::int32_t>& ids) const;

    // Step-wise generation: start() feeds the prompt (prefill); each next() produces one token,
    // or nothing once stopped (result().stop says why). A new start() discards the previous one.
    Status start(const std::string& prompt, const GenerateOptions& options);
    Result<std::optional<GeneratedToken>> next(const CancelToken& cancel = {});
    const GenerationResult& result() const;

    // The whole loop: start, then next until stopped, on_token called for each token as it comes.
    Result<GenerationResult> generate(const std::string& prompt, const GenerateOptions& options,
                                      const std::function<void(const GeneratedToken&)>& on_token = {}, const CancelToken& cancel = {});

    // Teacher forcing, without the cache: one full-sequence forward over ids; element i is the
    // model's argmax after ids[0..i]. What the GUI uses to mark where a quant's choice differs from
    // the original's on the same prefix, and the reference the cached greedy loop is tested against.
    Result<std::vector<std::int32_t>> topChoices(const std::vector<std::int32_t>& ids) const;

private:
    struct Impl;
    explicit Generator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace srs::eval
