// One interface for every export format: what it would take on disk, whether it can hold a
// model's layers, and writing it. PackedExporter (auto_round / auto_gptq / auto_awq / fake) and
// GgufExporter (llama.cpp file types) implement it alike; job::makeExporter picks one per planned
// export. Each writes its folder under a temporary name and renames it into place, with the model
// card inside, so a folder under the final name is always complete.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/export/gguf_export.h"
#include "core/export/packed_export.h"
#include "core/export/quantized_model.h"

namespace srs::exporter {

class Exporter {
public:
    virtual ~Exporter() = default;
    // Whether every quantized layer of the model can be stored; if not, the first that cannot and why.
    virtual Status validate(const QuantizedModel& model) const = 0;
    // Every byte of the folder write() makes, from schemes and shapes alone (no layer data needed).
    virtual Result<std::uint64_t> plannedBytes(const QuantizedModel& model) const = 0;
    virtual Result<ExportReport> write(const QuantizedModel& model, const std::string& output_dir, const ExportProgressFn& progress,
                                       const CancelToken& cancel) const = 0;
};

class PackedExporter : public Exporter {
public:
    explicit PackedExporter(PackedExportOptions options) : options_(std::move(options)) {}
    Status validate(const QuantizedModel& model) const override;
    Result<std::uint64_t> plannedBytes(const QuantizedModel& model) const override;
    Result<ExportReport> write(const QuantizedModel& model, const std::string& output_dir, const ExportProgressFn& progress,
                               const CancelToken& cancel) const override;

private:
    PackedExportOptions options_;
};

class GgufExporter : public Exporter {
public:
    explicit GgufExporter(GgufExportOptions options) : options_(std::move(options)) {}
    // Any scheme can be written: a layer whose ggml type differs from its tuned scheme is
    // re-quantized from its tuned (or, for finer types, original) weights.
    Status validate(const QuantizedModel& model) const override;
    Result<std::uint64_t> plannedBytes(const QuantizedModel& model) const override;
    Result<ExportReport> write(const QuantizedModel& model, const std::string& output_dir, const ExportProgressFn& progress,
                               const CancelToken& cancel) const override;

private:
    GgufExportOptions options_;
};

// Shared by the exporters: a DiskFull error when `dir`'s file system has less than `bytes` (and
// a margin) free; `what` names the export in the message.
Status ensureFreeDisk(const std::string& dir, std::uint64_t bytes, const std::string& what);
// The report of a finished export folder: every regular file with its size, sorted by name.
ExportReport reportOfFolder(const std::string& folder, const std::string& packing_format);

}  // namespace srs::exporter
