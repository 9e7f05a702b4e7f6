#include "ui/pages/configure_page.h"
#include "ui/theme.h"

#include <QAbstractItemModel>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
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
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <optional>

#include "core/common/units.h"
#include "core/device/hardware.h"
#include "core/export/gguf_plan.h"
#include "core/job/export_format.h"
#include "ui/pages/preflight.h"
#include "ui/settings_dialog.h"

namespace srs::ui {
namespace {

// The device picker's items: the device name as Qt::UserRole, the GPU's memory in bytes here.
constexpr int kDeviceMemoryRole = Qt::UserRole + 1;

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

// AutoRound's scheme presets: symmetric, at these bits and group sizes.
struct SchemePreset {
    const char* name;
    int bits;
    int group_size;
};
constexpr SchemePreset kSchemePresets[] = {{"W4A16", 4, 128}, {"W3A16", 3, 128},    {"W2A16", 2, 128},
                                           {"W8A16", 8, 128}, {"W2A16G64", 2, 64}, {"W2A16G32", 2, 32}};

const SchemePreset* schemePreset(const QString& name) {
    for (const auto& p : kSchemePresets)
        if (name == QLatin1String(p.name)) return &p;
    return nullptr;
}

// A GGUF type as the Export page and llama.cpp write it: "Q4_K_M".
QString ggufTypeLabel(const QString& name) { return name.toUpper(); }

// An export format as the pages name it: "auto_round", "GGUF Q4_K_M".
QString formatLabel(const job::ExportFormat& f) {
    if (f.isGguf()) return "GGUF " + ggufTypeLabel(QString::fromStdString(f.gguf->name));
    return QString::fromStdString(f.name);
}

// The llama.cpp file type of a GGUF preset ("gguf:q4_k_m"), parsed as the run parses --format;
// nullopt for the scheme presets and anything else that is not a GGUF format.
std::optional<exporter::GgufFileType> ggufMixOfPreset(const QString& preset) {
    auto formats = job::parseExportFormats({preset.toStdString()});
    if (!formats || formats->size() != 1 || !formats->front().isGguf()) return std::nullopt;
    return formats->front().gguf;
}

// List items no wider than the list: a long path is then shortened by the view's elide mode
// instead of running out of sight (the list re-lays out its items when resized).
class FitWidthDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QSize hint = QStyledItemDelegate::sizeHint(option, index);
        if (auto* view = qobject_cast<const QAbstractItemView*>(option.widget)) hint.setWidth(std::min(hint.width(), view->viewport()->width()));
        return hint;
    }
};

// QSettings keys of the settings kept across restarts.
namespace key {
const char* kPreset = "configure/preset";
const char* kBits = "configure/bits";
const char* kGroup = "configure/groupSize";
const char* kSym = "configure/sym";
const char* kRecipe = "configure/recipe";
const char* kIters = "configure/iters";
const char* kNsamples = "configure/nsamples";
const char* kSeqlen = "configure/seqlen";
const char* kFormats = "configure/formats";
const char* kGgufType = "configure/ggufType";
const char* kCalibration = "configure/calibration";
const char* kOutput = "configure/outputDir";
}  // namespace key

// Folder purposes of the page's file dialogs (lastDialogFolder).
const char* kCalibrationDialog = "calibration";
const char* kOutputDialog = "output";
const char* kEvalDialog = "evalText";

// The nearest folder of path that exists (path itself when it is one); empty when none does.
QString existingFolderOf(const QString& path) {
    if (path.trimmed().isEmpty()) return {};
    QString p = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    while (!QFileInfo(p).isDir()) {
        const QString parent = QFileInfo(p).path();
        if (parent == p) return {};
        p = parent;
    }
    return p;
}
}  // namespace

ConfigurePage::ConfigurePage(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    model_label_ = new QLabel(tr("No model open: open one on the Model page first."), this);
    model_label_->setObjectName("configureModel");
    model_label_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // a long path never widens the window
    layout->addWidget(model_label_);
    model_error_ = addFieldError(this, layout, "modelError");
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("configureTabs");
    tabs_->addTab(buildSettingsTab(), tr("Settings"));
    tabs_->setTabToolTip(0, tr("Scheme, recipe, tuning, calibration data and formats"));
    addLayerTabs();
    layout->addWidget(tabs_, 1);
    buildFooter(layout);

    connect(preset_, &QComboBox::currentIndexChanged, this, [this] { applyPreset(presetKey()); });
    connect(recipe_, &QComboBox::currentTextChanged, this, &ConfigurePage::applyRecipe);
    connect(start_, &QPushButton::clicked, this, &ConfigurePage::requestStart);
    // The GGUF type only means something while GGUF is ticked.
    connect(fmt_gguf_, &QCheckBox::toggled, gguf_type_, &QWidget::setEnabled);
    gguf_type_->setEnabled(fmt_gguf_->isChecked());
    setUpEstimate();
    setUpValidation();
    restoreState();
    validate();
}

// A tab's content in a scroll area: a small window scrolls it instead of cutting it.
QScrollArea* ConfigurePage::scrollable(QWidget* content, const char* name) {
    auto* scroll = new QScrollArea(tabs_);
    scroll->setObjectName(name);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    return scroll;
}

// The Settings tab: scheme and recipe, tuning, and calibration data with formats and output,
// side by side.
QWidget* ConfigurePage::buildSettingsTab() {
    auto* settings = new QWidget(tabs_);
    auto* columns = new QHBoxLayout(settings);
    columns->addWidget(buildSchemeBox(settings));
    columns->addWidget(buildTuningBox(settings));
    columns->addWidget(buildDataBox(settings), 1);
    return scrollable(settings, "configureScroll");
}

QGroupBox* ConfigurePage::buildSchemeBox(QWidget* parent) {
    auto* scheme_box = new QGroupBox(tr("Scheme and recipe"), parent);
    auto* form = new QFormLayout(scheme_box);
    preset_ = new QComboBox(scheme_box);
    preset_->setObjectName("preset");
    for (const auto& p : kSchemePresets) preset_->addItem(p.name, QString(p.name));
    for (const auto& m : kGgufMixes) preset_->addItem("GGUF " + ggufTypeLabel(m), "gguf:" + m);
    preset_->addItem(tr("custom"), "custom");
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
    setDeviceChoices(device::usableDevices(device::DeviceAvailability{}));
    device_->setToolTip(tr("Where the blocks are tuned and the exports evaluated: auto takes the first CUDA GPU LibTorch can use, "
                           "else the CPU (default in Settings)"));
    tform->addRow(tr("Iterations:"), iters_);
    tform->addRow(tr("Samples:"), nsamples_);
    tform->addRow(tr("Sequence length:"), seqlen_);
    tform->addRow(tr("Batch size:"), batch_);
    tform->addRow(tr("Learning rate:"), lr_);
    tform->addRow(tr("Min/max learning rate:"), minmax_lr_);
    tform->addRow(tr("Device:"), device_);
    return tune_box;
}

// Calibration files, export formats, output folder and the optional evaluation text, each with
// the place its pre-flight error shows.
QGroupBox* ConfigurePage::buildDataBox(QWidget* parent) {
    auto* data_box = new QGroupBox(tr("Calibration data and output"), parent);
    auto* dl = new QVBoxLayout(data_box);
    addCalibrationList(data_box, dl);
    QGridLayout* formats = buildFormatGrid(data_box);
    dl->addWidget(new QLabel(tr("Export formats:"), data_box));
    dl->addLayout(formats);
    formats_error_ = addFieldError(data_box, dl, "formatsError");
    addOutputFields(data_box, dl);
    return data_box;
}

// A red line under a field, hidden while the field is fine. Its width never widens the page: a
// long message wraps, and paths in it are shortened.
QLabel* ConfigurePage::addFieldError(QWidget* parent, QVBoxLayout* layout, const char* name) {
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setStyleSheet(errorTextStyle());
    label->setWordWrap(true);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    label->hide();
    layout->addWidget(label);
    return label;
}

void ConfigurePage::addCalibrationList(QWidget* box, QVBoxLayout* dl) {
    datasets_ = new QListWidget(box);
    datasets_->setObjectName("datasets");
    datasets_->setToolTip(tr("Local .txt or .jsonl (field \"text\") files the block outputs are matched on"));
    // As tall as there is room for, down to three lines: the rest of the column stays in view.
    datasets_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    datasets_->setMinimumHeight(datasets_->fontMetrics().height() * 3 + 2 * datasets_->frameWidth() + 6);
    // Long paths are shortened in the middle (file name kept); the item's tooltip has all of it.
    datasets_->setTextElideMode(Qt::ElideMiddle);
    datasets_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    datasets_->setResizeMode(QListView::Adjust);
    datasets_->setItemDelegate(new FitWidthDelegate(datasets_));
    auto* data_buttons = new QHBoxLayout();
    auto* add = new QPushButton(tr("Add file…"), box);
    add->setObjectName("addCalibration");
    add->setToolTip(tr("Add calibration text files"));
    auto* remove = new QPushButton(tr("Remove"), box);
    remove->setObjectName("removeCalibration");
    remove->setToolTip(tr("Remove the selected calibration file"));
    connect(add, &QPushButton::clicked, this, &ConfigurePage::addCalibrationFiles);
    connect(remove, &QPushButton::clicked, this, &ConfigurePage::removeCalibrationFile);
    data_buttons->addWidget(add);
    data_buttons->addWidget(remove);
    data_buttons->addStretch();
    dl->addWidget(new QLabel(tr("Calibration files:"), box));
    dl->addWidget(datasets_, 1);
    calibration_error_ = addFieldError(box, dl, "calibrationError");
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
    for (const auto& t : exporter::ggufFileTypeNames()) {
        const QString name = QString::fromStdString(t);
        gguf_type_->addItem(ggufTypeLabel(name), name);
    }
    gguf_type_->setCurrentIndex(std::max(0, gguf_type_->findData("q4_k_m")));
    gguf_type_->setToolTip(tr("The GGUF file type: a llama.cpp mix (Q4_K_M, ...) or one type for every tensor; tick GGUF to choose it"));
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
    browse->setObjectName("browseOutput");
    browse->setToolTip(tr("Choose the output folder"));
    connect(browse, &QPushButton::clicked, this, &ConfigurePage::chooseOutputDir);
    out_row->addWidget(output_, 1);
    out_row->addWidget(browse);
    dl->addWidget(new QLabel(tr("Output folder:"), box));
    dl->addLayout(out_row);
    output_error_ = addFieldError(box, dl, "outputError");
    auto* eval_row = new QHBoxLayout();
    eval_text_ = new QLineEdit(box);
    eval_text_->setObjectName("evalText");
    eval_text_->setPlaceholderText(tr("optional: a text file to measure perplexity on, before and after"));
    eval_text_->setToolTip(tr("The evaluation text: perplexity of the original and of every export on it, written into the model card"));
    auto* eval_browse = new QPushButton(tr("Browse…"), box);
    eval_browse->setObjectName("browseEvalText");
    eval_browse->setToolTip(tr("Choose the evaluation text"));
    connect(eval_browse, &QPushButton::clicked, this, &ConfigurePage::chooseEvalText);
    eval_row->addWidget(eval_text_, 1);
    eval_row->addWidget(eval_browse);
    dl->addWidget(new QLabel(tr("Evaluation text (optional):"), box));
    dl->addLayout(eval_row);
    eval_error_ = addFieldError(box, dl, "evalTextError");
}

// The Per-layer overrides and AutoScheme tabs; AutoScheme's chosen mix fills the overrides.
void ConfigurePage::addLayerTabs() {
    overrides_ = new LayerOverridesEditor(tabs_);
    tabs_->addTab(scrollable(overrides_, "overridesScroll"), tr("Per-layer overrides"));
    tabs_->setTabToolTip(1, tr("Other schemes for some layers: the run's layer_config"));
    autoscheme_ = new AutoSchemePanel(tabs_);
    autoscheme_->setInputs([this] { return model_; }, [this] { return calibrationFiles(); });
    tabs_->addTab(scrollable(autoscheme_, "autoschemeScroll"), tr("AutoScheme"));
    tabs_->setTabToolTip(2, tr("Score each layer's sensitivity and choose mixed bits for a target average"));
    connect(autoscheme_, &AutoSchemePanel::mixChosen, overrides_, &LayerOverridesEditor::setRows);
}

// Below the tabs: the estimate and the reason Start is disabled (right-aligned, next to it), and
// Start, the page's primary button, with its shortcut under it.
void ConfigurePage::buildFooter(QVBoxLayout* layout) {
    auto* footer = new QHBoxLayout();
    auto* info = new QVBoxLayout();
    estimate_ = new QLabel(tr("Estimate: open a model first."), this);
    estimate_->setObjectName("estimate");
    estimate_->setWordWrap(true);
    estimate_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    estimate_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    estimate_->setToolTip(tr("Pre-flight estimate from the settings alone: the peak memory the run needs (on top of what the app itself holds), "
                             "the tuning time at the rate a tuning step measured on this machine runs, and the size of every export"));
    error_ = new QLabel(this);
    error_->setObjectName("configureError");
    error_->setStyleSheet(errorTextStyle());
    error_->setWordWrap(true);
    error_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    error_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    info->addWidget(estimate_);
    info->addWidget(error_);
    footer->addLayout(info, 1);
    start_ = new QPushButton(tr("Start quantization"), this);
    start_->setObjectName("startButton");
    const QKeySequence shortcut(Qt::CTRL | Qt::Key_R);
    start_->setShortcut(shortcut);
    start_->setDefault(true);
    start_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    QFont font = start_->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.15);
    start_->setFont(font);
    start_->setMinimumSize(std::max(200, start_->sizeHint().width() + 24), std::max(40, start_->sizeHint().height() + 14));
    auto* key = new QLabel(shortcut.toString(QKeySequence::NativeText), this);
    key->setObjectName("startShortcut");
    key->setAlignment(Qt::AlignHCenter);
    key->setToolTip(tr("Keyboard shortcut of Start"));
    auto* start_column = new QVBoxLayout();
    start_column->addWidget(start_);
    start_column->addWidget(key);
    footer->addLayout(start_column);
    layout->addLayout(footer);
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
    for (auto* c : {group_, recipe_, gguf_type_, device_}) connect(c, &QComboBox::currentTextChanged, this, &ConfigurePage::scheduleEstimate);
    for (auto* c : {sym_, fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_, fmt_gguf_}) connect(c, &QCheckBox::toggled, this, &ConfigurePage::scheduleEstimate);
    connect(eval_text_, &QLineEdit::textChanged, this, &ConfigurePage::scheduleEstimate);
    connect(overrides_, &LayerOverridesEditor::changed, this, &ConfigurePage::scheduleEstimate);
}

// The fields the pre-flight checks read re-check on every edit; the settings kept across
// restarts are saved on every edit.
void ConfigurePage::setUpValidation() {
    const auto recheck = [this] {
        validate();
        persistState();
    };
    auto* list = datasets_->model();
    connect(list, &QAbstractItemModel::rowsInserted, this, recheck);
    connect(list, &QAbstractItemModel::rowsRemoved, this, recheck);
    connect(list, &QAbstractItemModel::modelReset, this, recheck);
    for (auto* e : {output_, eval_text_}) connect(e, &QLineEdit::textChanged, this, recheck);
    for (auto* c : {fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_, fmt_gguf_, sym_}) connect(c, &QCheckBox::toggled, this, recheck);
    for (auto* s : {bits_, iters_, nsamples_, seqlen_}) connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &ConfigurePage::persistState);
    for (auto* c : {preset_, group_, recipe_, gguf_type_}) connect(c, &QComboBox::currentTextChanged, this, &ConfigurePage::persistState);
    connect(bits_, qOverload<int>(&QSpinBox::valueChanged), this, &ConfigurePage::markCustomIfEdited);
    for (auto* c : {group_, gguf_type_}) connect(c, &QComboBox::currentTextChanged, this, &ConfigurePage::markCustomIfEdited);
    connect(sym_, &QCheckBox::toggled, this, &ConfigurePage::markCustomIfEdited);
}

void ConfigurePage::restoreState() {
    QSettings s;
    restoring_ = true;
    auto pick = [&s](QComboBox* combo, const char* k) {
        const int i = s.contains(k) ? combo->findData(s.value(k)) : -1;
        if (i >= 0) combo->setCurrentIndex(i);
    };
    auto number = [&s](QSpinBox* box, const char* k) {
        if (s.contains(k)) box->setValue(s.value(k).toInt());
    };
    pick(preset_, key::kPreset);  // first: a preset sets bits, group size and formats
    number(bits_, key::kBits);
    if (s.contains(key::kGroup)) group_->setCurrentText(s.value(key::kGroup).toString());
    if (s.contains(key::kSym)) sym_->setChecked(s.value(key::kSym).toBool());
    if (s.contains(key::kRecipe)) recipe_->setCurrentText(s.value(key::kRecipe).toString());  // before the counts it sets
    number(iters_, key::kIters);
    number(nsamples_, key::kNsamples);
    number(seqlen_, key::kSeqlen);
    pick(gguf_type_, key::kGgufType);
    if (s.contains(key::kFormats)) {
        const QStringList formats = s.value(key::kFormats).toStringList();
        for (auto* c : {fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_, fmt_gguf_}) c->setChecked(formats.contains(c->objectName()));
    }
    if (s.contains(key::kCalibration)) setCalibrationFiles(s.value(key::kCalibration).toStringList());
    if (s.contains(key::kOutput)) output_->setText(s.value(key::kOutput).toString());
    restoring_ = false;
}

void ConfigurePage::saveState() const {
    QSettings s;
    s.setValue(key::kPreset, presetKey());
    s.setValue(key::kBits, bits_->value());
    s.setValue(key::kGroup, group_->currentText());
    s.setValue(key::kSym, sym_->isChecked());
    s.setValue(key::kRecipe, recipe_->currentText());
    s.setValue(key::kIters, iters_->value());
    s.setValue(key::kNsamples, nsamples_->value());
    s.setValue(key::kSeqlen, seqlen_->value());
    s.setValue(key::kGgufType, ggufTypeKey());
    QStringList formats;
    for (auto* c : {fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_, fmt_gguf_})
        if (c->isChecked()) formats << c->objectName();
    s.setValue(key::kFormats, formats);
    s.setValue(key::kCalibration, calibrationFiles());
    s.setValue(key::kOutput, output_->text().trimmed());
}

// Saved at once (not batched): a page built right after sees every change.
void ConfigurePage::persistState() {
    if (!restoring_) saveState();
}

QString ConfigurePage::presetKey() const { return preset_->currentData().toString(); }
QString ConfigurePage::ggufTypeKey() const { return gguf_type_->currentData().toString(); }

void ConfigurePage::addCalibrationFiles() {
    QString fallback = model_.isEmpty() ? QString() : existingFolderOf(model_);
    if (datasets_->count() > 0) fallback = existingFolderOf(calibrationFiles().constLast());
    const QString start = lastDialogFolder(kCalibrationDialog, fallback);
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Calibration text"), start, tr("Text (*.txt *.jsonl *.json)"));
    if (files.isEmpty()) return;
    rememberDialogFolder(kCalibrationDialog, files.constLast());
    for (const auto& f : files) addCalibrationEntry(f);
    scheduleEstimate();
}

// An entry shows its path (shortened in the middle when long) with all of it in the tooltip.
void ConfigurePage::addCalibrationEntry(const QString& entry) {
    auto* item = new QListWidgetItem(QDir::toNativeSeparators(entry));
    item->setData(Qt::UserRole, entry);
    item->setToolTip(QDir::toNativeSeparators(entry));
    datasets_->addItem(item);
}

void ConfigurePage::removeCalibrationFile() {
    delete datasets_->currentItem();
    scheduleEstimate();
}

void ConfigurePage::chooseOutputDir() {
    // The folder in the field when it (or a parent) exists, else the one chosen last time.
    QString start = existingFolderOf(output_->text());
    const QString last = lastDialogFolder(kOutputDialog);
    if (!last.isEmpty() && (start.isEmpty() || !QFileInfo(output_->text().trimmed()).isDir())) start = last;
    const QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"), start);
    if (d.isEmpty()) return;
    rememberDialogFolder(kOutputDialog, d);
    output_->setText(d);
}

void ConfigurePage::chooseEvalText() {
    QString fallback = existingFolderOf(eval_text_->text());
    if (fallback.isEmpty()) fallback = lastDialogFolder(kCalibrationDialog);
    const QString start = lastDialogFolder(kEvalDialog, fallback);
    const QString f = QFileDialog::getOpenFileName(this, tr("Evaluation text"), start, tr("Text (*.txt *.jsonl *.json);;All files (*)"));
    if (f.isEmpty()) return;
    rememberDialogFolder(kEvalDialog, f);
    eval_text_->setText(f);
}

ConfigurePage::~ConfigurePage() {
    estimate_watcher_->waitForFinished();
    saveState();
    // The list empties itself while the children go: nothing to check by then.
    disconnect(datasets_->model(), nullptr, this, nullptr);
}

void ConfigurePage::setModel(const QString& folder) {
    model_ = folder;
    model_label_->setText(tr("Model: %1").arg(folder));
    model_label_->setToolTip(folder);
    if (output_->text().isEmpty()) output_->setText(default_output_.isEmpty() ? AppSettings::load().output_dir : default_output_);
    estimate_->setText(tr("Estimate: computing…"));
    validate();
    scheduleEstimate();
}

void ConfigurePage::setMaxSeqlen(int max_positions) {
    if (max_positions > 1 && seqlen_->value() > max_positions) seqlen_->setValue(max_positions);
}

void ConfigurePage::setCalibrationFiles(const QStringList& files) {
    datasets_->clear();
    for (const auto& f : files) addCalibrationEntry(f);
    validate();
    persistState();
    scheduleEstimate();
}

QStringList ConfigurePage::calibrationFiles() const {
    QStringList files;
    for (int i = 0; i < datasets_->count(); ++i) files << datasets_->item(i)->data(Qt::UserRole).toString();
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
    if (device_->findData(device) < 0) device_->addItem(device, device);  // a device this machine does not offer now: the run says why
    device_->setCurrentIndex(device_->findData(device));
}

QStringList ConfigurePage::devices() const {
    QStringList list;
    for (int i = 0; i < device_->count(); ++i) list << device_->itemData(i).toString();
    return list;
}

void ConfigurePage::setDeviceChoices(const std::vector<device::ResolvedDevice>& choices) {
    const QString current = device_->currentData().toString();
    device_->clear();
    for (const auto& d : choices) {
        device_->addItem(QString::fromStdString(d.label), QString::fromStdString(d.name));
        device_->setItemData(device_->count() - 1, QVariant::fromValue<qulonglong>(d.memory_bytes), kDeviceMemoryRole);
    }
    if (!current.isEmpty()) {
        if (device_->findData(current) < 0) device_->addItem(current, current);
        device_->setCurrentIndex(device_->findData(current));
    }
}

void ConfigurePage::setAutoSchemeRunner(AutoSchemeRunner runner) { autoscheme_->setRunner(std::move(runner)); }

void ConfigurePage::setTuningRateProvider(TuningRateFn rate) {
    rate_ = std::move(rate);
    scheduleEstimate();
}

void ConfigurePage::showTab(int index) { tabs_->setCurrentIndex(index); }

QString ConfigurePage::estimateText() const { return estimate_->text(); }

// Files can come and go while the page is hidden: checked again when it is shown.
void ConfigurePage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    validate();
}

// The error colour follows a theme switched live.
void ConfigurePage::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() != QEvent::PaletteChange || !error_) return;
    for (auto* l : {error_, model_error_, calibration_error_, formats_error_, output_error_, eval_error_}) l->setStyleSheet(errorTextStyle());
}

void ConfigurePage::applyPreset(const QString& name) {
    applying_preset_ = true;
    if (auto mix = ggufMixOfPreset(name)) {
        applyGgufMix(*mix);
    } else if (const SchemePreset* p = schemePreset(name)) {
        bits_->setValue(p->bits);
        group_->setCurrentText(QString::number(p->group_size));
        sym_->setChecked(true);
        // From a GGUF mix back to a scheme preset: the packed format again.
        const bool packed = fmt_auto_round_->isChecked() || fmt_gptq_->isChecked() || fmt_awq_->isChecked() || fmt_fake_->isChecked();
        if (!packed && fmt_gguf_->isChecked()) {
            fmt_gguf_->setChecked(false);
            fmt_auto_round_->setChecked(true);
        }
    }
    applying_preset_ = false;
}

void ConfigurePage::tuneForFormat(const QString& format) {
    const int preset = preset_->findData(format);
    if (preset >= 0) {
        preset_->setCurrentIndex(preset);
        applyPreset(format);  // also when it was already the current preset
    } else if (auto type = ggufMixOfPreset(format)) {
        // A single GGUF type (gguf:q8_0 …): its format, and the scheme of that type.
        applying_preset_ = true;
        applyGgufMix(*type);
        applying_preset_ = false;
        markCustomIfEdited();
    }
    persistState();
    validate();
}

// The preset names what bits, group size and symmetry say: once they say something else (edited
// by hand, or restored so), the preset reads "custom", and choosing a preset applies it again.
void ConfigurePage::markCustomIfEdited() {
    if (applying_preset_ || presetKey() == "custom") return;
    bool matches = false;
    if (auto mix = ggufMixOfPreset(presetKey())) {
        auto s = exporter::schemeForGgmlType(mix->base);
        matches = ggufTypeKey() == QString::fromStdString(mix->name) &&
                  (!s || (bits_->value() == s->bits && group_->currentText().toInt() == s->group_size && sym_->isChecked() == s->sym));
    } else if (const SchemePreset* p = schemePreset(presetKey())) {
        matches = bits_->value() == p->bits && group_->currentText().toInt() == p->group_size && sym_->isChecked();
    }
    if (matches) return;
    {
        QSignalBlocker block(preset_);
        preset_->setCurrentIndex(preset_->findData("custom"));
    }
    persistState();
}

// A llama.cpp mix: the GGUF format of that type alone, and the default scheme of its body type.
void ConfigurePage::applyGgufMix(const exporter::GgufFileType& mix) {
    for (auto* c : {fmt_auto_round_, fmt_gptq_, fmt_awq_, fmt_fake_}) c->setChecked(false);
    gguf_type_->setCurrentIndex(std::max(0, gguf_type_->findData(QString::fromStdString(mix.name))));
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
    c.scheme = presetKey().toStdString();
    c.recipe = recipe_->currentText().toStdString();
    c.iters = iters_->value();
    c.nsamples = nsamples_->value();
    c.seqlen = seqlen_->value();
    c.batch_size = batch_->value();
    if (lr_->value() > 0) c.lr = lr_->value();
    if (minmax_lr_->value() > 0) c.minmax_lr = minmax_lr_->value();
    c.device = device_->currentData().toString().toStdString();
    for (const auto& f : calibrationFiles()) c.datasets.push_back(f.toStdString());
    c.formats.clear();
    if (fmt_auto_round_->isChecked()) c.formats.push_back("auto_round");
    if (fmt_gptq_->isChecked()) c.formats.push_back("auto_gptq");
    if (fmt_awq_->isChecked()) c.formats.push_back("auto_awq");
    if (fmt_fake_->isChecked()) c.formats.push_back("fake");
    if (fmt_gguf_->isChecked()) c.formats.push_back("gguf:" + ggufTypeKey().toStdString());
    c.layer_config = layerConfigFromOverrides(overrides_->rows());
    c.output_dir = output_->text().trimmed().toStdString();
    c.eval_text = eval_text_->text().trimmed().toStdString();
    c.eval_window = std::min(c.effectiveSeqlen(), 2048);
    return c;
}

QString ConfigurePage::shortPath(const QString& path) const {
    return fontMetrics().elidedText(QDir::toNativeSeparators(path), Qt::ElideMiddle, 360);
}

QString ConfigurePage::FieldProblems::first() const {
    for (const FieldProblem* p : {&model, &calibration, &formats, &output, &eval_text})
        if (!p->text.isEmpty()) return p->text;
    return {};
}

// The pre-flight checks, in the words of the page (no command-line flags).
ConfigurePage::FieldProblems ConfigurePage::checkFields() const {
    FieldProblems f;
    if (model_.isEmpty()) f.model.text = tr("Open a model on the Model page first.");
    else if (!QFileInfo::exists(model_))
        f.model = {tr("The model %1 is no longer there: open it again on the Model page.").arg(shortPath(model_)), model_};
    const FileCheck cal = checkCalibration(calibrationFiles());
    switch (cal.problem) {
    case FileProblem::None: break;
    case FileProblem::Empty: f.calibration.text = tr("Add at least one calibration file."); break;
    case FileProblem::Missing: f.calibration = {tr("Calibration file not found: %1").arg(shortPath(cal.path)), cal.path}; break;
    case FileProblem::NotAFile: f.calibration = {tr("%1 is a folder: add calibration text files instead.").arg(shortPath(cal.path)), cal.path}; break;
    case FileProblem::Unreadable: f.calibration = {tr("Cannot read the calibration file %1: check its permissions or add another.").arg(shortPath(cal.path)), cal.path}; break;
    }
    if (!fmt_auto_round_->isChecked() && !fmt_gptq_->isChecked() && !fmt_awq_->isChecked() && !fmt_fake_->isChecked() && !fmt_gguf_->isChecked())
        f.formats.text = tr("Choose at least one export format.");
    const OutputCheck out = checkOutputFolder(output_->text());
    switch (out.problem) {
    case OutputProblem::None: break;
    case OutputProblem::Empty: f.output.text = tr("Choose an output folder you can write to."); break;
    case OutputProblem::IsAFile: f.output = {tr("%1 is a file: choose an output folder you can write to.").arg(shortPath(out.path)), out.path}; break;
    case OutputProblem::UnderAFile:
        f.output = {tr("The output folder cannot be made inside %1, a file: choose an output folder you can write to.").arg(shortPath(out.path)), out.path};
        break;
    case OutputProblem::NotWritable: f.output = {tr("%1 cannot be written to: choose an output folder you can write to.").arg(shortPath(out.path)), out.path}; break;
    }
    const QString eval = eval_text_->text().trimmed();
    const FileCheck ev = eval.isEmpty() ? FileCheck{} : checkReadableFile(eval);
    switch (ev.problem) {
    case FileProblem::None:
    case FileProblem::Empty: break;
    case FileProblem::Missing: f.eval_text = {tr("Evaluation text not found: %1").arg(shortPath(ev.path)), ev.path}; break;
    case FileProblem::NotAFile: f.eval_text = {tr("%1 is a folder: choose an evaluation text file, or leave the field empty.").arg(shortPath(ev.path)), ev.path}; break;
    case FileProblem::Unreadable:
        f.eval_text = {tr("Cannot read the evaluation text %1: choose another file, or leave the field empty.").arg(shortPath(ev.path)), ev.path};
        break;
    }
    return f;
}

bool ConfigurePage::validate() {
    const FieldProblems f = checkFields();
    auto show = [](QLabel* label, const FieldProblem& p) {
        label->setText(p.text);
        label->setToolTip(p.path.isEmpty() ? QString() : QDir::toNativeSeparators(p.path));
        label->setVisible(!p.text.isEmpty());
    };
    show(model_error_, f.model);
    show(calibration_error_, f.calibration);
    show(formats_error_, f.formats);
    show(output_error_, f.output);
    show(eval_error_, f.eval_text);
    blocked_reason_ = f.first();
    start_->setEnabled(blocked_reason_.isEmpty());
    start_->setToolTip(blocked_reason_.isEmpty() ? tr("Run SignRound on the model with these settings (Ctrl+R)") : blocked_reason_);
    error_->setText(blocked_reason_);
    return blocked_reason_.isEmpty();
}

bool ConfigurePage::buildConfig(job::JobConfig* c, QString* error) const {
    const QString problem = checkFields().first();
    if (!problem.isEmpty()) return *error = problem, false;
    job::JobConfig built = currentConfig();
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

// Start (or Ctrl+R, or a caller such as --autostart): checked again first, since files may have
// changed since the last edit; a refusal says why beside Start.
void ConfigurePage::requestStart() {
    if (!validate()) return;
    job::JobConfig c;
    QString error;
    if (!buildConfig(&c, &error)) {
        error_->setText(error);
        return;
    }
    error_->clear();
    saveState();
    emit startRequested(c);
}

void ConfigurePage::scheduleEstimate() { estimate_timer_->start(); }

// The estimate depends on the settings alone: the memory figure is what the run needs, not the
// resident size of the app at this moment (which grows once LibTorch has measured the tuning
// rate, and with every run), and the tuning rate is measured once per model and batch shape.
void ConfigurePage::runEstimate() {
    if (model_.isEmpty()) return;
    if (estimate_watcher_->isRunning()) {
        estimate_pending_ = true;
        return;
    }
    const job::JobConfig config = currentConfig();
    const int generation = ++estimate_generation_;
    const TuningRateFn rate = rate_;
    const std::uint64_t gpu_memory = device_->currentData(kDeviceMemoryRole).toULongLong();  // 0: the CPU
    estimate_watcher_->setFuture(QtConcurrent::run([config, generation, rate, gpu_memory]() {
        EstimateOutcome out;
        out.generation = generation;
        out.config_key = job::jobConfigToJson(config).dump();
        auto source = io::openWeightSource(config.model);
        if (!source) {
            out.error = source.error().message;
            return out;
        }
        device::MachineRates rates;  // base_rss_bytes stays 0: peak_rss_bytes is the run's own need
        if (rate) rates.tuning_gflops = rate(config);
        rates.gpu_memory_bytes = gpu_memory;
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
        for (const auto& f : e.plan.exports) outputs << QString("%1 %2").arg(formatLabel(f.format), QString::fromStdString(units::formatBytes(f.bytes)));
        const QString time = e.seconds >= 0 ? QString::fromStdString(units::formatDuration(static_cast<std::int64_t>(e.seconds * 1000)))
                                            : tr("not measured");
        text = tr("Estimate: peak memory %1 · tuning time %2 · %3 · %4 of %5 layers quantized")
                   .arg(QString::fromStdString(units::formatBytes(e.job_memory_bytes)), time, outputs.join(", "))
                   .arg(e.plan.layers_quantized)
                   .arg(e.plan.layers.size());
        if (e.gpu_peak_bytes > 0)
            text += e.fits_gpu ? tr(" · GPU memory %1").arg(QString::fromStdString(units::formatBytes(e.gpu_peak_bytes)))
                               : tr(" · does not fit the GPU: %1").arg(QString::fromStdString(device::gpuMemoryProblem(e, device_->currentData(kDeviceMemoryRole).toULongLong())));
    }
    estimate_->setText(text);
    emit estimateUpdated(text);
}

}  // namespace srs::ui
