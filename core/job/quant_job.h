// The quantization pipeline, as one call: open the model, sample calibration data, then for each
// decoder block — streamed from disk — cache its inputs, tune it (SignRound or RTN), record its
// losses and per-layer statistics, feed its quantized output to the next block, and checkpoint;
// finally write every requested export and evaluate. Plain-data facade: no torch here.
#pragma once

#include "core/common/cancel.h"
#include "core/dist/dist_env.h"
#include "core/job/job_config.h"
#include "core/job/job_events.h"

namespace srs::job {

// Runs to completion, failure or cancellation; never throws. Cancellation is honoured within
// about a second, and leaves the checkpoint of the last finished block for --resume.
JobFinished runQuantJob(const JobConfig& config, JobObserver& observer, const CancelToken& cancel);

// One rank of a data-parallel run (dist.world_size > 1; see core/dist/collective.h): every rank
// computes the calibration samples and keeps its share of them; the ranks tune each block together
// (gradients and losses summed over them, the same SignSGD step everywhere); rank 0 alone locks and
// writes the run folder (gathering the activations for the checkpoint), the exports, the model
// cards and the evaluations, and reads the checkpoint on --resume, sending each rank its share.
// The other ranks report the same events (their caller may keep quiet) and write nothing.
JobFinished runDistributedQuantJob(const JobConfig& config, const dist::DistSpec& dist, JobObserver& observer, const CancelToken& cancel);

// Writes a finished run's quantized layers (from its run folder) in other formats, without
// tuning again. Layers a format cannot store are an error that says so.
JobFinished reexportRun(const std::string& run_dir, const std::vector<std::string>& formats, const std::string& output_dir,
                        JobObserver& observer, const CancelToken& cancel);

}  // namespace srs::job
