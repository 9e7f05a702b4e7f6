// Runs the GUI started that may still be unfinished, so the app can offer to resume them when it
// starts again. Each run is registered (one small JSON file under <app data>/unfinished/, written
// atomically: the full settings, recipe applied, and its run folder) when it starts, and forgotten
// when it finishes. A registered run is offered while its run folder holds a checkpoint of at least
// one tuned block that is not finished and was made with the saved settings. Plain data, no widgets.
#pragma once

#include <QString>
#include <QVector>

#include "core/common/result.h"
#include "core/job/job_config.h"

namespace srs::ui {

struct UnfinishedRun {
    QString id;       // entry file stem
    QString started;  // ISO 8601 UTC
    QString model;
    QString run_dir;
    QString scheme;   // "W4G32 auto-round, 20 iters"
    int next_block = 0;  // blocks 0 .. next_block-1 are saved; resuming tunes next_block on
    int num_blocks = 0;
    job::JobConfig config;  // the saved settings, with resume = true
};

class UnfinishedRuns {
public:
    // folder empty: defaultFolder().
    explicit UnfinishedRuns(QString folder = {});
    // <QStandardPaths::AppDataLocation>/unfinished
    static QString defaultFolder();
    const QString& folder() const { return folder_; }

    // Registers a run that is starting (replaces an entry with the same run folder).
    Status add(const job::JobConfig& config) const;
    // Forgets the run with this run folder (it finished, or the user discarded it).
    void remove(const QString& run_dir) const;
    // The runs that can be resumed, newest first. Entries whose run folder is gone, whose
    // checkpoint is finished or was made with other settings are forgotten on the way.
    QVector<UnfinishedRun> find() const;
    // Deletes the run's checkpoint files (state, activations, block files; the folder when it is
    // then empty) and forgets it.
    Status discard(const UnfinishedRun& run) const;

private:
    QString folder_;
};

}  // namespace srs::ui
