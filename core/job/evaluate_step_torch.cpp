#include "core/job/evaluate_step.h"

#include <cstdio>
#include <filesystem>

#include "core/common/log.h"
#include "core/eval/perplexity.h"

namespace fs = std::filesystem;

namespace srs::job {

Result<std::vector<EvalResult>> evaluateExports(const RunPlan& plan, const exporter::QuantizedModel& model,
                                                const std::vector<ExportedFile>& files, const CancelToken& cancel) {
    const JobConfig& c = plan.config;
    eval::EvalOptions eo;
    eo.window = c.eval_window;
    eo.batch_size = 8;
    eo.kernels = plan.kernels;
    eo.device = c.device;  // resolved by the job: "cpu" or "cuda:N"
    exporter::QuantizedModel original;
    original.source = model.source;
    double params = 0;
    for (const auto& n : model.source->tensorNames())
        if (auto shape = model.source->shape(n)) {
            double p = 1;
            for (auto d : *shape) p *= static_cast<double>(d);
            params += p;
        }
    std::vector<EvalResult> out;
    // The original's perplexity comes with the first export's KL divergence (the reference is
    // scored on the same windows and token stream); it is measured on its own only without exports.
    out.push_back({"original", c.eval_text, 0.0, exporter::bitsPerWeight(original), 0, std::nullopt});
    const double bpw = exporter::bitsPerWeight(model);
    for (std::size_t i = 0; i < files.size() && i < plan.exports.size(); ++i) {
        const ExportedFile& f = files[i];
        // A GGUF carries its own copy of the vocabulary; scoring it with the source folder's
        // tokenizer keeps the token stream identical to the original's, so the numbers compare.
        const bool gguf = plan.exports[i].format.isGguf();
        eval::EvalOptions feo = eo;
        if (gguf) feo.tokenizer_folder = model.source->tokenizerFolder();
        // Against the run's source: KL divergence from the original on the same windows (both
        // models are in memory while this export is scored).
        feo.reference = c.model;
        auto r = eval::evaluatePerplexity(f.path, c.eval_text, feo, {}, cancel);
        if (!r) return r.error().withContext("evaluating the " + f.format + " export");
        // A GGUF mixes types per tensor: its bits per weight is what the .gguf file takes.
        std::error_code ec;
        const auto gguf_bytes = gguf ? fs::file_size(fs::path(f.path) / plan.exports[i].card.gguf_file, ec) : 0;
        const double file_bpw = gguf && params > 0 && !ec ? 8.0 * static_cast<double>(gguf_bytes) / params : bpw;
        out.push_back({f.format, c.eval_text, r->ppl, file_bpw, f.size_bytes, r->kld});
        if (out.front().ppl == 0.0 && r->kld) out.front().ppl = r->kld->reference_ppl;
        char line[256];
        if (r->kld)
            std::snprintf(line, sizeof line, ": PPL %.4f (original %.4f), KLD mean %.5f, top-1 %.2f %%", r->ppl, r->kld->reference_ppl,
                          r->kld->mean, 100.0 * r->kld->top1_agreement);
        else
            std::snprintf(line, sizeof line, ": PPL %.4f", r->ppl);
        log::info(f.format + line);
    }
    if (out.front().ppl == 0.0) {
        auto orig = eval::evaluatePerplexity(c.model, c.eval_text, eo, {}, cancel);
        if (!orig) return orig.error().withContext("evaluating the original");
        out.front().ppl = orig->ppl;
    }
    return out;
}

}  // namespace srs::job
