#include "core/job/export_step.h"

#include <filesystem>

#include "core/common/log.h"
#include "core/common/units.h"
#include "core/io/atomic_file.h"
#include "core/job/reexport_plan.h"

namespace fs = std::filesystem;

namespace srs::job {

Result<exporter::ModelCardInfo> exportCard(const PlannedExport& exp, const exporter::QuantizedModel& model) {
    exporter::ModelCardInfo card = exp.card;
    if (model.layers.empty()) return card;  // a conversion: its card says so already
    auto sources = exportTensorSources(model, exp.format);
    if (!sources) return sources.error();
    card.tensor_sources = std::move(*sources);
    if (exp.format.isGguf()) card.scheme = "llama.cpp " + exp.format.gguf->name + " mix";
    return card;
}

namespace {

// Before writing: what the export takes from the tuning, why the rest does not, and the warning
// when nothing does.
void reportTensorSources(const exporter::TensorSources& s) {
    log::info(s.format + ": " + exporter::describeTensorSources(s));
    for (const auto& line : exporter::tensorSourceReasonLines(s)) log::info("  " + line);
    if (s.tuningUnused()) log::warn(exporter::tuningUnusedWarning(s));
}

}  // namespace

Result<std::vector<ExportedFile>> writeExports(const RunPlan& plan, const exporter::QuantizedModel& model, const CancelToken& cancel,
                                               const std::function<void(const std::string&)>& before_each) {
    std::vector<ExportedFile> files;
    for (const auto& pe : plan.exports) {
        if (before_each) before_each(pe.format.name);
        SRS_TRY(cancel.check("exporting"));
        const std::string out = (fs::path(plan.config.output_dir) / pe.folder).string();
        PlannedExport with_card = pe;
        auto card = exportCard(pe, model);
        if (!card) return card.error().withContext(pe.format.name);
        with_card.card = std::move(*card);
        if (with_card.card.tensor_sources) reportTensorSources(*with_card.card.tensor_sources);
        auto rep = makeExporter(plan, with_card)->write(model, out, {}, cancel);
        if (!rep) return rep.error();
        files.push_back({pe.format.name, rep->output_dir, rep->total_bytes});
        log::info("wrote " + pe.format.name + " to " + rep->output_dir + " (" + units::formatBytes(rep->total_bytes) + ")");
    }
    return files;
}

Status writeModelCards(const RunPlan& plan, const exporter::QuantizedModel& model, const std::vector<ExportedFile>& files,
                       const std::vector<EvalResult>& evaluations) {
    for (std::size_t i = 0; i < files.size() && i < plan.exports.size(); ++i) {
        const ExportedFile& f = files[i];
        auto planned = exportCard(plan.exports[i], model);
        if (!planned) return planned.error().withContext(f.format);
        exporter::ModelCardInfo card = std::move(*planned);
        for (const auto& e : evaluations)
            if (e.model == "original" || e.model == f.format)
                card.perplexities.push_back({e.model == "original" ? "original" : f.format + " (this model)", fs::path(e.text).filename().string(),
                                             e.ppl, e.bits_per_weight, e.kld});
        SRS_TRY(io::writeFileAtomic((fs::path(f.path) / "README.md").string(), exporter::renderModelCard(card)));
    }
    return {};
}

}  // namespace srs::job
