#include "core/job/export_step.h"

#include <filesystem>

#include "core/common/log.h"
#include "core/common/units.h"
#include "core/io/atomic_file.h"

namespace fs = std::filesystem;

namespace srs::job {

Result<std::vector<ExportedFile>> writeExports(const RunPlan& plan, const exporter::QuantizedModel& model, const CancelToken& cancel,
                                               const std::function<void(const std::string&)>& before_each) {
    std::vector<ExportedFile> files;
    for (const auto& pe : plan.exports) {
        if (before_each) before_each(pe.format.name);
        SRS_TRY(cancel.check("exporting"));
        const std::string out = (fs::path(plan.config.output_dir) / pe.folder).string();
        auto rep = makeExporter(plan, pe)->write(model, out, {}, cancel);
        if (!rep) return rep.error();
        files.push_back({pe.format.name, rep->output_dir, rep->total_bytes});
        log::info("wrote " + pe.format.name + " to " + rep->output_dir + " (" + units::formatBytes(rep->total_bytes) + ")");
    }
    return files;
}

Status writeModelCards(const RunPlan& plan, const std::vector<ExportedFile>& files, const std::vector<EvalResult>& evaluations) {
    for (std::size_t i = 0; i < files.size() && i < plan.exports.size(); ++i) {
        const ExportedFile& f = files[i];
        exporter::ModelCardInfo card = plan.exports[i].card;
        for (const auto& e : evaluations)
            if (e.model == "original" || e.model == f.format)
                card.perplexities.push_back({e.model == "original" ? "original" : f.format + " (this model)", fs::path(e.text).filename().string(),
                                             e.ppl, e.bits_per_weight, e.kld});
        SRS_TRY(io::writeFileAtomic((fs::path(f.path) / "README.md").string(), exporter::renderModelCard(card)));
    }
    return {};
}

}  // namespace srs::job
