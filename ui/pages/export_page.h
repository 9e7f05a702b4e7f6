// The Export page: the folders and files a finished run wrote, with sizes; "Open folder" in the
// system's file manager; and re-export of the run in another format (packed or a llama.cpp GGUF
// mix) from its checkpoint, without tuning again. The re-export runs core's reexportRun on a
// worker thread through its own JobController; its files are added to the run's history record.
#pragma once

#include <QWidget>

#include "ui/run_history.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace srs::ui {

class ExportPage : public QWidget {
    Q_OBJECT
public:
    // reexport: core's reexportRun; without one the re-export controls are hidden.
    ExportPage(RunHistory history, ReexportRunner reexport, QWidget* parent = nullptr);

    void showRun(const RunRecord& record);
    bool hasRun() const { return has_run_; }
    const RunRecord& run() const { return run_; }
    QTreeWidget* filesTree() const { return tree_; }
    JobController* reexportController() const { return controller_; }
    // Blocks re-export while a quantization run may be rewriting the checkpoint.
    void setBusy(bool busy);

public slots:
    void openSelectedFolder();
    void startReexport();
    // Emits uploadRequested for the selected export's folder (the first one when none is selected).
    void requestUpload();

signals:
    void uploadRequested(const QString& folder);
    // After a re-export: how it ended, and the run's record (with the new files when it succeeded).
    void reexported(const srs::ui::RunOutcome& outcome, const srs::ui::RunRecord& record);

private:
    void refresh();
    void onReexportFinished(const RunOutcome& outcome);

    RunHistory history_;
    RunRecord run_;
    bool has_run_ = false;
    bool busy_ = false;
    JobController* controller_ = nullptr;
    ReexportRunner reexport_runner_;
    QLabel* summary_ = nullptr;
    QTreeWidget* tree_ = nullptr;
    QPushButton* open_ = nullptr;
    QPushButton* upload_ = nullptr;
    QComboBox* format_ = nullptr;
    QLineEdit* output_ = nullptr;
    QPushButton* reexport_ = nullptr;
    QLabel* status_ = nullptr;
};

}  // namespace srs::ui
