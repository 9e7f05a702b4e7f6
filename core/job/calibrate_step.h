// The calibration step of a run: nsamples windows of seqlen tokens drawn (seeded) from the
// calibration data and embedded by the model's token embedding: the first block's inputs.
// Internal to the pipeline (LibTorch).
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/io/weight_source.h"
#include "core/job/run_plan.h"

namespace srs::job {

// [nsamples, seqlen, hidden] in `dtype`. Errors: no calibration data, a dataset that cannot be
// read, too little text for one sample, a missing tokenizer.
Result<at::Tensor> calibrationInputs(const RunPlan& plan, const std::shared_ptr<io::WeightSource>& source, at::ScalarType dtype,
                                     const CancelToken& cancel);

}  // namespace srs::job
