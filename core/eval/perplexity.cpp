#include "core/eval/perplexity.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "core/common/log.h"
#include "core/eval/kld_summary.h"
#include "core/io/atomic_file.h"
#include "core/io/read_text_file.h"
#include "core/io/weight_source.h"
#include "core/model/llama_model.h"
#include "core/quant/nonfinite.h"
#include "core/tokenizer/load_tokenizer.h"
#include "kernels/linear.h"

namespace srs::eval {
namespace {

// Which tokens of the text are fed, and which of them scored.
struct WindowPlan {
    std::vector<std::int32_t> ids;      // the whole text
    int window = 0;                      // tokens per window
    int windows = 0;                     // windows fed
    int first = 0;                       // logits at positions first..window-2 are scored
    std::optional<std::int32_t> bos;     // replaces each window's first token (LlamaPerplexity)
    int scoredPerWindow() const { return window - 1 - first; }
};

// A tokenizer of another model (--tokenizer) gives ids the embedding does not have.
Status checkIds(const std::vector<std::int32_t>& ids, const tokenizer::Tokenizer& tok, std::int64_t model_vocab, const std::string& text_file,
                const EvalOptions& opt) {
    if (ids.empty() || model_vocab <= 0) return {};
    const std::int32_t max_id = *std::max_element(ids.begin(), ids.end());
    if (max_id < model_vocab) return {};
    return makeError(ErrorCode::InvalidArgument,
                     "the tokenizer gives id " + std::to_string(max_id) + " on " + text_file + ", outside the model's vocabulary of " +
                         std::to_string(model_vocab) + " (a " + tok.kind() + " tokenizer of " + std::to_string(tok.vocabSize()) + " tokens)",
                     opt.tokenizer_folder.empty() ? "the model's tokenizer files do not belong to its weights"
                                                  : "--tokenizer must name this model's own tokenizer folder");
}

// Positions past the trained context make perplexity meaningless: windows stay within it (the
// shorter context of the two models when there is a reference).
int clampWindow(int window, std::int64_t context) {
    if (context <= 0 || window <= context) return window;
    log::warn("window " + std::to_string(window) + " is longer than the model's context (max_position_embeddings " + std::to_string(context) +
              "); using windows of " + std::to_string(context));
    return static_cast<int>(context);
}

Result<WindowPlan> planWindows(const io::WeightSource& source, const io::WeightSource* reference, const std::string& text_file,
                               const EvalOptions& opt) {
    auto tok = opt.tokenizer_folder.empty() ? tokenizer::loadTokenizerFor(source) : tokenizer::loadTokenizer(opt.tokenizer_folder);
    if (!tok) return tok.error();
    auto text = io::readTextFile(text_file, io::kMaxTextDataBytes);
    if (!text) return text.error();
    WindowPlan p;
    const bool llama = opt.protocol == EvalProtocol::LlamaPerplexity;
    // llama-perplexity adds BOS to the text when the vocabulary asks for it, and puts it first in every window.
    if (llama && (*tok)->addsBosByDefault()) p.bos = (*tok)->bosId();
    auto ids = (*tok)->tryEncode(*text, p.bos.has_value());  // an error for a hostile tokenizer.json
    if (!ids) return ids.error().withContext("tokenizing " + text_file);
    p.ids = std::move(*ids);
    SRS_TRY(checkIds(p.ids, **tok, source.config().vocab_size, text_file, opt));
    std::int64_t context = source.config().max_position_embeddings;
    if (reference) {
        const std::int64_t rc = reference->config().max_position_embeddings;
        if (rc > 0 && (context <= 0 || rc < context)) context = rc;
    }
    p.window = clampWindow(opt.window, context);
    p.windows = static_cast<int>(p.ids.size() / p.window);
    if (opt.max_windows > 0) p.windows = std::min(p.windows, opt.max_windows);
    p.first = llama ? p.window / 2 : 0;
    if (p.windows == 0)
        return makeError(ErrorCode::InvalidArgument,
                         text_file + " has " + std::to_string(p.ids.size()) + " tokens, fewer than one window of " + std::to_string(p.window),
                         "use a longer text or a smaller --window");
    if (p.scoredPerWindow() < 1)
        return makeError(ErrorCode::InvalidArgument, "a window of " + std::to_string(p.window) + " tokens scores no token under the llama-perplexity protocol",
                         "use a --window of at least 4 tokens");
    return p;
}

Status checkReference(const io::WeightSource& model, const io::WeightSource& reference, const std::string& model_path,
                      const std::string& reference_path) {
    const std::int64_t mv = model.config().vocab_size, rv = reference.config().vocab_size;
    if (mv == rv) return {};
    return makeError(ErrorCode::InvalidArgument,
                     "the reference " + reference_path + " has a vocabulary of " + std::to_string(rv) + " tokens, " + model_path + " one of " +
                         std::to_string(mv) + ": KL divergence compares distributions over the same tokens",
                     "--reference must name the original this model was quantized from");
}

// One batch of windows as ids [nb, window], the BOS in front when the protocol asks for it.
at::Tensor batchIds(const WindowPlan& p, int w0, int nb) {
    at::Tensor batch = at::empty({nb, p.window}, at::kLong);
    auto acc = batch.accessor<std::int64_t, 2>();
    for (int b = 0; b < nb; ++b) {
        for (int t = 0; t < p.window; ++t) acc[b][t] = p.ids[static_cast<std::size_t>(w0 + b) * p.window + t];
        if (p.bos) acc[b][0] = *p.bos;
    }
    return batch;
}

// Scores rows of logits ([R, V] float32, the predictions of the next tokens `target` [R]) in double
// precision: the model's NLL and, with reference logits, the reference's NLL, top-1 agreement and
// per-row KL(P_reference || P_model). Identical logits give exactly 0: the same arithmetic on the
// same values gives the same log-probabilities, and their difference is 0.
void scoreRows(const at::Tensor& model_rows, const at::Tensor& ref_rows, const at::Tensor& target, KldAccumulator& acc) {
    const at::Tensor idx = target.unsqueeze(-1);
    const at::Tensor lpm = at::log_softmax(model_rows.to(at::kDouble), -1);
    acc.model_nll_sum -= lpm.gather(-1, idx).sum().item<double>();
    if (!ref_rows.defined()) return;
    const at::Tensor lpr = at::log_softmax(ref_rows.to(at::kDouble), -1);
    acc.reference_nll_sum -= lpr.gather(-1, idx).sum().item<double>();
    const at::Tensor pr = lpr.exp();
    // A token the reference gives probability 0 adds nothing (0 · log 0 = 0), whatever the model says.
    const at::Tensor terms = at::where(pr > 0, pr * (lpr - lpm), at::zeros({}, pr.options()));
    const at::Tensor kld = terms.sum(-1).to(at::kCPU).contiguous();
    const double* k = kld.data_ptr<double>();
    acc.per_token_kld.insert(acc.per_token_kld.end(), k, k + kld.size(0));
    acc.top1_matches += static_cast<std::uint64_t>(model_rows.argmax(-1).eq(ref_rows.argmax(-1)).sum().item<std::int64_t>());
}

// Scores the windows of one batch (logits [nb, window, V]), a bounded number of rows at a time.
void scoreBatch(const WindowPlan& p, const at::Tensor& batch_ids, const at::Tensor& logits, const at::Tensor& ref_logits, KldAccumulator& acc) {
    const std::int64_t vocab = logits.size(-1);
    const int scored = p.scoredPerWindow();
    const int rows = static_cast<int>(std::clamp<std::int64_t>(kScoreChunkValues / std::max<std::int64_t>(1, vocab), 1, scored));
    for (std::int64_t b = 0; b < logits.size(0); ++b)
        for (int r0 = 0; r0 < scored; r0 += rows) {
            const int n = std::min(rows, scored - r0);
            const at::Tensor m = logits[b].narrow(0, p.first + r0, n);
            const at::Tensor r = ref_logits.defined() ? ref_logits[b].narrow(0, p.first + r0, n) : at::Tensor();
            scoreRows(m, r, batch_ids[b].narrow(0, p.first + r0 + 1, n), acc);
        }
}

struct Models {
    std::unique_ptr<model::CausalLM> model, reference;  // reference: null without one
    std::shared_ptr<io::WeightSource> model_source, reference_source;
};

const char* const kBadModelHint =
    "a model that computes NaN or infinity has no perplexity: the model file is damaged (re-download or re-convert it), or, for "
    "a quantized export, re-run the quantization from a finite original";

// Why a model's logits on a batch of windows are not finite: the first of its tensors that holds
// NaN or infinity (read from the source one at a time), else the first block whose output on
// these windows is not, else the final norm and head. Only on failure: it reruns the batch.
Error nonFiniteLogits(model::CausalLM& lm, const io::WeightSource& source, const at::Tensor& ids, const at::Tensor& logits, int w0,
                      const std::string& role) {
    const std::string what = role + " " + source.path() + " gives " + quant::describeNonFinite(logits) + " logits on windows " +
                             std::to_string(w0 + 1) + "-" + std::to_string(w0 + ids.size(0));
    for (const auto& name : source.tensorNames()) {
        auto t = source.loadFloat(name);
        if (!t) continue;
        const at::Tensor x = model::toTensor(*t, at::kFloat);
        if (!quant::allFinite(x))
            return makeError(ErrorCode::InvalidArgument, what + ": its tensor " + name + " holds " + quant::describeNonFinite(x), kBadModelHint);
    }
    at::Tensor h = lm.embed(ids);
    auto [cos, sin] = lm.rope().cosSin(at::arange(ids.size(1), at::kLong));
    cos = cos.to(h.device());
    sin = sin.to(h.device());
    for (int i = 0; i < lm.numBlocks(); ++i) {
        h = lm.block(i).forward(h, cos, sin);
        if (!quant::allFinite(h))
            return makeError(ErrorCode::InvalidArgument,
                             what + ": block " + std::to_string(i + 1) + " (model.layers." + std::to_string(i) +
                                 ") is the first whose output is not finite, on finite weights: its activations overflow float32",
                             kBadModelHint);
    }
    return makeError(ErrorCode::InvalidArgument, what + ": every block's output is finite, its final norm or head overflows float32", kBadModelHint);
}

// Runs every window through the model (and the reference), scoring as it goes.
Status scoreAll(const WindowPlan& p, const Models& m, const EvalOptions& opt, KldAccumulator& acc, const EvalProgressFn& progress,
                const CancelToken& cancel) {
    c10::InferenceMode guard;
    kernels::FastLinearScope fast(opt.kernels != quant::KernelPath::Reference);
    const int batch = std::max(1, opt.batch_size);
    try {
        for (int w0 = 0; w0 < p.windows; w0 += batch) {
            SRS_TRY(cancel.check("evaluating perplexity"));
            const int nb = std::min(batch, p.windows - w0);
            const at::Tensor ids = batchIds(p, w0, nb).to(m.model->device());
            const at::Tensor logits = m.model->logits(ids);  // [nb, window, V] float32
            if (!quant::allFinite(logits)) return nonFiniteLogits(*m.model, *m.model_source, ids, logits, w0, "the model");
            at::Tensor ref_logits;
            if (m.reference) {
                SRS_TRY(cancel.check("evaluating the reference"));
                ref_logits = m.reference->logits(ids);
                if (!quant::allFinite(ref_logits)) return nonFiniteLogits(*m.reference, *m.reference_source, ids, ref_logits, w0, "the reference");
                if (ref_logits.sizes() != logits.sizes())
                    return makeError(ErrorCode::InvalidArgument, "the reference's logits are not shaped as the model's",
                                     "--reference must name the original this model was quantized from");
            }
            scoreBatch(p, ids, logits, ref_logits, acc);
            if (progress) progress(w0 + nb, p.windows);
        }
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, std::string("evaluation failed: ") + e.what());
    }
    return {};
}

Result<Models> loadModels(const std::shared_ptr<io::WeightSource>& source, const std::shared_ptr<io::WeightSource>& reference,
                          at::ScalarType dtype, const c10::Device& device) {
    Models m;
    m.model_source = source;
    m.reference_source = reference;
    auto model = model::CausalLM::load(source, dtype);
    if (!model) return model.error();
    m.model = std::move(*model);
    m.model->to(device);
    if (reference) {
        auto ref = model::CausalLM::load(reference, dtype);
        if (!ref) return ref.error();
        m.reference = std::move(*ref);
        m.reference->to(device);
    }
    return m;
}

// Every figure of a report, finite (perplexity past double's range is infinite, not a result).
Status checkFigures(const PerplexityReport& r) {
    std::vector<std::pair<const char*, double>> figures{{"mean NLL", r.mean_nll}, {"perplexity", r.ppl}};
    if (r.kld)
        for (const auto& f : std::initializer_list<std::pair<const char*, double>>{{"KL divergence mean", r.kld->mean},   {"KL divergence max", r.kld->max},
                                                                                 {"reference perplexity", r.kld->reference_ppl}, {"perplexity ratio", r.kld->ppl_ratio}})
            figures.push_back(f);
    for (const auto& [name, v] : figures)
        if (!std::isfinite(v))
            return makeError(ErrorCode::InvalidArgument,
                             r.model + ": the " + std::string(name) + " on " + r.text + " came out " + quant::formatValue(v) + " (mean NLL " +
                                 quant::formatValue(r.mean_nll) + " over " + std::to_string(r.scored_tokens) + " tokens)",
                             "the model predicts the text's tokens with probability 0 or computes non-finite numbers: check the model and "
                             "that --tokenizer / the text belong to it");
    return {};
}

}  // namespace

Result<PerplexityReport> evaluatePerplexity(const std::string& model_path, const std::string& text_file, const EvalOptions& opt,
                                            const EvalProgressFn& progress, const CancelToken& cancel) {
    const auto t0 = std::chrono::steady_clock::now();
    if (opt.window < 2) return makeError(ErrorCode::InvalidArgument, "--window must be at least 2 tokens");
    auto dtype = model::parseComputeDtype(opt.dtype);
    if (!dtype) return dtype.error();
    auto source = io::openWeightSource(model_path);
    if (!source) return source.error();
    std::shared_ptr<io::WeightSource> reference;
    if (!opt.reference.empty()) {
        auto ref = io::openWeightSource(opt.reference);
        if (!ref) return ref.error();
        SRS_TRY(checkReference(**source, **ref, model_path, opt.reference));
        reference = *ref;
    }
    auto plan = planWindows(**source, reference.get(), text_file, opt);
    if (!plan) return plan.error();
    c10::Device device(c10::kCPU);
    try {
        device = c10::Device(opt.device);
    } catch (const std::exception&) {
        return makeError(ErrorCode::InvalidArgument, "unknown device '" + opt.device + "'", "use cpu or cuda:N");
    }
    Result<Models> models = makeError(ErrorCode::Internal, "not loaded");
    try {
        models = loadModels(*source, reference, *dtype, device);
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Unsupported, "cannot place the model on " + opt.device + ": " + e.what(),
                         "evaluate with --device cpu, or free GPU memory");
    }
    if (!models) return models.error();
    KldAccumulator acc;
    SRS_TRY(scoreAll(*plan, *models, opt, acc, progress, cancel));

    PerplexityReport r;
    r.model = model_path;
    r.text = text_file;
    r.tokens = plan->ids.size();
    r.windows = plan->windows;
    r.window = plan->window;
    r.scored_tokens = static_cast<std::uint64_t>(plan->windows) * plan->scoredPerWindow();
    r.mean_nll = acc.model_nll_sum / static_cast<double>(r.scored_tokens);
    r.ppl = std::exp(r.mean_nll);
    if (reference) r.kld = summarizeKld(std::move(acc));
    // Finite logits give finite figures unless the scoring overflows; no NaN is ever reported as one.
    SRS_TRY(checkFigures(r));
    r.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    r.tokens_per_s = r.elapsed_ms > 0 ? 1000.0 * r.windows * r.window / static_cast<double>(r.elapsed_ms) : 0.0;
    return r;
}

}  // namespace srs::eval
