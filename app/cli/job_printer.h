// Prints a job's events on the terminal: human text (a progress line per block, the loss
// trajectory) or, with --json, one JSON object per line for scripts.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/job/job_events.h"

namespace srs::cli {

class JobPrinter : public job::JobObserver {
public:
    explicit JobPrinter(bool json) : json_(json) {}
    void onStarted(const job::JobStarted& e) override;
    void onPhase(const job::PhaseChanged& e) override;
    void onBlockStarted(const job::BlockStarted& e) override;
    void onIteration(const job::IterationLoss& e) override;
    void onBlockFinished(const job::BlockFinished& e) override;
    void onProgress(const job::ProgressUpdate& e) override;
    void onLog(int level, const std::string& message) override;
    void onFinished(const job::JobFinished& e) override;

private:
    void emit(const nlohmann::json& j);
    bool json_ = false;
    std::mutex mutex_;
    job::ProgressUpdate last_progress_;
};

}  // namespace srs::cli
