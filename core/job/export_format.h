// The export formats a run is asked for (--format, JobConfig::formats), parsed once into typed
// values that the pipeline, the estimator and the GUI's estimate share. Plain C++, no torch.
//
// A name is either a packed Hugging Face format ("auto_round", "auto_gptq", "auto_awq", "fake" and
// their aliases, exporter::parsePackedFormat) or "gguf:<type>" with a llama.cpp file type
// (exporter::parseGgufFileType, case-insensitive); a GGUF format's name is normalised to
// "gguf:<type>" in lower case, a packed one keeps the name as given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/export/gguf_plan.h"
#include "core/export/packed_export.h"

namespace srs::job {

struct ExportFormat {
    std::string name;                                              // "auto_round", "gguf:q4_k_m"
    exporter::PackedFormat packed = exporter::PackedFormat::None;  // None: GGUF
    std::optional<exporter::GgufFileType> gguf;                    // set for a GGUF format only

    bool isGguf() const { return gguf.has_value(); }
};

// The formats a run writes: the names given, or {"auto_round"} when none are.
std::vector<std::string> requestedExportFormats(const std::vector<std::string>& names);

// Parses requestedExportFormats(names) in order. Errors (InvalidArgument): a name starting with
// "gguf" but not "gguf:<type>" ("the GGUF format '<name>' names no type", the hint lists the
// types), an unknown GGUF type (parseGgufFileType's error) or an unknown packed format
// (parsePackedFormat's error).
Result<std::vector<ExportFormat>> parseExportFormats(const std::vector<std::string>& names);

}  // namespace srs::job
