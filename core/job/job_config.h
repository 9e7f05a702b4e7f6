// Everything a quantization run needs to know, as plain data: the same struct is filled by the
// CLI's AutoRound-style flags and by the GUI's Configure page, saved with every run (run history,
// resume) and written into the model card. Defaults are AutoRound's (ALGORITHM.md §0, §3.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace srs::job {

struct JobConfig {
    std::string model;       // folder or .gguf
    std::string output_dir;  // exports go to <output_dir>/<format>/ when several formats are asked for
    // Scheme
    int bits = 4;
    int group_size = 128;
    bool sym = true;
    std::string scheme;  // preset name as given ("W4A16", ...), informational
    // Recipe and tuning (AutoRound defaults; unset optionals take the recipe's value)
    std::string recipe = "auto-round";
    std::optional<int> iters;
    std::optional<int> nsamples;
    std::optional<int> seqlen;
    int batch_size = 8;
    int gradient_accumulate_steps = 1;
    std::optional<double> lr;
    std::optional<double> minmax_lr;
    bool enable_minmax_tuning = true;
    bool enable_quanted_input = true;
    bool not_use_best_mse = false;
    bool disable_opt_rtn = false;  // iters 0: plain RTN instead of the imatrix scale search
    int dynamic_max_gap = -1;
    std::uint64_t seed = 42;
    std::string amp_dtype = "bfloat16";  // "float32" with --disable_amp
    std::string kernels = "fused";       // "auto" | "fused" | "reference" (quant::KernelPath)
    // Calibration
    std::vector<std::string> datasets;  // local .txt / .jsonl files or Hub datasets ORG/NAME[:split[:column]] (comma list on the CLI)
    // Layers
    std::string layer_config;  // AutoRound layer_config JSON (strict or relaxed)
    std::vector<std::string> fp_layers;
    // AutoScheme
    std::optional<double> avg_bits;
    // Run
    std::string device = "auto";  // auto | cpu | cuda | cuda:N (device::resolveDevice); a run records the one it used
    std::vector<std::string> formats = {"auto_round"};
    bool resume = false;
    std::string run_dir;  // checkpoints; default <output_dir>/.signround-run
    // Evaluation after export (perplexity of the original and the quantized model)
    std::string eval_text;
    int eval_window = 2048;

    int effectiveIters() const;
    int effectiveNsamples() const;
    int effectiveSeqlen() const;
    // Where checkpoints go (and `signround export --run_dir` reads them): run_dir, or
    // <output_dir>/.signround-run.
    std::string effectiveRunDir() const;
};

// Fills unset recipe options ("auto-round", "auto-round-best", "auto-round-light",
// "auto-round-opt-rtn", "rtn" / "auto-round-rtn"); an unknown recipe is an error naming them.
Status applyRecipe(JobConfig& config);
nlohmann::json jobConfigToJson(const JobConfig& config);
Result<JobConfig> jobConfigFromJson(const nlohmann::json& j);
// The settings that change the tuned result (jobConfigToJson without folders, evaluation and
// device): a checkpoint (run_state.h) made with other ones cannot be resumed, and is not the same run.
nlohmann::json settingsFingerprint(const JobConfig& config);

}  // namespace srs::job
