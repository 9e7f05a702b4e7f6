// The Model page: open a local model — a Hugging Face folder (config.json + *.safetensors), a
// .gguf file or a folder holding one — by the buttons, a recent entry or drag and drop, and see
// what is in it (the same summary as `signround inspect`) before configuring a run.
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
class QMimeData;

namespace srs::ui {

class ModelPage : public QWidget {
    Q_OBJECT
public:
    explicit ModelPage(QWidget* parent = nullptr);

    // Inspects the model (a folder or a .gguf file) off the GUI thread; modelOpened or
    // modelFailed follows. A model that fails to open leaves the one open before open.
    void openModel(const QString& path);
    bool hasModel() const { return has_model_; }
    const srs::io::ModelSummary& summary() const { return summary_; }

    // The model a drag carries: one local folder or .gguf file; empty when it carries anything else.
    static QString modelPathFromDrop(const QMimeData* mime);

public slots:
    void chooseFolder();
    void chooseGgufFile();

signals:
    void modelOpened(const QString& path);
    void modelFailed(const QString& path, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void showSummary(const srs::io::ModelSummary& s);
    void showError(const QString& path, const srs::Error& e);
    void rememberRecent(const QString& path);
    void refreshRecent();

    QPushButton* open_button_ = nullptr;
    QPushButton* open_gguf_button_ = nullptr;
    QComboBox* recent_ = nullptr;
    QLabel* header_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* quantized_warning_ = nullptr;
    QFormLayout* form_ = nullptr;
    QTableWidget* layers_ = nullptr;
    QFutureWatcher<srs::Result<srs::io::ModelSummary>> watcher_;
    QString pending_;
    srs::io::ModelSummary summary_;
    bool has_model_ = false;
};

}  // namespace srs::ui
