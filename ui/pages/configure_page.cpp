#include "ui/pages/configure_page.h"
#include "ui/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <optional>

#include "core/common/units.h"
#include "core/device/hardware.h"
#include "core/export/gguf_plan.h"
#include "core/job/export_format.h"
#include "ui/settings_dialog.h"

namespace srs::ui {
namespace {
QSpinBox* spin(QWidget* parent, int lo, int hi, int value, const QString& tip, const char* name) {
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    s->setObjectName(name);
    return s;
}

QDoubleSpinBox* rateSpin(QWidget* parent, const QString& tip, const QString& automatic, const char* name) {
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(0.0, 1.0);
    s->setDecimals(5);
    s->setSingleStep(0.0005);
    s->setValue(0.0);
    s->setSpecialValueText(automatic);
    s->setToolTip(tip);
    s->setObjectName(name);
    return s;
}

const QStringList kGgufMixes = {"q2_k_s", "q3_k_m", "q4_k_s", "q4_k_m", "q5_k_m"};

// The llama.cpp file type of a GGUF preset ("gguf:q4_k_m"), parsed as the run parses --format;
// nullopt for the scheme presets and anything else that is not a GGUF format.
std::optional<exporter::GgufFileType> ggufMixOfPreset(const QString& preset) {
    auto formats = job::parseExportFormats({preset.toStdString()});
    if (!formats || formats->size() != 1 || !formats->front().isGguf()) return std::nullopt;
    return formats->front().gguf;
}
}  // namespace

ConfigurePage::ConfigurePage(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    model_label_ = new QLabel(tr("No model open: open one on the Model page first."), this);
    model_label_->setObjectName("configureModel");
    layout->addWidget(model_label_);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("configureTabs");
    tabs_->addTab(buildSettingsTab(), tr("Settings"));
    tabs_->setTabToolTip(0, tr("Scheme, recipe, tuning, calibration data and formats"));
    addLayerTabs();
    layout->addWidget(tabs_, 1);
    buildFooter(layout);

    connect(preset_, &QComboBox::currentTextChanged, this, &ConfigurePage::applyPreset);
    connect(recipe_, &QComboBox::currentTextChanged, this, &ConfigurePage::applyRecipe);
    connect(start_, &QPushButton::clicked, this, &ConfigurePage::requestStart);
    setUpEstimate();
    connect(gguf_type_, &QComboBox::currentTextChanged, this, [this] { fmt_gguf_->setChecked(true); });
}

// The Settings tab: scheme and recipe, tuning, and calibration data with formats and output,
// side by side.
QWidget* ConfigurePage::buildSettingsTab() {
    auto* settings = new QWidget(tabs_);
    auto* columns = new QHBoxLayout(settings);
    columns->addWidget(buildSchemeBox(settings));
    columns->addWidget(buildTuningBox(settings));
    columns->addWidget(buildDataBox(settings), 1);
    return settings;
}

QGroupBox* ConfigurePage::buildSchemeBox(QWidget* parent) {
    auto* scheme_box = new QGroupBox(tr("Scheme and recipe"), parent);
    auto* form = new QFormLayout(scheme_box);
    preset_ = new QComboBox(scheme_box);
    preset_->setObjectName("preset");
    preset_->addItems({"W4A16", "W3A16", "W2A16", "W8A16", "W2A16G64", "W2A16G32"});
    for (const auto& m : kGgufMixes) preset_->addItem("gguf:" + m);
    preset_->addItem(tr("custom"));
    preset_->setToolTip(tr("AutoRound scheme presets (group size 128 unless named), or a llama.cpp GGUF mix (sets the format)"));
    bits_ = spin(scheme_box, 2, 8, 4, tr("Bits per weight: 2, 3, 4 or 8"), "bits");
    group_ = new QComboBox(scheme_box);
    group_->setObjectName("groupSize");
    group_->setEditable(true);
    group_->setValidator(new QIntValidator(-1, 1 << 20, group_));
    group_->addItems({"16", "32", "64", "128", "-1"});
    group_->setCurrentText("128");
    group_->setToolTip(tr("Weights sharing one scale; -1 = one group per output channel. Smaller groups: more accurate, larger file"));
    sym_ = new QCheckBox(tr("symmetric"), scheme_box);
    sym_->setObjectName("sym");
    sym_->setChecked(true);
    sym_->setToolTip(tr("Symmetric (full-range, no zero point per group) or asymmetric (a zero point per group)"));
    recipe_ = new QComboBox(scheme_box);
    recipe_->setObjectName("recipe");
    recipe_->addItems({"auto-round", "auto-round-best", "auto-round-light", "auto-round-opt-rtn", "rtn"});
    recipe_->setToolTip(tr("auto-round: 200 iterations; -best: 1000 iterations, 512 samples; -light: 50 iterations; RTN: no tuning"));
    form->addRow(tr("Preset:"), preset_);
    form->addRow(tr("Bits:"), bits_);
    form->addRow(tr("Group size:"), group_);
    form->addRow(QString(), sym_);
    form->addRow(tr("Recipe:"), recipe_);
    return scheme_box;
}

QGroupBox* ConfigurePage::buildTuningBox(QWidget* parent) {
    auto* tune_box = new QGroupBox(tr("Tuning"), parent);
    auto* tform = new QFormLayout(tune_box);
    iters_ = spin(tune_box, 0, 100000, 200, tr("SignSGD steps per block; 0 = round-to-nearest"), "iters");
    nsamples_ = spin(tune_box, 1, 100000, 128, tr("Calibration sequences"), "nsamples");
    seqlen_ = spin(tune_box, 2, 1 << 16, 2048, tr("Tokens per calibration sequence (at most the model's context)"), "seqlen");
    batch_ = spin(tune_box, 1, 4096, 8, tr("Sequences per tuning step"), "batchSize");
    lr_ = rateSpin(tune_box, tr("Learning rate of the rounding offsets; auto = 1/iterations"), tr("auto"), "lr");
    minmax_lr_ = rateSpin(tune_box, tr("Learning rate of the min/max clipping; auto = the learning rate"), tr("auto"), "minmaxLr");
    device_ = new QComboBox(tune_box);
    device_->setObjectName("device");
    for (const auto& d : device::deviceNames(device::detectHardware())) device_->addItem(QString::fromStdString(d));
    device_->setToolTip(tr("Where the blocks are tuned; this LibTorch build runs on the CPU (default in Settings)"));
    tform->addRow(tr("Iterations:"), iters_);
    tform->addRow(tr("Samples:"), nsamples_);
    tform->addRow(tr("Sequence length:"), seqlen_);
    tform->addRow(tr("Batch size:"), batch_);
    tform->addRow(tr("Learning rate:"), lr_);
    tform->addRow(tr("Min/max learning rate:"), minmax_lr_);
    tform->addRow(tr("Device:"), device_);
    return tune_box;
}

// Calibration files, export formats, output folder and the optional perplexity text.
QGroupBox* ConfigurePage::buildDataBox(QWidget* parent) {
    auto* data_box = new QGroupBox(tr("Calibration data and output"), parent);
    auto* dl = new QVBoxLayout(data_box);
    addCalibrationList(data_box, dl);
    QGridLayout* formats = buildFormatGrid(data_box);
    dl->addWidget(new QLabel(tr("Export formats:"), data_box));
    dl->addLayout(formats);
    addOutputFields(data_box, dl);
    return data_box;
}

void ConfigurePage::addCalibrationList(QWidget* box, QVBoxLayout* dl) {
    datasets_ = new QListWidget(box);
    datasets_->setObjectName("datasets");
    datasets_->setToolTip(tr("Local .txt or .jsonl (field \"text\") files the block outputs are matched on"));
    datasets_->setMinimumHeight(60);
    auto* data_buttons = new QHBoxLayout();
    auto* add = new QPushButton(tr("Add file…"), box);
    add->setToolTip(tr("Add calibration text files"));
    auto* remove = new QPushButton(tr("Remove"), box);
    remove->setToolTip(tr("Remove the selected calibration file"));
    connect(add, &QPushButton::clicked, this, &ConfigurePage::addCalibrationFiles);
    connect(remove, &QPushButton::clicked, this, &ConfigurePage::removeCalibrationFile);
    data_buttons->addWidget(add);
    data_buttons->addWidget(remove);
    data_buttons->addStretch();
    dl->addWidget(new QLabel(tr("Calibration files:"), box));
    dl->addWidget(datasets_, 1);
    dl->addLayout(data_buttons);
}

// One check box per export format; GGUF with its file type beside it.
QGridLayout* ConfigurePage::buildFormatGrid(QWidget* box) {
    auto* fmt_grid = new QGridLayout();
    fmt_auto_round_ = new QCheckBox("auto_round", box);
    fmt_auto_round_->setObjectName("formatAutoRound");
    fmt_auto_round_->setChecked(true);
    fmt_auto_round_->setToolTip(tr("AutoRound format, loadable by transformers (with auto-round) and vLLM"));
    fmt_gptq_ = new QCheckBox("auto_gptq", box);
    fmt_gptq_->setObjectName("formatGptq");
    fmt_gptq_->setToolTip(tr("GPTQ format for GPTQ kernels"));
    fmt_awq_ = new QCheckBox("auto_awq", box);
    fmt_awq_->setObjectName("formatAwq");
    fmt_awq_->setToolTip(tr("AWQ format (4-bit only)"));
    fmt_fake_ = new QCheckBox("fake", box);
    fmt_fake_->setObjectName("formatFake");
    fmt_fake_->setToolTip(tr("Dequantized weights as a plain model: for evaluation, and for layers packed formats cannot hold"));
    fmt_gguf_ = new QCheckBox("GGUF", box);
    fmt_gguf_->setObjectName("formatGguf");
    fmt_gguf_->setToolTip(tr("A llama.cpp GGUF file; each layer is tuned in the type the mix gives it"));
    gguf_type_ = new QComboBox(box);
    gguf_type_->setObjectName("ggufType");
    for (const auto& t : exporter::ggufFileTypeNames()) gguf_type_->addItem(QString::fromStdString(t));
    gguf_type_->setCurrentText("q4_k_m");
    gguf_type_->setToolTip(tr("The GGUF file type: a llama.cpp mix (q4_k_m, ...) or one type for every tensor"));
    fmt_grid->addWidget(fmt_auto_round_, 0, 0);
    fmt_grid->addWidget(fmt_gptq_, 0, 1);
    fmt_grid->addWidget(fmt_awq_, 0, 2);
    fmt_grid->addWidget(fmt_fake_, 1, 0);
    fmt_grid->addWidget(fmt_gguf_, 1, 1);
    fmt_grid->addWidget(gguf_type_, 1, 2);
    return fmt_grid;
}

void ConfigurePage::addOutputFields(QWidget* box, QVBoxLayout* dl) {
    auto* out_row = new QHBoxLayout();
    output_ = new QLineEdit(box);
    output_->setObjectName("outputDir");
    output_->setToolTip(tr("Exports go to sub-folders named after the model, scheme and format"));
    auto* browse = new QPushButton(tr("Browse…"), box);
    browse->setToolTip(tr("Choose the output folder"));
    connect(browse, &QPushButton::clicked, this, &ConfigurePage::chooseOutputDir);
    out_row->addWidget(output_);
    out_row->addWidget(browse);
    dl->addWidget(new QLabel(tr("Output folder:"), box));
    dl->addLayout(out_row);
    eval_text_ = new QLineEdit(box);
    eval_text_->setObjectName("evalText");
    eval_text_->setPlaceholderText(tr("optional: a text file to measure perplexity before and after"));
    eval_text_->setToolTip(tr("Perplexity of the original and of every export on this text, written into the model card"));
    dl->addWidget(new QLabel(tr("Perplexity text (optional):"), box));
    dl->addWidget(eval_text_);
}

// The Per-layer overrides and AutoScheme tabs; AutoScheme's chosen mix fills the overrides.
void ConfigurePage::addLayerTabs() {
    overrides_ = new LayerOverridesEditor(tabs_);
    tabs_->addTab(overrides_, tr("Per-layer overrides"));
    tabs_->setTabToolTip(1, tr("Other schemes for some layers: the run's layer_config"));
    autoscheme_ = new AutoSchemePanel(tabs_);
    autoscheme_->setInputs([this] { return model_; }, [this] { return calibrationFiles(); });
    tabs_->addTab(autoscheme_, tr("AutoScheme"));
    tabs_->setTabToolTip(2, tr("Score each layer's sensitivity and choose mixed bits for a target average"));
    connect(autoscheme_, &AutoSchemePanel::mixChosen, overrides_, &LayerOverridesEditor::setRows);
}

// Below the tabs: the estimate line, the reason a start was refused, and Start.
void ConfigurePage::buildFooter(QVBoxLayout* layout) {
    estimate_ = new QLabel(tr("Estimate: open a model first."), this);
    estimate_->setObjectName("estimate");
    estimate_->setWordWrap(true);
    estimate_->setToolTip(tr("Pre-flight estimate: peak memory of the run, tuning time at the rate a tuning step measured on this machine runs, "
                             "and the size of every export"));
    layout->addWidget(estimate_);
    error_ = new QLabel(this);
    error_->setObjectName("configureError");
    error_->setStyleSheet(errorTextStyle());
    error_->setWordWrap(true);
    layout->addWidget(error_);
    start_ = new QPushButton(tr("Start quantization"), this);
    start_->setObjectName("startButton");
    start_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    start_->setToolTip(tr("Run SignRound on the model with these settings (Ctrl+R)"));
    layout->addWidget(start_, 0, Qt::AlignRight);
}

// Every setting the estimate depends on recomputes it, coalesced by a short timer; a change
// while one is computing queues one more.
void ConfigurePage::setUpEstimate() {
    estimate_timer_ = new QTimer(this);
    estimate_timer_->setSingleShot(true);
    estimate_timer_->setInterval(150);
    connect(estimate_timer_, &QTimer::timeout, this, &ConfigurePage::runEstimate);
    estimate_watcher_ = new QFutureWatcher<EstimateOutcome>(this);
    connect(estimate_watcher_, &QFutureWatcher<EstimateOutcome>::finished, this, [this] {
        showEstimate(estimate_watcher_->result());
        if (estimate_pending_) {
            estimate_pending_ = false;
            runEstimate();
        }
    });
    for (auto* s : {bits_, iters_, nsamples_, seqlen_, batch_}) connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &ConfigurePage::scheduleEstimate);
    for (auto* c : {group_, recipe_, gguf_type_}) connect(c, &QComboBox::currentTextChanged, this, &ConfigurePage::scheduleEstimate);
    for (auto* c : {sym_, fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_, fmt_gguf_}) connect(c, &QCheckBox::toggled, this, &ConfigurePage::scheduleEstimate);
    connect(eval_text_, &QLineEdit::textChanged, this, &ConfigurePage::scheduleEstimate);
    connect(overrides_, &LayerOverridesEditor::changed, this, &ConfigurePage::scheduleEstimate);
}

void ConfigurePage::addCalibrationFiles() {
    for (const auto& f : QFileDialog::getOpenFileNames(this, tr("Calibration text"), {}, tr("Text (*.txt *.jsonl *.json)")))
        datasets_->addItem(f);
    scheduleEstimate();
}

void ConfigurePage::removeCalibrationFile() {
    delete datasets_->currentItem();
    scheduleEstimate();
}

void ConfigurePage::chooseOutputDir() {
    QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"));
    if (!d.isEmpty()) output_->setText(d);
}

ConfigurePage::~ConfigurePage() { estimate_watcher_->waitForFinished(); }

void ConfigurePage::setModel(const QString& folder) {
    model_ = folder;
    model_label_->setText(tr("Model: %1").arg(folder));
    if (output_->text().isEmpty()) output_->setText(default_output_.isEmpty() ? AppSettings::load().output_dir : default_output_);
    estimate_->setText(tr("Estimate: computing…"));
    scheduleEstimate();
}

void ConfigurePage::setMaxSeqlen(int max_positions) {
    if (max_positions > 1 && seqlen_->value() > max_positions) seqlen_->setValue(max_positions);
}

void ConfigurePage::setCalibrationFiles(const QStringList& files) {
    datasets_->clear();
    datasets_->addItems(files);
    scheduleEstimate();
}

QStringList ConfigurePage::calibrationFiles() const {
    QStringList files;
    for (int i = 0; i < datasets_->count(); ++i) files << datasets_->item(i)->text();
    return files;
}

void ConfigurePage::setOutputDir(const QString& dir) { output_->setText(dir); }
void ConfigurePage::setBits(int bits) { bits_->setValue(bits); }
void ConfigurePage::setGroupSize(int group_size) { group_->setCurrentText(QString::number(group_size)); }
void ConfigurePage::setIters(int iters) { iters_->setValue(iters); }
void ConfigurePage::setNsamples(int nsamples) { nsamples_->setValue(nsamples); }
void ConfigurePage::setSeqlen(int seqlen) { seqlen_->setValue(seqlen); }
void ConfigurePage::setEvalText(const QString& file) { eval_text_->setText(file); }

void ConfigurePage::applySettings(const QString& default_output_dir, const QString& device) {
    // A folder the user typed stays; one that only came from the old default follows the new one.
    if (output_->text().isEmpty() || output_->text() == default_output_) {
        if (!model_.isEmpty() || !output_->text().isEmpty()) output_->setText(default_output_dir);
    }
    default_output_ = default_output_dir;
    if (device_->findText(device) < 0) device_->addItem(device);
    device_->setCurrentText(device);
}

QStringList ConfigurePage::devices() const {
    QStringList list;
    for (int i = 0; i < device_->count(); ++i) list << device_->itemText(i);
    return list;
}

void ConfigurePage::setAutoSchemeRunner(AutoSchemeRunner runner) { autoscheme_->setRunner(std::move(runner)); }

void ConfigurePage::setTuningRateProvider(TuningRateFn rate) {
    rate_ = std::move(rate);
    scheduleEstimate();
}

void ConfigurePage::showTab(int index) { tabs_->setCurrentIndex(index); }

QString ConfigurePage::estimateText() const { return estimate_->text(); }

void ConfigurePage::applyPreset(const QString& name) {
    if (auto mix = ggufMixOfPreset(name)) {
        applyGgufMix(*mix);
        return;
    }
    if (name == "W4A16") bits_->setValue(4), group_->setCurrentText("128");
    else if (name == "W3A16") bits_->setValue(3), group_->setCurrentText("128");
    else if (name == "W2A16") bits_->setValue(2), group_->setCurrentText("128");
    else if (name == "W8A16") bits_->setValue(8), group_->setCurrentText("128");
    else if (name == "W2A16G64") bits_->setValue(2), group_->setCurrentText("64");
    else if (name == "W2A16G32") bits_->setValue(2), group_->setCurrentText("32");
    else return;
    sym_->setChecked(true);
    // From a GGUF mix back to a scheme preset: the packed format again.
    const bool packed = fmt_auto_round_->isChecked() || fmt_gptq_->isChecked() || fmt_awq_->isChecked() || fmt_fake_->isChecked();
    if (!packed && fmt_gguf_->isChecked()) {
        fmt_gguf_->setChecked(false);
        fmt_auto_round_->setChecked(true);
    }
}

// A llama.cpp mix: the GGUF format of that type alone, and the default scheme of its body type.
void ConfigurePage::applyGgufMix(const exporter::GgufFileType& mix) {
    for (auto* c : {fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_}) c->setChecked(false);
    gguf_type_->setCurrentText(QString::fromStdString(mix.name));
    fmt_gguf_->setChecked(true);
    if (auto s = exporter::schemeForGgmlType(mix.base)) {
        bits_->setValue(s->bits);
        group_->setCurrentText(QString::number(s->group_size));
        sym_->setChecked(s->sym);
    }
}

void ConfigurePage::applyRecipe(const QString& recipe) {
    job::JobConfig c;
    c.recipe = recipe.toStdString();
    if (!job::applyRecipe(c).ok()) return;
    iters_->setValue(c.effectiveIters());
    nsamples_->setValue(c.effectiveNsamples());
    lr_->setValue(c.lr.value_or(0.0));
}

job::JobConfig ConfigurePage::currentConfig() const {
    job::JobConfig c;
    c.model = model_.toStdString();
    c.bits = bits_->value();
    c.group_size = group_->currentText().toInt();
    c.sym = sym_->isChecked();
    c.scheme = preset_->currentText().toStdString();
    c.recipe = recipe_->currentText().toStdString();
    c.iters = iters_->value();
    c.nsamples = nsamples_->value();
    c.seqlen = seqlen_->value();
    c.batch_size = batch_->value();
    if (lr_->value() > 0) c.lr = lr_->value();
    if (minmax_lr_->value() > 0) c.minmax_lr = minmax_lr_->value();
    c.device = device_->currentText().toStdString();
    for (const auto& f : calibrationFiles()) c.datasets.push_back(f.toStdString());
    c.formats.clear();
    if (fmt_auto_round_->isChecked()) c.formats.push_back("auto_round");
    if (fmt_gptq_->isChecked()) c.formats.push_back("auto_gptq");
    if (fmt_awq_->isChecked()) c.formats.push_back("auto_awq");
    if (fmt_fake_->isChecked()) c.formats.push_back("fake");
    if (fmt_gguf_->isChecked()) c.formats.push_back("gguf:" + gguf_type_->currentText().toStdString());
    c.layer_config = layerConfigFromOverrides(overrides_->rows());
    c.output_dir = output_->text().trimmed().toStdString();
    c.eval_text = eval_text_->text().toStdString();
    c.eval_window = std::min(c.effectiveSeqlen(), 2048);
    return c;
}

bool ConfigurePage::buildConfig(job::JobConfig* c, QString* error) const {
    if (model_.isEmpty()) return *error = tr("Open a model on the Model page first."), false;
    if (datasets_->count() == 0) return *error = tr("Add at least one calibration file."), false;
    for (int i = 0; i < datasets_->count(); ++i)
        if (!QFileInfo::exists(datasets_->item(i)->text()))
            return *error = tr("Calibration file not found: %1").arg(datasets_->item(i)->text()), false;
    if (output_->text().trimmed().isEmpty()) return *error = tr("Choose an output folder."), false;
    if (!eval_text_->text().isEmpty() && !QFileInfo::exists(eval_text_->text()))
        return *error = tr("Evaluation text not found: %1").arg(eval_text_->text()), false;
    job::JobConfig built = currentConfig();
    if (built.formats.empty()) return *error = tr("Choose at least one export format."), false;
    if (!built.layer_config.empty()) {
        // The overrides as the run will read them (its plan): a key matching no layer is an error
        // now, not later. The estimate worker has usually planned these very settings off the GUI
        // thread; only when it has not come back yet is the plan made here.
        std::string plan_error;
        if (checked_key_ == job::jobConfigToJson(built).dump()) {
            plan_error = checked_error_;
        } else if (auto source = io::openWeightSource(built.model)) {
            auto plan = job::planRun(**source, built);
            if (!plan) plan_error = plan.error().message + (plan.error().hint.empty() ? "" : " (" + plan.error().hint + ")");
        }
        if (!plan_error.empty()) return *error = tr("Per-layer overrides: %1").arg(QString::fromStdString(plan_error)), false;
    }
    *c = built;
    return true;
}

void ConfigurePage::requestStart() {
    job::JobConfig c;
    QString error;
    if (!buildConfig(&c, &error)) {
        error_->setText(error);
        return;
    }
    error_->clear();
    emit startRequested(c);
}

void ConfigurePage::scheduleEstimate() { estimate_timer_->start(); }

void ConfigurePage::runEstimate() {
    if (model_.isEmpty()) return;
    if (estimate_watcher_->isRunning()) {
        estimate_pending_ = true;
        return;
    }
    const job::JobConfig config = currentConfig();
    const int generation = ++estimate_generation_;
    const TuningRateFn rate = rate_;
    const std::uint64_t base_rss = device::currentRssBytes();
    estimate_watcher_->setFuture(QtConcurrent::run([config, generation, rate, base_rss]() {
        EstimateOutcome out;
        out.generation = generation;
        out.config_key = job::jobConfigToJson(config).dump();
        auto source = io::openWeightSource(config.model);
        if (!source) {
            out.error = source.error().message;
            return out;
        }
        device::MachineRates rates;
        rates.base_rss_bytes = base_rss;
        if (rate) rates.tuning_gflops = rate(config);
        auto e = device::estimateJob(*source, config, rates);
        out.plan_checked = true;
        if (!e) {
            out.error = e.error().message + (e.error().hint.empty() ? "" : " (" + e.error().hint + ")");
            return out;
        }
        out.ok = true;
        out.estimate = std::move(*e);
        return out;
    }));
}

void ConfigurePage::showEstimate(const EstimateOutcome& o) {
    if (o.generation != estimate_generation_) return;  // a newer one is on its way
    if (o.plan_checked) {
        checked_key_ = o.config_key;
        checked_error_ = o.ok ? std::string() : o.error;
    }
    QString text;
    if (!o.ok) {
        text = tr("Estimate: %1").arg(QString::fromStdString(o.error));
    } else {
        const auto& e = o.estimate;
        QStringList outputs;
        for (const auto& f : e.plan.exports)
            outputs << QString("%1 %2").arg(QString::fromStdString(f.format.name), QString::fromStdString(units::formatBytes(f.bytes)));
        const QString time = e.seconds >= 0 ? QString::fromStdString(units::formatDuration(static_cast<std::int64_t>(e.seconds * 1000)))
                                            : tr("not measured");
        text = tr("Estimate: peak memory %1 · tuning time %2 · %3 · %4 of %5 layers quantized")
                   .arg(QString::fromStdString(units::formatBytes(e.peak_rss_bytes)), time, outputs.join(", "))
                   .arg(e.plan.layers_quantized)
                   .arg(e.plan.layers.size());
    }
    estimate_->setText(text);
    emit estimateUpdated(text);
}

}  // namespace srs::ui
