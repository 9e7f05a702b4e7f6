// The Model page: open a local Hugging Face model folder (or pick a recent one) and see what is
// in it — the same summary as `signround inspect` — before configuring a run.
#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include "core/common/result.h"
#include "core/io/model_summary.h"

class QLabel;
class QPushButton;
class QTableWidget;
class QComboBox;
class QFormLayout;

namespace srs::ui {

class ModelPage : public QWidget {
    Q_OBJECT
public:
    explicit ModelPage(QWidget* parent = nullptr);

    // Inspects the folder off the GUI thread; modelOpened or modelFailed follows.
    void openModel(const QString& folder);
    bool hasModel() const { return has_model_; }
    const srs::io::ModelSummary& summary() const { return summary_; }

public slots:
    void chooseFolder();

signals:
    void modelOpened(const QString& folder);
    void modelFailed(const QString& folder, const QString& message);

private:
    void showSummary(const srs::io::ModelSummary& s);
    void showError(const QString& folder, const srs::Error& e);
    void rememberRecent(const QString& folder);
    void refreshRecent();

    QPushButton* open_button_ = nullptr;
    QComboBox* recent_ = nullptr;
    QLabel* status_ = nullptr;
    QFormLayout* form_ = nullptr;
    QTableWidget* layers_ = nullptr;
    QFutureWatcher<srs::Result<srs::io::ModelSummary>> watcher_;
    QString pending_;
    srs::io::ModelSummary summary_;
    bool has_model_ = false;
};

}  // namespace srs::ui
