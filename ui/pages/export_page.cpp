#include "ui/pages/export_page.h"
#include "ui/model_name.h"
#include "ui/theme.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDirIterator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/numeric_cast.h"
#include "core/common/units.h"
#include "core/export/gguf_plan.h"
#include "core/export/tensor_sources.h"
#include "core/job/convert.h"
#include "core/job/export_format.h"
#include "core/job/job_config.h"
#include "core/job/reexport_plan.h"
#include "core/job/run_state.h"
#include "ui/settings_dialog.h"

namespace srs::ui {
namespace {

QString bytes(quint64 b) { return QString::fromStdString(units::formatBytes(b)); }

// Empty when the run folder still holds this run's finished checkpoint; otherwise why not.
QString checkpointProblem(const RunRecord& r) {
    if (r.run_dir.isEmpty()) return QObject::tr("the run's checkpoint folder is not known");
    auto st = job::readRunState(r.run_dir.toStdString());
    if (!st && st.error().code == ErrorCode::CorruptFile) return QObject::tr("%1/state.json is damaged").arg(r.run_dir);
    if (!st) return QObject::tr("its checkpoint is gone from %1").arg(r.run_dir);
    if (!st->finished) return QObject::tr("the checkpoint in %1 is of an unfinished run").arg(r.run_dir);
    auto cfg = job::jobConfigFromJson(nlohmann::json::parse(r.settings_json.toStdString(), nullptr, false));
    if (!cfg || !job::runStateMatches(*st, *cfg))
        return QObject::tr("a later run with other settings replaced the checkpoint in %1").arg(r.run_dir);
    return {};
}

// Where a conversion of `model` goes unless the user chooses: the Settings' default output
// folder, else a "converted" folder beside the model.
QString defaultConvertFolder(const QString& model) {
    const QString configured = AppSettings::load().output_dir.trimmed();
    if (!configured.isEmpty()) return configured;
    return QFileInfo(model).absolutePath() + "/converted";
}

}  // namespace

ExportPage::ExportPage(RunHistory history, ReexportRunner reexport, QWidget* parent) : QWidget(parent), history_(std::move(history)) {
    auto* layout = new QVBoxLayout(this);
    summary_ = new QLabel(tr("No finished run yet: its exports appear here."), this);
    summary_->setObjectName("exportSummary");
    summary_->setWordWrap(true);
    layout->addWidget(summary_);

    tree_ = new QTreeWidget(this);
    tree_->setObjectName("exportFiles");
    tree_->setColumnCount(3);
    tree_->setHeaderLabels({tr("Export / file"), tr("Size"), tr("Folder")});
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    tree_->setToolTip(tr("Each export is a folder ready to load or upload; double-click to open it"));
    layout->addWidget(tree_, 1);
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, &ExportPage::openSelectedFolder);

    auto* buttons = new QHBoxLayout();
    open_ = new QPushButton(tr("Open folder"), this);
    open_->setObjectName("openFolderButton");
    open_->setToolTip(tr("Show the selected export's folder in the file manager"));
    open_->setEnabled(false);
    connect(open_, &QPushButton::clicked, this, &ExportPage::openSelectedFolder);
    buttons->addWidget(open_);
    upload_ = new QPushButton(tr("Upload to Hub…"), this);
    upload_->setObjectName("uploadToHubButton");
    upload_->setToolTip(tr("Upload the selected export to a Hugging Face model repository, with its model card"));
    upload_->setEnabled(false);
    connect(upload_, &QPushButton::clicked, this, &ExportPage::requestUpload);
    buttons->addWidget(upload_);
    buttons->addStretch();
    layout->addLayout(buttons);

    auto* box = new QGroupBox(tr("Re-export in another format"), this);
    box->setObjectName("reexportBox");
    auto* form = new QFormLayout(box);
    format_ = new QComboBox(box);
    format_->setObjectName("reexportFormat");
    format_->setToolTip(tr("Packed formats keep the tuned scheme; GGUF mixes write each tensor in llama.cpp's type for that mix"));
    for (const char* f : {"auto_round", "auto_gptq", "auto_awq", "fake"}) format_->addItem(f, QString::fromLatin1(f));
    format_->insertSeparator(format_->count());
    for (const auto& g : exporter::ggufFileTypeNames()) {
        const QString name = QString::fromStdString(g);
        format_->addItem(QStringLiteral("GGUF %1").arg(name.toUpper()), "gguf:" + name);
    }
    output_ = new QLineEdit(box);
    output_->setObjectName("reexportOutput");
    output_->setToolTip(tr("The new export goes into a sub-folder named after the model, scheme and format"));
    auto* browse = new QPushButton(tr("Browse…"), box);
    connect(browse, &QPushButton::clicked, this, [this] {
        QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"), output_->text());
        if (!d.isEmpty()) output_->setText(d);
    });
    auto* out_row = new QHBoxLayout();
    out_row->addWidget(output_, 1);
    out_row->addWidget(browse);
    reexport_ = new QPushButton(tr("Re-export"), box);
    reexport_->setObjectName("reexportButton");
    reexport_->setToolTip(tr("Write the finished run in the chosen format from its checkpoint, without tuning again"));
    reexport_->setEnabled(false);
    status_ = new QLabel(box);
    status_->setObjectName("reexportStatus");
    status_->setWordWrap(true);
    status_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* action_row = new QHBoxLayout();
    action_row->addWidget(reexport_);
    action_row->addStretch(1);
    format_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* format_row = new QHBoxLayout();
    format_row->addWidget(format_);
    format_row->addStretch(1);
    form->addRow(tr("Format:"), format_row);
    sources_ = new QLabel(box);
    sources_->setObjectName("reexportSources");
    sources_->setWordWrap(true);
    sources_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    sources_->setToolTip(tr("A format whose types cannot store the run's tuned scheme is written by round-to-nearest from weights"));
    form->addRow(QString(), sources_);
    form->addRow(tr("Output folder:"), out_row);
    form->addRow(QString(), action_row);
    // Its own row: what was written and what came from the tuning can take a few lines.
    form->addRow(QString(), status_);
    layout->addWidget(box);
    connect(reexport_, &QPushButton::clicked, this, &ExportPage::startReexport);
    connect(format_, &QComboBox::currentIndexChanged, this, &ExportPage::updateReexportSources);

    if (reexport) {
        // Only startTask is used: no quantization runner.
        controller_ = new JobController(JobRunner(), this);
        connect(controller_, &JobController::finished, this, &ExportPage::onReexportFinished);
        connect(controller_, &JobController::phaseChanged, this, [this](const QString& phase, const QString& detail) {
            status_->setText(detail.isEmpty() ? phase : tr("%1 %2").arg(phase, detail));
        });
        reexport_runner_ = std::move(reexport);
    } else {
        box->hide();
    }
    buildConvertBox(layout);
}

// "Convert the open model (no quantization)": the model, the GGUF type, the output folder,
// Convert / Cancel, a status line and Open folder for what it wrote.
void ExportPage::buildConvertBox(QLayout* layout) {
    auto* box = new QGroupBox(tr("Convert the open model (no quantization)"), this);
    box->setObjectName("convertBox");
    box->setToolTip(tr("Write the model open on the Model page as a GGUF, as llama.cpp's converter does: no calibration, no tuning"));
    auto* form = new QFormLayout(box);
    convert_model_ = new QLabel(box);
    convert_model_->setObjectName("convertModel");
    convert_model_->setTextFormat(Qt::PlainText);
    convert_model_->setWordWrap(true);
    convert_model_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Model:"), convert_model_);

    convert_type_ = new QComboBox(box);
    convert_type_->setObjectName("convertType");
    convert_type_->setToolTip(tr("F16, BF16 and F32 keep the weights as floats; Q8_0 rounds them to 8 bits (round-to-nearest, no SignRound tuning)"));
    const struct {
        const char* format;
        QString label;
    } types[] = {{"gguf:f16", tr("GGUF F16")},
                 {"gguf:bf16", tr("GGUF BF16")},
                 {"gguf:f32", tr("GGUF F32")},
                 {"gguf:q8_0", tr("GGUF Q8_0 (round-to-nearest)")}};
    for (const auto& t : types) {
        // Only what core converts (the same check as signround convert).
        auto parsed = job::parseExportFormats({t.format});
        if (parsed && !parsed->empty() && job::checkConversionFormat(parsed->front())) convert_type_->addItem(t.label, QString::fromLatin1(t.format));
    }
    convert_type_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* type_row = new QHBoxLayout();
    type_row->addWidget(convert_type_);
    type_row->addStretch(1);
    form->addRow(tr("Type:"), type_row);

    convert_output_ = new QLineEdit(box);
    convert_output_->setObjectName("convertOutput");
    convert_output_->setToolTip(tr("The GGUF goes into a sub-folder named after the model and type, with a model card"));
    connect(convert_output_, &QLineEdit::textEdited, this, [this] { convert_output_edited_ = true; });
    convert_browse_ = new QPushButton(tr("Browse…"), box);
    convert_browse_->setObjectName("convertBrowse");
    connect(convert_browse_, &QPushButton::clicked, this, [this] {
        QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"), convert_output_->text());
        if (d.isEmpty()) return;
        convert_output_->setText(d);
        convert_output_edited_ = true;
    });
    auto* out_row = new QHBoxLayout();
    out_row->addWidget(convert_output_, 1);
    out_row->addWidget(convert_browse_);
    form->addRow(tr("Output folder:"), out_row);

    convert_ = new QPushButton(tr("Convert"), box);
    convert_->setObjectName("convertButton");
    convert_->setToolTip(tr("Write the open model in the chosen type, without quantizing it"));
    connect(convert_, &QPushButton::clicked, this, &ExportPage::startConvert);
    convert_cancel_ = new QPushButton(tr("Cancel"), box);
    convert_cancel_->setObjectName("convertCancel");
    convert_cancel_->setToolTip(tr("Stop the conversion; nothing half-written is left under the final name"));
    connect(convert_cancel_, &QPushButton::clicked, this, &ExportPage::cancelConvert);
    convert_open_ = new QPushButton(tr("Open folder"), box);
    convert_open_->setObjectName("convertOpenFolder");
    convert_open_->setToolTip(tr("Show the converted model's folder in the file manager"));
    connect(convert_open_, &QPushButton::clicked, this, [this] {
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(last_converted_dir_))) {
            convert_status_->setText(tr("Could not open %1: no file manager is registered.").arg(last_converted_dir_));
            convert_status_->setStyleSheet(errorTextStyle());
        }
    });
    convert_status_ = new QLabel(box);
    convert_status_->setObjectName("convertStatus");
    convert_status_->setWordWrap(true);
    convert_status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* action_row = new QHBoxLayout();
    action_row->addWidget(convert_);
    action_row->addWidget(convert_cancel_);
    action_row->addWidget(convert_status_, 1);
    action_row->addWidget(convert_open_);
    form->addRow(QString(), action_row);
    layout->addWidget(box);

    // Only startTask is used: no quantization runner.
    convert_controller_ = new JobController(JobRunner(), this);
    connect(convert_controller_, &JobController::finished, this, &ExportPage::onConvertFinished);
    connect(convert_controller_, &JobController::phaseChanged, this, [this](const QString& phase, const QString& detail) {
        convert_status_->setText(detail.isEmpty() ? phase : tr("%1 %2").arg(phase, detail));
    });
    setModel({});
}

void ExportPage::setModel(const QString& path) {
    model_ = path;
    if (model_.isEmpty()) {
        convert_model_->setText(tr("Open a model on the Model page first"));
        convert_model_->setToolTip({});
    } else {
        const QFileInfo fi(model_);
        convert_model_->setText(tr("%1 — %2").arg(modelDisplayName(fi.absoluteFilePath()), QDir::toNativeSeparators(fi.absoluteFilePath())));
        convert_model_->setToolTip(QDir::toNativeSeparators(fi.absoluteFilePath()));
        if (!convert_output_edited_ || convert_output_->text().trimmed().isEmpty()) convert_output_->setText(defaultConvertFolder(model_));
    }
    updateConvertControls();
}

void ExportPage::updateConvertControls() {
    const bool running = convert_controller_ && convert_controller_->running();
    const bool idle_with_model = !model_.isEmpty() && !running;
    convert_type_->setEnabled(idle_with_model);
    convert_output_->setEnabled(idle_with_model);
    convert_browse_->setEnabled(idle_with_model);
    convert_->setEnabled(idle_with_model && convert_type_->count() > 0);
    convert_cancel_->setEnabled(running);
    convert_open_->setEnabled(!last_converted_dir_.isEmpty() && QFileInfo(last_converted_dir_).isDir());
}

void ExportPage::startConvert() {
    if (model_.isEmpty() || !convert_controller_ || convert_controller_->running()) return;
    auto fail = [this](const QString& why) {
        convert_status_->setText(why);
        convert_status_->setStyleSheet(errorTextStyle());
    };
    const QString format = convert_type_->currentData().toString();
    const QString out = convert_output_->text().trimmed();
    if (format.isEmpty()) return fail(tr("Choose a format."));
    if (out.isEmpty()) return fail(tr("Choose an output folder."));
    job::JobConfig config;
    config.model = model_.toStdString();
    config.formats = {format.toStdString()};
    config.output_dir = out.toStdString();
    convert_status_->setStyleSheet({});
    convert_status_->setText(tr("Converting %1 to %2…").arg(modelDisplayName(model_), convert_type_->currentText()));
    convert_controller_->startTask([config](job::JobObserver& obs, const CancelToken& token) { return job::convertModel(config, obs, token); });
    updateConvertControls();
}

void ExportPage::cancelConvert() {
    if (!convert_controller_ || !convert_controller_->running()) return;
    convert_controller_->cancel();
    convert_status_->setText(tr("Cancelling…"));
}

void ExportPage::onConvertFinished(const RunOutcome& outcome) {
    if (outcome.succeeded()) {
        QStringList written;
        for (const auto& f : outcome.files) {
            // Converting to the same type into the same folder again replaces that entry.
            for (int i = num::clampTo<int>(converted_.size()) - 1; i >= 0; --i)
                if (QDir::cleanPath(converted_[i].path) == QDir::cleanPath(f.path)) converted_.removeAt(i);
            converted_.push_back(f);
            last_converted_dir_ = f.path;
            // The folder holds the .gguf and its model card: name the .gguf, with its own size.
            QString name = f.path;
            quint64 size = f.size_bytes;
            const QStringList ggufs = QDir(f.path).entryList({"*.gguf"}, QDir::Files);
            if (!ggufs.isEmpty()) {
                name = QDir(f.path).filePath(ggufs.first());
                size = static_cast<quint64>(QFileInfo(name).size());
            }
            written << QStringLiteral("%1 (%2)").arg(QDir::toNativeSeparators(name), bytes(size));
        }
        convert_status_->setStyleSheet({});
        convert_status_->setText(tr("Converted in %1: %2").arg(QString::fromStdString(units::formatDuration(outcome.elapsed_ms)), written.join(", ")));
        refresh();
    } else {
        QString text = outcome.state == job::JobState::Cancelled ? tr("Conversion cancelled: %1").arg(outcome.message)
                                                                 : tr("Conversion failed: %1").arg(outcome.message);
        if (!outcome.hint.isEmpty()) text += "\n" + tr("What to do: %1").arg(outcome.hint);
        convert_status_->setText(text);
        convert_status_->setStyleSheet(errorTextStyle());
    }
    updateConvertControls();
    emit converted(outcome);
}

void ExportPage::showRun(const RunRecord& record) {
    const bool same = has_run_ && !record.id.isEmpty() && record.id == run_.id;
    run_ = record;
    has_run_ = true;
    if (!same) {  // the same run again (after its re-export) keeps the folder and the last message
        output_->setText(record.output_dir);
        // Offer the first format the run has not been written in yet.
        for (int i = 0; i < format_->count(); ++i) {
            const QString f = format_->itemData(i).toString();
            if (!f.isEmpty() && std::none_of(record.exports.begin(), record.exports.end(), [&](const ExportRecord& e) { return e.format == f; })) {
                format_->setCurrentIndex(i);
                break;
            }
        }
        status_->clear();
        status_->setStyleSheet({});
    }
    updateReexportSources();
    refresh();
}

void ExportPage::setBusy(bool busy) {
    busy_ = busy;
    reexport_->setEnabled(has_run_ && !busy_ && !(controller_ && controller_->running()));
}

void ExportPage::addTreeEntry(const ExportRecord& e, const QString& label) {
    auto* top = new QTreeWidgetItem(tree_);
    top->setText(0, label);
    top->setText(1, bytes(e.size_bytes));
    top->setText(2, e.path);
    top->setToolTip(2, e.path);
    top->setData(0, Qt::UserRole, e.path);
    top->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    QFont bold = top->font(0);
    bold.setBold(true);
    top->setFont(0, bold);
    if (!QFileInfo(e.path).isDir()) {
        top->setText(1, tr("missing"));
        return;
    }
    QDirIterator it(e.path, QDir::Files, QDirIterator::Subdirectories);
    QList<QFileInfo> files;
    while (it.hasNext()) files << QFileInfo(it.next());
    std::sort(files.begin(), files.end(), [](const QFileInfo& a, const QFileInfo& b) { return a.filePath() < b.filePath(); });
    for (const auto& fi : files) {
        auto* child = new QTreeWidgetItem(top);
        child->setText(0, QDir(e.path).relativeFilePath(fi.filePath()));
        child->setText(1, bytes(static_cast<quint64>(fi.size())));
        child->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        child->setData(0, Qt::UserRole, fi.absolutePath());
        child->setToolTip(0, fi.filePath());
    }
    top->setExpanded(true);
}

void ExportPage::refresh() {
    tree_->clear();
    quint64 total = 0;
    for (const auto& e : run_.exports) {
        addTreeEntry(e, e.format);
        total += e.size_bytes;
    }
    // Conversions of the open model, after the run's exports.
    for (const auto& e : converted_) addTreeEntry(e, tr("%1 (converted)").arg(e.format));
    if (tree_->topLevelItemCount() > 0) tree_->setCurrentItem(tree_->topLevelItem(0));
    summary_->setText(has_run_ ? tr("%1 — %2: %3 export(s), %4 in all. Checkpoint: %5")
                                     .arg(modelDisplayName(run_.model), run_.schemeLabel())
                                     .arg(run_.exports.size())
                                     .arg(bytes(total), run_.run_dir)
                               : tr("No finished run yet: its exports appear here."));
    open_->setEnabled(tree_->topLevelItemCount() > 0);
    upload_->setEnabled(tree_->topLevelItemCount() > 0);
    setBusy(busy_);
}

void ExportPage::requestUpload() {
    QTreeWidgetItem* item = tree_->currentItem();
    if (!item && tree_->topLevelItemCount() > 0) item = tree_->topLevelItem(0);
    if (!item) return;
    QString dir = item->data(0, Qt::UserRole).toString();
    if (QFileInfo(dir).isFile()) dir = QFileInfo(dir).absolutePath();
    emit uploadRequested(dir);
}

void ExportPage::openSelectedFolder() {
    QTreeWidgetItem* item = tree_->currentItem();
    if (!item) return;
    const QString dir = item->data(0, Qt::UserRole).toString();
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(dir))) {
        status_->setText(tr("Could not open %1: no file manager is registered. The path is in the Folder column.").arg(dir));
        status_->setStyleSheet(errorTextStyle());
    }
}

QString ExportPage::describeSources(const exporter::TensorSources& s) const {
    QString text = s.quantized == 0 ? tr("no tensor quantized: every tensor kept as floats from the original weights")
                                    : tr("%1 of %2 tensors from SignRound's tuned scales").arg(s.tuned_scales).arg(s.quantized);
    if (s.tuned_weights > 0) text += tr(", %1 rounded to nearest again from the tuned weights").arg(s.tuned_weights);
    if (s.original > 0) text += tr(", %1 quantized from the original weights (round-to-nearest)").arg(s.original);
    return text;
}

void ExportPage::updateReexportSources() {
    sources_->clear();
    sources_->setStyleSheet({});
    const QString format = format_->currentData().toString();
    if (!has_run_ || format.isEmpty() || !checkpointProblem(run_).isEmpty()) return;
    auto planned = job::planReexportSources(run_.run_dir.toStdString(), {format.toStdString()});
    if (!planned || planned->empty()) {
        sources_->setText(tr("Cannot tell which tensors would use the tuned scales: %1")
                              .arg(QString::fromStdString(planned ? std::string() : planned.error().message)));
        return;
    }
    const exporter::TensorSources& src = planned->front();
    QString text = tr("From this run (tuned as %1): %2.").arg(QString::fromStdString(src.run_scheme), describeSources(src));
    if (src.tuningUnused()) {
        text += " " + (src.quantized == 0      ? tr("The result would be the original model in floats, without SignRound's tuning.")
                       : src.tuned_weights > 0 ? tr("The result would be round-to-nearest (RTN) only: expect no better than plain RTN.")
                                               : tr("The result would equal plain round-to-nearest (RTN), not SignRound."));
        sources_->setStyleSheet(warningTextStyle());
    }
    sources_->setText(text);
}

bool ExportPage::confirmUntunedReexport(const QString& format, const exporter::TensorSources& src) {
    QMessageBox box(QMessageBox::Warning, tr("Re-export without SignRound's tuning?"), QString(), QMessageBox::NoButton, this);
    box.setObjectName("untunedReexportDialog");
    const QString label = format_->currentText();
    const QString scheme = QString::fromStdString(src.run_scheme);
    if (src.quantized == 0)
        box.setText(tr("%1 keeps every tensor as floats: the file would be the original model, without this run's tuning.").arg(label));
    else if (src.tuned_weights > 0)
        box.setText(tr("No tensor of %1 can use this run's tuned scales (%2): every tensor would be rounded to nearest (RTN), so expect "
                       "no better than plain RTN, not SignRound.")
                        .arg(label, scheme));
    else
        box.setText(tr("No tensor of %1 can use this run's tuned scales (%2): the file would equal plain round-to-nearest (RTN) "
                       "quantization, not SignRound.")
                        .arg(label, scheme));
    box.setInformativeText(tr("%1.").arg(describeSources(src)) + "\n\n" +
                           tr("To use SignRound for %1, tune a new run for it: each layer is then tuned in the type it is written in.").arg(label));
    QStringList why;
    for (const auto& line : exporter::tensorSourceReasonLines(src)) why << QString::fromStdString(line);
    if (!why.isEmpty()) box.setDetailedText(why.join("\n"));
    QPushButton* anyway = box.addButton(tr("Re-export anyway"), QMessageBox::AcceptRole);
    anyway->setObjectName("reexportAnywayButton");
    QPushButton* tune = box.addButton(tr("Tune for this format"), QMessageBox::ActionRole);
    tune->setObjectName("tuneForFormatButton");
    QPushButton* cancel = box.addButton(QMessageBox::Cancel);
    cancel->setObjectName("cancelReexportButton");
    box.setDefaultButton(tune);
    box.setEscapeButton(cancel);
    box.exec();
    if (box.clickedButton() == anyway) return true;
    status_->setStyleSheet({});
    if (box.clickedButton() == tune) {
        status_->setText(tr("Nothing written: set up a run that tunes for %1 on the Configure page.").arg(label));
        emit tuneForFormatRequested(format);
    } else {
        status_->setText(tr("Re-export cancelled: nothing written."));
    }
    return false;
}

void ExportPage::startReexport() {
    if (!has_run_ || !controller_ || controller_->running() || busy_) return;
    auto fail = [this](const QString& why) {
        status_->setText(why);
        status_->setStyleSheet(errorTextStyle());
    };
    const QString format = format_->currentData().toString();
    const QString out = output_->text().trimmed();
    if (format.isEmpty()) return fail(tr("Choose a format."));
    if (out.isEmpty()) return fail(tr("Choose an output folder."));
    if (QString why = checkpointProblem(run_); !why.isEmpty())
        return fail(tr("Cannot re-export this run: %1. Quantize it again to export it.").arg(why));
    // What the format takes from the tuning, said before anything is written. When it cannot be
    // told (the source model moved, say), the re-export itself reports why it fails.
    pending_sources_.clear();
    pending_untuned_ = false;
    if (auto planned = job::planReexportSources(run_.run_dir.toStdString(), {format.toStdString()}); planned && !planned->empty()) {
        const exporter::TensorSources& src = planned->front();
        if (src.tuningUnused() && !confirmUntunedReexport(format, src)) return;
        pending_sources_ = describeSources(src);
        pending_untuned_ = src.tuningUnused();
    }
    status_->setStyleSheet({});
    status_->setText(pending_sources_.isEmpty() ? tr("Writing %1…").arg(format) : tr("Writing %1: %2…").arg(format, pending_sources_));
    const std::string run_dir = run_.run_dir.toStdString(), out_dir = out.toStdString();
    const std::vector<std::string> formats = {format.toStdString()};
    controller_->startTask([runner = reexport_runner_, run_dir, formats, out_dir](job::JobObserver& obs, const CancelToken& token) {
        return runner(run_dir, formats, out_dir, obs, token);
    });
    setBusy(busy_);
}

void ExportPage::onReexportFinished(const RunOutcome& outcome) {
    if (outcome.succeeded()) {
        QStringList written;
        for (const auto& f : outcome.files) {
            // Writing the same format to the same folder again replaces that export.
            for (int i = num::clampTo<int>(run_.exports.size()) - 1; i >= 0; --i)
                if (QDir::cleanPath(run_.exports[i].path) == QDir::cleanPath(f.path)) run_.exports.removeAt(i);
            run_.exports.push_back(f);
            written << QStringLiteral("%1 (%2)").arg(QFileInfo(f.path).fileName(), bytes(f.size_bytes));
        }
        status_->setStyleSheet(pending_untuned_ ? warningTextStyle() : QString());
        QString text = pending_sources_.isEmpty() ? tr("Wrote %1.").arg(written.join(", "))
                                                  : tr("Wrote %1: %2.").arg(written.join(", "), pending_sources_);
        if (pending_untuned_) text += " " + tr("It does not use SignRound's tuning (round-to-nearest only).");
        status_->setText(text);
        if (!run_.id.isEmpty())
            if (auto ok = history_.update(run_); !ok)
                status_->setText(status_->text() + " " + tr("(not saved to the run history: %1)").arg(QString::fromStdString(ok.error().message)));
        refresh();
    } else {
        QString text = outcome.state == job::JobState::Cancelled ? tr("Re-export cancelled: %1").arg(outcome.message)
                                                                 : tr("Re-export failed: %1").arg(outcome.message);
        if (!outcome.hint.isEmpty()) text += "\n" + tr("What to do: %1").arg(outcome.hint);
        status_->setText(text);
        status_->setStyleSheet(errorTextStyle());
    }
    pending_sources_.clear();
    pending_untuned_ = false;
    setBusy(busy_);
    emit reexported(outcome, run_);
}

}  // namespace srs::ui
