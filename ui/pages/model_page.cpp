#include "ui/pages/model_page.h"
#include "ui/theme.h"

#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QUrl>
#include <QtConcurrent>

#include <algorithm>

#include "core/common/log.h"
#include "core/common/units.h"
#include "ui/model_name.h"

namespace srs::ui {
namespace {
const char* kRecentKey = "models/recent";
const int kMaxRecent = 10;

struct Field {
    const char* object_name;
    const char* label;
};
const Field kFields[] = {
    {"format", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Format")},
    {"architecture", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Architecture")},
    {"layers", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Layers")},
    {"hidden", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Hidden size")},
    {"intermediate", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Intermediate size")},
    {"heads", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Attention heads")},
    {"vocab", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Vocabulary")},
    {"tokenizer", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Tokenizer")},
    {"params", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Parameters")},
    {"dtypes", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Stored types")},
    {"linear", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Linear weights")},
    {"size", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Size on disk")},
    {"quantizable", QT_TRANSLATE_NOOP("srs::ui::ModelPage", "Quantizable")},
};
const char* kGgufSuffix = ".gguf";

bool isGgufFile(const QFileInfo& info) { return info.isFile() && info.fileName().endsWith(kGgufSuffix, Qt::CaseInsensitive); }
}  // namespace

ModelPage::ModelPage(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout();
    open_button_ = new QPushButton(tr("Open model folder…"), this);
    open_button_->setObjectName("openModelButton");
    open_button_->setShortcut(QKeySequence::Open);
    open_button_->setToolTip(tr("Open a model folder: a Hugging Face model (config.json + *.safetensors) or a folder holding "
                                "one .gguf file (Ctrl+O)"));
    connect(open_button_, &QPushButton::clicked, this, &ModelPage::chooseFolder);
    open_gguf_button_ = new QPushButton(tr("Open GGUF file…"), this);
    open_gguf_button_->setObjectName("openGgufButton");
    open_gguf_button_->setToolTip(tr("Open a single .gguf model file (llama.cpp's format; F32, F16, BF16 or already "
                                     "quantized) (Ctrl+Shift+O)"));
    connect(open_gguf_button_, &QPushButton::clicked, this, &ModelPage::chooseGgufFile);
    recent_ = new QComboBox(this);
    recent_->setObjectName("recentModels");
    recent_->setToolTip(tr("Models opened before"));
    recent_->setMinimumContentsLength(40);
    connect(recent_, QOverload<int>::of(&QComboBox::activated), this, [this](int index) {
        QString path = recent_->itemData(index).toString();
        if (!path.isEmpty()) openModel(path);
    });
    top->addWidget(open_button_);
    top->addWidget(open_gguf_button_);
    top->addWidget(new QLabel(tr("Recent:"), this));
    top->addWidget(recent_, 1);
    layout->addLayout(top);

    // The open model's name: the repository id for a Hub download, else the folder or file name.
    header_ = new QLabel(this);
    header_->setObjectName("modelHeader");
    QFont header_font = header_->font();
    header_font.setBold(true);
    if (header_font.pointSizeF() > 0) header_font.setPointSizeF(header_font.pointSizeF() * 1.3);
    header_->setFont(header_font);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    setMessageLabel(header_);
    header_->setVisible(false);
    layout->addWidget(header_);

    status_ = new QLabel(tr("No model open. Open a local model folder or a .gguf file to begin, or drop one here."), this);
    status_->setObjectName("modelStatus");
    setMessageLabel(status_);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);

    // Shown only for an already-quantized source (a Q4_K GGUF, say): re-quantizing it stacks a
    // second rounding error on the first.
    quantized_warning_ = new QLabel(this);
    quantized_warning_->setObjectName("quantizedSourceWarning");
    setMessageLabel(quantized_warning_);
    quantized_warning_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    quantized_warning_->setVisible(false);
    layout->addWidget(quantized_warning_);

    auto* body = new QHBoxLayout();
    auto* summary_box = new QGroupBox(tr("Summary"), this);
    form_ = new QFormLayout(summary_box);
    for (const auto& f : kFields) {
        auto* value = new QLabel(QStringLiteral("—"), summary_box);
        value->setObjectName(QString("summary_") + f.object_name);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        form_->addRow(tr(f.label) + ":", value);
    }
    body->addWidget(summary_box, 2);

    auto* layers_box = new QGroupBox(tr("Linear layers to quantize"), this);
    auto* lb = new QVBoxLayout(layers_box);
    layers_ = new QTableWidget(0, 3, layers_box);
    layers_->setObjectName("layersTable");
    layers_->setHorizontalHeaderLabels({tr("Layer"), tr("Shape (out × in)"), tr("Note")});
    layers_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    layers_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    layers_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    layers_->setWordWrap(false);
    layers_->verticalHeader()->setVisible(false);
    layers_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layers_->setSelectionBehavior(QAbstractItemView::SelectRows);
    lb->addWidget(layers_);
    body->addWidget(layers_box, 3);
    layout->addLayout(body, 1);

    connect(&watcher_, &QFutureWatcher<srs::Result<srs::io::ModelSummary>>::finished, this, [this] {
        auto result = watcher_.result();
        if (result.ok()) {
            showSummary(result.value());
        } else {
            showError(pending_, result.error());
        }
    });
    setAcceptDrops(true);
    refreshRecent();
}

void ModelPage::chooseFolder() {
    QSettings settings;
    QString start = settings.value("models/lastDir", QDir::homePath()).toString();
    QString dir = QFileDialog::getExistingDirectory(this, tr("Open model folder"), start);
    if (dir.isEmpty()) return;
    settings.setValue("models/lastDir", QFileInfo(dir).absolutePath());
    openModel(dir);
}

void ModelPage::chooseGgufFile() {
    QSettings settings;
    QString start = settings.value("models/lastDir", QDir::homePath()).toString();
    QString file = QFileDialog::getOpenFileName(this, tr("Open GGUF file"), start, tr("GGUF models (*.gguf)"));
    if (file.isEmpty()) return;
    settings.setValue("models/lastDir", QFileInfo(file).absolutePath());
    openModel(file);
}

QString ModelPage::modelPathFromDrop(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1) return {};
    const QUrl url = mime->urls().first();
    if (!url.isLocalFile()) return {};
    const QFileInfo info(url.toLocalFile());
    if (info.isDir() || isGgufFile(info)) return QDir::cleanPath(info.absoluteFilePath());
    return {};
}

void ModelPage::dragEnterEvent(QDragEnterEvent* event) {
    if (!modelPathFromDrop(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void ModelPage::dropEvent(QDropEvent* event) {
    const QString path = modelPathFromDrop(event->mimeData());
    if (path.isEmpty()) return;
    event->acceptProposedAction();
    openModel(path);
}

void ModelPage::openModel(const QString& path) {
    if (watcher_.isRunning()) watcher_.waitForFinished();
    pending_ = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    status_->setText(tr("Reading %1 …").arg(pending_));
    status_->setStyleSheet({});
    std::string p = pending_.toStdString();
    watcher_.setFuture(QtConcurrent::run([p] { return srs::io::inspectModel(p); }));
}

void ModelPage::showSummary(const srs::io::ModelSummary& s) {
    summary_ = s;
    has_model_ = true;
    const auto& c = s.config;
    auto set = [this](const char* name, const QString& text) {
        if (auto* l = findChild<QLabel*>(QString("summary_") + name)) l->setText(text);
    };
    if (s.format == srs::io::ModelFormat::Gguf) {
        const QString file = QFileInfo(QString::fromStdString(s.weights_file.empty() ? s.path : s.weights_file)).fileName();
        set("format", tr("GGUF (%1)").arg(file));
    } else {
        set("format", tr("safetensors (Hugging Face folder)"));
    }
    QString arch = QString::fromStdString(c.architectures.empty() ? c.model_type : c.architectures.front());
    set("architecture", tr("%1 (model_type %2)").arg(arch, QString::fromStdString(c.model_type)));
    set("layers", QString::number(c.num_hidden_layers));
    set("hidden", QString::number(c.hidden_size));
    set("intermediate", QString::number(c.intermediate_size));
    set("heads", tr("%1 / %2 KV heads, head_dim %3").arg(c.num_attention_heads).arg(c.num_key_value_heads).arg(c.head_dim));
    set("vocab", QString::number(c.vocab_size));
    const QString tokenizer = s.tokenizer.empty() ? tr("none found") : QString::fromStdString(s.tokenizer);
    set("tokenizer", tr("%1; %2").arg(tokenizer, s.has_chat_template ? tr("chat template") : tr("no chat template")));
    set("params", QStringLiteral("%1 (%2)").arg(QString::fromStdString(units::formatCount(s.param_count)),
                                                QString::fromStdString(units::formatParams(s.param_count))));
    // Most parameters first.
    std::vector<std::pair<std::string, std::uint64_t>> by_type(s.params_by_dtype.begin(), s.params_by_dtype.end());
    std::stable_sort(by_type.begin(), by_type.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    QStringList dtypes;
    for (const auto& [d, n] : by_type) dtypes << QStringLiteral("%1: %2").arg(QString::fromStdString(d), QString::fromStdString(units::formatCount(n)));
    set("dtypes", dtypes.join("\n"));
    set("linear", s.linear_bits_per_weight > 0 ? tr("%1, %2 bits per weight")
                                                     .arg(QString::fromStdString(s.linear_storage))
                                                     .arg(s.linear_bits_per_weight, 0, 'g', 3)
                                               : QStringLiteral("—"));
    const QString size = QString::fromStdString(units::formatBytes(s.weights_size_bytes));
    set("size", s.format == srs::io::ModelFormat::Gguf ? tr("%1 (one GGUF file)").arg(size)
                                                       : tr("%1 in %n safetensors file(s)", nullptr, s.shard_count).arg(size));
    set("quantizable", tr("%1 linear layers, %2 parameters").arg(s.quantizable.size()).arg(QString::fromStdString(units::formatCount(s.quantizable_params))));

    layers_->setRowCount(static_cast<int>(s.quantizable.size()));
    layers_->setToolTip(tr("Layers marked 'ragged group' have a dimension that is not a multiple of 32: they are tuned with a "
                           "shorter last group, and the packed auto_round / GPTQ / AWQ exports keep them in full precision."));
    for (int r = 0; r < static_cast<int>(s.quantizable.size()); ++r) {
        const auto& l = s.quantizable[r];
        layers_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(l.name)));
        layers_->setItem(r, 1, new QTableWidgetItem(QStringLiteral("%1 × %2").arg(l.out_features).arg(l.in_features)));
        layers_->setItem(r, 2, new QTableWidgetItem(l.packable ? QString() : tr("ragged group; full precision in packed exports")));
    }
    const QString path = QString::fromStdString(s.path);
    const QString repo = hubRepoOf(path);
    header_->setText(modelDisplayName(path));
    header_->setToolTip(path);
    header_->setVisible(true);
    QString text = repo.isEmpty() ? tr("Opened %1").arg(path) : tr("Opened %1 from the Hub cache: %2").arg(modelDisplayName(path), path);
    QStringList warnings;
    for (const auto& w : s.warnings) warnings << tr("Warning: %1").arg(QString::fromStdString(w));
    if (s.quantized_source()) {
        // The warnings go into the amber box: one of them explains what re-quantizing costs.
        quantized_warning_->setText(warnings.isEmpty() ? tr("This model is already quantized: its linear layers are stored as %1 "
                                                            "(%2 bits per weight).")
                                                             .arg(QString::fromStdString(s.linear_storage))
                                                             .arg(s.linear_bits_per_weight, 0, 'g', 3)
                                                       : warnings.join("\n"));
        quantized_warning_->setStyleSheet(warningTextStyle() + QStringLiteral(" border: 1px solid; border-radius: 4px; padding: 6px;"));
        quantized_warning_->setVisible(true);
        status_->setText(text);
        status_->setStyleSheet({});
    } else {
        quantized_warning_->clear();
        quantized_warning_->setVisible(false);
        if (!warnings.isEmpty()) text += "\n" + warnings.join("\n");
        status_->setText(text);
        status_->setStyleSheet(warnings.isEmpty() ? QString() : warningTextStyle());
    }
    rememberRecent(QString::fromStdString(s.path));
    srs::log::info(tr("Opened model %1").arg(path).toStdString());
    emit modelOpened(QString::fromStdString(s.path));
}

void ModelPage::showError(const QString& path, const srs::Error& e) {
    QString text = tr("Could not open %1:\n%2").arg(path, QString::fromStdString(e.message));
    if (!e.hint.empty()) text += "\n" + tr("What to do: %1").arg(QString::fromStdString(e.hint));
    if (has_model_) {
        // The model open before stays open, here and on every other page.
        const QString open = QString::fromStdString(summary_.path);
        text += "\n" + (hubRepoOf(open).isEmpty() ? tr("Still open: %1").arg(open)
                                                   : tr("Still open: %1 (%2)").arg(modelDisplayName(open), open));
    } else {
        header_->clear();
        header_->setVisible(false);
        quantized_warning_->clear();
        quantized_warning_->setVisible(false);
        for (auto* l : findChildren<QLabel*>(QRegularExpression("^summary_"))) l->setText(QStringLiteral("—"));
        layers_->setRowCount(0);
    }
    status_->setText(text);
    status_->setStyleSheet(errorTextStyle());
    srs::log::error(e.toString());
    emit modelFailed(path, QString::fromStdString(e.message));
}

void ModelPage::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    settings.setValue(kRecentKey, recent);
    refreshRecent();
}

void ModelPage::refreshRecent() {
    QSettings settings;
    recent_->clear();
    const QStringList recent = settings.value(kRecentKey).toStringList();
    if (recent.isEmpty()) {
        recent_->addItem(tr("(none yet)"));
        recent_->setEnabled(false);
        return;
    }
    recent_->setEnabled(true);
    for (const auto& r : recent) {
        recent_->addItem(modelDisplayName(r) + "  —  " + r, r);
        recent_->setItemData(recent_->count() - 1, r, Qt::ToolTipRole);
    }
}

}  // namespace srs::ui
