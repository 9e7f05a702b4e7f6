#include "core/job/job_events.h"

#include "core/eval/kld_json.h"

namespace srs::job {

const char* jobStateName(JobState s) {
    switch (s) {
    case JobState::None: return "none";
    case JobState::Running: return "running";
    case JobState::Finished: return "finished";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
    }
    return "?";
}

nlohmann::json toJson(const JobStarted& e) {
    return {{"event", "started"}, {"model", e.model}, {"num_blocks", e.num_blocks}, {"layers_to_quantize", e.layers_to_quantize},
            {"device", e.device}, {"settings", e.settings}, {"resumed_from_block", e.resumed_from_block}};
}
nlohmann::json toJson(const PhaseChanged& e) { return {{"event", "phase"}, {"phase", e.phase}, {"detail", e.detail}}; }
nlohmann::json toJson(const BlockStarted& e) {
    return {{"event", "block_started"}, {"block", e.block}, {"num_blocks", e.num_blocks}, {"layers", e.layers}, {"iters", e.iters}};
}
nlohmann::json toJson(const IterationLoss& e) {
    return {{"event", "iteration"}, {"block", e.block}, {"iter", e.iter}, {"iters", e.iters}, {"loss", e.loss}, {"lr", e.lr}};
}
nlohmann::json toJson(const LayerStats& e) {
    return {{"name", e.name}, {"bits", e.scheme.bits}, {"group_size", e.scheme.group_size}, {"sym", e.scheme.sym}, {"out_features", e.out_features},
            {"in_features", e.in_features}, {"weight_rel_error_rtn", e.weight_rel_error_rtn},
            {"weight_rel_error_tuned", e.weight_rel_error_tuned}, {"flipped_fraction", e.flipped_fraction}};
}
nlohmann::json toJson(const BlockFinished& e) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : e.layers) layers.push_back(toJson(l));
    return {{"event", "block_finished"}, {"block", e.block}, {"num_blocks", e.num_blocks}, {"rtn_loss", e.rtn_loss},
            {"best_loss", e.best_loss}, {"best_iter", e.best_iter}, {"elapsed_ms", e.elapsed_ms}, {"layers", layers}};
}
nlohmann::json toJson(const ProgressUpdate& e) {
    return {{"event", "progress"}, {"blocks_done", e.blocks_done}, {"num_blocks", e.num_blocks}, {"fraction", e.fraction},
            {"elapsed_ms", e.elapsed_ms}, {"eta_ms", e.eta_ms}, {"rss_bytes", e.rss_bytes}, {"peak_rss_bytes", e.peak_rss_bytes}};
}
nlohmann::json toJson(const JobFinished& e) {
    nlohmann::json files = nlohmann::json::array(), evals = nlohmann::json::array();
    for (const auto& f : e.files) files.push_back({{"format", f.format}, {"path", f.path}, {"size_bytes", f.size_bytes}});
    for (const auto& v : e.evaluations) {
        nlohmann::json row = {{"model", v.model}, {"text", v.text}, {"ppl", v.ppl}, {"bits_per_weight", v.bits_per_weight}, {"size_bytes", v.size_bytes}};
        if (v.kld) row["kld"] = eval::kldToJson(*v.kld);
        evals.push_back(std::move(row));
    }
    return {{"event", "finished"}, {"state", jobStateName(e.state)}, {"message", e.message}, {"hint", e.hint},
            {"elapsed_ms", e.elapsed_ms}, {"peak_rss_bytes", e.peak_rss_bytes}, {"files", files}, {"evaluations", evals}};
}

}  // namespace srs::job
