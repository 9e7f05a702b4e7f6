#include "core/job/convert.h"

#include <chrono>
#include <filesystem>

#include "core/common/log.h"
#include "core/device/hardware.h"
#include "core/io/dir_lock.h"
#include "core/job/export_step.h"

namespace srs::job {
namespace {

Result<std::vector<ExportedFile>> convert(const JobConfig& config, const CancelToken& cancel, JobObserver& observer) {
    if (config.output_dir.empty()) return makeError(ErrorCode::InvalidArgument, "no output folder", "give --output_dir DIR");
    // "hf" is written by the packed exporter's fake-quant path with no quantized layers: every
    // tensor as the source holds it (GGUF blocks dequantized to float32), no quantization_config.
    JobConfig planned = config;
    for (auto& name : planned.formats) {
        if (name == "fake")
            return makeError(ErrorCode::InvalidArgument, "'fake' is not a conversion format: it writes quantize-dequantized weights",
                             "convert writes hf (the model as a Hugging Face folder, not quantized); use signround quantize --format fake to quantize");
        if (name == "hf") name = "fake";
    }
    auto formats = parseExportFormats(planned.formats);
    if (!formats) return formats.error();
    for (const auto& f : *formats)
        if (f.packed != exporter::PackedFormat::Fake) SRS_TRY(checkConversionFormat(f));  // Fake here is "hf"
    // This job alone writes into the output folder until it returns (another run there is refused).
    auto lock = io::DirLock::acquire(config.output_dir, "--output_dir");
    if (!lock) return lock.error();
    io::cleanDeadTemporaries(config.output_dir, 1);
    auto source = io::openWeightSource(config.model);
    if (!source) return source.error();
    auto plan = planRun(**source, planned);
    if (!plan) return plan.error();
    for (auto& pe : plan->exports) {
        if (!pe.format.isGguf()) {
            pe.format.name = "hf";
            pe.folder = modelBaseName(config.model) + "-hf";
            pe.card.format = "hf";
            pe.card.scheme = "not quantized: the source's tensors in a Hugging Face folder" +
                             std::string(std::filesystem::path(config.model).extension() == ".gguf" ? " (GGUF blocks dequantized to float32)" : "");
            pe.card.recipe = "none (conversion)";
            pe.card.calibration.clear();
            continue;
        }
        // The card says what was done: a conversion, not a tuned quantization.
        pe.card.scheme = "GGUF " + exporter::ggufFileTypeLabel(*pe.format.gguf) + ", converted without calibration or tuning" +
                         (pe.format.gguf->base == io::GgmlType::Q8_0 ? " (llama.cpp's round-to-nearest Q8_0)" : "");
        pe.card.recipe = "none (conversion)";
        pe.card.calibration.clear();
    }
    observer.onPhase({"exporting", "converting " + config.model});
    // No tuned layers: every tensor is written from the source.
    const exporter::QuantizedModel model = plannedModel(*plan, *source, false);
    return writeExports(*plan, model, cancel);
}

}  // namespace

Status checkConversionFormat(const ExportFormat& format) {
    const bool ok = format.isGguf() && (format.gguf->base == io::GgmlType::F32 || format.gguf->base == io::GgmlType::F16 ||
                                        format.gguf->base == io::GgmlType::BF16 || format.gguf->base == io::GgmlType::Q8_0);
    if (ok) return {};
    return makeError(ErrorCode::InvalidArgument, "'" + format.name + "' is not a conversion format: it needs quantizing",
                     "convert writes hf (a Hugging Face folder), gguf:f32, gguf:f16, gguf:bf16 or gguf:q8_0; use signround quantize --format " + format.name +
                         " to quantize with SignRound");
}

JobFinished convertModel(const JobConfig& config, JobObserver& observer, const CancelToken& cancel) {
    const auto start = std::chrono::steady_clock::now();
    int sink = log::addSink([&observer](log::Level l, const std::string& m) { observer.onLog(static_cast<int>(l), m); });
    JobFinished fin;
    auto files = convert(config, cancel, observer);
    if (files) {
        fin.state = JobState::Finished;
        fin.files = std::move(*files);
    } else {
        fin.state = files.error().code == ErrorCode::Cancelled ? JobState::Cancelled : JobState::Failed;
        fin.message = files.error().message;
        fin.hint = files.error().hint;
    }
    log::removeSink(sink);
    fin.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    fin.peak_rss_bytes = device::peakRssBytes();
    observer.onFinished(fin);
    return fin;
}

}  // namespace srs::job
