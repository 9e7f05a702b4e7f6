// The Results page: what a finished run achieved and how it compares with the other runs of the
// same model. A per-layer table (scheme, the block's round-to-nearest and tuned loss, the
// improvement, weight error, flipped roundings), a table of the run's exports (size, bits per
// weight, perplexity, KL divergence from the original and top-1 agreement), a bar chart of initial
// versus best loss per block, and two accuracy-versus-size scatters — perplexity and mean KL
// divergence against bits per weight, one point per evaluated export of every run in the history —
// so the user sees the trade-off and picks.
#pragma once

#include <QWidget>

#include "ui/run_history.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QTableWidget;
class QTabWidget;

namespace srs::ui {

class ResultsPage : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPage(RunHistory history, QWidget* parent = nullptr);

    // Lists the runs of this model from the history and shows the newest.
    void setModel(const QString& model);
    // Shows a run that was just recorded (reloading the history of its model).
    void showRun(const RunRecord& record);
    // Re-reads the history (after a re-export added files to a run).
    void reload();

    bool hasRun() const { return current_ >= 0; }
    const RunRecord& currentRun() const { return runs_[current_]; }
    QTableWidget* layerTable() const { return table_; }
    QCustomPlot* lossBars() const { return bars_; }
    QCustomPlot* tradeoffPlot() const { return scatter_; }
    QCustomPlot* kldPlot() const { return kld_; }
    // The current run's exports: format, size, bits per weight, PPL, KLD mean, KLD p99, top-1.
    QTableWidget* exportTable() const { return exports_; }
    // Points on the perplexity scatter, the original model's reference included.
    int tradeoffPointCount() const;
    // Points on the KL-divergence scatter (exports only: the original's KLD is 0 by definition).
    int kldPointCount() const;

signals:
    void runSelected(const srs::ui::RunRecord& record);

private:
    void select(int index);
    void fillTable(const RunRecord& r);
    void fillBars(const RunRecord& r);
    void fillExports(const RunRecord& r);
    void fillScatter();
    void fillKld();

    RunHistory history_;
    QString model_;
    QVector<RunRecord> runs_;
    int current_ = -1;
    QComboBox* run_combo_ = nullptr;
    QLabel* summary_ = nullptr;
    QTableWidget* table_ = nullptr;
    QCustomPlot* bars_ = nullptr;
    QCustomPlot* scatter_ = nullptr;
    QCustomPlot* kld_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QTableWidget* exports_ = nullptr;
};

}  // namespace srs::ui
