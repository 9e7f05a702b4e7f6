// Listens to a JobController and, when a quantization run finishes, turns what it reported
// (effective settings, per-block losses, per-layer statistics, exports, perplexities) into a
// RunRecord, appends it to the run history and hands it on to the Results and Export pages.
// Failed and cancelled runs are not recorded: there is nothing to compare or re-export. A resumed
// run's record holds every block: the ones tuned before the resume come from the checkpoint.
#pragma once

#include <QObject>

#include "ui/run_history.h"

namespace srs::ui {

// Blocks 0 .. count-1 of a run folder's checkpoint, with the losses and layer statistics the job
// reported when it tuned them (each block file keeps them in its metadata). Stops at the first
// block file that is missing or unreadable, so the result may be shorter than count.
QVector<BlockRecord> checkpointedBlocks(const QString& run_dir, int count);

class RunRecorder : public QObject {
    Q_OBJECT
public:
    RunRecorder(JobController* controller, RunHistory history, QObject* parent = nullptr);
    const RunHistory& history() const { return history_; }

signals:
    // After the record is on disk (or, when it could not be written, with the error in the log).
    void recorded(const srs::ui::RunRecord& record);

private:
    void onFinished(const RunOutcome& outcome);

    RunHistory history_;
    RunRecord current_;
    int resumed_from_ = -1;  // of the run that started last
};

}  // namespace srs::ui
