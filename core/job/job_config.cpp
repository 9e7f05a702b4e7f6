#include "core/job/job_config.h"

namespace srs::job {

int JobConfig::effectiveIters() const { return iters.value_or(200); }
int JobConfig::effectiveNsamples() const { return nsamples.value_or(128); }
int JobConfig::effectiveSeqlen() const { return seqlen.value_or(2048); }
std::string JobConfig::effectiveRunDir() const {
    if (!run_dir.empty() || output_dir.empty()) return run_dir;
    return output_dir + (output_dir.back() == '/' ? "" : "/") + ".signround-run";
}

Status applyRecipe(JobConfig& c) {
    if (c.recipe == "auto-round") {
        // defaults: 200 iters, 128 samples, lr auto
    } else if (c.recipe == "auto-round-best") {
        if (!c.iters) c.iters = 1000;
        if (!c.nsamples) c.nsamples = 512;
    } else if (c.recipe == "auto-round-light") {
        if (!c.iters) c.iters = 50;
        if (!c.lr) c.lr = 5e-3;
    } else if (c.recipe == "auto-round-opt-rtn") {
        if (!c.iters) c.iters = 0;
    } else if (c.recipe == "rtn" || c.recipe == "auto-round-rtn") {
        if (!c.iters) c.iters = 0;
        c.disable_opt_rtn = true;
    } else {
        return makeError(ErrorCode::InvalidArgument, "unknown recipe '" + c.recipe + "'",
                         "use auto-round, auto-round-best, auto-round-light, auto-round-opt-rtn or rtn");
    }
    return {};
}

nlohmann::json jobConfigToJson(const JobConfig& c) {
    nlohmann::json j = {{"model", c.model}, {"output_dir", c.output_dir}, {"bits", c.bits}, {"group_size", c.group_size},
                        {"sym", c.sym}, {"scheme", c.scheme}, {"recipe", c.recipe}, {"iters", c.effectiveIters()},
                        {"nsamples", c.effectiveNsamples()}, {"seqlen", c.effectiveSeqlen()}, {"batch_size", c.batch_size},
                        {"gradient_accumulate_steps", c.gradient_accumulate_steps}, {"enable_minmax_tuning", c.enable_minmax_tuning},
                        {"enable_quanted_input", c.enable_quanted_input}, {"not_use_best_mse", c.not_use_best_mse}, {"disable_opt_rtn", c.disable_opt_rtn},
                        {"dynamic_max_gap", c.dynamic_max_gap}, {"seed", c.seed}, {"amp_dtype", c.amp_dtype}, {"kernels", c.kernels},
                        {"datasets", c.datasets}, {"layer_config", c.layer_config}, {"fp_layers", c.fp_layers},
                        {"device", c.device}, {"formats", c.formats},
                        {"run_dir", c.run_dir}, {"eval_text", c.eval_text}, {"eval_window", c.eval_window}};
    j["lr"] = c.lr ? nlohmann::json(*c.lr) : nlohmann::json(nullptr);
    j["minmax_lr"] = c.minmax_lr ? nlohmann::json(*c.minmax_lr) : nlohmann::json(nullptr);
    j["avg_bits"] = c.avg_bits ? nlohmann::json(*c.avg_bits) : nlohmann::json(nullptr);
    return j;
}

nlohmann::json settingsFingerprint(const JobConfig& c) {
    nlohmann::json j = jobConfigToJson(c);
    for (const char* k : {"output_dir", "run_dir", "eval_text", "eval_window", "device", "resume", "kernels"}) j.erase(k);
    return j;
}

Result<JobConfig> jobConfigFromJson(const nlohmann::json& j) {
    try {
        JobConfig c;
        c.model = j.at("model").get<std::string>();
        c.output_dir = j.value("output_dir", c.output_dir);
        c.bits = j.value("bits", c.bits);
        c.group_size = j.value("group_size", c.group_size);
        c.sym = j.value("sym", c.sym);
        c.scheme = j.value("scheme", c.scheme);
        c.recipe = j.value("recipe", c.recipe);
        c.iters = j.value("iters", 200);
        c.nsamples = j.value("nsamples", 128);
        c.seqlen = j.value("seqlen", 2048);
        c.batch_size = j.value("batch_size", c.batch_size);
        c.gradient_accumulate_steps = j.value("gradient_accumulate_steps", c.gradient_accumulate_steps);
        if (j.contains("lr") && j["lr"].is_number()) c.lr = j["lr"].get<double>();
        if (j.contains("minmax_lr") && j["minmax_lr"].is_number()) c.minmax_lr = j["minmax_lr"].get<double>();
        if (j.contains("avg_bits") && j["avg_bits"].is_number()) c.avg_bits = j["avg_bits"].get<double>();
        c.enable_minmax_tuning = j.value("enable_minmax_tuning", c.enable_minmax_tuning);
        c.enable_quanted_input = j.value("enable_quanted_input", c.enable_quanted_input);
        c.not_use_best_mse = j.value("not_use_best_mse", c.not_use_best_mse);
        c.disable_opt_rtn = j.value("disable_opt_rtn", c.disable_opt_rtn);
        c.dynamic_max_gap = j.value("dynamic_max_gap", c.dynamic_max_gap);
        c.seed = j.value("seed", c.seed);
        c.amp_dtype = j.value("amp_dtype", c.amp_dtype);
        c.kernels = j.value("kernels", c.kernels);
        c.datasets = j.value("datasets", c.datasets);
        c.layer_config = j.value("layer_config", c.layer_config);
        c.fp_layers = j.value("fp_layers", c.fp_layers);
        c.device = j.value("device", c.device);
        c.formats = j.value("formats", c.formats);
        c.run_dir = j.value("run_dir", c.run_dir);
        c.eval_text = j.value("eval_text", c.eval_text);
        c.eval_window = j.value("eval_window", c.eval_window);
        return c;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::CorruptFile, std::string("run settings are not readable: ") + e.what());
    }
}

}  // namespace srs::job
