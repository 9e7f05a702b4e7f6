#include "core/job/reexport_plan.h"

#include "core/io/weight_source.h"
#include "core/job/block_store.h"
#include "core/job/job_config.h"
#include "core/job/run_state.h"

namespace srs::job {

Result<exporter::TensorSources> exportTensorSources(const exporter::QuantizedModel& model, const ExportFormat& format) {
    if (format.isGguf()) return exporter::ggufTensorSources(model, *format.gguf);
    return exporter::packedTensorSources(model, format.name);
}

Result<std::vector<exporter::TensorSources>> planReexportSources(const std::string& run_dir, const std::vector<std::string>& formats) {
    auto st = readRunState(run_dir);
    if (!st) return st.error();
    if (!st->finished)
        return makeError(ErrorCode::InvalidArgument, "the run in " + run_dir + " has not finished", "finish it with signround quantize --resume first");
    auto saved = jobConfigFromJson(st->fingerprint);
    if (!saved) return saved.error();
    auto parsed = parseExportFormats(formats);
    if (!parsed) return parsed.error();
    auto source = io::openWeightSource(saved->model);
    if (!source) return source.error();
    exporter::QuantizedModel model;
    model.source = *source;
    SRS_TRY(addTunedLayers(run_dir, static_cast<int>((*source)->config().num_hidden_layers), model));
    std::vector<exporter::TensorSources> out;
    for (const auto& f : *parsed) {
        auto s = exportTensorSources(model, f);
        if (!s) return s.error().withContext(f.name);
        out.push_back(std::move(*s));
    }
    return out;
}

}  // namespace srs::job
