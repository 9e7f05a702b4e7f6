// A run folder's checkpoint state, <run_dir>/state.json: how far a run got and with which
// settings. The pipeline writes it after every tuned block (and once more when the run has
// finished); --resume, `signround export`, the GUI's unfinished-runs banner and its Export page
// read it. This is its only reader and writer. Plain data, no torch.
//
// The file is one JSON object, written atomically and indented by 2 (keys in sorted order):
//   {"finished": false, "fingerprint": {...}, "model": "...", "next_block": 3, "num_blocks": 8, "version": 1}
// A missing key reads as its default below, so older checkpoints still resume.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/job/job_config.h"

namespace srs::job {

struct RunState {
    static constexpr int kVersion = 1;  // what writeRunState writes
    int version = kVersion;
    nlohmann::json fingerprint;  // settingsFingerprint of the run
    int next_block = 0;          // blocks 0 .. next_block-1 are tuned and saved
    int num_blocks = 0;
    bool finished = false;       // every block tuned and the exports written
    std::string model;
};

inline constexpr const char* kRunStateFile = "state.json";
// <run_dir>/state.json
std::string runStatePath(const std::string& run_dir);
// Reads <run_dir>/state.json. Missing or unreadable: io::readFile's NotFound / IoError, naming the
// file; not a state (not JSON, not an object, a field of the wrong type): CorruptFile
// "<path> is damaged: <why>", without a hint (callers know what the user should do).
Result<RunState> readRunState(const std::string& run_dir);
// Writes <run_dir>/state.json atomically (the folder must exist).
Status writeRunState(const std::string& run_dir, const RunState& state);

// Whether a run with these settings (recipe applied as the job applies it) may continue the
// checkpoint with --resume.
bool runStateMatches(const RunState& state, const JobConfig& config);

}  // namespace srs::job
