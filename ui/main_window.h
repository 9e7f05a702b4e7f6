// The main window: a page list on the left (Model, then the pages later issues add), the current
// page on the right, a log dock below, compute facts in the status bar.
#pragma once

#include <QMainWindow>

#include "ui/job_controller.h"
#include "ui/text_model.h"
#include "ui/unfinished_runs.h"
#include "ui/welcome_page.h"

class QAction;
class QMenu;
class QDockWidget;
class QListWidget;
class QStackedWidget;
class QPlainTextEdit;

namespace srs::ui {

class ModelPage;
class ConfigurePage;
class RunPage;
class JobController;
class LogBridge;
class ResultsPage;
class ExportPage;
class ComparePage;
class RunRecorder;
class HubPage;
class HubSession;
class ResumeBanner;

// Library versions for the About box, as the app's compute start-up reports them (ui/ itself
// cannot ask LibTorch).
struct RuntimeVersions {
    QString libtorch;
    QString onednn;
    QString blas;
    int threads = 0;
    QString torch_cuda;  // "CUDA 13.0, 1 device", "CPU only"
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // compute_summary: the start-up line about threads/BLAS/versions, shown in the status bar
    // and the About box.
    // runner: the quantization job (the app passes core's runQuantJob); without one the
    // Configure, Run, Results and Export pages are not shown.
    // reexport: core's reexportRun, for the Export page's re-export.
    // text_models: opens a model for generation (the app passes core's generator); with it, and a
    // runner, the Compare page follows the Export page.
    explicit MainWindow(const QString& compute_summary = {}, JobRunner runner = {}, ReexportRunner reexport = {},
                        TextModelOpener text_models = {}, QWidget* parent = nullptr);

    // Offers the unfinished runs (Resume / Discard) at the top of the window; hidden when none.
    ResumeBanner* resumeBanner() const { return resume_banner_; }
    const UnfinishedRuns& unfinishedRuns() const { return unfinished_; }
    // Starts a quantization run (the Configure page's Start, or a resumed run) and shows the Run page.
    bool startRun(const job::JobConfig& config);
    ModelPage* modelPage() const { return model_page_; }
    ConfigurePage* configurePage() const { return configure_page_; }
    RunPage* runPage() const { return run_page_; }
    ResultsPage* resultsPage() const { return results_page_; }
    ExportPage* exportPage() const { return export_page_; }
    ComparePage* comparePage() const { return compare_page_; }
    RunRecorder* runRecorder() const { return recorder_; }
    // The Hub page (search, download, local cache) and the session behind it and the upload dialog.
    HubPage* hubPage() const { return hub_page_; }
    HubSession* hubSession() const { return hub_session_; }
    int hubPageIndex() const { return hub_index_; }
    void setRuntimeVersions(const RuntimeVersions& versions) { versions_ = versions; }
    // The About box's version table as HTML (also what showAbout displays).
    QString aboutText() const;
    JobController* jobController() const { return job_controller_; }
    // Adds a page to the navigator (with an icon from the resources, when given); returns its index.
    int addPage(const QString& title, QWidget* page, const QString& tooltip = {}, const QString& icon = {});
    void showPage(int index);
    // The index of the page shown; pageCount() while the welcome is shown.
    int currentPage() const;
    int pageCount() const;

    // The welcome a start without a model shows (Open model folder / Search the Hub / Try the sample
    // model / recent models); it goes once a model opens or a page is picked, Help → Welcome brings it back.
    WelcomePage* welcomePage() const { return welcome_; }
    bool welcomeShown() const;
    void showWelcome();
    // The sample Try the sample model opens (app/gui/main.cpp finds it in the shared data folder);
    // its calibration text, when set, is preset on the Configure page as the sample opens.
    void setSampleModel(const SampleModel& sample);
    void openSampleModel();
    // What a start shows first: the page of that name (workflowPageNames() or "hub"); else the Hub
    // page when searching it; else the Model page when a model is given; else the welcome.
    void showStartPage(const QString& page_name, bool model_given, bool hub_search);

    // The Run menu's Start (Ctrl+R), Pause / Continue (Ctrl+P) and Cancel (Ctrl+.), enabled by the
    // job's state; null without a runner. The page actions are Ctrl+1 … Ctrl+9 in sidebar order.
    QAction* startAction() const { return start_action_; }
    QAction* pauseAction() const { return pause_action_; }
    QAction* cancelAction() const { return cancel_action_; }
    const QList<QAction*>& pageActions() const { return page_actions_; }
    // File → Recent models, refilled from the settings each time it opens.
    QMenu* recentMenu() const { return recent_menu_; }
    void refreshRecentMenu();
    QPlainTextEdit* logView() const { return log_view_; }

    // Opens a model folder or .gguf file on the Model page (the page shown stays as it is).
    void openModel(const QString& path);
    // Shows the Hub page; with a query, also searches for it (as if typed).
    void showHub(const QString& query = {});
    // The short names of the quantization pages in their order, as --page and the screenshots
    // name them: "model", then "configure", "run", "results" and "export" when there is a runner,
    // and "compare" when there is also a text-model opener.
    QStringList workflowPageNames() const;
    // Shows the page of that short name: one of workflowPageNames(), or "hub". False when the
    // window has no such page.
    bool showPageNamed(const QString& name);
    // Start-up work for the app's command line; each returns false (and does nothing) without
    // the Configure page, and is meant to be called once, before openModel.
    // Once a model is open, starts quantizing it with the Configure page's settings.
    bool quantizeWhenModelOpens();
    // Once a model is open, shows the AutoScheme tab, scores the layers for this average bits per
    // weight and, when scoring succeeds, puts the mix into the per-layer overrides.
    bool scoreAutoSchemeWhenModelOpens(double target_bits);

public slots:
    void showAbout();
    void showSettings();

protected:
    // A model folder or .gguf file dropped anywhere on the window (outside widgets that take
    // drops themselves) opens on the Model page, which is then shown.
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    // Quitting while a run is in progress asks first (the tuned blocks stay checkpointed).
    void closeEvent(QCloseEvent* event) override;

private slots:
    // A model that failed to open, reported where the user is (the Model page shows it itself).
    void reportFailedOpen(const QString& path, const QString& message);

private:
    // Builders of the constructor, in the order it calls them.
    void buildCentralArea();
    void addQuantizationPages(JobRunner runner);
    void connectRunLifecycle();
    void connectResumeControls();
    // Start from the Configure page: asks first when the run folder holds a checkpoint.
    void startFromConfigure(const job::JobConfig& config);
    void addResultPages(ReexportRunner reexport);
    void addComparePage(TextModelOpener text_models);
    void addHubPage();
    QDockWidget* buildLogDock();
    void buildMenus(QDockWidget* log_dock);
    void buildFileMenu();
    void buildRunMenu();
    void buildViewMenu(QDockWidget* log_dock);
    void addWelcome();
    void connectRunPageNextSteps();
    // The menus own Ctrl+R / Ctrl+P / Ctrl+. / Ctrl+O: buttons with the same key lose it (their
    // clicks stay), so no key press is ambiguous.
    void releaseButtonShortcuts();
    void updateRunActions();
    void startFromMenu();
    void openUploadDialog(const QString& folder);
    // Shows the Model page and opens the model there.
    void openOnModelPage(const QString& path);

    QListWidget* nav_ = nullptr;
    QStackedWidget* stack_ = nullptr;
    QPlainTextEdit* log_view_ = nullptr;
    ModelPage* model_page_ = nullptr;
    ConfigurePage* configure_page_ = nullptr;
    RunPage* run_page_ = nullptr;
    ResultsPage* results_page_ = nullptr;
    ExportPage* export_page_ = nullptr;
    ComparePage* compare_page_ = nullptr;
    RunRecorder* recorder_ = nullptr;
    HubSession* hub_session_ = nullptr;
    HubPage* hub_page_ = nullptr;
    int hub_index_ = -1;
    ResumeBanner* resume_banner_ = nullptr;
    UnfinishedRuns unfinished_;
    QString current_run_dir_;  // of the quantization run in progress, to forget it once finished
    job::JobConfig last_config_;  // of the last run started, for the Run page's Resume
    int run_index_ = -1;
    WelcomePage* welcome_ = nullptr;
    SampleModel sample_;
    QAction* start_action_ = nullptr;
    QAction* pause_action_ = nullptr;
    QAction* cancel_action_ = nullptr;
    QList<QAction*> page_actions_;
    QMenu* recent_menu_ = nullptr;
    RuntimeVersions versions_;
    JobController* job_controller_ = nullptr;
    LogBridge* log_bridge_ = nullptr;
    QString compute_summary_;
};

}  // namespace srs::ui
