// The tuned blocks of a run folder: block_NNN.safetensors holds block NNN's quantized layers
// (integers q, scales, zero points, bias) with their schemes and the block's statistics in the
// metadata. The pipeline writes one file per tuned block; exports (at the end of a run and in
// `signround export`) read them back one layer at a time. Plain C++, no torch.
#pragma once

#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/export/quantized_model.h"
#include "core/job/job_events.h"

namespace srs::job {

// <run_dir>/block_NNN.safetensors
std::string blockFilePath(const std::string& run_dir, int block);

// Writes block `block`'s tuned layers and statistics atomically.
Status writeBlockFile(const std::string& run_dir, int block, const std::vector<exporter::QuantizedLayer>& layers, const BlockFinished& stats);

// Adds the tuned layers of blocks 0..num_blocks-1 to `model` (scheme and shape now; the data is
// read from the block file when an exporter writes that layer, so an export needs memory for one
// layer, not the model), and lists every block linear without a tuned layer in model.fp_layers.
// A missing or damaged block file is an error that says to run again without --resume.
Status addTunedLayers(const std::string& run_dir, int num_blocks, exporter::QuantizedModel& model);

}  // namespace srs::job
