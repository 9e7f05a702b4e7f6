#include "core/export/exporter.h"

#include <algorithm>
#include <filesystem>

#include "core/io/atomic_file.h"

namespace fs = std::filesystem;

namespace srs::exporter {

Status PackedExporter::validate(const QuantizedModel& model) const {
    for (const auto& [name, l] : model.layers)
        if (auto ok = checkPackable(options_.format, l.out_features, l.in_features, l.scheme.bits, l.scheme.group_size); !ok)
            return makeError(ErrorCode::Unsupported, name + " cannot be written as " + packedFormatName(options_.format) + ": " + ok.error().message,
                             "export it as fake, or quantize again with --format " + std::string(packedFormatName(options_.format)));
    return {};
}

Result<std::uint64_t> PackedExporter::plannedBytes(const QuantizedModel& model) const { return packedExportBytes(model, options_); }

Result<ExportReport> PackedExporter::write(const QuantizedModel& model, const std::string& output_dir, const ExportProgressFn& progress,
                                           const CancelToken& cancel) const {
    return exportPacked(model, output_dir, options_, progress, cancel);
}

Status GgufExporter::validate(const QuantizedModel& model) const {
    if (!model.source) return makeError(ErrorCode::InvalidArgument, "export without a source model");
    return {};
}

Result<std::uint64_t> GgufExporter::plannedBytes(const QuantizedModel& model) const {
    if (!model.source) return makeError(ErrorCode::InvalidArgument, "export without a source model");
    auto file = ggufExportFileBytes(*model.source, options_.file_type, options_.model_name);
    if (!file) return file.error();
    return *file + options_.model_card.size();
}

Result<ExportReport> GgufExporter::write(const QuantizedModel& model, const std::string& output_dir, const ExportProgressFn& progress,
                                         const CancelToken& cancel) const {
    return exportGguf(model, output_dir, options_, progress, cancel);
}

Status ensureFreeDisk(const std::string& dir, std::uint64_t bytes, const std::string& what) {
    auto free = io::freeDiskBytes(dir);
    if (free.ok() && *free < bytes + (16ull << 20))
        return makeError(ErrorCode::DiskFull,
                         "not enough free disk for the " + what + ": " + std::to_string(bytes) + " bytes needed, " + std::to_string(*free) +
                             " free at " + dir,
                         "free some space or choose another output folder");
    return {};
}

ExportReport reportOfFolder(const std::string& folder, const std::string& packing_format) {
    ExportReport report;
    report.output_dir = folder;
    report.packing_format = packing_format;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        if (!e.is_regular_file(ec)) continue;
        const auto size = fs::file_size(e.path(), ec);
        report.files.push_back({e.path().filename().string(), ec ? 0 : size});
        report.total_bytes += ec ? 0 : size;
    }
    std::sort(report.files.begin(), report.files.end());
    return report;
}

}  // namespace srs::exporter
