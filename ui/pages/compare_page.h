// The Compare page: one prompt, the original model and any chosen exports generating side by side,
// token by token as they come, with each export's tokens that differ from the original's top choice
// (after the same text) highlighted and each model's tokens per second shown. Cancellable. The
// models are the one open on the Model page, the exports of the run shown on the Results page, and
// any folder or .gguf the user adds.
#pragma once

#include <QVector>
#include <QWidget>

#include "core/common/numeric_cast.h"
#include "ui/compare_session.h"
#include "ui/job_controller.h"

class QCheckBox;
class QDoubleSpinBox;
class QHBoxLayout;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace srs::ui {

class ComparePage : public QWidget {
    Q_OBJECT
public:
    explicit ComparePage(TextModelOpener opener, QWidget* parent = nullptr);

    // The reference: the model open on the Model page.
    void setOriginal(const QString& path);
    // The exports offered beside it (a run's files); each starts checked.
    void setCandidates(const QVector<ExportRecord>& exports);
    // Adds a model folder or .gguf to the list, checked.
    void addModel(const QString& path, const QString& label = {});
    void setPrompt(const QString& prompt);
    void setMaxNewTokens(int n);

    bool start();  // what the Start button does; false when nothing can start (the reason is shown)
    void cancel();
    bool running() const;

    // For tests and the screenshot: the columns of the last comparison.
    int columnCount() const { return num::clampTo<int>(columns_.size()); }
    QString columnTitle(int column) const;
    QString columnText(int column) const;          // the generated text so far
    QVector<int> columnTokenIds(int column) const;
    QVector<int> columnDifferences(int column) const;
    QString columnStatus(int column) const;        // tokens, tokens/s, stop reason or the error
    QListWidget* modelList() const { return models_; }

signals:
    void comparisonFinished(bool cancelled);

private:
    struct ColumnView {
        QString path;
        QLabel* title = nullptr;
        QTextBrowser* text = nullptr;
        QLabel* status = nullptr;
        QStringList pieces;  // the text each generated token added
        QVector<int> ids;
        QVector<int> differ;
        double tokens_per_s = 0;
        QString stop, error;
    };
    QWidget* buildOptions();
    void clearColumns();
    void addColumn(const QString& path, const QString& title);
    void render(int column);
    void updateStatus(int column);
    void onToken(int column, int index, int id, const QString& text, double elapsed_ms);
    void onFinished(bool cancelled);
    void chooseModel();

    CompareSession* session_ = nullptr;
    QString original_;
    QPlainTextEdit* prompt_ = nullptr;
    QSpinBox* max_tokens_ = nullptr;
    QCheckBox* chat_ = nullptr;
    QDoubleSpinBox* temperature_ = nullptr;
    QSpinBox* top_k_ = nullptr;
    QDoubleSpinBox* top_p_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QPushButton* start_ = nullptr;
    QListWidget* models_ = nullptr;
    QLabel* note_ = nullptr;
    QHBoxLayout* columns_layout_ = nullptr;
    QVector<ColumnView> columns_;
};

}  // namespace srs::ui
