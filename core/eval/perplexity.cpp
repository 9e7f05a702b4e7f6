#include "core/eval/perplexity.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/common/log.h"
#include "core/io/atomic_file.h"
#include "core/io/weight_source.h"
#include "core/model/llama_model.h"
#include "core/tokenizer/load_tokenizer.h"
#include "kernels/linear.h"

namespace srs::eval {

Result<PerplexityReport> evaluatePerplexity(const std::string& model_path, const std::string& text_file, const EvalOptions& opt,
                                            const EvalProgressFn& progress, const CancelToken& cancel) {
    const auto t0 = std::chrono::steady_clock::now();
    if (opt.window < 2) return makeError(ErrorCode::InvalidArgument, "--window must be at least 2 tokens");
    auto dtype = model::parseComputeDtype(opt.dtype);
    if (!dtype) return dtype.error();
    auto source = io::openWeightSource(model_path);
    if (!source) return source.error();
    auto tok = opt.tokenizer_folder.empty() ? tokenizer::loadTokenizerFor(**source) : tokenizer::loadTokenizer(opt.tokenizer_folder);
    if (!tok) return tok.error();
    auto text = io::readFile(text_file);
    if (!text) return text.error();

    PerplexityReport r;
    r.model = model_path;
    r.text = text_file;
    std::vector<std::int32_t> ids = (*tok)->encode(*text, false);
    r.tokens = ids.size();
    // A tokenizer of another model (--tokenizer) gives ids the embedding does not have.
    const std::int64_t model_vocab = (*source)->config().vocab_size;
    if (!ids.empty() && model_vocab > 0) {
        const std::int32_t max_id = *std::max_element(ids.begin(), ids.end());
        if (max_id >= model_vocab)
            return makeError(ErrorCode::InvalidArgument,
                             "the tokenizer gives id " + std::to_string(max_id) + " on " + text_file + ", outside the model's vocabulary of " +
                                 std::to_string(model_vocab) + " (a " + (*tok)->kind() + " tokenizer of " +
                                 std::to_string((*tok)->vocabSize()) + " tokens)",
                             opt.tokenizer_folder.empty() ? "the model's tokenizer files do not belong to its weights"
                                                          : "--tokenizer must name this model's own tokenizer folder");
    }
    // Positions past the trained context make perplexity meaningless: windows stay within it.
    int window = opt.window;
    const std::int64_t context = (*source)->config().max_position_embeddings;
    if (context > 0 && window > context) {
        log::warn("window " + std::to_string(window) + " is longer than the model's context (max_position_embeddings " +
                  std::to_string(context) + "); using windows of " + std::to_string(context));
        window = static_cast<int>(context);
    }
    int windows = static_cast<int>(ids.size() / window);
    if (opt.max_windows > 0) windows = std::min(windows, opt.max_windows);
    if (windows == 0)
        return makeError(ErrorCode::InvalidArgument, text_file + " has " + std::to_string(ids.size()) + " tokens, fewer than one window of " +
                                                         std::to_string(window),
                         "use a longer text or a smaller --window");

    auto model = model::CausalLM::load(*source, *dtype);
    if (!model) return model.error();
    c10::InferenceMode guard;
    kernels::FastLinearScope fast(opt.kernels != quant::KernelPath::Reference);
    const int batch = std::max(1, opt.batch_size);
    double nll_sum = 0.0;
    try {
        for (int w0 = 0; w0 < windows; w0 += batch) {
            SRS_TRY(cancel.check("evaluating perplexity"));
            const int nb = std::min(batch, windows - w0);
            at::Tensor batch_ids = at::empty({nb, window}, at::kLong);
            auto acc = batch_ids.accessor<std::int64_t, 2>();
            for (int b = 0; b < nb; ++b)
                for (int t = 0; t < window; ++t) acc[b][t] = ids[static_cast<std::size_t>(w0 + b) * window + t];
            at::Tensor logits = (*model)->logits(batch_ids);  // [nb, window, V] float32
            at::Tensor logp = at::log_softmax(logits.narrow(1, 0, window - 1), -1);
            at::Tensor target = batch_ids.narrow(1, 1, window - 1).unsqueeze(-1);
            nll_sum -= logp.gather(-1, target).to(at::kDouble).sum().item<double>();
            if (progress) progress(w0 + nb, windows);
        }
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("evaluation failed: ") + e.what());
    }
    r.windows = windows;
    r.window = window;
    r.scored_tokens = static_cast<std::uint64_t>(windows) * (window - 1);
    r.mean_nll = nll_sum / static_cast<double>(r.scored_tokens);
    r.ppl = std::exp(r.mean_nll);
    r.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    r.tokens_per_s = r.elapsed_ms > 0 ? 1000.0 * windows * window / static_cast<double>(r.elapsed_ms) : 0.0;
    return r;
}

}  // namespace srs::eval
