#include "ui/pages/results_page.h"
#include "ui/model_name.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QTabWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/common/numeric_cast.h"
#include "core/common/units.h"
#include "core/job/export_format.h"
#include "ui/empty_state.h"
#include "ui/theme.h"

namespace srs::ui {
namespace {

QCustomPlot* makePlot(QWidget* parent, const char* name, const QString& x, const QString& y) {
    auto* p = new QCustomPlot(parent);
    p->setObjectName(name);
    p->setMinimumHeight(240);
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->legend->setVisible(true);
    p->legend->setFont(QFont(p->font().family(), 8));
    followPalette(p);  // axes, text and background in the theme's colours
    return p;
}

// Read as the run reads --format: "gguf:q4_k_m" is a GGUF export, the packed names are not.
bool isGgufFormat(const QString& format) {
    auto parsed = job::parseExportFormats({format.toStdString()});
    return parsed && parsed->size() == 1 && parsed->front().isGguf();
}

QColor formatColor(const QString& format) {
    static const std::map<QString, QColor> kColors = {{"auto_round", QColor("#1f4e79")}, {"auto_gptq", QColor("#2e7d32")},
                                                       {"auto_awq", QColor("#6a1b9a")},  {"fake", QColor("#616161")}};
    auto it = kColors.find(format);
    if (it != kColors.end()) return it->second;
    return isGgufFormat(format) ? QColor("#b05a00") : QColor("#00838f");
}

QTableWidgetItem* number(double v, int precision, char f = 'g') {
    auto* item = new QTableWidgetItem(QString::number(v, f, precision));
    item->setData(Qt::UserRole, v);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

int pointCount(const QCustomPlot* plot) {
    int n = 0;
    for (int i = 0; i < plot->graphCount(); ++i) n += plot->graph(i)->dataCount();
    return n;
}

// Fills one accuracy-versus-size plot: a graph per format (this run's in full colour, other runs'
// lighter), then the axes fitted to the points, or a note when there are none.
class Scatter {
public:
    explicit Scatter(QCustomPlot* plot) : plot_(plot) {
        plot_->clearGraphs();
        plot_->clearItems();
    }
    void addExport(const QString& format, bool current, double x, double y) {
        if (current)
            add("current:" + format, ResultsPage::tr("%1 (this run)").arg(format), formatColor(format), QCPScatterStyle::ssDisc, 10, x, y);
        else
            add(format, ResultsPage::tr("%1 (other runs)").arg(format), formatColor(format).lighter(140), QCPScatterStyle::ssCircle, 8, x, y);
    }
    void add(const QString& key, const QString& name, QColor color, QCPScatterStyle::ScatterShape shape, double size, double x, double y) {
        auto it = graphs_.find(key);
        QCPGraph* g = it != graphs_.end() ? it->second : nullptr;
        if (!g) {
            g = plot_->addGraph();
            g->setName(name);
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(shape, color, color, size));
            graphs_[key] = g;
        }
        g->addData(x, y);
        if (!any_) xmin_ = xmax_ = x, ymin_ = ymax_ = y, any_ = true;
        xmin_ = std::min(xmin_, x), xmax_ = std::max(xmax_, x), ymin_ = std::min(ymin_, y), ymax_ = std::max(ymax_, y);
    }
    void finish(bool log_y, const QString& empty_note) {
        if (any_) {
            const double dx = std::max(1.0, (xmax_ - xmin_) * 0.1);
            plot_->xAxis->setRange(std::max(0.0, xmin_ - dx), xmax_ + dx);
            if (log_y) {
                // Headroom above the highest point for the legend in the upper corner.
                plot_->yAxis->setRange(ymin_ / 2, ymax_ * 10);
            } else {
                const double dy = std::max(ymax_ * 0.02, (ymax_ - ymin_) * 0.15);
                plot_->yAxis->setRange(std::max(0.0, ymin_ - dy), ymax_ + dy);
            }
        }
        // An empty plot: the note instead of a legend box with nothing in it.
        setPlotEmptyText(plot_, any_ ? QString() : empty_note);
        plot_->replot();
    }

private:
    QCustomPlot* plot_;
    std::map<QString, QCPGraph*> graphs_;
    double xmin_ = 0, xmax_ = 0, ymin_ = 0, ymax_ = 0;
    bool any_ = false;
};

}  // namespace

ResultsPage::ResultsPage(RunHistory history, QWidget* parent) : QWidget(parent), history_(std::move(history)) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout();
    run_combo_ = new QComboBox(this);
    run_combo_->setObjectName("resultsRun");
    run_combo_->setToolTip(tr("Finished runs of this model, newest first (from the run history)"));
    run_combo_->setMinimumContentsLength(36);
    run_combo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    top->addWidget(new QLabel(tr("Run:"), this));
    top->addWidget(run_combo_);
    summary_ = new QLabel(tr("No finished run yet: results appear here when a run ends."), this);
    summary_->setObjectName("resultsSummary");
    summary_->setWordWrap(true);
    top->addWidget(summary_, 1);
    layout->addLayout(top);

    auto* plots = new QHBoxLayout();
    bars_ = makePlot(this, "lossBars", tr("block"), tr("block output MSE"));
    bars_->setToolTip(tr("Per block: loss with round-to-nearest (initial) and with the tuned rounding (best)"));
    bars_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    bars_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    bars_->yAxis->setNumberFormat("eb");
    bars_->yAxis->setNumberPrecision(0);
    bars_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    scatter_ = makePlot(this, "tradeoffPlot", tr("bits per weight"), tr("perplexity"));
    scatter_->setToolTip(tr("Every evaluated export of every run of this model: lower and further left is better"));
    scatter_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    kld_ = makePlot(this, "kldPlot", tr("bits per weight"), tr("mean KL divergence from the original (nats)"));
    kld_->setToolTip(tr("How far each export's next-token distributions are from the original's, on the evaluation text: "
                        "lower and further left is better"));
    kld_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    kld_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    kld_->yAxis->setNumberFormat("eb");
    kld_->yAxis->setNumberPrecision(0);
    kld_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plots->addWidget(bars_, 1);
    plots->addWidget(scatter_, 1);
    plots->addWidget(kld_, 1);
    layout->addLayout(plots, 3);

    table_ = new QTableWidget(0, 7, this);
    table_->setObjectName("resultsLayers");
    table_->setHorizontalHeaderLabels(
        {tr("Layer"), tr("Bits / group"), tr("Initial loss"), tr("Best loss"), tr("Improvement"), tr("Weight error RTN → tuned"), tr("Flipped")});
    const QStringList tips = {tr("Quantized linear layer"),
                              tr("Weight bits and group size (-1: one group per output channel)"),
                              tr("Output MSE of the layer's block with round-to-nearest (the layers of a block are tuned together)"),
                              tr("Output MSE of the block with the tuned rounding and clipping that were kept"),
                              tr("How much lower the tuned loss is than round-to-nearest's"),
                              tr("Relative weight error ||W − Q(W)|| / ||W||: tuning trades it for a lower output loss"),
                              tr("Share of weights rounded the other way than round-to-nearest")};
    for (int c = 0; c < tips.size(); ++c) table_->horizontalHeaderItem(c)->setToolTip(tips[c]);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table_->verticalHeader()->setVisible(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setAlternatingRowColors(true);

    exports_ = new QTableWidget(0, 7, this);
    exports_->setObjectName("resultsExports");
    exports_->setHorizontalHeaderLabels({tr("Export"), tr("Size"), tr("Bits / weight"), tr("PPL"), tr("KLD mean"), tr("KLD p99"), tr("Top-1")});
    const QStringList export_tips = {tr("Format of the export (hover for its path)"),
                                     tr("Size on disk"),
                                     tr("Bits per weight of the quantized linear layers, scales and zero points included"),
                                     tr("Perplexity on the evaluation text (lower is better)"),
                                     tr("Mean KL divergence of the next-token distribution from the original's, in nats (lower is better)"),
                                     tr("99th percentile of the per-token KL divergence: the worst tokens"),
                                     tr("How often the most likely next token is the same as the original's")};
    for (int c = 0; c < export_tips.size(); ++c) exports_->horizontalHeaderItem(c)->setToolTip(export_tips[c]);
    exports_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    exports_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    exports_->verticalHeader()->setVisible(false);
    exports_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    exports_->setSelectionBehavior(QAbstractItemView::SelectRows);
    exports_->setAlternatingRowColors(true);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("resultsTabs");
    tabs_->addTab(exports_, tr("Exports"));
    tabs_->addTab(table_, tr("Layers"));
    layout->addWidget(tabs_, 2);

    setEmptyText(table_, tr("No layers yet — a finished run lists its quantized layers here"));
    setEmptyText(exports_, tr("No exports yet — a finished run lists the files it wrote here"));
    connect(run_combo_, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &ResultsPage::select);
    select(-1);  // the empty state of every table and plot
}

void ResultsPage::setModel(const QString& model) {
    model_ = model;
    reload();
}

void ResultsPage::reload() {
    const QString keep = current_ >= 0 ? runs_[current_].id : QString();
    runs_ = model_.isEmpty() ? QVector<RunRecord>() : history_.load(model_);
    QSignalBlocker block(run_combo_);
    run_combo_->clear();
    int index = runs_.isEmpty() ? -1 : 0;
    for (int i = 0; i < runs_.size(); ++i) {
        const auto& r = runs_[i];
        QDateTime t = QDateTime::fromString(r.time, Qt::ISODateWithMs).toLocalTime();
        run_combo_->addItem(QStringLiteral("%1 · %2").arg(t.toString("yyyy-MM-dd HH:mm"), r.schemeLabel()));
        if (r.id == keep) index = i;
    }
    current_ = -1;
    run_combo_->setCurrentIndex(index);
    select(index);
}

void ResultsPage::showRun(const RunRecord& record) {
    model_ = record.model;
    current_ = -1;
    runs_.clear();
    reload();
    for (int i = 0; i < runs_.size(); ++i)
        if (runs_[i].id == record.id) {
            run_combo_->setCurrentIndex(i);  // select() follows through the signal
            select(i);
            return;
        }
    // Not in the history (it could not be written): show it on its own.
    runs_.prepend(record);
    QSignalBlocker block(run_combo_);
    run_combo_->insertItem(0, record.schemeLabel());
    run_combo_->setCurrentIndex(0);
    current_ = -1;
    select(0);
}

void ResultsPage::select(int index) {
    if (index < 0 || index >= runs_.size()) {
        current_ = -1;
        table_->setRowCount(0);
        bars_->clearPlottables();
        setPlotEmptyText(bars_, tr("No run yet —\nconfigure one and press Start"));
        bars_->replot();
        exports_->setRowCount(0);
        fillScatter();
        fillKld();
        summary_->setText(model_.isEmpty() ? tr("No finished run yet: results appear here when a run ends.")
                                            : tr("No finished run of %1 in the history yet.").arg(modelDisplayName(model_)));
        return;
    }
    if (index == current_) return;
    current_ = index;
    const RunRecord& r = runs_[index];
    double rtn = 0, best = 0;
    for (const auto& b : r.blocks) rtn += b.rtn_loss, best += b.best_loss;
    QString text = tr("%1: %2 layers in %3 blocks, %4.")
                       .arg(modelDisplayName(r.model))
                       .arg(r.layerCount())
                       .arg(r.blocks.size())
                       .arg(QString::fromStdString(units::formatDuration(r.elapsed_ms)));
    if (rtn > 0) text += " " + tr("Summed block loss %1 % lower than round-to-nearest.").arg(100.0 * (rtn - best) / rtn, 0, 'f', 1);
    summary_->setText(text);
    fillTable(r);
    fillExports(r);
    fillBars(r);
    fillScatter();
    fillKld();
    emit runSelected(r);
}

void ResultsPage::fillTable(const RunRecord& r) {
    table_->setSortingEnabled(false);
    table_->setRowCount(0);
    for (const auto& b : r.blocks) {
        const double gain = b.rtn_loss > 0 ? (b.rtn_loss - b.best_loss) / b.rtn_loss : 0.0;
        for (const auto& l : b.layers) {
            const int row = table_->rowCount();
            table_->insertRow(row);
            auto* name = new QTableWidgetItem(l.name.startsWith("model.layers.") ? l.name : tr("block %1 · %2").arg(b.block + 1).arg(l.name));
            table_->setItem(row, 0, name);
            table_->setItem(row, 1, new QTableWidgetItem(QStringLiteral("%1 / %2").arg(l.bits).arg(l.group_size)));
            table_->setItem(row, 2, number(b.rtn_loss, 4));
            table_->setItem(row, 3, number(b.best_loss, 4));
            auto* g = number(100.0 * gain, 1, 'f');
            g->setText(g->text() + " %");
            table_->setItem(row, 4, g);
            auto* err = new QTableWidgetItem(QStringLiteral("%1 → %2").arg(l.error_rtn, 0, 'f', 4).arg(l.error_tuned, 0, 'f', 4));
            err->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, 5, err);
            auto* flipped = number(100.0 * l.flipped, 1, 'f');
            flipped->setText(flipped->text() + " %");
            table_->setItem(row, 6, flipped);
        }
    }
}

void ResultsPage::fillBars(const RunRecord& r) {
    bars_->clearPlottables();
    auto* group = bars_->findChild<QCPBarsGroup*>("lossBarsGroup");
    if (!group) {
        group = new QCPBarsGroup(bars_);
        group->setObjectName("lossBarsGroup");
        group->setSpacingType(QCPBarsGroup::stAbsolute);
        group->setSpacing(2);
    }
    auto* initial = new QCPBars(bars_->xAxis, bars_->yAxis);
    initial->setName(tr("initial (RTN)"));
    initial->setBrush(QColor("#e3a35c"));
    initial->setPen(QPen(QColor("#b05a00")));
    auto* best = new QCPBars(bars_->xAxis, bars_->yAxis);
    best->setName(tr("best (SignRound)"));
    best->setBrush(QColor("#6f9fcf"));
    best->setPen(QPen(QColor("#1f4e79")));
    double lo = 0, hi = 0;
    for (const auto& b : r.blocks)
        for (double v : {b.rtn_loss, b.best_loss})
            if (v > 0) lo = lo > 0 ? std::min(lo, v) : v, hi = std::max(hi, v);
    for (auto* bars : {initial, best}) {
        bars->setWidth(0.35);
        bars->setBarsGroup(group);
    }
    for (const auto& b : r.blocks) {
        if (b.rtn_loss > 0) initial->addData(b.block + 1, b.rtn_loss);
        if (b.best_loss > 0) best->addData(b.block + 1, b.best_loss);
    }
    if (lo > 0) {
        // On a log axis a bar needs a positive base; start them a little below the smallest loss.
        const double base = lo / 4;
        initial->setBaseValue(base);
        best->setBaseValue(base);
        bars_->yAxis->setRange(base, hi * 4);
    }
    bars_->xAxis->setRange(0.4, std::max(1, num::clampTo<int>(r.blocks.size())) + 0.6);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    bars_->xAxis->setTicker(ticker);
    setPlotEmptyText(bars_, lo > 0 ? QString() : tr("This run recorded\nno block losses"));
    bars_->replot();
}

int ResultsPage::tradeoffPointCount() const { return pointCount(scatter_); }
int ResultsPage::kldPointCount() const { return pointCount(kld_); }

void ResultsPage::fillScatter() {
    Scatter sc(scatter_);
    double original_ppl = 0, original_bpw = 0;
    for (int i = 0; i < runs_.size(); ++i) {
        const auto& r = runs_[i];
        if (r.original_ppl > 0 && r.original_bits_per_weight > 0 && original_ppl == 0)
            original_ppl = r.original_ppl, original_bpw = r.original_bits_per_weight;
        for (const auto& e : r.exports)
            if (e.ppl > 0 && e.bits_per_weight > 0) sc.addExport(e.format, i == current_, e.bits_per_weight, e.ppl);
    }
    if (original_ppl > 0) sc.add("original", tr("original"), QColor("#b00020"), QCPScatterStyle::ssStar, 11, original_bpw, original_ppl);
    sc.finish(false, tr("No perplexities yet:\ngive an evaluation text\non the Configure page"));
}

void ResultsPage::fillKld() {
    Scatter sc(kld_);
    for (int i = 0; i < runs_.size(); ++i)
        for (const auto& e : runs_[i].exports)
            if (e.kld.has() && e.kld.mean > 0 && e.bits_per_weight > 0) sc.addExport(e.format, i == current_, e.bits_per_weight, e.kld.mean);
    sc.finish(true, tr("No KL divergences yet:\nruns with an evaluation text\nmeasure them"));
}

void ResultsPage::fillExports(const RunRecord& r) {
    exports_->setSortingEnabled(false);
    exports_->setRowCount(0);
    auto dash = [] {
        auto* item = new QTableWidgetItem(QStringLiteral("–"));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        item->setToolTip(tr("not measured: the run had no evaluation text"));
        return item;
    };
    for (const auto& e : r.exports) {
        const int row = exports_->rowCount();
        exports_->insertRow(row);
        auto* name = new QTableWidgetItem(e.format);
        name->setToolTip(e.path);
        exports_->setItem(row, 0, name);
        auto* size = number(static_cast<double>(e.size_bytes), 0, 'f');
        size->setText(QString::fromStdString(units::formatBytes(e.size_bytes)));
        exports_->setItem(row, 1, size);
        exports_->setItem(row, 2, e.bits_per_weight > 0 ? number(e.bits_per_weight, 3, 'f') : dash());
        exports_->setItem(row, 3, e.ppl > 0 ? number(e.ppl, 4, 'f') : dash());
        exports_->setItem(row, 4, e.kld.has() ? number(e.kld.mean, 5, 'f') : dash());
        exports_->setItem(row, 5, e.kld.has() ? number(e.kld.p99, 4, 'f') : dash());
        auto* top1 = e.kld.has() ? number(100.0 * e.kld.top1, 2, 'f') : dash();
        if (e.kld.has()) top1->setText(top1->text() + " %");
        exports_->setItem(row, 6, top1);
    }
    exports_->setSortingEnabled(true);
}

}  // namespace srs::ui
