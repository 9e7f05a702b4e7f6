#include "core/job/job_config.h"

#include <algorithm>
#include <limits>

#include "core/common/json_field.h"

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

namespace {

// The typed reads of jobConfigFromJson: each keeps the config's value when the key is absent.
struct SettingsReader {
    const json::Fields& f;
    Status status;

    template <typename T>
    void integer(const char* key, std::int64_t min, std::int64_t max, T& out) {
        if (!status) return;
        auto v = f.integer(key, min, max, static_cast<std::int64_t>(out));
        if (!v) status = v.error();
        else out = static_cast<T>(*v);  // inside [min, max], which T holds
    }
    void optionalInteger(const char* key, std::int64_t min, std::int64_t max, std::optional<int>& out) {
        if (!status) return;
        auto v = f.optionalInteger(key, min, max);
        if (!v) status = v.error();
        else if (*v) out = static_cast<int>(**v);
    }
    void optionalNumber(const char* key, const json::NumberRange& range, std::optional<double>& out) {
        if (!status || !f.has(key)) return;
        auto v = f.number(key, range);
        if (!v) status = v.error();
        else out = *v;
    }
    void boolean(const char* key, bool& out) {
        if (!status) return;
        auto v = f.boolean(key, out);
        if (!v) status = v.error();
        else out = *v;
    }
    void string(const char* key, std::string& out) {
        if (!status) return;
        auto v = f.string(key, out);
        if (!v) status = v.error();
        else out = std::move(*v);
    }
    void strings(const char* key, std::vector<std::string>& out) {
        if (!status || !f.has(key)) return;
        auto v = f.stringList(key, 4096);
        if (!v) status = v.error();
        else out = std::move(*v);
    }
};

}  // namespace

Result<JobConfig> jobConfigFromJson(const nlohmann::json& j) {
    // The ranges are the CLI's (app/cli/command.h limits) and the scheme checks'.
    constexpr std::int64_t kMaxInt = 2147483647;
    const json::Fields f(j, "run settings", "", ErrorCode::CorruptFile, "the saved run settings are damaged; start the run again");
    if (!f.isObject()) return f.notAnObject();
    JobConfig c;
    auto model = f.string("model");
    if (!model) return model.error();
    c.model = *model;
    SettingsReader r{f, {}};
    r.string("output_dir", c.output_dir);
    r.integer("bits", 2, 8, c.bits);
    r.integer("group_size", -1, 1 << 20, c.group_size);
    r.boolean("sym", c.sym);
    r.string("scheme", c.scheme);
    r.string("recipe", c.recipe);
    r.optionalInteger("iters", 0, 1000000, c.iters);
    r.optionalInteger("nsamples", 1, 65536, c.nsamples);
    r.optionalInteger("seqlen", 2, 1 << 20, c.seqlen);
    r.integer("batch_size", 1, 65536, c.batch_size);
    r.integer("gradient_accumulate_steps", 1, 65536, c.gradient_accumulate_steps);
    const json::NumberRange kPositive{0.0, 1e6, true, false};
    r.optionalNumber("lr", kPositive, c.lr);
    r.optionalNumber("minmax_lr", kPositive, c.minmax_lr);
    r.optionalNumber("avg_bits", json::NumberRange{2.0, 16.0}, c.avg_bits);
    r.boolean("enable_minmax_tuning", c.enable_minmax_tuning);
    r.boolean("enable_quanted_input", c.enable_quanted_input);
    r.boolean("not_use_best_mse", c.not_use_best_mse);
    r.boolean("disable_opt_rtn", c.disable_opt_rtn);
    r.integer("dynamic_max_gap", -1, 1000000, c.dynamic_max_gap);
    r.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), c.seed);
    r.string("amp_dtype", c.amp_dtype);
    r.string("kernels", c.kernels);
    r.strings("datasets", c.datasets);
    r.string("layer_config", c.layer_config);
    r.strings("fp_layers", c.fp_layers);
    r.string("device", c.device);
    r.strings("formats", c.formats);
    r.string("run_dir", c.run_dir);
    r.string("eval_text", c.eval_text);
    r.integer("eval_window", 2, std::min<std::int64_t>(kMaxInt, 1 << 20), c.eval_window);
    if (!r.status) return r.status.error();
    return c;
}

}  // namespace srs::job
