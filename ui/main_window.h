// The main window: a page list on the left (Model, then the pages later issues add), the current
// page on the right, a log dock below, compute facts in the status bar.
#pragma once

#include <QMainWindow>

#include "ui/job_controller.h"
#include "ui/text_model.h"
#include "ui/unfinished_runs.h"

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
    // Adds a page to the navigator; returns its index.
    int addPage(const QString& title, QWidget* page, const QString& tooltip = {});
    void showPage(int index);
    int currentPage() const;
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
    RuntimeVersions versions_;
    JobController* job_controller_ = nullptr;
    LogBridge* log_bridge_ = nullptr;
    QString compute_summary_;
};

}  // namespace srs::ui
