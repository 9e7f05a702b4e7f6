// The Run page: the live loss of the block being tuned (per iteration, log scale), RTN versus
// tuned loss for every finished block, progress, ETA, memory, per-layer results, the written
// files, Pause / Continue and Cancel, and at the end the next steps (View results, Open export
// folder, Upload to Hub…; after a failure what to do, and Resume). Fed only by JobController's
// signals. A new run starts from a clean page: nothing of the previous run stays on it.
//
// Block numbers: the user reads blocks 1-based, "block k of n" naming the block being tuned (or,
// before a resume, the next one to tune); the job's events count from 0, so every text adds 1.
// Counts ("3 of 6 blocks done") are counts, not block numbers.
#pragma once

#include <QWidget>

#include "ui/job_controller.h"

class QCustomPlot;
class QCPItemRect;
class QCPItemText;
class QProgressBar;
class QLabel;
class QPushButton;
class QTableWidget;
class QListWidget;

namespace srs::ui {

class RunPage : public QWidget {
    Q_OBJECT
public:
    RunPage(JobController* controller, QWidget* parent = nullptr);

    QCustomPlot* lossPlot() const { return loss_plot_; }
    QCustomPlot* blockPlot() const { return block_plot_; }
    // Iteration points received per block (for tests and the status line).
    const QVector<int>& pointsPerBlock() const { return points_per_block_; }
    // Blocks tuned before a resume, taken from the checkpoint (0 when none were shown).
    int checkpointedBlocksShown() const { return checkpointed_shown_; }
    // After a cancelled or failed run whose checkpoint holds tuned blocks: shows Resume, which
    // continues that run from its next block (the main window knows the run and its folder).
    void setResumable(bool resumable, int next_block = 0, int num_blocks = 0);
    // Clears every figure of the previous run (progress, stats, status, plots, tables, files, next
    // steps) and says the run is starting. Called when a start is requested, and again when the
    // job reports that it started.
    void reset();

signals:
    void resumeRequested();
    // The next steps after a successful run: the Results page, the folder the exports were
    // written to (the page opens it itself as well), and the upload dialog for an export folder.
    void viewResultsRequested();
    void openExportRequested(const QString& path);
    void uploadRequested(const QString& folder);
    // After a failed run: back to the Configure page to change the settings.
    void configureRequested();

private:
    void buildNextSteps();
    void onStarted(int num_blocks, int layers, int resumed_from);
    void onRunSettings(const QString& model, const QString& settings_json);
    void showCheckpointedBlocks();
    void onIteration(int block, int iter, double loss);
    void onBlockFinished(int block, double rtn, double best, int best_iter, qint64 ms, const QVector<LayerRow>& layers);
    void addBlock(int block, double rtn, double best, const QVector<LayerRow>& layers);
    void onProgress(int done, int total, qint64 elapsed, qint64 eta, quint64 rss, quint64 peak);
    void onPausedChanged(bool paused);
    void setStatus(const QString& text);
    // The job's phase names ("tuning", ...) in the user's language.
    static QString phaseName(const QString& phase);
    void onFinished(const srs::ui::RunOutcome& outcome);
    void showNextSteps(const RunOutcome& outcome);
    void openExportFolder();
    QString resumedNote() const;

    JobController* controller_;
    QCustomPlot* loss_plot_ = nullptr;
    QCustomPlot* block_plot_ = nullptr;
    QCPItemRect* resumed_span_ = nullptr;   // the checkpointed blocks' range on the block plot
    QCPItemText* resumed_label_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* stats_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* pause_ = nullptr;
    QPushButton* resume_ = nullptr;
    QWidget* next_steps_ = nullptr;
    QPushButton* view_results_ = nullptr;
    QPushButton* open_folder_ = nullptr;
    QPushButton* upload_ = nullptr;
    QPushButton* change_settings_ = nullptr;
    QString status_before_pause_;
    QTableWidget* layers_ = nullptr;
    QListWidget* files_ = nullptr;
    QVector<int> points_per_block_;
    int current_block_ = -1;
    int resumed_from_ = -1;
    int checkpointed_shown_ = 0;
    bool started_seen_ = false;  // started arrived since the last finished
    QString run_dir_;
    QString export_folder_;  // what Open export folder opens
    QString upload_folder_;  // what Upload to Hub… offers
    QString last_message_;   // the last failure's message and hint, for the status when Resume is offered
    QString last_hint_;
};

}  // namespace srs::ui
