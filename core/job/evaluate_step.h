// The evaluation step of a run (--eval_text): the perplexity of the original model and of every
// export on the same text, with the same token stream, and their bits per weight. Plain facade;
// the measuring runs on LibTorch (evaluate_step_torch.cpp).
#pragma once

#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/export/quantized_model.h"
#include "core/job/job_events.h"
#include "core/job/run_plan.h"

namespace srs::job {

// model: the quantized model as exported (its source is the original). files: as writeExports
// returned them, aligned with plan.exports. The result starts with the original's row.
Result<std::vector<EvalResult>> evaluateExports(const RunPlan& plan, const exporter::QuantizedModel& model,
                                                const std::vector<ExportedFile>& files, const CancelToken& cancel);

}  // namespace srs::job
