// Before an export is written: how much of it SignRound's tuning reaches (exporter::TensorSources)
// for a model whose tuned layers are known, and for a finished run's checkpoint and the formats
// `signround export` / the Export page are asked for. A format whose types cannot carry the run's
// tuned scheme (a W4G128 sym run as gguf:q4_k_m) is reported with no tensor from the tuned scales,
// so the caller can warn that the result equals plain round-to-nearest. Plain C++, no torch.
#pragma once

#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/export/quantized_model.h"
#include "core/export/tensor_sources.h"
#include "core/job/export_format.h"

namespace srs::job {

// The tensor sources of `format` written from `model` (its tuned layers' schemes; no data read).
Result<exporter::TensorSources> exportTensorSources(const exporter::QuantizedModel& model, const ExportFormat& format);

// Per format, in order, for the finished run in run_dir (its state.json, its source model and the
// tuned layers' schemes from its block files). Errors: the run folder's state missing or damaged,
// an unfinished run, an unknown format, the source model gone.
Result<std::vector<exporter::TensorSources>> planReexportSources(const std::string& run_dir, const std::vector<std::string>& formats);

}  // namespace srs::job
