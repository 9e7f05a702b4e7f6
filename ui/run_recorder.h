// Listens to a JobController and, when a quantization run finishes, turns what it reported
// (effective settings, per-block losses, per-layer statistics, exports, perplexities) into a
// RunRecord, appends it to the run history and hands it on to the Results and Export pages.
// Failed and cancelled runs are not recorded: there is nothing to compare or re-export.
#pragma once

#include <QObject>

#include "ui/run_history.h"

namespace srs::ui {

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
};

}  // namespace srs::ui
