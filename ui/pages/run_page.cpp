#include "ui/pages/run_page.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <nlohmann/json.hpp>

#include "core/common/numeric_cast.h"
#include "core/common/units.h"
#include "core/job/job_config.h"
#include "ui/empty_state.h"
#include "ui/run_recorder.h"
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
QPushButton* stepButton(QWidget* parent, const QString& text, const char* name, const QString& tip) {
    auto* b = new QPushButton(text, parent);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}
// "blocks 1–3" / "block 1": the blocks before `next` (1-based, see the header).
QString blocksBefore(int next) {
    return next == 1 ? RunPage::tr("block 1") : RunPage::tr("blocks 1–%1").arg(next);
}
// The block plot's two graphs (RTN and tuned loss per block) on whole-number block ticks.
void addBlockGraphs(QCustomPlot* p) {
    p->addGraph();
    p->graph(0)->setName(RunPage::tr("RTN"));
    p->graph(0)->setPen(QPen(QColor("#b05a00"), 2));
    p->graph(0)->setScatterStyle(QCPScatterStyle::ssCircle);
    p->addGraph();
    p->graph(1)->setName(RunPage::tr("SignRound"));
    p->graph(1)->setPen(QPen(QColor("#1f4e79"), 2));
    p->graph(1)->setScatterStyle(QCPScatterStyle::ssDisc);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    p->xAxis->setTicker(ticker);
    // Losses grow with depth, so the upper left corner stays free for the legend.
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
}
}  // namespace

RunPage::RunPage(JobController* controller, QWidget* parent) : QWidget(parent), controller_(controller) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout();
    status_ = new QLabel(tr("No run yet — configure one and press Start."), this);
    status_->setObjectName("runStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
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
    buildNextSteps();
    layout->addWidget(next_steps_);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("runProgress");
    progress_->setValue(0);
    layout->addWidget(progress_);
    stats_ = new QLabel(this);
    stats_->setObjectName("runStats");
    layout->addWidget(stats_);

    auto* plots = new QHBoxLayout();
    loss_plot_ = makePlot(this, tr("iteration"), tr("block output MSE"), "lossPlot");
    loss_plot_->setToolTip(tr("Mini-batch loss of the block being tuned, per SignSGD iteration"));
    block_plot_ = makePlot(this, tr("block"), tr("block output MSE"), "blockPlot");
    block_plot_->setToolTip(tr("Per block: round-to-nearest loss against the loss with the tuned rounding"));
    addBlockGraphs(block_plot_);
    plots->addWidget(loss_plot_, 1);
    plots->addWidget(block_plot_, 1);
    layout->addLayout(plots, 2);

    auto* bottom = new QHBoxLayout();
    layers_ = new QTableWidget(0, 5, this);
    layers_->setObjectName("runLayers");
    layers_->setHorizontalHeaderLabels({tr("Layer"), tr("Scheme"), tr("Weight error RTN"), tr("Weight error tuned"), tr("Flipped")});
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
    connect(controller_, &JobController::runSettings, this, &RunPage::onRunSettings);
    connect(controller_, &JobController::iteration, this, &RunPage::onIteration);
    connect(controller_, &JobController::blockFinished, this, &RunPage::onBlockFinished);
    connect(controller_, &JobController::progress, this, &RunPage::onProgress);
    connect(controller_, &JobController::finished, this, &RunPage::onFinished);
    connect(controller_, &JobController::phaseChanged, this, [this](const QString& phase, const QString& detail) {
        setStatus(detail.isEmpty() ? tr("Phase: %1").arg(phaseName(phase)) : tr("Phase: %1 (%2)").arg(phaseName(phase), detail));
    });

    reset();
    status_->setText(tr("No run yet — configure one and press Start."));
    setPlotEmptyText(loss_plot_, tr("No run yet — configure one and press Start"));
    setPlotEmptyText(block_plot_, tr("No blocks tuned yet"));
    loss_plot_->replot();
    block_plot_->replot();
}

// The row of buttons that ends a run: its next steps.
void RunPage::buildNextSteps() {
    next_steps_ = new QWidget(this);
    next_steps_->setObjectName("nextSteps");
    auto* row = new QHBoxLayout(next_steps_);
    row->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(tr("Next:"), next_steps_);
    view_results_ = stepButton(next_steps_, tr("View results"), "viewResultsButton",
                               tr("The Results page: per-layer losses, the exports' perplexity and size, and the other runs of this model"));
    open_folder_ = stepButton(next_steps_, tr("Open export folder"), "openExportButton", tr("Open the folder the exports were written to"));
    upload_ = stepButton(next_steps_, tr("Upload to Hub…"), "uploadButton", tr("Upload the export to a Hugging Face repository"));
    change_settings_ = stepButton(next_steps_, tr("Change settings"), "changeSettingsButton",
                                  tr("Back to the Configure page to change what made the run fail"));
    connect(view_results_, &QPushButton::clicked, this, &RunPage::viewResultsRequested);
    connect(open_folder_, &QPushButton::clicked, this, &RunPage::openExportFolder);
    connect(upload_, &QPushButton::clicked, this, [this] { emit uploadRequested(upload_folder_); });
    connect(change_settings_, &QPushButton::clicked, this, &RunPage::configureRequested);
    row->addWidget(label);
    row->addWidget(view_results_);
    row->addWidget(open_folder_);
    row->addWidget(upload_);
    row->addWidget(change_settings_);
    row->addStretch(1);
    next_steps_->setVisible(false);
}

void RunPage::reset() {
    points_per_block_.clear();
    current_block_ = -1;
    resumed_from_ = -1;
    checkpointed_shown_ = 0;
    run_dir_.clear();
    export_folder_.clear();
    upload_folder_.clear();
    last_message_.clear();
    last_hint_.clear();
    status_before_pause_.clear();
    loss_plot_->clearGraphs();
    setPlotEmptyText(loss_plot_, tr("Waiting for the first iteration…"));
    block_plot_->graph(0)->data()->clear();
    block_plot_->graph(1)->data()->clear();
    if (resumed_span_) block_plot_->removeItem(resumed_span_), resumed_span_ = nullptr;
    if (resumed_label_) block_plot_->removeItem(resumed_label_), resumed_label_ = nullptr;
    setPlotEmptyText(block_plot_, tr("No block tuned yet"));
    block_plot_->xAxis->setRange(0.5, 1.5);
    loss_plot_->replot(QCustomPlot::rpQueuedReplot);
    block_plot_->replot(QCustomPlot::rpQueuedReplot);
    layers_->setRowCount(0);
    setEmptyText(layers_, tr("No layers yet — they are listed as their blocks finish"));
    files_->clear();
    setEmptyText(files_, tr("No files yet — the exports are listed when the run has written them"));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    stats_->clear();
    next_steps_->setVisible(false);
    resume_->setVisible(false);
    status_->setStyleSheet({});
    status_->setText(tr("Starting the run…"));
}

void RunPage::onStarted(int num_blocks, int layers, int resumed_from) {
    reset();
    started_seen_ = true;
    points_per_block_ = QVector<int>(num_blocks, 0);
    resumed_from_ = resumed_from;
    progress_->setRange(0, std::max(1, num_blocks));
    progress_->setValue(std::clamp(resumed_from, 0, num_blocks));
    block_plot_->xAxis->setRange(0.5, std::max(1, num_blocks) + 0.5);
    block_plot_->replot(QCustomPlot::rpQueuedReplot);
    cancel_->setEnabled(true);
    pause_->setEnabled(true);
    pause_->setText(tr("Pause"));
    if (resumed_from >= num_blocks && num_blocks > 0)
        status_->setText(tr("All %1 blocks were tuned before: writing the exports again from the checkpoint").arg(num_blocks));
    else if (resumed_from > 0)
        status_->setText(tr("Resuming at block %1 of %2: %3").arg(resumed_from + 1).arg(num_blocks).arg(resumedNote()));
    else if (resumed_from == 0)
        status_->setText(tr("Resuming at block 1 of %1").arg(num_blocks));
    else
        status_->setText(tr("Quantizing %1 linear layers in %2 blocks").arg(layers).arg(num_blocks));
}

QString RunPage::resumedNote() const { return tr("%1 were tuned before the resume").arg(blocksBefore(resumed_from_)); }

// Right after started: the run folder, where a resumed run's earlier blocks are checkpointed.
void RunPage::onRunSettings(const QString&, const QString& settings_json) {
    auto cfg = job::jobConfigFromJson(nlohmann::json::parse(settings_json.toStdString(), nullptr, false));
    if (!cfg) return;
    run_dir_ = QString::fromStdString(cfg->effectiveRunDir());
    if (resumed_from_ > 0) showCheckpointedBlocks();
}

// The blocks tuned before a resume: their losses and layers from the checkpoint, and their range
// marked on the block plot. When the checkpoint does not have them, the range is marked anyway.
void RunPage::showCheckpointedBlocks() {
    const int before = std::min(resumed_from_, num::clampTo<int>(points_per_block_.size()));
    const QVector<BlockRecord> blocks = checkpointedBlocks(run_dir_, before);
    for (const auto& b : blocks) addBlock(b.block, b.rtn_loss, b.best_loss, b.layers);
    checkpointed_shown_ = num::clampTo<int>(blocks.size());
    resumed_span_ = new QCPItemRect(block_plot_);
    resumed_span_->setObjectName("resumedSpan");
    for (auto* pos : {resumed_span_->topLeft, resumed_span_->bottomRight}) {
        pos->setTypeX(QCPItemPosition::ptPlotCoords);
        pos->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    resumed_span_->topLeft->setCoords(0.5, 0);
    resumed_span_->bottomRight->setCoords(before + 0.5, 1);
    resumed_span_->setPen(Qt::NoPen);
    resumed_span_->setBrush(QColor(128, 128, 128, 40));
    resumed_span_->setLayer("background");
    resumed_label_ = new QCPItemText(block_plot_);
    resumed_label_->setObjectName("resumedLabel");
    resumed_label_->position->setTypeX(QCPItemPosition::ptPlotCoords);
    resumed_label_->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    resumed_label_->position->setCoords((before + 1) / 2.0, 0.97);
    resumed_label_->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    resumed_label_->setText(blocks.size() == before ? tr("before the resume") : tr("before the resume\n(losses not in the checkpoint)"));
    resumed_label_->setColor(QColor("#595959"));
    if (blocks.isEmpty()) {
        setPlotEmptyText(block_plot_, tr("%1 were tuned before the resume").arg(blocksBefore(before)));
    }
    block_plot_->replot(QCustomPlot::rpQueuedReplot);
}

void RunPage::onIteration(int block, int iter, double loss) {
    if (block != current_block_) {
        current_block_ = block;
        loss_plot_->clearGraphs();
        loss_plot_->addGraph();
        loss_plot_->graph(0)->setName(tr("block %1").arg(block + 1));
        loss_plot_->graph(0)->setPen(QPen(QColor("#1f4e79"), 1.5));
        setPlotEmptyText(loss_plot_, {});
        QString text = tr("Tuning block %1 of %2").arg(block + 1).arg(points_per_block_.size());
        if (resumed_from_ > 0 && resumed_from_ < points_per_block_.size()) text += " · " + resumedNote();
        setStatus(text);
    }
    if (block >= 0 && block < points_per_block_.size()) ++points_per_block_[block];
    if (loss > 0) loss_plot_->graph(0)->addData(iter, loss);
    fitLog(loss_plot_);
    loss_plot_->replot(QCustomPlot::rpQueuedReplot);
}

// One block on the block plot and its layers in the table.
void RunPage::addBlock(int block, double rtn, double best, const QVector<LayerRow>& layers) {
    if (rtn > 0) block_plot_->graph(0)->addData(block + 1, rtn);
    if (best > 0) block_plot_->graph(1)->addData(block + 1, best);
    if (block_plot_->graph(0)->dataCount() + block_plot_->graph(1)->dataCount() > 0) setPlotEmptyText(block_plot_, {});
    fitLog(block_plot_);
    block_plot_->xAxis->setRange(0.5, std::max(1, num::clampTo<int>(points_per_block_.size())) + 0.5);
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
}

void RunPage::onBlockFinished(int block, double rtn, double best, int best_iter, qint64 ms, const QVector<LayerRow>& layers) {
    addBlock(block, rtn, best, layers);
    double gain = rtn > 0 ? 100.0 * (rtn - best) / rtn : 0.0;
    setStatus(tr("Block %1 of %2: loss %3 → %4 (%5 % lower, best at iteration %6) in %7")
                  .arg(block + 1)
                  .arg(points_per_block_.size())
                  .arg(rtn, 0, 'g', 4)
                  .arg(best, 0, 'g', 4)
                  .arg(gain, 0, 'f', 1)
                  .arg(best_iter)
                  .arg(fmt(ms)));
}

void RunPage::onProgress(int done, int total, qint64 elapsed, qint64 eta, quint64 rss, quint64 peak) {
    progress_->setRange(0, std::max(1, total));
    progress_->setValue(done);
    stats_->setText(tr("%1 of %2 blocks done · elapsed %3 · ETA %4 · memory %5 (peak %6)")
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
    if (!resumable) return;
    resume_->setText(tr("Resume (block %1 of %2)").arg(next_block + 1).arg(num_blocks));
    resume_->setToolTip(tr("Continue this run from block %1 of %2: the %3 tuned blocks are kept")
                            .arg(next_block + 1)
                            .arg(num_blocks)
                            .arg(next_block));
    if (last_message_.isEmpty()) return;
    // The job's advice for a cancel names the command line (--resume); here the button does it.
    // Other advice (free some disk space, ...) stays, with Resume after it.
    const QString resume_advice = tr("press Resume to continue at block %1 of %2; %3 stay checkpointed.")
                                      .arg(next_block + 1)
                                      .arg(num_blocks)
                                      .arg(blocksBefore(next_block));
    const bool cli_advice = last_hint_.isEmpty() || last_hint_.contains("--resume");
    status_->setText(last_message_ + "\n" +
                     (cli_advice ? tr("What to do: %1").arg(resume_advice) : tr("What to do: %1 Then %2").arg(last_hint_, resume_advice)));
}

void RunPage::onFinished(const RunOutcome& outcome) {
    // A job that failed before it started (a model that does not open) must not leave the
    // previous run's figures under its error.
    if (!started_seen_) reset();
    started_seen_ = false;
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
        last_message_.clear();
    } else {
        last_message_ = cancelled ? tr("Cancelled: %1").arg(outcome.message) : tr("Failed: %1").arg(outcome.message);
        last_hint_ = outcome.hint;
        QString text = last_message_;
        if (!outcome.hint.isEmpty()) text += "\n" + tr("What to do: %1").arg(outcome.hint);
        status_->setText(text);
        status_->setStyleSheet(cancelled ? warningTextStyle() : errorTextStyle());
    }
    if (current_block_ < 0)
        setPlotEmptyText(loss_plot_, resumed_from_ > 0 && resumed_from_ >= points_per_block_.size()
                                         ? tr("Every block was tuned before the resume")
                                         : tr("No iterations: the run ended before tuning"));
    loss_plot_->replot(QCustomPlot::rpQueuedReplot);
    showNextSteps(outcome);
}

// After success: View results, and Open export folder / Upload when files were written. After a
// failure (not a cancel): back to the settings.
void RunPage::showNextSteps(const RunOutcome& outcome) {
    export_folder_.clear();
    upload_folder_.clear();
    for (const auto& f : outcome.files) {
        const QFileInfo info(f.path);
        if (export_folder_.isEmpty()) export_folder_ = info.absolutePath();
        // Uploads take an export folder; a GGUF file is uploaded with the folder it lies in.
        if (upload_folder_.isEmpty() && info.isDir()) upload_folder_ = info.absoluteFilePath();
    }
    if (upload_folder_.isEmpty()) upload_folder_ = export_folder_;
    if (outcome.files.size() == 1 && QFileInfo(outcome.files[0].path).isDir()) export_folder_ = upload_folder_;
    const bool ok = outcome.succeeded();
    view_results_->setVisible(ok);
    open_folder_->setVisible(ok && !export_folder_.isEmpty());
    upload_->setVisible(ok && !upload_folder_.isEmpty());
    change_settings_->setVisible(outcome.state == job::JobState::Failed);
    next_steps_->setVisible(ok || outcome.state == job::JobState::Failed);
    open_folder_->setToolTip(tr("Open %1").arg(QDir::toNativeSeparators(export_folder_)));
    upload_->setToolTip(tr("Upload %1 to a Hugging Face repository").arg(QDir::toNativeSeparators(upload_folder_)));
}

void RunPage::openExportFolder() {
    if (export_folder_.isEmpty()) return;
    emit openExportRequested(export_folder_);
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(export_folder_))) {
        status_->setText(status_->text() + "\n" + tr("Could not open %1: no file manager is registered.").arg(QDir::toNativeSeparators(export_folder_)));
    }
}

}  // namespace srs::ui
