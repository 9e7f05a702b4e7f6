// The app's side of the model hubs: where they are and who we are (core/hub's environment:
// HF_ENDPOINT, HF_TOKEN or the token file, HF_HUB_CACHE; MODELSCOPE_ENDPOINT / MODELSCOPE_CACHE),
// the token the user logged in with, and core/hub calls (search, files, download, whoami, cache
// scan, upload) run on worker threads. Results come back as signals of plain data, emitted on the
// GUI thread. The token is stored (QSettings "hub/token") only when the user asks, and never logged.
#pragma once

#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/hub/hub_env.h"
#include "core/hub/hub_types.h"
#include "core/hub/modelscope.h"

namespace srs::ui {

enum class HubSource { HuggingFace = 0, ModelScope = 1 };

struct HubModelRow {
    QString id;
    qint64 downloads = 0;
    qint64 likes = 0;
    QString updated;            // YYYY-MM-DD
    quint64 parameters = 0;     // 0 = unknown
    quint64 weight_bytes = 0;   // from the safetensors parameter counts per dtype; 0 = unknown
    QString gated;              // "", "auto", "manual"
    bool is_private = false;
    QStringList tags;
};

struct HubFileRow {
    QString path;
    quint64 size = 0;
    bool lfs = false;
    bool needed = false;        // a quantization run needs it (filesNeededForQuantization)
};

struct HubCacheRow {
    QString source;             // "Hugging Face" or "ModelScope"
    QString repo_id;
    quint64 size = 0;
    QString snapshot_dir;       // the newest snapshot
    QString commit;
    QStringList refs;
    qint64 modified_s = 0;
    int files = 0;
};

struct HubDownloadFile {
    QString path;
    QString state;              // queued, checking, downloading, verifying, done, cached, failed
    quint64 done = 0, total = 0;
    QString error;
};

struct HubDownloadStatus {
    QVector<HubDownloadFile> files;
    quint64 done = 0, total = 0;
    double bytes_per_s = 0;
    qint64 eta_ms = -1;
    int files_done = 0, files_total = 0;
};

// An Error as the GUI shows it: the message, then what to do (in the GUI's terms, guiHubHint).
QString hubErrorText(const Error& e);
// core/hub's hints are written for the command line ("set it in HF_TOKEN or save it in
// $HF_HOME/token", "--token"); this names the GUI's way first: the token field and Log in on the
// Hub page, with HF_TOKEN as the alternative. Other hints pass unchanged.
QString guiHubHint(const std::string& hint);

class HubSession : public QObject {
    Q_OBJECT
public:
    // env: lookups for the hub environment (tests pass their own).
    explicit HubSession(QObject* parent = nullptr, hub::EnvLookup env = hub::systemEnv());
    ~HubSession() override;  // cancels and waits for running calls

    const hub::HubEnv& hfEnv() const { return hf_env_; }
    const hub::ModelScopeEnv& msEnv() const { return ms_env_; }
    // The cache folder downloads of this source go to.
    QString cacheRoot(HubSource source) const;
    QString endpoint(HubSource source) const;
    bool hasToken() const { return !token_.empty(); }
    QString tokenWhere() const { return QString::fromStdString(token_where_); }
    QString maskedToken() const;
    QString userName() const { return user_; }
    bool downloading() const { return downloading_; }
    bool uploading() const { return uploading_; }

    // Each call returns at once; the matching signal follows on the GUI thread.
    quint64 search(const QString& query, const QString& sort, int limit);  // -> searchDone
    quint64 nextPage(const QString& next_url);                              // -> searchDone (append)
    void listFiles(HubSource source, const QString& repo_id);               // -> filesListed
    bool download(HubSource source, const QString& repo_id, const QStringList& files);  // -> downloadProgress/Done
    void cancelDownload();
    // Checks token with whoami; on success it becomes the session's token, saved in the app's
    // settings when remember is set.
    void login(const QString& token, bool remember);  // -> loggedIn
    void checkToken();                                 // whoami with the current token -> loggedIn
    void logout();                                     // forgets the token (and the saved one)
    void scanCache();                                  // -> cacheScanned
    // Uploads folder to repo_id (created when missing); card_text, when not empty, is uploaded
    // as README.md instead of the folder's own (the export folder is left as it is).
    bool upload(const QString& repo_id, const QString& folder, bool private_repo, const QString& commit_message,
                const QString& card_text);  // -> uploadProgress/Done
    void cancelUpload();

signals:
    void searchDone(quint64 request, const QVector<srs::ui::HubModelRow>& rows, const QString& next_url, bool append,
                    const QString& error);
    void filesListed(const QString& repo_id, const QVector<srs::ui::HubFileRow>& files, const QString& error);
    void downloadProgress(const srs::ui::HubDownloadStatus& status);
    // state: finished, failed or cancelled
    void downloadDone(const QString& repo_id, const QString& snapshot_dir, const QString& state, const QString& error);
    void loggedIn(const QString& user, const QStringList& orgs, const QString& role, const QString& error);
    void cacheScanned(const QVector<srs::ui::HubCacheRow>& rows);
    void uploadProgress(const QString& phase, quint64 done, quint64 total, qint64 eta_ms, int files_done, int files_total);
    void uploadDone(const QString& state, const QString& repo_url, const QString& commit_url, const QString& error);

private:
    void runAsync(std::function<void()> work);
    void post(std::function<void()> fn);
    void postSearchPage(quint64 id, const Result<hub::ModelPage>& page, bool appended);

    hub::HubEnv hf_env_;
    hub::ModelScopeEnv ms_env_;
    std::string token_;
    std::string token_where_;
    QString user_;
    quint64 next_request_ = 0;
    bool downloading_ = false;
    bool uploading_ = false;
    CancelToken download_cancel_, upload_cancel_, all_cancel_;
    QList<QFuture<void>> running_;
};

}  // namespace srs::ui

Q_DECLARE_METATYPE(srs::ui::HubModelRow)
Q_DECLARE_METATYPE(srs::ui::HubFileRow)
Q_DECLARE_METATYPE(srs::ui::HubCacheRow)
Q_DECLARE_METATYPE(srs::ui::HubDownloadStatus)
