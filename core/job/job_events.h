// What a running quantization job reports, as plain structs: the CLI prints them (text, or JSON
// lines with --json), the GUI turns them into queued Qt signals for its plots. The job calls the
// observer from its worker thread and never waits on it for anything but the call itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/eval/kld.h"
#include "core/quant/quant_scheme.h"

namespace srs::job {

enum class JobState { None = 0, Running, Finished, Failed, Cancelled };
const char* jobStateName(JobState state);

struct JobStarted {
    std::string model;
    int num_blocks = 0;
    int layers_to_quantize = 0;
    std::string device;
    nlohmann::json settings;  // jobConfigToJson of the effective settings
    int resumed_from_block = -1;  // >= 0 when a checkpointed run continues
};

struct PhaseChanged {
    std::string phase;  // "calibration", "tuning", "exporting", "evaluating"
    std::string detail;
};

struct BlockStarted {
    int block = 0;
    int num_blocks = 0;
    std::vector<std::string> layers;
    int iters = 0;
};

struct IterationLoss {
    int block = 0;
    int iter = 0;
    int iters = 0;
    double loss = 0.0;
    double lr = 0.0;
};

struct LayerStats {
    std::string name;
    quant::QuantScheme scheme;
    std::int64_t out_features = 0;
    std::int64_t in_features = 0;
    // ||W − Q(W)|| / ||W|| with round-to-nearest and with the tuned parameters.
    double weight_rel_error_rtn = 0.0;
    double weight_rel_error_tuned = 0.0;
    // Share of integer weights that tuning rounded differently from round-to-nearest.
    double flipped_fraction = 0.0;
};

struct BlockFinished {
    int block = 0;
    int num_blocks = 0;
    double rtn_loss = 0.0;   // block-output MSE with round-to-nearest (iteration 0)
    double best_loss = 0.0;  // with the kept parameters
    int best_iter = 0;
    std::int64_t elapsed_ms = 0;
    std::vector<LayerStats> layers;
};

struct ProgressUpdate {
    int blocks_done = 0;
    int num_blocks = 0;
    double fraction = 0.0;  // of the whole job
    std::int64_t elapsed_ms = 0;
    std::int64_t eta_ms = -1;  // -1 while unknown
    std::uint64_t rss_bytes = 0;
    std::uint64_t peak_rss_bytes = 0;
};

struct ExportedFile {
    std::string format;
    std::string path;
    std::uint64_t size_bytes = 0;
};

struct EvalResult {
    std::string model;  // "original" or the format name
    std::string text;
    double ppl = 0.0;
    double bits_per_weight = 0.0;
    std::uint64_t size_bytes = 0;
    std::optional<eval::KldStats> kld;  // against the original, for exports (not on the original's row)
};

struct JobFinished {
    JobState state = JobState::None;
    std::string message;  // error or cancel reason
    std::string hint;
    std::int64_t elapsed_ms = 0;
    std::uint64_t peak_rss_bytes = 0;
    std::vector<ExportedFile> files;
    std::vector<EvalResult> evaluations;
};

class JobObserver {
public:
    virtual ~JobObserver() = default;
    virtual void onStarted(const JobStarted&) {}
    virtual void onPhase(const PhaseChanged&) {}
    virtual void onBlockStarted(const BlockStarted&) {}
    virtual void onIteration(const IterationLoss&) {}
    virtual void onBlockFinished(const BlockFinished&) {}
    virtual void onProgress(const ProgressUpdate&) {}
    virtual void onLog(int level, const std::string& message) {}
    virtual void onFinished(const JobFinished&) {}
};

// One JSON object per event, {"event": "<name>", ...fields}, for `--json` and the run history.
nlohmann::json toJson(const JobStarted& e);
nlohmann::json toJson(const PhaseChanged& e);
nlohmann::json toJson(const BlockStarted& e);
nlohmann::json toJson(const IterationLoss& e);
nlohmann::json toJson(const BlockFinished& e);
nlohmann::json toJson(const ProgressUpdate& e);
nlohmann::json toJson(const JobFinished& e);
nlohmann::json toJson(const LayerStats& e);

}  // namespace srs::job
