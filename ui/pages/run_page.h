// The Run page: the live loss of the block being tuned (per iteration, log scale), RTN versus
// tuned loss for every finished block, progress, ETA, memory, per-layer results, the written
// files, Pause / Continue and Cancel. Fed only by JobController's signals.
#pragma once

#include <QWidget>

#include "ui/job_controller.h"

class QCustomPlot;
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
    // After a cancelled or failed run whose checkpoint holds tuned blocks: shows Resume, which
    // continues that run from its next block (the main window knows the run and its folder).
    void setResumable(bool resumable, int next_block = 0, int num_blocks = 0);

signals:
    void resumeRequested();

private:
    void onStarted(int num_blocks, int layers, int resumed_from);
    void onIteration(int block, int iter, double loss);
    void onBlockFinished(int block, double rtn, double best, int best_iter, qint64 ms, const QVector<LayerRow>& layers);
    void onProgress(int done, int total, qint64 elapsed, qint64 eta, quint64 rss, quint64 peak);
    void onPausedChanged(bool paused);
    void setStatus(const QString& text);
    // The job's phase names ("tuning", ...) in the user's language.
    static QString phaseName(const QString& phase);
    void onFinished(const srs::ui::RunOutcome& outcome);

    JobController* controller_;
    QCustomPlot* loss_plot_ = nullptr;
    QCustomPlot* block_plot_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* stats_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* pause_ = nullptr;
    QPushButton* resume_ = nullptr;
    QString status_before_pause_;
    QTableWidget* layers_ = nullptr;
    QListWidget* files_ = nullptr;
    QVector<int> points_per_block_;
    int current_block_ = -1;
};

}  // namespace srs::ui
