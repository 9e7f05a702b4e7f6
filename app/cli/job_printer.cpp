#include "app/cli/job_printer.h"

#include "core/common/log.h"
#include "core/common/units.h"

namespace srs::cli {

void JobPrinter::emit(const nlohmann::json& j) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
}

void JobPrinter::onStarted(const job::JobStarted& e) {
    if (json_) return emit(job::toJson(e));
    // Blocks are counted from 1 where people read them (the JSON event keeps the 0-based index).
    const std::string resuming = e.resumed_from_block >= 0 ? ", resuming at block " + std::to_string(e.resumed_from_block + 1) + " of " +
                                                                 std::to_string(e.num_blocks)
                                                           : "";
    std::printf("Quantizing %s: %d blocks, %d linear layers, device %s%s\n", e.model.c_str(), e.num_blocks, e.layers_to_quantize,
                e.device.c_str(), resuming.c_str());
    std::fflush(stdout);
}

void JobPrinter::onPhase(const job::PhaseChanged& e) {
    if (json_) return emit(job::toJson(e));
    std::printf("== %s%s%s\n", e.phase.c_str(), e.detail.empty() ? "" : ": ", e.detail.c_str());
    std::fflush(stdout);
}

void JobPrinter::onBlockStarted(const job::BlockStarted& e) {
    if (json_) emit(job::toJson(e));
}

void JobPrinter::onIteration(const job::IterationLoss& e) {
    if (json_) emit(job::toJson(e));
}

void JobPrinter::onBlockFinished(const job::BlockFinished& e) {
    if (json_) return emit(job::toJson(e));
    double gain = e.rtn_loss > 0 ? 100.0 * (e.rtn_loss - e.best_loss) / e.rtn_loss : 0.0;
    std::printf("block %d/%d: loss RTN %.6g -> best %.6g (iter %d, %.1f%% lower) in %s", e.block + 1, e.num_blocks, e.rtn_loss,
                e.best_loss, e.best_iter, gain, units::formatDuration(e.elapsed_ms).c_str());
    if (last_progress_.eta_ms >= 0) std::printf(", ETA %s", units::formatDuration(last_progress_.eta_ms).c_str());
    std::printf(", RSS %s\n", units::formatBytes(last_progress_.rss_bytes).c_str());
    std::fflush(stdout);
}

void JobPrinter::onProgress(const job::ProgressUpdate& e) {
    last_progress_ = e;
    if (json_) emit(job::toJson(e));
}

void JobPrinter::onLog(int level, const std::string& message) {
    if (json_) return emit({{"event", "log"}, {"level", log::levelName(static_cast<log::Level>(level))}, {"message", message}});
    if (level >= static_cast<int>(log::minLevel())) std::fprintf(stderr, "[%s] %s\n", log::levelName(static_cast<log::Level>(level)), message.c_str());
}

void JobPrinter::onFinished(const job::JobFinished& e) {
    if (json_) return emit(job::toJson(e));
    if (e.state == job::JobState::Finished) {
        std::printf("Done in %s, peak RSS %s.\n", units::formatDuration(e.elapsed_ms).c_str(), units::formatBytes(e.peak_rss_bytes).c_str());
        for (const auto& f : e.files) std::printf("  %-12s %s (%s)\n", f.format.c_str(), f.path.c_str(), units::formatBytes(f.size_bytes).c_str());
        for (const auto& v : e.evaluations) {
            std::printf("  %-12s PPL %.4f on %s (%.2f bits/weight)", v.model.c_str(), v.ppl, v.text.c_str(), v.bits_per_weight);
            if (v.kld) std::printf(", KLD mean %.5f, top-1 %.2f %%", v.kld->mean, 100.0 * v.kld->top1_agreement);
            std::printf("\n");
        }
    } else {
        std::fprintf(stderr, "%s: %s\n", e.state == job::JobState::Cancelled ? "cancelled" : "error", e.message.c_str());
        if (!e.hint.empty()) std::fprintf(stderr, "hint: %s\n", e.hint.c_str());
    }
    std::fflush(stdout);
}

}  // namespace srs::cli
