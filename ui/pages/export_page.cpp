#include "ui/pages/export_page.h"
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
#include <QPushButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/units.h"
#include "core/export/gguf_plan.h"
#include "core/job/job_config.h"
#include "core/job/run_state.h"

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
    auto* action_row = new QHBoxLayout();
    action_row->addWidget(reexport_);
    action_row->addWidget(status_, 1);
    format_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* format_row = new QHBoxLayout();
    format_row->addWidget(format_);
    format_row->addStretch(1);
    form->addRow(tr("Format:"), format_row);
    form->addRow(tr("Output folder:"), out_row);
    form->addRow(QString(), action_row);
    layout->addWidget(box);
    connect(reexport_, &QPushButton::clicked, this, &ExportPage::startReexport);

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
    refresh();
}

void ExportPage::setBusy(bool busy) {
    busy_ = busy;
    reexport_->setEnabled(has_run_ && !busy_ && !(controller_ && controller_->running()));
}

void ExportPage::refresh() {
    tree_->clear();
    quint64 total = 0;
    for (const auto& e : run_.exports) {
        auto* top = new QTreeWidgetItem(tree_);
        top->setText(0, e.format);
        top->setText(1, bytes(e.size_bytes));
        top->setText(2, e.path);
        top->setToolTip(2, e.path);
        top->setData(0, Qt::UserRole, e.path);
        top->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        QFont bold = top->font(0);
        bold.setBold(true);
        top->setFont(0, bold);
        total += e.size_bytes;
        if (!QFileInfo(e.path).isDir()) {
            top->setText(1, tr("missing"));
            continue;
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
    if (tree_->topLevelItemCount() > 0) tree_->setCurrentItem(tree_->topLevelItem(0));
    summary_->setText(has_run_ ? tr("%1 — %2: %3 export(s), %4 in all. Checkpoint: %5")
                                     .arg(QFileInfo(run_.model).fileName(), run_.schemeLabel())
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
    status_->setStyleSheet({});
    status_->setText(tr("Writing %1…").arg(format));
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
            for (int i = run_.exports.size() - 1; i >= 0; --i)
                if (QDir::cleanPath(run_.exports[i].path) == QDir::cleanPath(f.path)) run_.exports.removeAt(i);
            run_.exports.push_back(f);
            written << QStringLiteral("%1 (%2)").arg(QFileInfo(f.path).fileName(), bytes(f.size_bytes));
        }
        status_->setStyleSheet({});
        status_->setText(tr("Wrote %1.").arg(written.join(", ")));
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
    setBusy(busy_);
    emit reexported(outcome, run_);
}

}  // namespace srs::ui
