#include "ui/pages/configure_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/device/hardware.h"
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
}  // namespace

ConfigurePage::ConfigurePage(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    model_label_ = new QLabel(tr("No model open: open one on the Model page first."), this);
    model_label_->setObjectName("configureModel");
    layout->addWidget(model_label_);

    auto* columns = new QHBoxLayout();
    auto* scheme_box = new QGroupBox(tr("Scheme and recipe"), this);
    auto* form = new QFormLayout(scheme_box);
    preset_ = new QComboBox(scheme_box);
    preset_->setObjectName("preset");
    preset_->addItems({"W4A16", "W3A16", "W2A16", "W8A16", "W2A16G64", "W2A16G32", tr("custom")});
    preset_->setToolTip(tr("AutoRound scheme presets: weight bits, 16-bit activations, group size 128 unless named"));
    bits_ = spin(scheme_box, 2, 8, 4, tr("Bits per weight: 2, 3, 4 or 8"), "bits");
    group_ = new QComboBox(scheme_box);
    group_->setObjectName("groupSize");
    group_->addItems({"32", "64", "128", "-1"});
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
    iters_ = spin(scheme_box, 0, 100000, 200, tr("SignSGD steps per block; 0 = round-to-nearest"), "iters");
    nsamples_ = spin(scheme_box, 1, 100000, 128, tr("Calibration sequences"), "nsamples");
    seqlen_ = spin(scheme_box, 2, 1 << 16, 2048, tr("Tokens per calibration sequence (at most the model's context)"), "seqlen");
    batch_ = spin(scheme_box, 1, 4096, 8, tr("Sequences per tuning step"), "batchSize");
    form->addRow(tr("Preset:"), preset_);
    form->addRow(tr("Bits:"), bits_);
    form->addRow(tr("Group size:"), group_);
    form->addRow(QString(), sym_);
    form->addRow(tr("Recipe:"), recipe_);
    form->addRow(tr("Iterations:"), iters_);
    form->addRow(tr("Samples:"), nsamples_);
    form->addRow(tr("Sequence length:"), seqlen_);
    device_ = new QComboBox(scheme_box);
    device_->setObjectName("device");
    for (const auto& d : device::deviceNames(device::detectHardware())) device_->addItem(QString::fromStdString(d));
    device_->setToolTip(tr("Where the blocks are tuned; this LibTorch build runs on the CPU (default in Settings)"));
    form->addRow(tr("Batch size:"), batch_);
    form->addRow(tr("Device:"), device_);
    columns->addWidget(scheme_box);

    auto* data_box = new QGroupBox(tr("Calibration data and output"), this);
    auto* dl = new QVBoxLayout(data_box);
    datasets_ = new QListWidget(data_box);
    datasets_->setObjectName("datasets");
    datasets_->setToolTip(tr("Local .txt or .jsonl (field \"text\") files the block outputs are matched on"));
    auto* data_buttons = new QHBoxLayout();
    auto* add = new QPushButton(tr("Add file…"), data_box);
    add->setToolTip(tr("Add calibration text files"));
    auto* remove = new QPushButton(tr("Remove"), data_box);
    remove->setToolTip(tr("Remove the selected calibration file"));
    connect(add, &QPushButton::clicked, this, [this] {
        for (const auto& f : QFileDialog::getOpenFileNames(this, tr("Calibration text"), {}, tr("Text (*.txt *.jsonl *.json)")))
            datasets_->addItem(f);
    });
    connect(remove, &QPushButton::clicked, this, [this] { delete datasets_->currentItem(); });
    data_buttons->addWidget(add);
    data_buttons->addWidget(remove);
    data_buttons->addStretch();
    dl->addWidget(new QLabel(tr("Calibration files:"), data_box));
    dl->addWidget(datasets_);
    dl->addLayout(data_buttons);
    auto* fmt_row = new QHBoxLayout();
    fmt_auto_round_ = new QCheckBox("auto_round", data_box);
    fmt_auto_round_->setObjectName("formatAutoRound");
    fmt_auto_round_->setChecked(true);
    fmt_auto_round_->setToolTip(tr("AutoRound format, loadable by transformers (with auto-round) and vLLM"));
    fmt_gptq_ = new QCheckBox("auto_gptq", data_box);
    fmt_gptq_->setToolTip(tr("GPTQ format for GPTQ kernels"));
    fmt_awq_ = new QCheckBox("auto_awq", data_box);
    fmt_awq_->setToolTip(tr("AWQ format (4-bit only)"));
    fmt_fake_ = new QCheckBox("fake", data_box);
    fmt_fake_->setObjectName("formatFake");
    fmt_fake_->setToolTip(tr("Dequantized weights as a plain model: for evaluation, and for layers packed formats cannot hold"));
    for (auto* c : {fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_}) fmt_row->addWidget(c);
    dl->addWidget(new QLabel(tr("Export formats:"), data_box));
    dl->addLayout(fmt_row);
    auto* out_row = new QHBoxLayout();
    output_ = new QLineEdit(data_box);
    output_->setObjectName("outputDir");
    output_->setToolTip(tr("Exports go to sub-folders named after the model, scheme and format"));
    auto* browse = new QPushButton(tr("Browse…"), data_box);
    browse->setToolTip(tr("Choose the output folder"));
    connect(browse, &QPushButton::clicked, this, [this] {
        QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"));
        if (!d.isEmpty()) output_->setText(d);
    });
    out_row->addWidget(output_);
    out_row->addWidget(browse);
    dl->addWidget(new QLabel(tr("Output folder:"), data_box));
    dl->addLayout(out_row);
    eval_text_ = new QLineEdit(data_box);
    eval_text_->setObjectName("evalText");
    eval_text_->setPlaceholderText(tr("optional: a text file to measure perplexity before and after"));
    eval_text_->setToolTip(tr("Perplexity of the original and of every export on this text, written into the model card"));
    dl->addWidget(new QLabel(tr("Perplexity text (optional):"), data_box));
    dl->addWidget(eval_text_);
    columns->addWidget(data_box, 1);
    layout->addLayout(columns, 1);

    error_ = new QLabel(this);
    error_->setObjectName("configureError");
    error_->setStyleSheet("color: #b00020;");
    error_->setWordWrap(true);
    layout->addWidget(error_);
    start_ = new QPushButton(tr("Start quantization"), this);
    start_->setObjectName("startButton");
    start_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    start_->setToolTip(tr("Run SignRound on the model with these settings (Ctrl+R)"));
    layout->addWidget(start_, 0, Qt::AlignRight);

    connect(preset_, &QComboBox::currentTextChanged, this, &ConfigurePage::applyPreset);
    connect(recipe_, &QComboBox::currentTextChanged, this, &ConfigurePage::applyRecipe);
    connect(start_, &QPushButton::clicked, this, &ConfigurePage::requestStart);
}

void ConfigurePage::setModel(const QString& folder) {
    model_ = folder;
    model_label_->setText(tr("Model: %1").arg(folder));
    if (output_->text().isEmpty()) output_->setText(default_output_.isEmpty() ? AppSettings::load().output_dir : default_output_);
}

void ConfigurePage::setMaxSeqlen(int max_positions) {
    if (max_positions > 1 && seqlen_->value() > max_positions) seqlen_->setValue(max_positions);
}

void ConfigurePage::setCalibrationFiles(const QStringList& files) {
    datasets_->clear();
    datasets_->addItems(files);
}

void ConfigurePage::setOutputDir(const QString& dir) { output_->setText(dir); }

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

void ConfigurePage::applyPreset(const QString& name) {
    if (name == "W4A16") bits_->setValue(4), group_->setCurrentText("128");
    else if (name == "W3A16") bits_->setValue(3), group_->setCurrentText("128");
    else if (name == "W2A16") bits_->setValue(2), group_->setCurrentText("128");
    else if (name == "W8A16") bits_->setValue(8), group_->setCurrentText("128");
    else if (name == "W2A16G64") bits_->setValue(2), group_->setCurrentText("64");
    else if (name == "W2A16G32") bits_->setValue(2), group_->setCurrentText("32");
    else return;
    sym_->setChecked(true);
}

void ConfigurePage::applyRecipe(const QString& recipe) {
    job::JobConfig c;
    c.recipe = recipe.toStdString();
    if (!job::applyRecipe(c).ok()) return;
    iters_->setValue(c.effectiveIters());
    nsamples_->setValue(c.effectiveNsamples());
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
    c->model = model_.toStdString();
    c->bits = bits_->value();
    c->group_size = group_->currentText().toInt();
    c->sym = sym_->isChecked();
    c->scheme = preset_->currentText().toStdString();
    c->recipe = recipe_->currentText().toStdString();
    c->iters = iters_->value();
    c->nsamples = nsamples_->value();
    c->seqlen = seqlen_->value();
    c->batch_size = batch_->value();
    c->device = device_->currentText().toStdString();
    c->datasets.clear();
    for (int i = 0; i < datasets_->count(); ++i) c->datasets.push_back(datasets_->item(i)->text().toStdString());
    c->formats.clear();
    if (fmt_auto_round_->isChecked()) c->formats.push_back("auto_round");
    if (fmt_gptq_->isChecked()) c->formats.push_back("auto_gptq");
    if (fmt_awq_->isChecked()) c->formats.push_back("auto_awq");
    if (fmt_fake_->isChecked()) c->formats.push_back("fake");
    if (c->formats.empty()) return *error = tr("Choose at least one export format."), false;
    c->output_dir = output_->text().trimmed().toStdString();
    c->eval_text = eval_text_->text().toStdString();
    c->eval_window = std::min(c->effectiveSeqlen(), 2048);
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

}  // namespace srs::ui
