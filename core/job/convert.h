// Conversion without quantizing: a model (a Hugging Face folder, an export, a .gguf) written as a
// Hugging Face folder ("hf": the source's tensors, a GGUF's dequantized to float32, with config.json
// and the tokenizer files, a GGUF's embedded vocabulary written out), or as a
// GGUF in a float type (f32, f16, bf16) or in q8_0, the way llama.cpp's converter does it: no
// calibration and no tuning, every tensor from the source's weights (q8_0 by llama.cpp's own
// round-to-nearest quantizer). The same plan, exporters and model card as a quantization run;
// each file appears whole or not at all. Plain C++, no torch.
#pragma once

#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/job/job_config.h"
#include "core/job/job_events.h"
#include "core/job/run_plan.h"

namespace srs::job {

// Whether a GGUF `format` is written by conversion (f32, f16, bf16, q8_0); if not, why and what to use.
// ("hf" is convert's own name, handled by convertModel.)
Status checkConversionFormat(const ExportFormat& format);

// Writes config.model in every format of config.formats into config.output_dir. Reports through
// the observer as a run does (phase "exporting", onFinished with the files); never throws.
JobFinished convertModel(const JobConfig& config, JobObserver& observer, const CancelToken& cancel);

}  // namespace srs::job
