// The export step of a run: every planned export written by its exporter into
// <output_dir>/<folder> (each folder whole or absent), and, once perplexities are measured, the
// model cards beside them rewritten with the figures. Each card of a model with tuned layers says
// how many of its tensors come from SignRound's tuned scales and how many were rounded to
// nearest from weights (reexport_plan.h), so it never claims tuning the file does not carry.
// Plain C++, no torch.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/export/quantized_model.h"
#include "core/job/job_events.h"
#include "core/job/run_plan.h"

namespace srs::job {

// Writes plan.exports in order; the result has one file per export, in the same order.
// before_each(format name) runs first for each export (the pipeline's pause point).
Result<std::vector<ExportedFile>> writeExports(const RunPlan& plan, const exporter::QuantizedModel& model, const CancelToken& cancel,
                                               const std::function<void(const std::string&)>& before_each = {});

// The card of one export of `model`: the planned card with the export's tensor sources (when the
// model has tuned layers) and, for a GGUF, a scheme line that names the mix only (what the run
// tuned is in the card's tuning row, not assumed from the mix).
Result<exporter::ModelCardInfo> exportCard(const PlannedExport& exp, const exporter::QuantizedModel& model);

// Rewrites each export's README.md with its card (exportCard) plus the perplexities measured for
// the original and for that export. files: as writeExports returned them.
Status writeModelCards(const RunPlan& plan, const exporter::QuantizedModel& model, const std::vector<ExportedFile>& files,
                       const std::vector<EvalResult>& evaluations);

}  // namespace srs::job
