#include "ui/main_window.h"

#include <QAbstractButton>
#include <QAction>
#include <QFontMetrics>
#include <QLineEdit>
#include <QMenu>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QCloseEvent>
#include <QDir>
#include <QDropEvent>
#include <QFileInfo>
#include <QListWidget>
#include <QMenuBar>
#include <QPainter>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTime>

#include "core/common/numeric_cast.h"
#include "core/common/log.h"
#include "core/common/units.h"
#include "core/device/hardware.h"
#include "core/job/run_state.h"
#include "ui/checkpoint_prompt.h"
#include "ui/hub_session.h"
#include "ui/log_bridge.h"
#include "ui/model_name.h"
#include "ui/pages/hub_page.h"
#include "ui/upload_dialog.h"
#include "ui/pages/compare_page.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"
#include "ui/pages/export_page.h"
#include "ui/pages/results_page.h"
#include "ui/pages/run_page.h"
#include "ui/resume_banner.h"
#include "ui/run_recorder.h"
#include "ui/settings_dialog.h"
#include "ui/theme.h"

// Resources compiled into the static srs_ui library must be registered explicitly.
static void initUiResources() { Q_INIT_RESOURCE(resources); }

namespace srs::ui {

MainWindow::MainWindow(const QString& compute_summary, JobRunner runner, ReexportRunner reexport, TextModelOpener text_models,
                       QWidget* parent)
    : QMainWindow(parent), compute_summary_(compute_summary) {
    initUiResources();
    setWindowTitle(tr("SignRound Studio"));
    setWindowIcon(QIcon(":/icons/signround-studio.svg"));
    resize(1280, 800);
    buildCentralArea();

    model_page_ = new ModelPage(this);
    addPage(tr("Model"), model_page_, tr("Open a model and see what is in it"), ":/icons/page-model.svg");
    connect(model_page_, &ModelPage::modelFailed, this, &MainWindow::reportFailedOpen);
    if (runner) {
        addQuantizationPages(std::move(runner));
        connectRunLifecycle();
        addResultPages(std::move(reexport));
        if (text_models) addComparePage(std::move(text_models));
    }
    // The Hub page comes last so the other pages keep their positions (--page, screenshots).
    addHubPage();
    addWelcome();
    if (run_page_) connectRunPageNextSteps();

    QDockWidget* dock = buildLogDock();
    buildMenus(dock);
    releaseButtonShortcuts();
    updateRunActions();
    statusBar()->showMessage(compute_summary_);
    setAcceptDrops(true);
    if (!compute_summary_.isEmpty()) srs::log::info(compute_summary_.toStdString());
}

// The resume banner above a splitter of the page list and the page stack.
void MainWindow::buildCentralArea() {
    auto* central = new QWidget(this);
    auto* central_layout = new QVBoxLayout(central);
    central_layout->setContentsMargins(0, 0, 0, 0);
    central_layout->setSpacing(0);
    resume_banner_ = new ResumeBanner(central);
    central_layout->addWidget(resume_banner_);
    auto* splitter = new QSplitter(central);
    central_layout->addWidget(splitter, 1);
    nav_ = new QListWidget(splitter);
    nav_->setObjectName("pageList");
    nav_->setMaximumWidth(180);
    nav_->setMinimumWidth(130);
    nav_->setIconSize(QSize(20, 20));
    stack_ = new QStackedWidget(splitter);
    splitter->addWidget(nav_);
    splitter->addWidget(stack_);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setCollapsible(0, false);
    splitter->setSizes({160, 1120});
    setCentralWidget(central);
    connect(nav_, &QListWidget::currentRowChanged, stack_, &QStackedWidget::setCurrentIndex);
}

// Configure and Run, around the controller that runs the job.
void MainWindow::addQuantizationPages(JobRunner runner) {
    job_controller_ = new JobController(std::move(runner), this);
    configure_page_ = new ConfigurePage(this);
    run_page_ = new RunPage(job_controller_, this);
    addPage(tr("Configure"), configure_page_, tr("Scheme, recipe, calibration data and formats"), ":/icons/page-configure.svg");
    run_index_ = addPage(tr("Run"), run_page_, tr("Live loss curves, progress and results"), ":/icons/page-run.svg");
}

// A model opened configures the run; a started run is remembered until it succeeds, so that the
// resume banner can offer it at the next start.
void MainWindow::connectRunLifecycle() {
    connect(model_page_, &ModelPage::modelOpened, this, [this](const QString& folder) {
        configure_page_->setModel(folder);
        configure_page_->setMaxSeqlen(static_cast<int>(model_page_->summary().config.max_position_embeddings));
    });
    connect(configure_page_, &ConfigurePage::startRequested, this, &MainWindow::startFromConfigure);
    connect(job_controller_, &JobController::finished, this, [this](const RunOutcome& outcome) {
        if (outcome.succeeded()) unfinished_.remove(current_run_dir_);
        // A cancelled or failed run with tuned blocks can go on from the Run page.
        auto state = job::readRunState(current_run_dir_.toStdString());
        const bool resumable = !outcome.succeeded() && state && !state->finished && state->next_block > 0;
        run_page_->setResumable(resumable, resumable ? state->next_block : 0, resumable ? state->num_blocks : 0);
        current_run_dir_.clear();
    });
    connectResumeControls();
    const AppSettings settings = AppSettings::load();
    configure_page_->applySettings(settings.output_dir, settings.device);
}

void MainWindow::startFromConfigure(const job::JobConfig& config) {
    job::JobConfig c = config;
    switch (askAboutCheckpoint(this, c)) {
    case CheckpointAction::Cancel:
        return;
    case CheckpointAction::ChooseFolder:
        showPage(stack_->indexOf(configure_page_));
        configure_page_->chooseOutputFolder();
        return;
    default:
        break;
    }
    if (startRun(c)) {
        // Registered so that the next start of the app can offer to resume it.
        if (auto ok = unfinished_.add(c); !ok) srs::log::warn(tr("cannot remember the run for resuming: %1").arg(QString::fromStdString(ok.error().message)).toStdString());
    }
}

// Resume and Discard on the banner of unfinished runs, Resume on the Run page.
void MainWindow::connectResumeControls() {
    connect(resume_banner_, &ResumeBanner::resumeRequested, this, [this](const UnfinishedRun& run) {
        if (startRun(run.config)) resume_banner_->removeRun(run.id);
    });
    connect(resume_banner_, &ResumeBanner::discardRequested, this, [this](const UnfinishedRun& run) {
        const auto answer = QMessageBox::question(
            this, tr("Discard the unfinished run?"),
            tr("This deletes the checkpoint of the run of %1 in %2 (%3 of %4 blocks tuned). It cannot be undone.")
                .arg(modelDisplayName(run.model), QDir::toNativeSeparators(run.run_dir))
                .arg(run.next_block)
                .arg(run.num_blocks),
            QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Discard) return;
        if (auto ok = unfinished_.discard(run); !ok) {
            // A run still writing there, or files that would not go: the run stays offered.
            QMessageBox::warning(this, tr("Discard"), QString::fromStdString(ok.error().toString()));
            return;
        }
        resume_banner_->removeRun(run.id);
    });
    connect(run_page_, &RunPage::resumeRequested, this, [this] {
        job::JobConfig c = last_config_;
        c.resume = true;
        startRun(c);
    });
    resume_banner_->setRuns(unfinished_.find());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (job_controller_ && job_controller_->running()) {
        const auto answer = QMessageBox::question(this, tr("Quit during a run?"),
                                                  tr("A run is in progress. Quit anyway? The blocks tuned so far stay checkpointed, "
                                                     "and the app offers to resume the run at its next start."),
                                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        job_controller_->cancel();
    }
    QMainWindow::closeEvent(event);
}

// Results and Export, fed by the recorder that writes every finished run into the history.
void MainWindow::addResultPages(ReexportRunner reexport) {
    RunHistory history;
    recorder_ = new RunRecorder(job_controller_, history, this);
    results_page_ = new ResultsPage(history, this);
    export_page_ = new ExportPage(history, std::move(reexport), this);
    addPage(tr("Results"), results_page_, tr("Per-layer losses and the accuracy-versus-size trade-off across runs"),
            ":/icons/page-results.svg");
    addPage(tr("Export"), export_page_, tr("The written files, open folder, re-export in another format"), ":/icons/page-export.svg");
    connect(model_page_, &ModelPage::modelOpened, results_page_, &ResultsPage::setModel);
    // The model open on the Model page is the one the Export page converts.
    connect(model_page_, &ModelPage::modelOpened, export_page_, &ExportPage::setModel);
    connect(recorder_, &RunRecorder::recorded, results_page_, &ResultsPage::showRun);
    connect(results_page_, &ResultsPage::runSelected, export_page_, &ExportPage::showRun);
    connect(export_page_, &ExportPage::reexported, results_page_, [this](const RunOutcome& outcome) {
        if (outcome.succeeded()) results_page_->reload();
    });
    connect(job_controller_, &JobController::started, export_page_, [this] { export_page_->setBusy(true); });
    connect(job_controller_, &JobController::finished, export_page_, [this] { export_page_->setBusy(false); });
    // Re-export that could not use the tuned scales: "Tune for this format" sets up Configure.
    connect(export_page_, &ExportPage::tuneForFormatRequested, this, [this](const QString& format) {
        configure_page_->tuneForFormat(format);
        showPage(stack_->indexOf(configure_page_));
    });
}

// Compare: the open model is the reference; the run shown on the Results page offers its exports.
void MainWindow::addComparePage(TextModelOpener text_models) {
    compare_page_ = new ComparePage(std::move(text_models), this);
    addPage(tr("Compare"), compare_page_, tr("The original and its exports generating side by side from one prompt"),
            ":/icons/page-compare.svg");
    connect(model_page_, &ModelPage::modelOpened, compare_page_, &ComparePage::setOriginal);
    connect(results_page_, &ResultsPage::runSelected, compare_page_, [this](const RunRecord& r) { compare_page_->setCandidates(r.exports); });
}

// The Hub page, and the session it shares with the Export page's upload dialog.
void MainWindow::addHubPage() {
    hub_session_ = new HubSession(this);
    hub_page_ = new HubPage(hub_session_, this);
    hub_index_ = addPage(tr("Hub"), hub_page_, tr("Find and download models from the Hugging Face Hub or ModelScope; models in the local cache"),
                         ":/icons/page-hub.svg");
    connect(hub_page_, &HubPage::openModelRequested, this, &MainWindow::openOnModelPage);
    if (export_page_) connect(export_page_, &ExportPage::uploadRequested, this, &MainWindow::openUploadDialog);
}

void MainWindow::openUploadDialog(const QString& folder) {
    auto* dialog = new UploadDialog(folder, hub_session_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::openOnModelPage(const QString& path) {
    showPage(0);
    model_page_->openModel(path);
}

// The welcome sits in the page stack after the sidebar's pages, reachable only by showWelcome.
void MainWindow::addWelcome() {
    welcome_ = new WelcomePage(this);
    stack_->addWidget(welcome_);
    connect(welcome_, &WelcomePage::openFolderRequested, model_page_, &ModelPage::chooseFolder);
    connect(welcome_, &WelcomePage::searchHubRequested, this, [this] {
        showHub();
        if (auto* search = hub_page_->findChild<QLineEdit*>("hubSearch")) search->setFocus(Qt::OtherFocusReason);
    });
    connect(welcome_, &WelcomePage::sampleRequested, this, &MainWindow::openSampleModel);
    // The welcome stays while the model loads; a model that fails is reported over it.
    connect(welcome_, &WelcomePage::recentRequested, model_page_, &ModelPage::openModel);
    connect(model_page_, &ModelPage::modelOpened, this, [this] {
        if (welcomeShown()) showPage(0);
    });
}

// The Run page's next steps after a run: Results, Export, the upload dialog, back to Configure.
void MainWindow::connectRunPageNextSteps() {
    connect(run_page_, &RunPage::viewResultsRequested, this, [this] {
        if (results_page_) showPage(stack_->indexOf(results_page_));
    });
    // The Run page opens the folder itself; the Export page beside it offers re-export and upload.
    connect(run_page_, &RunPage::openExportRequested, this, [this] {
        if (export_page_) showPage(stack_->indexOf(export_page_));
    });
    connect(run_page_, &RunPage::uploadRequested, this, &MainWindow::openUploadDialog);
    connect(run_page_, &RunPage::configureRequested, this, [this] { showPage(stack_->indexOf(configure_page_)); });
}

void MainWindow::setSampleModel(const SampleModel& sample) {
    sample_ = sample;
    welcome_->setSample(sample);
}

void MainWindow::openSampleModel() {
    if (!sample_.found()) return;
    // As `installer/studio.sh launch` does: the TinyStories text calibrates the TinyStories model.
    if (configure_page_ && !sample_.calibration.isEmpty()) configure_page_->setCalibrationFiles({sample_.calibration});
    model_page_->openModel(sample_.model);
}

bool MainWindow::welcomeShown() const { return welcome_ && stack_->currentWidget() == welcome_; }

void MainWindow::showWelcome() {
    welcome_->refreshRecent();
    nav_->setCurrentRow(-1);
    nav_->clearSelection();
    stack_->setCurrentWidget(welcome_);
    if (auto* first = welcome_->findChild<QWidget*>("welcomeOpenFolder")) first->setFocus(Qt::OtherFocusReason);
}

void MainWindow::showStartPage(const QString& page_name, bool model_given, bool hub_search) {
    if (!page_name.isEmpty() && showPageNamed(page_name)) return;
    if (hub_search) showHub();
    else if (model_given) showPage(0);
    else showWelcome();
}

// The log dock below the pages, fed by the log bridge.
QDockWidget* MainWindow::buildLogDock() {
    auto* dock = new QDockWidget(tr("Log"), this);
    dock->setObjectName("logDock");
    log_view_ = new QPlainTextEdit(dock);
    log_view_->setObjectName("logView");
    log_view_->setReadOnly(true);
    log_view_->setMaximumBlockCount(5000);
    dock->setWidget(log_view_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {140}, Qt::Vertical);

    log_bridge_ = new LogBridge(this);
    connect(log_bridge_, &LogBridge::lineLogged, this, [this](int level, const QString& line) {
        static const char* kTags[] = {"debug", "info", "warning", "error"};
        log_view_->appendPlainText(QStringLiteral("%1 [%2] %3").arg(QTime::currentTime().toString("HH:mm:ss"), kTags[level & 3], line));
    });
    return dock;
}

void MainWindow::buildMenus(QDockWidget* log_dock) {
    buildFileMenu();
    buildViewMenu(log_dock);
    if (job_controller_) buildRunMenu();
    auto* help_menu = menuBar()->addMenu(tr("&Help"));
    auto* welcome_action = help_menu->addAction(tr("&Welcome"), this, &MainWindow::showWelcome);
    welcome_action->setObjectName("welcomeAction");
    help_menu->addAction(tr("&About SignRound Studio"), this, &MainWindow::showAbout);
}

void MainWindow::buildFileMenu() {
    auto* file_menu = menuBar()->addMenu(tr("&File"));
    auto* open_action = file_menu->addAction(tr("&Open model folder…"), model_page_, &ModelPage::chooseFolder);
    open_action->setShortcut(QKeySequence::Open);
    auto* open_gguf_action = file_menu->addAction(tr("Open &GGUF file…"), model_page_, &ModelPage::chooseGgufFile);
    open_gguf_action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    recent_menu_ = file_menu->addMenu(tr("Open &Recent"));
    recent_menu_->setObjectName("recentMenu");
    connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::refreshRecentMenu);
    refreshRecentMenu();
    file_menu->addSeparator();
    if (configure_page_) {
        auto* settings_action = file_menu->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
        settings_action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
        file_menu->addSeparator();
    }
    auto* quit_action = file_menu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit_action->setShortcut(QKeySequence::Quit);
}

// The pages in sidebar order with Ctrl+1 …, then the log dock.
void MainWindow::buildViewMenu(QDockWidget* log_dock) {
    auto* view_menu = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < nav_->count(); ++i) {
        QListWidgetItem* item = nav_->item(i);
        auto* action = view_menu->addAction(item->icon(), item->text(), this, [this, i] { showPage(i); });
        action->setObjectName(QStringLiteral("showPage%1").arg(i + 1));
        if (i < 9) action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        action->setStatusTip(item->toolTip());
        page_actions_ << action;
    }
    view_menu->addSeparator();
    view_menu->addAction(log_dock->toggleViewAction());
}

// Start, Pause / Continue and Cancel of the quantization run, enabled by updateRunActions.
void MainWindow::buildRunMenu() {
    auto* run_menu = menuBar()->addMenu(tr("&Run"));
    start_action_ = run_menu->addAction(tr("&Start quantization"), this, &MainWindow::startFromMenu);
    start_action_->setObjectName("runStartAction");
    start_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    start_action_->setStatusTip(tr("Run SignRound on the open model with the Configure page's settings"));
    pause_action_ = run_menu->addAction(tr("&Pause"), this, [this] {
        if (job_controller_->paused()) job_controller_->resume();
        else job_controller_->pause();
    });
    pause_action_->setObjectName("runPauseAction");
    pause_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    cancel_action_ = run_menu->addAction(tr("&Cancel"), job_controller_, &JobController::cancel);
    cancel_action_->setObjectName("runCancelAction");
    cancel_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    cancel_action_->setStatusTip(tr("Stop after the current step; the tuned blocks stay checkpointed for Resume"));
    connect(job_controller_, &JobController::started, this, &MainWindow::updateRunActions);
    connect(job_controller_, &JobController::finished, this, &MainWindow::updateRunActions);
    connect(job_controller_, &JobController::pausedChanged, this, &MainWindow::updateRunActions);
    connect(model_page_, &ModelPage::modelOpened, this, &MainWindow::updateRunActions);
}

void MainWindow::updateRunActions() {
    if (!start_action_) return;
    const bool running = job_controller_->running();
    const bool paused = job_controller_->paused();
    start_action_->setEnabled(!running && model_page_->hasModel());
    pause_action_->setEnabled(running);
    pause_action_->setText(paused ? tr("C&ontinue") : tr("&Pause"));
    pause_action_->setStatusTip(paused ? tr("Continue the paused run") : tr("Hold the run at its next step without using the CPU"));
    cancel_action_->setEnabled(running);
}

void MainWindow::startFromMenu() {
    if (!configure_page_ || job_controller_->running()) return;
    configure_page_->requestStart();
    // Nothing started (settings incomplete, or the checkpoint question cancelled): the Configure
    // page shows why.
    if (!job_controller_->running()) showPage(stack_->indexOf(configure_page_));
}

void MainWindow::releaseButtonShortcuts() {
    QList<QKeySequence> owned;
    for (QAction* action : menuBar()->findChildren<QAction*>())
        if (!action->shortcut().isEmpty()) owned << action->shortcut();
    for (QAbstractButton* button : stack_->findChildren<QAbstractButton*>())
        if (!button->shortcut().isEmpty() && owned.contains(button->shortcut())) button->setShortcut(QKeySequence());
}

void MainWindow::refreshRecentMenu() {
    recent_menu_->clear();
    const QStringList recent = recentModelPaths();
    if (recent.isEmpty()) {
        recent_menu_->addAction(tr("(none yet)"))->setEnabled(false);
        return;
    }
    const QFontMetrics metrics(recent_menu_->font());
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        const QString where = metrics.elidedText(QDir::toNativeSeparators(path), Qt::ElideMiddle, 420);
        QString text = tr("%1  —  %2").arg(modelDisplayName(path), where).replace('&', QStringLiteral("&&"));
        if (i < 9) text.prepend(QStringLiteral("&%1 ").arg(i + 1));
        auto* action = recent_menu_->addAction(text, this, [this, path] { openOnModelPage(path); });
        action->setObjectName(QStringLiteral("recentModel%1").arg(i));
        action->setData(path);
        action->setStatusTip(QDir::toNativeSeparators(path));
    }
}

void MainWindow::openModel(const QString& path) { model_page_->openModel(path); }

void MainWindow::reportFailedOpen(const QString& path, const QString& message) {
    // The Model page shows it in place; elsewhere the user would not see it.
    if (stack_->currentWidget() == model_page_) return;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not open the model"),
                                tr("Could not open %1:\n%2").arg(QDir::toNativeSeparators(path), message), QMessageBox::Ok, this);
    box->setObjectName("openFailedBox");
    if (model_page_->hasModel())
        box->setInformativeText(tr("%1 stays open.").arg(modelDisplayName(QString::fromStdString(model_page_->summary().path))));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // not exec(): nothing waits on the answer
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!ModelPage::modelPathFromDrop(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = ModelPage::modelPathFromDrop(event->mimeData());
    if (path.isEmpty()) return;
    event->acceptProposedAction();
    showPage(0);
    model_page_->openModel(path);
}

void MainWindow::showHub(const QString& query) {
    showPage(hub_index_);
    if (!query.isEmpty()) hub_page_->searchFor(query);
}

QStringList MainWindow::workflowPageNames() const {
    if (!configure_page_) return {"model"};
    QStringList names = {"model", "configure", "run", "results", "export"};
    if (compare_page_) names << "compare";
    return names;
}

bool MainWindow::showPageNamed(const QString& name) {
    if (name == "hub") {
        showPage(hub_index_);
        return true;
    }
    const int index = num::clampTo<int>(workflowPageNames().indexOf(name));
    if (index < 0) return false;
    showPage(index);
    return true;
}

bool MainWindow::quantizeWhenModelOpens() {
    if (!configure_page_) return false;
    connect(model_page_, &ModelPage::modelOpened, this, [this] { configure_page_->requestStart(); }, Qt::QueuedConnection);
    return true;
}

bool MainWindow::scoreAutoSchemeWhenModelOpens(double target_bits) {
    if (!configure_page_) return false;
    AutoSchemePanel* panel = configure_page_->autoSchemePanel();
    connect(model_page_, &ModelPage::modelOpened, this, [this, panel, target_bits] {
        showPage(1);
        configure_page_->showTab(2);
        panel->setTargetBits(target_bits);
        panel->startScoring();
    }, Qt::QueuedConnection);
    connect(panel, &AutoSchemePanel::scoringFinished, this, [panel](bool ok) {
        if (ok) panel->useMix();
        else srs::log::error(tr("AutoScheme did not finish: see the AutoScheme tab").toStdString());
    });
    return true;
}

bool MainWindow::startRun(const job::JobConfig& config) {
    if (!job_controller_) return false;
    if (job_controller_->running()) {
        statusBar()->showMessage(tr("A run is already in progress"), 5000);
        return false;
    }
    // The page starts clean: nothing of the previous run stays on it.
    run_page_->reset();
    if (!job_controller_->start(config)) return false;
    updateRunActions();
    job::JobConfig c = config;
    current_run_dir_ = QString::fromStdString(c.effectiveRunDir());
    last_config_ = c;
    showPage(run_index_);
    return true;
}

namespace {
// The icon as drawn, and in white for the selected row (the blue icon vanishes on the blue selection).
QIcon sidebarIcon(const QString& file) {
    // Pixmaps only: an SVG icon engine would derive the selected look itself (tinted into the selection).
    const QPixmap drawn = QIcon(file).pixmap(QSize(48, 48));
    QPixmap white(drawn.size());
    white.fill(Qt::transparent);
    QPainter p(&white);
    p.drawPixmap(0, 0, drawn);
    p.setCompositionMode(QPainter::CompositionMode_SourceIn);
    p.fillRect(white.rect(), Qt::white);
    p.end();
    QIcon icon;
    icon.addPixmap(drawn, QIcon::Normal);
    icon.addPixmap(white, QIcon::Selected);
    return icon;
}
}  // namespace

int MainWindow::addPage(const QString& title, QWidget* page, const QString& tooltip, const QString& icon) {
    // The stack holds the pages in sidebar order, the welcome after them.
    const int index = stack_->insertWidget(nav_->count(), page);
    auto* item = new QListWidgetItem(title, nav_);
    item->setToolTip(tooltip);
    if (!icon.isEmpty()) item->setIcon(sidebarIcon(icon));
    if (nav_->currentRow() < 0 && !welcomeShown()) nav_->setCurrentRow(0);
    return index;
}

void MainWindow::showPage(int index) {
    if (index < 0 || index >= nav_->count()) return;
    nav_->setCurrentRow(index);
    stack_->setCurrentIndex(index);  // also when the row was current already (the welcome was shown)
}
int MainWindow::currentPage() const { return stack_->currentIndex(); }
int MainWindow::pageCount() const { return nav_->count(); }

namespace {

// The machine's rows of the About box: CPU, cores, instruction sets, RAM and the GPUs the driver
// lists (what `signround devices` prints).
template <typename Row>
QString hardwareRows(const Row& row) {
    const device::HardwareInfo hw = device::detectHardware();
    auto bytes = [](std::uint64_t b) { return QString::fromStdString(units::formatBytes(b)); };
    QString rows = row(MainWindow::tr("CPU"), QString::fromStdString(hw.cpu.model));
    rows += row(MainWindow::tr("Cores"), MainWindow::tr("%1 physical, %2 logical").arg(hw.cpu.physical_cores).arg(hw.cpu.logical_cores));
    rows += row(MainWindow::tr("Instruction set"), QString::fromStdString(hw.cpu.bestIsa()));
    rows += row(MainWindow::tr("RAM"), hw.total_ram_bytes == 0 ? QString()
                                                               : MainWindow::tr("%1 total, %2 available")
                                                                     .arg(bytes(hw.total_ram_bytes), bytes(hw.available_ram_bytes)));
    QStringList gpus;
    for (const auto& d : hw.cuda_devices)
        gpus << QStringLiteral("cuda:%1 %2, %3").arg(d.index).arg(QString::fromStdString(d.name), bytes(d.total_memory_bytes));
    rows += row(MainWindow::tr("GPU"), gpus.isEmpty() ? QString::fromStdString(hw.cuda_status) : gpus.join("; "));
    return rows;
}

}  // namespace

QString MainWindow::aboutText() const {
    auto row = [](const QString& name, const QString& value) {
        return QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(name.toHtmlEscaped(), value.isEmpty() ? tr("unknown") : value.toHtmlEscaped());
    };
    QString rows = row(tr("Qt"), tr("%1 (built with %2)").arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR)));
    rows += row(tr("LibTorch"), versions_.libtorch);
    rows += row(tr("LibTorch CUDA"), versions_.torch_cuda);
    rows += row(tr("oneDNN"), versions_.onednn);
    rows += row(tr("BLAS"), versions_.blas);
    if (versions_.threads > 0) rows += row(tr("Threads"), QString::number(versions_.threads));
    rows += hardwareRows(row);
    return tr("<h3>SignRound Studio %1</h3>"
              "<p>Quantize Hugging Face language models to 2–8 bits with SignRound (AutoRound).</p>")
               .arg(QStringLiteral(SRS_VERSION)) +
           QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\">%1</table>").arg(rows);
}

void MainWindow::showAbout() {
    auto* dialog = new QDialog(this);
    dialog->setObjectName("aboutDialog");
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("About SignRound Studio"));
    auto* layout = new QVBoxLayout(dialog);
    auto* icon = new QLabel(dialog);
    icon->setPixmap(windowIcon().pixmap(64, 64));
    auto* text = new QLabel(aboutText(), dialog);
    text->setObjectName("aboutText");
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* row = new QHBoxLayout();
    row->addWidget(icon, 0, Qt::AlignTop);
    row->addWidget(text, 1);
    layout->addLayout(row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->open();
}

void MainWindow::showSettings() {
    if (!configure_page_) return;
    auto* dialog = new SettingsDialog(AppSettings::load(), configure_page_->devices(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString language_before = AppSettings::load().language;
    connect(dialog, &QDialog::accepted, this, [this, dialog, language_before] {
        const AppSettings a = dialog->values();
        a.save();
        configure_page_->applySettings(a.output_dir, a.device);
        applyTheme(themeFromKey(a.theme));
        if (a.language != language_before)
            statusBar()->showMessage(tr("The new language applies when SignRound Studio starts again."), 10000);
    });
    dialog->open();
}

}  // namespace srs::ui
