// The main window: a page list on the left (Model, then the pages later issues add), the current
// page on the right, a log dock below, compute facts in the status bar.
#pragma once

#include <QMainWindow>

#include "ui/job_controller.h"

class QListWidget;
class QStackedWidget;
class QPlainTextEdit;

namespace srs::ui {

class ModelPage;
class ConfigurePage;
class RunPage;
class JobController;
class LogBridge;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // compute_summary: the start-up line about threads/BLAS/versions, shown in the status bar
    // and the About box.
    // runner: the quantization job (the app passes core's runQuantJob); without one the
    // Configure and Run pages are not shown.
    explicit MainWindow(const QString& compute_summary = {}, JobRunner runner = {}, QWidget* parent = nullptr);

    ModelPage* modelPage() const { return model_page_; }
    ConfigurePage* configurePage() const { return configure_page_; }
    RunPage* runPage() const { return run_page_; }
    JobController* jobController() const { return job_controller_; }
    // Adds a page to the navigator; returns its index.
    int addPage(const QString& title, QWidget* page, const QString& tooltip = {});
    void showPage(int index);
    int currentPage() const;
    QPlainTextEdit* logView() const { return log_view_; }

public slots:
    void showAbout();

private:
    QListWidget* nav_ = nullptr;
    QStackedWidget* stack_ = nullptr;
    QPlainTextEdit* log_view_ = nullptr;
    ModelPage* model_page_ = nullptr;
    ConfigurePage* configure_page_ = nullptr;
    RunPage* run_page_ = nullptr;
    JobController* job_controller_ = nullptr;
    LogBridge* log_bridge_ = nullptr;
    QString compute_summary_;
};

}  // namespace srs::ui
