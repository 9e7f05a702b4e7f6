// A job observer for the GUI tests that forwards every event and cancels the real job, from its
// worker thread (so deterministically), as soon as block `last` is finished and checkpointed: the
// app "stops" there. A resumed run that starts past that block is not stopped. Header-only.
#pragma once

#include "core/common/cancel.h"
#include "core/job/quant_job.h"

namespace srs::test {

class StopAfterBlock : public job::JobObserver {
public:
    StopAfterBlock(job::JobObserver& inner, CancelToken token, int last) : inner_(inner), token_(std::move(token)), last_(last) {}
    void onStarted(const job::JobStarted& e) override { inner_.onStarted(e); }
    void onPhase(const job::PhaseChanged& e) override { inner_.onPhase(e); }
    void onBlockStarted(const job::BlockStarted& e) override { inner_.onBlockStarted(e); }
    void onIteration(const job::IterationLoss& e) override { inner_.onIteration(e); }
    void onBlockFinished(const job::BlockFinished& e) override {
        inner_.onBlockFinished(e);
        if (e.block == last_) token_.cancel();
    }
    void onProgress(const job::ProgressUpdate& e) override { inner_.onProgress(e); }
    void onLog(int level, const std::string& m) override { inner_.onLog(level, m); }
    void onFinished(const job::JobFinished& e) override { inner_.onFinished(e); }

private:
    job::JobObserver& inner_;
    CancelToken token_;
    int last_;
};

// A JobRunner (ui::JobController) that stops after the first block.
inline job::JobFinished runStoppingAfterFirstBlock(const job::JobConfig& c, job::JobObserver& o, const CancelToken& t) {
    StopAfterBlock stopper(o, t, 0);
    return job::runQuantJob(c, stopper, t);
}

}  // namespace srs::test
