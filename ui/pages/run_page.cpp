#include "ui/pages/run_page.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "core/common/units.h"
#include "ui/theme.h"

namespace srs::ui {
namespace {
QCustomPlot* makePlot(QWidget* parent, const QString& x, const QString& y, const char* name) {
    auto* p = new QCustomPlot(parent);
    p->setObjectName(name);
    p->setMinimumHeight(220);
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->yAxis->setScaleType(QCPAxis::stLogarithmic);
    p->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    p->yAxis->setNumberFormat("g");
    p->yAxis->setNumberPrecision(3);
    p->legend->setVisible(true);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignLeft);
    p->legend->setFont(QFont(p->font().family(), 8));
    followPalette(p);  // axes, text and background in the theme's colours
    return p;
}
// Rescales to the data with some room above and below, so no point sits on the frame.
void fitLog(QCustomPlot* p) {
    p->rescaleAxes();
    QCPRange r = p->yAxis->range();
    if (r.lower > 0) p->yAxis->setRange(r.lower / 1.6, r.upper * 1.6);
}
QString fmt(qint64 ms) { return QString::fromStdString(units::formatDuration(ms)); }
QString bytes(quint64 b) { return QString::fromStdString(units::formatBytes(b)); }
}  // namespace

RunPage::RunPage(JobController* controller, QWidget* parent) : QWidget(parent), controller_(controller) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout();
    status_ = new QLabel(tr("No run yet. Configure one and press Start."), this);
    status_->setObjectName("runStatus");
    status_->setWordWrap(true);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("cancelButton");
    cancel_->setEnabled(false);
    cancel_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    cancel_->setToolTip(tr("Stop after the current step; finished blocks stay checkpointed, and Resume continues from them (Ctrl+.)"));
    connect(cancel_, &QPushButton::clicked, controller_, &JobController::cancel);
    pause_ = new QPushButton(tr("Pause"), this);
    pause_->setObjectName("pauseButton");
    pause_->setEnabled(false);
    pause_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    pause_->setToolTip(tr("Hold the run at its next step without using the CPU; press again to continue (Ctrl+P)"));
    connect(pause_, &QPushButton::clicked, this, [this] {
        if (controller_->paused())
            controller_->resume();
        else
            controller_->pause();
    });
    connect(controller_, &JobController::pausedChanged, this, &RunPage::onPausedChanged);
    resume_ = new QPushButton(tr("Resume"), this);
    resume_->setObjectName("runResumeButton");
    resume_->setVisible(false);
    connect(resume_, &QPushButton::clicked, this, [this] {
        resume_->setVisible(false);
        emit resumeRequested();
    });
    top->addWidget(status_, 1);
    top->addWidget(resume_);
    top->addWidget(pause_);
    top->addWidget(cancel_);
    layout->addLayout(top);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("runProgress");
    layout->addWidget(progress_);
    stats_ = new QLabel(this);
    stats_->setObjectName("runStats");
    layout->addWidget(stats_);

    auto* plots = new QHBoxLayout();
    loss_plot_ = makePlot(this, tr("iteration"), tr("block output MSE"), "lossPlot");
    loss_plot_->setToolTip(tr("Mini-batch loss of the block being tuned, per SignSGD iteration"));
    block_plot_ = makePlot(this, tr("block"), tr("block output MSE"), "blockPlot");
    block_plot_->setToolTip(tr("Per block: round-to-nearest loss against the loss with the tuned rounding"));
    block_plot_->addGraph();
    block_plot_->graph(0)->setName(tr("RTN"));
    block_plot_->graph(0)->setPen(QPen(QColor("#b05a00"), 2));
    block_plot_->graph(0)->setScatterStyle(QCPScatterStyle::ssCircle);
    block_plot_->addGraph();
    block_plot_->graph(1)->setName(tr("SignRound"));
    block_plot_->graph(1)->setPen(QPen(QColor("#1f4e79"), 2));
    block_plot_->graph(1)->setScatterStyle(QCPScatterStyle::ssDisc);
    // Losses grow with depth, so the upper left corner stays free for the legend.
    block_plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plots->addWidget(loss_plot_, 1);
    plots->addWidget(block_plot_, 1);
    layout->addLayout(plots, 2);

    auto* bottom = new QHBoxLayout();
    layers_ = new QTableWidget(0, 5, this);
    layers_->setObjectName("runLayers");
    layers_->setHorizontalHeaderLabels({tr("Layer"), tr("Scheme"), tr("Error RTN"), tr("Error tuned"), tr("Flipped")});
    layers_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    layers_->verticalHeader()->setVisible(false);
    layers_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layers_->setToolTip(tr("Relative weight error ||W − Q(W)|| / ||W|| with round-to-nearest and tuned; share of weights rounded the other way"));
    files_ = new QListWidget(this);
    files_->setObjectName("runFiles");
    files_->setToolTip(tr("Exports written by the run"));
    bottom->addWidget(layers_, 3);
    bottom->addWidget(files_, 2);
    layout->addLayout(bottom, 1);

    connect(controller_, &JobController::started, this, &RunPage::onStarted);
    connect(controller_, &JobController::iteration, this, &RunPage::onIteration);
    connect(controller_, &JobController::blockFinished, this, &RunPage::onBlockFinished);
    connect(controller_, &JobController::progress, this, &RunPage::onProgress);
    connect(controller_, &JobController::finished, this, &RunPage::onFinished);
    connect(controller_, &JobController::phaseChanged, this, [this](const QString& phase, const QString& detail) {
        setStatus(detail.isEmpty() ? tr("Phase: %1").arg(phaseName(phase)) : tr("Phase: %1 (%2)").arg(phaseName(phase), detail));
    });
}

void RunPage::onStarted(int num_blocks, int layers, int resumed_from) {
    points_per_block_ = QVector<int>(num_blocks, 0);
    current_block_ = -1;
    loss_plot_->clearGraphs();
    block_plot_->graph(0)->data()->clear();
    block_plot_->graph(1)->data()->clear();
    block_plot_->replot();
    layers_->setRowCount(0);
    files_->clear();
    progress_->setRange(0, num_blocks);
    progress_->setValue(resumed_from > 0 ? resumed_from : 0);
    cancel_->setEnabled(true);
    pause_->setEnabled(true);
    pause_->setText(tr("Pause"));
    resume_->setVisible(false);
    status_->setStyleSheet({});
    status_->setText(resumed_from >= 0 ? tr("Resuming at block %1 of %2").arg(resumed_from + 1).arg(num_blocks)
                                       : tr("Quantizing %1 linear layers in %2 blocks").arg(layers).arg(num_blocks));
}

void RunPage::onIteration(int block, int iter, double loss) {
    if (block != current_block_) {
        current_block_ = block;
        loss_plot_->clearGraphs();
        loss_plot_->addGraph();
        loss_plot_->graph(0)->setName(tr("block %1").arg(block + 1));
        loss_plot_->graph(0)->setPen(QPen(QColor("#1f4e79"), 1.5));
        setStatus(tr("Tuning block %1 of %2").arg(block + 1).arg(points_per_block_.size()));
    }
    if (block >= 0 && block < points_per_block_.size()) ++points_per_block_[block];
    if (loss > 0) loss_plot_->graph(0)->addData(iter, loss);
    fitLog(loss_plot_);
    loss_plot_->replot(QCustomPlot::rpQueuedReplot);
}

void RunPage::onBlockFinished(int block, double rtn, double best, int best_iter, qint64 ms, const QVector<LayerRow>& layers) {
    if (rtn > 0) block_plot_->graph(0)->addData(block + 1, rtn);
    if (best > 0) block_plot_->graph(1)->addData(block + 1, best);
    fitLog(block_plot_);
    block_plot_->xAxis->setRange(0.5, std::max(1.5, points_per_block_.size() + 0.5));
    block_plot_->replot(QCustomPlot::rpQueuedReplot);
    for (const auto& l : layers) {
        int r = layers_->rowCount();
        layers_->insertRow(r);
        layers_->setItem(r, 0, new QTableWidgetItem(tr("block %1 · %2").arg(block + 1).arg(l.name)));
        layers_->setItem(r, 1, new QTableWidgetItem(QStringLiteral("W%1G%2").arg(l.bits).arg(l.group_size)));
        layers_->setItem(r, 2, new QTableWidgetItem(QString::number(l.error_rtn, 'f', 4)));
        layers_->setItem(r, 3, new QTableWidgetItem(QString::number(l.error_tuned, 'f', 4)));
        layers_->setItem(r, 4, new QTableWidgetItem(QString::number(100.0 * l.flipped, 'f', 1) + " %"));
    }
    double gain = rtn > 0 ? 100.0 * (rtn - best) / rtn : 0.0;
    setStatus(tr("Block %1: loss %2 → %3 (%4 % lower, best at iteration %5) in %6")
                         .arg(block + 1)
                         .arg(rtn, 0, 'g', 4)
                         .arg(best, 0, 'g', 4)
                         .arg(gain, 0, 'f', 1)
                         .arg(best_iter)
                         .arg(fmt(ms)));
}

void RunPage::onProgress(int done, int total, qint64 elapsed, qint64 eta, quint64 rss, quint64 peak) {
    progress_->setRange(0, total);
    progress_->setValue(done);
    stats_->setText(tr("%1 of %2 blocks · elapsed %3 · ETA %4 · memory %5 (peak %6)")
                        .arg(done)
                        .arg(total)
                        .arg(fmt(elapsed))
                        .arg(eta >= 0 ? fmt(eta) : tr("—"))
                        .arg(bytes(rss))
                        .arg(bytes(peak)));
}

void RunPage::setStatus(const QString& text) {
    // While paused the banner line stays; the latest status comes back on Continue.
    if (controller_->paused())
        status_before_pause_ = text;
    else
        status_->setText(text);
}

QString RunPage::phaseName(const QString& phase) {
    if (phase == "calibration") return tr("calibration");
    if (phase == "tuning") return tr("tuning");
    if (phase == "exporting") return tr("exporting");
    if (phase == "evaluating") return tr("evaluating");
    return phase;
}

void RunPage::onPausedChanged(bool paused) {
    pause_->setText(paused ? tr("Continue") : tr("Pause"));
    if (paused) {
        status_before_pause_ = status_->text();
        status_->setText(tr("Paused — press Continue (Ctrl+P) to go on, or Cancel to stop"));
    } else if (!status_before_pause_.isEmpty() && controller_->running()) {
        status_->setText(status_before_pause_);
    }
}

void RunPage::setResumable(bool resumable, int next_block, int num_blocks) {
    resume_->setVisible(resumable);
    if (resumable)
        resume_->setToolTip(tr("Continue this run from block %1 of %2: the %3 tuned blocks are kept")
                                .arg(next_block + 1)
                                .arg(num_blocks)
                                .arg(next_block));
}

void RunPage::onFinished(const RunOutcome& outcome) {
    resume_->setVisible(false);
    cancel_->setEnabled(false);
    pause_->setEnabled(false);
    pause_->setText(tr("Pause"));
    for (const auto& f : outcome.files) {
        auto* item = new QListWidgetItem(QStringLiteral("%1 — %2 (%3)").arg(f.format, QFileInfo(f.path).fileName(), bytes(f.size_bytes)), files_);
        item->setToolTip(f.path);
    }
    const bool cancelled = outcome.state == job::JobState::Cancelled;
    if (outcome.succeeded()) {
        status_->setText(tr("Finished in %1.").arg(fmt(outcome.elapsed_ms)));
        status_->setStyleSheet({});
    } else {
        QString text = cancelled ? tr("Cancelled: %1").arg(outcome.message) : tr("Failed: %1").arg(outcome.message);
        if (!outcome.hint.isEmpty()) text += "\n" + tr("What to do: %1").arg(outcome.hint);
        status_->setText(text);
        status_->setStyleSheet(cancelled ? warningTextStyle() : errorTextStyle());
    }
}

}  // namespace srs::ui
