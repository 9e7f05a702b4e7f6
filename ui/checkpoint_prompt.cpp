#include "ui/checkpoint_prompt.h"
#include "ui/model_name.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

#include "core/job/run_state.h"

namespace srs::ui {
namespace {
QString tr(const char* text) { return QCoreApplication::translate("srs::ui::CheckpointPrompt", text); }
}  // namespace

QString describeCheckpoint(const job::JobConfig& config, bool* same_settings) {
    const std::string run_dir = config.effectiveRunDir();
    auto state = job::readRunState(run_dir);
    if (!state) {
        // A damaged state file is still someone's checkpoint folder: say so rather than overwrite quietly.
        if (state.error().code == ErrorCode::CorruptFile) {
            *same_settings = false;
            return tr("The run folder %1 holds a damaged checkpoint (%2).")
                .arg(QString::fromStdString(run_dir), QString::fromStdString(state.error().message));
        }
        return {};
    }
    if (state->finished || state->next_block <= 0) return {};
    job::JobConfig applied = config;
    *same_settings = job::applyRecipe(applied).ok() && job::runStateMatches(*state, applied);
    const QString where = QDir::toNativeSeparators(QString::fromStdString(run_dir));
    const QString model = modelDisplayName(QString::fromStdString(state->model));
    return tr("The run folder %1 holds an unfinished run of %2: %3 of %4 blocks tuned and saved.")
        .arg(where, model.isEmpty() ? tr("a model") : model)
        .arg(state->next_block)
        .arg(state->num_blocks);
}

CheckpointAction askAboutCheckpoint(QWidget* parent, job::JobConfig& config) {
    if (config.resume) return CheckpointAction::Start;
    bool same = false;
    const QString what = describeCheckpoint(config, &same);
    if (what.isEmpty()) return CheckpointAction::Start;
    QMessageBox box(QMessageBox::Question, tr("Unfinished run in this folder"), what, QMessageBox::NoButton, parent);
    box.setObjectName("checkpointQuestion");
    QPushButton* resume = nullptr;
    QPushButton* other = nullptr;
    if (same) {
        box.setInformativeText(tr("It was made with these settings. Resume it, or start over and replace it?"));
        resume = box.addButton(tr("Resume"), QMessageBox::AcceptRole);
        resume->setObjectName("checkpointResume");
    } else {
        box.setInformativeText(tr("It was made with other settings or another model. Starting here replaces it; "
                                  "choose another output folder to keep it."));
        other = box.addButton(tr("Choose another folder…"), QMessageBox::ActionRole);
        other->setObjectName("checkpointOtherFolder");
    }
    QPushButton* replace = box.addButton(same ? tr("Start over") : tr("Replace it"), QMessageBox::DestructiveRole);
    replace->setObjectName("checkpointReplace");
    QPushButton* cancel = box.addButton(QMessageBox::Cancel);
    cancel->setObjectName("checkpointCancel");
    box.setDefaultButton(resume ? resume : other);
    box.setEscapeButton(cancel);
    box.exec();
    if (box.clickedButton() == resume) {
        config.resume = true;
        return CheckpointAction::Resume;
    }
    if (box.clickedButton() == other) return CheckpointAction::ChooseFolder;
    if (box.clickedButton() == replace) return CheckpointAction::Replace;
    return CheckpointAction::Cancel;
}

}  // namespace srs::ui
