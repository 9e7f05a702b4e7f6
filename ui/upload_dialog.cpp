#include "ui/upload_dialog.h"
#include "ui/theme.h"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

#include "core/common/units.h"
#include "ui/hub_session.h"

namespace srs::ui {
namespace {
// The model card's base_model (front matter), or "".
QString baseModelOf(const QString& card) {
    if (!card.startsWith("---")) return {};
    for (const QString& line : card.split('\n')) {
        if (line.startsWith("base_model:")) {
            QString v = line.mid(11).trimmed();
            if (v.size() >= 2 && (v.startsWith('"') || v.startsWith('\''))) v = v.mid(1, v.size() - 2);
            return v;
        }
    }
    return {};
}

// A repository name from a folder name: the Hub allows letters, digits, '-', '_' and '.'. A
// folder named after a cache snapshot (a 40-digit commit) is renamed after its base model.
QString repoNameFrom(const QString& folder, const QString& base_model) {
    QString name = QFileInfo(folder).fileName();
    static const QRegularExpression commit("^[0-9a-f]{40}(?=-|$)");
    if (!base_model.isEmpty()) name.replace(commit, base_model.section('/', -1));
    name.replace(QRegularExpression("[^A-Za-z0-9._-]+"), "-");
    name.replace(QRegularExpression("-{2,}"), "-");
    while (name.startsWith('-') || name.startsWith('.')) name.remove(0, 1);
    while (name.endsWith('-') || name.endsWith('.')) name.chop(1);
    return name.isEmpty() ? QStringLiteral("quantized-model") : name;
}
}  // namespace

UploadDialog::UploadDialog(const QString& folder, HubSession* session, QWidget* parent)
    : QDialog(parent), folder_(folder), session_(session) {
    setObjectName("uploadDialog");
    setWindowTitle(tr("Upload to Hub"));
    resize(720, 620);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Upload %1 to %2 as a model repository.").arg(QDir::toNativeSeparators(folder), session->endpoint(HubSource::HuggingFace)), this);
    setMessageLabel(intro);  // holds a path, which can be long
    layout->addWidget(intro);

    auto* form = new QFormLayout();
    QFile f(folder + "/README.md");
    if (f.open(QIODevice::ReadOnly)) original_card_ = QString::fromUtf8(f.readAll());
    repo_ = new QLineEdit(repoNameFrom(folder, baseModelOf(original_card_)), this);
    repo_->setObjectName("uploadRepo");
    repo_->setToolTip(tr("The repository to create or update, as account/name (or organization/name)"));
    form->addRow(tr("Repository"), repo_);
    private_ = new QCheckBox(tr("Private (only you and your organization can see it)"), this);
    private_->setObjectName("uploadPrivate");
    private_->setChecked(true);
    private_->setToolTip(tr("Create the repository as private; has no effect on a repository that already exists"));
    form->addRow(QString(), private_);
    message_ = new QLineEdit(tr("Upload %1 with SignRound Studio").arg(repo_->text()), this);
    message_->setObjectName("uploadMessage");
    message_->setToolTip(tr("The commit message of the upload"));
    form->addRow(tr("Commit message"), message_);
    layout->addLayout(form);

    layout->addWidget(new QLabel(tr("Model card (README.md):"), this));
    card_ = new QPlainTextEdit(this);
    card_->setObjectName("uploadCard");
    card_->setToolTip(tr("The model card uploaded as README.md; edits here are uploaded, the export folder is not changed"));
    card_->setPlainText(original_card_);
    layout->addWidget(card_, 1);

    progress_ = new QProgressBar(this);
    progress_->setObjectName("uploadProgress");
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setToolTip(tr("Bytes sent (or found already on the Hub) of the whole upload"));
    layout->addWidget(progress_);
    status_ = new QLabel(this);
    status_->setObjectName("uploadStatus");
    setMessageLabel(status_);
    status_->setOpenExternalLinks(true);
    status_->setTextInteractionFlags(Qt::TextBrowserInteraction);
    layout->addWidget(status_);

    auto* buttons = new QHBoxLayout();
    buttons->addStretch();
    upload_ = new QPushButton(tr("Upload"), this);
    upload_->setObjectName("uploadStart");
    upload_->setToolTip(tr("Create the repository if needed and upload the folder in one commit"));
    upload_->setDefault(true);
    close_ = new QPushButton(tr("Close"), this);
    close_->setObjectName("uploadClose");
    close_->setToolTip(tr("Cancel a running upload, or close"));
    buttons->addWidget(upload_);
    buttons->addWidget(close_);
    layout->addLayout(buttons);

    connect(upload_, &QPushButton::clicked, this, &UploadDialog::startUpload);
    connect(close_, &QPushButton::clicked, this, &UploadDialog::reject);
    connect(repo_, &QLineEdit::textEdited, this, [this] { repo_edited_ = true; });
    connect(session_, &HubSession::loggedIn, this,
            [this](const QString& user, const QStringList&, const QString&, const QString& error) { onLoggedIn(user, error); });
    connect(session_, &HubSession::uploadProgress, this, &UploadDialog::onProgress);
    connect(session_, &HubSession::uploadDone, this, &UploadDialog::onDone);

    if (!session_->userName().isEmpty()) {
        onLoggedIn(session_->userName(), {});
    } else if (session_->hasToken()) {
        status_->setText(tr("Checking the token…"));
        session_->checkToken();
    } else {
        status_->setText(tr("Uploading needs a token with write access: log in on the Hub page first."));
        upload_->setEnabled(false);
    }
}

void UploadDialog::onLoggedIn(const QString& user, const QString& error) {
    if (running_) return;
    if (!error.isEmpty()) {
        status_->setStyleSheet(errorTextStyle());
        status_->setText(error);
        return;
    }
    status_->setStyleSheet({});
    status_->setText(tr("Logged in as %1.").arg(user));
    if (!repo_edited_ && !repo_->text().contains('/')) repo_->setText(user + "/" + repo_->text());
    upload_->setEnabled(true);
}

void UploadDialog::startUpload() {
    if (running_) return;
    const QString repo = repo_->text().trimmed();
    if (repo.count('/') != 1) {
        status_->setStyleSheet(errorTextStyle());
        status_->setText(tr("Give the repository as account/name."));
        return;
    }
    const QString card = card_->toPlainText();
    // Only an edited card is sent separately; otherwise the folder's own README.md goes up as is.
    if (!session_->upload(repo, folder_, private_->isChecked(), message_->text(), card == original_card_ ? QString() : card)) {
        status_->setText(tr("Another upload is running."));
        return;
    }
    running_ = true;
    upload_->setEnabled(false);
    repo_->setEnabled(false);
    private_->setEnabled(false);
    card_->setReadOnly(true);
    close_->setText(tr("Cancel"));
    status_->setStyleSheet({});
    status_->setText(tr("Uploading to %1…").arg(repo));
}

void UploadDialog::onProgress(const QString& phase, quint64 done, quint64 total, qint64 eta_ms, int files_done, int files_total) {
    if (!running_) return;
    progress_->setValue(total ? static_cast<int>(1000.0 * static_cast<double>(done) / static_cast<double>(total)) : 0);
    status_->setText(tr("%1: %2 of %3 · ETA %4 · %5 of %6 files")
                         .arg(phase, QString::fromStdString(units::formatBytes(done)), QString::fromStdString(units::formatBytes(total)),
                              eta_ms < 0 ? tr("?") : QString::fromStdString(units::formatDuration(eta_ms)))
                         .arg(files_done)
                         .arg(files_total));
}

void UploadDialog::onDone(const QString& state, const QString& repo_url, const QString& commit_url, const QString& error) {
    if (!running_) return;
    running_ = false;
    close_->setText(tr("Close"));
    if (state == "finished") {
        progress_->setValue(1000);
        result_url_ = repo_url;
        status_->setStyleSheet({});
        status_->setText(tr("Uploaded: <a href=\"%1\">%1</a> (commit <a href=\"%2\">%2</a>)").arg(repo_url.toHtmlEscaped(), commit_url.toHtmlEscaped()));
    } else {
        upload_->setEnabled(true);
        repo_->setEnabled(true);
        private_->setEnabled(true);
        card_->setReadOnly(false);
        status_->setStyleSheet(errorTextStyle());
        status_->setText(error.toHtmlEscaped().replace("\n", "<br>"));
    }
    emit uploadFinished(state, result_url_);
}

void UploadDialog::reject() {
    if (running_) {
        session_->cancelUpload();
        status_->setText(tr("Cancelling…"));
        return;
    }
    QDialog::reject();
}

}  // namespace srs::ui
