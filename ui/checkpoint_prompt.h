// What Start does when the run folder already holds a checkpoint: never replace it silently.
// A checkpoint of these settings with tuned blocks can be resumed (or started over); another run's
// checkpoint is replaced only when the user says so, or the user picks another output folder.
// Finished checkpoints and folders without one start at once.
#pragma once

#include <QString>

#include "core/job/job_config.h"

class QWidget;

namespace srs::ui {

enum class CheckpointAction {
    Start,         // nothing to lose: start as configured
    Resume,        // continue the checkpoint (config.resume set)
    Replace,       // start over, replacing the checkpoint
    ChooseFolder,  // the user wants another output folder
    Cancel,
};

// What the run folder of config holds, in words, when Start would affect it; empty when nothing
// (no checkpoint, a finished one, or none with a tuned block). `same_settings` tells which of the
// two questions applies.
QString describeCheckpoint(const job::JobConfig& config, bool* same_settings);

// Asks (a modal question) when describeCheckpoint has something to say; sets config.resume on Resume.
CheckpointAction askAboutCheckpoint(QWidget* parent, job::JobConfig& config);

}  // namespace srs::ui
