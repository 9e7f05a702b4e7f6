#include "ui/pages/autoscheme_panel.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/common/units.h"

namespace srs::ui {
namespace {
using quant::autoscheme::AutoSchemeOptions;
using quant::autoscheme::AutoSchemeResult;

// One colour per scheme option, from cheap (warm) to wide (cool).
QColor optionColour(int index, int count) {
    static const QColor kColours[] = {QColor(214, 39, 40), QColor(255, 127, 14), QColor(44, 160, 44), QColor(31, 119, 180),
                                      QColor(148, 103, 189), QColor(140, 86, 75), QColor(127, 127, 127)};
    (void)count;
    return kColours[index % 7];
}

// "model.layers.3.self_attn.q_proj" → "3.q_proj", for the chart's axis.
QString shortName(const std::string& name) {
    QString n = QString::fromStdString(name);
    n.remove("model.layers.");
    n.remove("self_attn.");
    n.remove("mlp.");
    return n;
}
}  // namespace

AutoSchemePanel::AutoSchemePanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    auto* controls = new QGroupBox(tr("Search"), this);
    controls->setMaximumWidth(330);
    auto* form = new QFormLayout(controls);
    target_ = new QDoubleSpinBox(controls);
    target_->setObjectName("autoschemeTarget");
    target_->setRange(2.0, 16.0);
    target_->setDecimals(2);
    target_->setSingleStep(0.25);
    target_->setValue(3.0);
    target_->setToolTip(tr("Average bits per weight the mix must meet or stay just under"));
    form->addRow(tr("Target bits:"), target_);
    auto* opts = new QWidget(controls);
    auto* opts_layout = new QVBoxLayout(opts);
    opts_layout->setContentsMargins(0, 0, 0, 0);
    const QStringList names = {"W2A16G32", "W2A16G64", "W3A16", "W4A16", "W4A16G32", "W8A16", "BF16"};
    const QStringList ticked = {"W2A16G64", "W4A16", "W8A16"};
    for (const auto& n : names) {
        auto* box = new QCheckBox(n, opts);
        box->setObjectName("autoschemeOption_" + n);
        box->setChecked(ticked.contains(n));
        box->setToolTip(n == "BF16" ? tr("Allow keeping a layer in full precision (16 bits per weight)")
                                    : tr("Allow this scheme for a layer"));
        option_boxes_.push_back(box);
        opts_layout->addWidget(box);
    }
    form->addRow(tr("Options:"), opts);
    nsamples_ = new QSpinBox(controls);
    nsamples_->setObjectName("autoschemeNsamples");
    nsamples_->setRange(1, 4096);
    nsamples_->setValue(16);
    nsamples_->setToolTip(tr("Calibration sequences the sensitivities are measured on (AutoScheme's default: 16)"));
    form->addRow(tr("Samples:"), nsamples_);
    seqlen_ = new QSpinBox(controls);
    seqlen_->setObjectName("autoschemeSeqlen");
    seqlen_->setRange(8, 1 << 16);
    seqlen_->setValue(256);
    seqlen_->setToolTip(tr("Tokens per calibration sequence for scoring"));
    form->addRow(tr("Sequence length:"), seqlen_);
    ignore_overhead_ = new QCheckBox(tr("ignore scale / zero bits"), controls);
    ignore_overhead_->setObjectName("autoschemeIgnoreOverhead");
    ignore_overhead_->setToolTip(tr("Count only the weights' bits, not the per-group scales and zero points"));
    form->addRow(QString(), ignore_overhead_);
    auto* buttons = new QHBoxLayout();
    score_ = new QPushButton(tr("Score layers"), controls);
    score_->setObjectName("autoschemeScore");
    score_->setToolTip(tr("Measure each layer's sensitivity on the calibration files and choose the mix"));
    cancel_ = new QPushButton(tr("Cancel"), controls);
    cancel_->setObjectName("autoschemeCancel");
    cancel_->setToolTip(tr("Stop scoring"));
    cancel_->setEnabled(false);
    buttons->addWidget(score_);
    buttons->addWidget(cancel_);
    form->addRow(buttons);
    progress_ = new QProgressBar(controls);
    progress_->setObjectName("autoschemeProgress");
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setToolTip(tr("Scoring progress: one pass per scheme option"));
    form->addRow(progress_);
    status_ = new QLabel(tr("Not scored yet."), controls);
    status_->setObjectName("autoschemeStatus");
    status_->setWordWrap(true);
    form->addRow(status_);
    use_ = new QPushButton(tr("Use this mix"), controls);
    use_->setObjectName("autoschemeUse");
    use_->setToolTip(tr("Copy the chosen scheme of every layer into the per-layer overrides (editable before the run)"));
    use_->setEnabled(false);
    form->addRow(use_);
    layout->addWidget(controls);

    auto* split = new QSplitter(Qt::Vertical, this);
    plot_ = new QCustomPlot(split);
    plot_->setObjectName("autoschemePlot");
    plot_->setToolTip(tr("Loss increase of each layer at the cheapest scheme (log scale), coloured by the scheme chosen for it"));
    plot_->setMinimumHeight(240);
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->yAxis->setLabel(tr("sensitivity"));
    plot_->xAxis->setLabel(tr("layer"));
    // The legend (one entry per chosen scheme) in a row above the chart, clear of the bars.
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setVisible(false);
    table_ = new QTableWidget(0, 0, split);
    table_->setObjectName("autoschemeTable");
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->setToolTip(tr("Per layer: parameters, sensitivity under each option, and the chosen scheme"));
    split->addWidget(plot_);
    split->addWidget(table_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    watcher_ = new QFutureWatcher<AutoSchemeOutcome>(this);
    connect(watcher_, &QFutureWatcher<AutoSchemeOutcome>::finished, this, [this] {
        const AutoSchemeOutcome o = watcher_->result();
        setRunning(false);
        if (o.ok) {
            showResult(o.result);
        } else {
            status_->setText(o.cancelled ? tr("Cancelled.") : tr("Failed: %1").arg(QString::fromStdString(o.message + (o.hint.empty() ? "" : " (" + o.hint + ")"))));
        }
        emit scoringFinished(o.ok);
    });
    connect(score_, &QPushButton::clicked, this, &AutoSchemePanel::startScoring);
    connect(cancel_, &QPushButton::clicked, this, &AutoSchemePanel::cancelScoring);
    connect(use_, &QPushButton::clicked, this, &AutoSchemePanel::useMix);
}

AutoSchemePanel::~AutoSchemePanel() {
    cancel_token_.cancel();
    watcher_->waitForFinished();
}

void AutoSchemePanel::setRunner(AutoSchemeRunner runner) { runner_ = std::move(runner); }

void AutoSchemePanel::setInputs(std::function<QString()> model, std::function<QStringList()> datasets) {
    model_ = std::move(model);
    datasets_ = std::move(datasets);
}

void AutoSchemePanel::setTargetBits(double bits) { target_->setValue(bits); }

QString AutoSchemePanel::options() const {
    QStringList o;
    for (auto* b : option_boxes_)
        if (b->isChecked()) o << b->text();
    return o.join(',');
}

bool AutoSchemePanel::running() const { return watcher_->isRunning(); }

void AutoSchemePanel::setRunning(bool running) {
    score_->setEnabled(!running);
    cancel_->setEnabled(running);
    if (running) use_->setEnabled(false);
    else use_->setEnabled(result_.has_value());
}

void AutoSchemePanel::startScoring() {
    if (running()) return;
    if (!runner_) {
        status_->setText(tr("AutoScheme is not available in this build."));
        emit scoringFinished(false);
        return;
    }
    const QString model = model_ ? model_() : QString();
    const QStringList datasets = datasets_ ? datasets_() : QStringList();
    if (model.isEmpty()) {
        status_->setText(tr("Open a model on the Model page first."));
        emit scoringFinished(false);
        return;
    }
    if (datasets.isEmpty()) {
        status_->setText(tr("Add calibration files on the Settings tab first."));
        emit scoringFinished(false);
        return;
    }
    if (options().isEmpty()) {
        status_->setText(tr("Tick at least one option."));
        emit scoringFinished(false);
        return;
    }
    AutoSchemeOptions o;
    o.model = model.toStdString();
    for (const auto& d : datasets) o.datasets.push_back(d.toStdString());
    o.options = options().toStdString();
    o.avg_bits = target_->value();
    o.nsamples = nsamples_->value();
    o.seqlen = seqlen_->value();
    o.ignore_scale_zp_bits = ignore_overhead_->isChecked();
    cancel_token_ = CancelToken();
    progress_->setRange(0, 0);
    status_->setText(tr("Scoring…"));
    setRunning(true);
    QPointer<AutoSchemePanel> self(this);
    auto progress = [self](const std::string& what, int done, int total) {
        QMetaObject::invokeMethod(qApp, [self, what, done, total] {
            if (!self) return;
            self->progress_->setRange(0, total);
            self->progress_->setValue(done);
            self->status_->setText(QString::fromStdString(what) + QStringLiteral("…"));
        }, Qt::QueuedConnection);
    };
    AutoSchemeRunner runner = runner_;
    CancelToken token = cancel_token_;
    watcher_->setFuture(QtConcurrent::run([runner, o, progress, token]() {
        AutoSchemeOutcome out;
        auto r = runner(o, progress, token);
        if (r) {
            out.ok = true;
            out.result = std::move(*r);
        } else {
            out.cancelled = r.error().code == ErrorCode::Cancelled;
            out.message = r.error().message;
            out.hint = r.error().hint;
        }
        return out;
    }));
}

void AutoSchemePanel::cancelScoring() {
    if (!running()) return;
    cancel_token_.cancel();
    status_->setText(tr("Cancelling…"));
}

void AutoSchemePanel::showResult(const AutoSchemeResult& r) {
    result_ = r;
    progress_->setRange(0, 1);
    progress_->setValue(1);
    std::map<std::string, int> counts;
    for (const auto& l : r.layers) ++counts[r.options[l.chosen].name];
    QStringList mix;
    for (const auto& o : r.options)
        if (counts.count(o.name)) mix << QString("%1× %2").arg(counts[o.name]).arg(QString::fromStdString(o.name));
    status_->setText(tr("%1 layers: %2; %3 bits per weight (target %4); scores %5 in %6.")
                         .arg(r.layers.size())
                         .arg(mix.join(", "))
                         .arg(r.allocation.avg_bits(), 0, 'f', 3)
                         .arg(target_->value(), 0, 'f', 2)
                         .arg(r.scores_from_cache ? tr("from the cache") : tr("computed"))
                         .arg(QString::fromStdString(units::formatDuration(r.scoring_ms))));

    // Chart: the loss at the cheapest quantized option, one bar series per chosen option.
    int cheapest = -1;
    for (std::size_t i = 0; i < r.options.size(); ++i)
        if (!r.options[i].full_precision() &&
            (cheapest < 0 || r.options[i].scheme->bits < r.options[cheapest].scheme->bits ||
             (r.options[i].scheme->bits == r.options[cheapest].scheme->bits && r.options[i].scheme->group_size > r.options[cheapest].scheme->group_size)))
            cheapest = static_cast<int>(i);
    plot_->clearPlottables();
    plot_->legend->clearItems();
    std::vector<QCPBars*> bars(r.options.size(), nullptr);
    double lo = 0, hi = 0;
    QVector<double> ticks;
    QVector<QString> labels;
    const int step = std::max<int>(1, static_cast<int>(r.layers.size()) / 14);
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        const auto& l = r.layers[i];
        const double s = cheapest >= 0 ? l.scores[cheapest] : 0.0;
        if (i % step == 0) {
            ticks << static_cast<double>(i);
            labels << shortName(l.name);
        }
        if (!(s > 0)) continue;
        auto*& b = bars[l.chosen];
        if (!b) {
            b = new QCPBars(plot_->xAxis, plot_->yAxis);
            b->setName(QString::fromStdString(r.options[l.chosen].name));
            const QColor c = optionColour(l.chosen, static_cast<int>(r.options.size()));
            b->setPen(QPen(c.darker(130)));
            b->setBrush(c);
            b->setWidth(0.8);
            b->setBaseValue(1e-12);
        }
        b->addData(static_cast<double>(i), s);
        lo = lo == 0 ? s : std::min(lo, s);
        hi = std::max(hi, s);
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->setTicks(ticks, labels);
    plot_->xAxis->setTicker(ticker);
    plot_->xAxis->setTickLabelRotation(60);
    plot_->xAxis->setRange(-1, static_cast<double>(r.layers.size()));
    if (hi > 0) plot_->yAxis->setRange(lo / 2, hi * 2);
    plot_->yAxis->setLabel(tr("sensitivity"));
    plot_->setToolTip(cheapest >= 0 ? tr("Loss increase of each layer at %1 (log scale), coloured by the scheme chosen for it")
                                            .arg(QString::fromStdString(r.options[cheapest].name))
                                    : plot_->toolTip());
    plot_->legend->setVisible(true);
    plot_->replot();

    // Table.
    table_->clear();
    table_->setRowCount(static_cast<int>(r.layers.size()));
    table_->setColumnCount(static_cast<int>(r.options.size()) + 3);
    QStringList headers = {tr("Layer"), tr("Parameters")};
    for (const auto& o : r.options) headers << QString::fromStdString(o.name);
    headers << tr("Chosen");
    table_->setHorizontalHeaderLabels(headers);
    for (int i = 0; i < static_cast<int>(r.layers.size()); ++i) {
        const auto& l = r.layers[i];
        table_->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(l.name)));
        table_->setItem(i, 1, new QTableWidgetItem(QString::fromStdString(units::formatCount(static_cast<std::uint64_t>(l.params)))));
        for (std::size_t k = 0; k < l.scores.size(); ++k)
            table_->setItem(i, 2 + static_cast<int>(k), new QTableWidgetItem(QString::number(l.scores[k], 'g', 4)));
        auto* chosen = new QTableWidgetItem(QString::fromStdString(r.options[l.chosen].name));
        chosen->setForeground(optionColour(l.chosen, static_cast<int>(r.options.size())).darker(120));
        table_->setItem(i, static_cast<int>(r.options.size()) + 2, chosen);
    }
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < table_->columnCount(); ++c) table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    use_->setEnabled(true);
}

QList<LayerOverride> AutoSchemePanel::mix() const {
    QList<LayerOverride> rows;
    if (!result_) return rows;
    for (const auto& l : result_->layers) {
        const auto& o = result_->options[l.chosen];
        LayerOverride row;
        row.pattern = QString::fromStdString(l.name);
        row.skip = o.full_precision();
        row.scheme.bits = o.full_precision() ? 8 : o.scheme->bits;
        row.scheme.group_size = o.full_precision() ? 128 : o.scheme->group_size;
        row.scheme.sym = o.full_precision() ? true : o.scheme->sym;
        rows.push_back(row);
    }
    return rows;
}

void AutoSchemePanel::useMix() {
    if (!result_) return;
    emit mixChosen(mix());
    status_->setText(status_->text() + " " + tr("The mix is in the per-layer overrides."));
}

}  // namespace srs::ui
