// "Upload to Hub…" for an export folder: the repository name (your account + the folder's name,
// once the token's whoami answers), private or public, the commit message, the model card
// (the export's README.md, editable; the edited text is what is uploaded, the folder stays as
// written), progress with ETA, Cancel, and the repository's URL when done. Uses core/hub's upload
// through HubSession.
#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace srs::ui {

class HubSession;

class UploadDialog : public QDialog {
    Q_OBJECT
public:
    UploadDialog(const QString& folder, HubSession* session, QWidget* parent = nullptr);

    QString folder() const { return folder_; }
    QString resultUrl() const { return result_url_; }

public slots:
    void startUpload();

signals:
    void uploadFinished(const QString& state, const QString& url);

protected:
    void reject() override;

private:
    void onLoggedIn(const QString& user, const QString& error);
    void onProgress(const QString& phase, quint64 done, quint64 total, qint64 eta_ms, int files_done, int files_total);
    void onDone(const QString& state, const QString& repo_url, const QString& commit_url, const QString& error);

    QString folder_;
    HubSession* session_;
    QLineEdit* repo_ = nullptr;
    QCheckBox* private_ = nullptr;
    QLineEdit* message_ = nullptr;
    QPlainTextEdit* card_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* upload_ = nullptr;
    QPushButton* close_ = nullptr;
    QString original_card_;
    QString result_url_;
    bool repo_edited_ = false;
    bool running_ = false;
};

}  // namespace srs::ui
