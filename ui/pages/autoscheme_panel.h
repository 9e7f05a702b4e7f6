// The Configure page's AutoScheme tab: a target average bit width and the allowed schemes;
// "Score layers" runs AutoScheme (per-layer sensitivity on the calibration files, then the
// mixed-bit allocation) in a worker thread with progress and Cancel; the result is a bar chart of
// sensitivity per layer coloured by the chosen scheme and a table; "Use this mix" hands the
// chosen schemes to the per-layer overrides. The scoring itself (LibTorch) is injected as a
// function, so ui/ stays free of torch.
#pragma once

#include <QFutureWatcher>
#include <QList>
#include <QWidget>

#include <functional>
#include <optional>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "ui/pages/layer_overrides.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QCustomPlot;

namespace srs::ui {

using AutoSchemeRunner = std::function<Result<quant::autoscheme::AutoSchemeResult>(
    const quant::autoscheme::AutoSchemeOptions&, const quant::autoscheme::AutoSchemeProgress&, const CancelToken&)>;

// What the worker hands back (default-constructible, for QFuture).
struct AutoSchemeOutcome {
    bool ok = false;
    bool cancelled = false;
    std::string message;
    std::string hint;
    quant::autoscheme::AutoSchemeResult result;
};

class AutoSchemePanel : public QWidget {
    Q_OBJECT
public:
    explicit AutoSchemePanel(QWidget* parent = nullptr);
    ~AutoSchemePanel() override;

    void setRunner(AutoSchemeRunner runner);
    // Where the model and calibration files come from when scoring starts.
    void setInputs(std::function<QString()> model, std::function<QStringList()> datasets);
    void setTargetBits(double bits);
    // The options ticked, as `signround autoscheme --options` takes them ("W2A16G64,W4A16,...").
    QString options() const;
    bool running() const;
    // The last result's mix as override rows (one per layer); empty before a result.
    QList<LayerOverride> mix() const;

public slots:
    void startScoring();
    void cancelScoring();
    void useMix();

signals:
    // ok false: failed or cancelled (the status label says which).
    void scoringFinished(bool ok);
    void mixChosen(const QList<srs::ui::LayerOverride>& rows);

private:
    void showResult(const quant::autoscheme::AutoSchemeResult& r);
    void setRunning(bool running);

    AutoSchemeRunner runner_;
    std::function<QString()> model_;
    std::function<QStringList()> datasets_;
    QDoubleSpinBox* target_ = nullptr;
    QList<QCheckBox*> option_boxes_;
    QSpinBox* nsamples_ = nullptr;
    QSpinBox* seqlen_ = nullptr;
    QCheckBox* ignore_overhead_ = nullptr;
    QPushButton* score_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* use_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QTableWidget* table_ = nullptr;
    CancelToken cancel_token_;
    QFutureWatcher<AutoSchemeOutcome>* watcher_ = nullptr;
    std::optional<quant::autoscheme::AutoSchemeResult> result_;
};

}  // namespace srs::ui
