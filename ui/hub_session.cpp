#include "ui/hub_session.h"

#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <memory>

#include "core/hub/hf_client.h"
#include "core/hub/hub_cache.h"
#include "core/hub/hub_download.h"
#include "core/hub/hub_upload.h"
#include "core/io/atomic_file.h"

namespace srs::ui {
namespace {

const char* kTokenKey = "hub/token";

QString q(const std::string& s) { return QString::fromStdString(s); }

// Bytes per parameter of a safetensors dtype name; 0 when unknown.
double dtypeBytes(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype.rfind("F8", 0) == 0) return 1;
    if (dtype == "F4" || dtype == "I4" || dtype == "U4") return 0.5;
    return 0;
}

HubModelRow toRow(const hub::HubModel& m) {
    HubModelRow r;
    r.id = q(m.id);
    r.downloads = m.downloads;
    r.likes = m.likes;
    r.updated = q(m.last_modified.size() >= 10 ? m.last_modified.substr(0, 10) : m.last_modified);
    r.parameters = m.num_parameters;
    double bytes = 0;
    bool known = !m.params_by_dtype.empty();
    for (const auto& [dtype, n] : m.params_by_dtype) {
        double b = dtypeBytes(dtype);
        if (b == 0) known = false;
        bytes += b * static_cast<double>(n);
    }
    r.weight_bytes = known ? static_cast<quint64>(bytes) : m.used_storage_bytes;
    r.gated = q(m.gated);
    r.is_private = m.is_private;
    for (const auto& t : m.tags) r.tags << q(t);
    return r;
}

std::unique_ptr<hub::HubClient> makeClient(HubSource source, const hub::HubEnv& hf, const hub::ModelScopeEnv& ms,
                                           const std::string& token, const std::string& where) {
    if (source == HubSource::ModelScope) return std::make_unique<hub::ModelScopeClient>(ms, ms.token);
    auto c = std::make_unique<hub::HfClient>(hf, token);
    c->setTokenOrigin(where);
    return c;
}

}  // namespace

QString guiHubHint(const std::string& hint) {
    QString h = q(hint);
    // "… and set it in HF_TOKEN or save it in <token file>" ends the token hints of hf_client,
    // http and hub_upload.
    static const QRegularExpression set_env(QStringLiteral("set it in HF_TOKEN,? or save it in .*$"));
    h.replace(set_env, QObject::tr("enter it in the token field on the Hub page and press Log in (or set HF_TOKEN)"));
    // hub_dataset: "set a token of that account in HF_TOKEN (or the token file $HF_HOME/token)".
    static const QRegularExpression set_account(QStringLiteral("set a token of that account in HF_TOKEN \\([^)]*\\)"));
    h.replace(set_account, QObject::tr("enter a token of that account on the Hub page and press Log in (or set HF_TOKEN)"));
    // http (gated models): "(HF_TOKEN, the Hub page's login, or --token)".
    h.replace(QStringLiteral("(HF_TOKEN, the Hub page's login, or --token)"), QObject::tr("(log in on the Hub page, or set HF_TOKEN)"));
    return h;
}

QString hubErrorText(const Error& e) {
    QString text = q(e.message);
    QString hint = guiHubHint(e.hint);
    if (hint.isEmpty() && e.code == ErrorCode::Network)
        hint = QObject::tr("check the network connection (and proxy settings), then try again");
    if (!hint.isEmpty()) text += "\n" + QObject::tr("What to do: %1").arg(hint);
    return text;
}

HubSession::HubSession(QObject* parent, hub::EnvLookup env) : QObject(parent) {
    qRegisterMetaType<srs::ui::HubModelRow>();
    qRegisterMetaType<srs::ui::HubFileRow>();
    qRegisterMetaType<srs::ui::HubCacheRow>();
    qRegisterMetaType<srs::ui::HubDownloadStatus>();
    qRegisterMetaType<QVector<srs::ui::HubModelRow>>();
    qRegisterMetaType<QVector<srs::ui::HubFileRow>>();
    qRegisterMetaType<QVector<srs::ui::HubCacheRow>>();
    hf_env_ = hub::hubEnvFromEnvironment(env);
    ms_env_ = hub::modelScopeEnvFromEnvironment(env);
    const std::string saved = QSettings().value(kTokenKey).toString().toStdString();
    hub::ResolvedToken t = hub::resolveToken(hf_env_, {}, saved, env);
    token_ = t.token;
    token_where_ = t.where;
}

HubSession::~HubSession() {
    all_cancel_.cancel();
    download_cancel_.cancel();
    upload_cancel_.cancel();
    for (auto& f : running_) f.waitForFinished();
}

QString HubSession::cacheRoot(HubSource source) const {
    return q(source == HubSource::ModelScope ? ms_env_.cache_root : hf_env_.hub_cache);
}

QString HubSession::endpoint(HubSource source) const {
    return q(source == HubSource::ModelScope ? ms_env_.endpoint : hf_env_.endpoint);
}

QString HubSession::maskedToken() const { return q(hub::maskToken(token_)); }

void HubSession::post(std::function<void()> fn) { QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection); }

void HubSession::runAsync(std::function<void()> work) {
    running_.erase(std::remove_if(running_.begin(), running_.end(), [](const QFuture<void>& f) { return f.isFinished(); }),
                   running_.end());
    running_.append(QtConcurrent::run(std::move(work)));
}

quint64 HubSession::search(const QString& query, const QString& sort, int limit) {
    const quint64 id = ++next_request_;
    hub::SearchQuery sq;
    sq.search = query.trimmed().toStdString();
    sq.sort = sort.isEmpty() ? std::string("downloads") : sort.toStdString();
    sq.limit = limit;
    auto env = hf_env_;
    auto token = token_, where = token_where_;
    CancelToken cancel = all_cancel_;
    runAsync([this, id, sq, env, token, where, cancel] {
        hub::HfClient client(env, token);
        client.setTokenOrigin(where);
        postSearchPage(id, client.searchModels(sq, cancel), false);
    });
    return id;
}

// On a worker thread: turns a page of search results (or its error) into rows and hands them to
// the GUI thread as searchDone.
void HubSession::postSearchPage(quint64 id, const Result<hub::ModelPage>& page, bool appended) {
    QVector<HubModelRow> rows;
    QString next, error;
    if (page) {
        for (const auto& m : page->models) rows << toRow(m);
        next = q(page->next_url);
    } else {
        error = hubErrorText(page.error());
    }
    post([this, id, rows, next, appended, error] { emit searchDone(id, rows, next, appended, error); });
}

quint64 HubSession::nextPage(const QString& next_url) {
    const quint64 id = ++next_request_;
    auto env = hf_env_;
    auto token = token_;
    CancelToken cancel = all_cancel_;
    const std::string url = next_url.toStdString();
    runAsync([this, id, env, token, url, cancel] {
        hub::HfClient client(env, token);
        postSearchPage(id, client.nextPage(url, cancel), true);
    });
    return id;
}

void HubSession::listFiles(HubSource source, const QString& repo_id) {
    auto hf = hf_env_;
    auto ms = ms_env_;
    auto token = token_, where = token_where_;
    CancelToken cancel = all_cancel_;
    const std::string repo = repo_id.trimmed().toStdString();
    runAsync([this, source, hf, ms, token, where, repo, cancel] {
        auto client = makeClient(source, hf, ms, token, where);
        auto files = client->listFiles(repo, source == HubSource::ModelScope ? "master" : "main", cancel);
        QVector<HubFileRow> rows;
        QString error;
        if (files) {
            std::vector<std::string> needed = hub::filesNeededForQuantization(*files);
            for (const auto& f : *files) {
                HubFileRow r;
                r.path = q(f.path);
                r.size = f.size_bytes;
                r.lfs = f.is_lfs;
                r.needed = std::find(needed.begin(), needed.end(), f.path) != needed.end();
                rows << r;
            }
            std::sort(rows.begin(), rows.end(), [](const HubFileRow& a, const HubFileRow& b) { return a.path < b.path; });
        } else {
            error = hubErrorText(files.error());
        }
        const QString id = q(repo);
        post([this, id, rows, error] { emit filesListed(id, rows, error); });
    });
}

bool HubSession::download(HubSource source, const QString& repo_id, const QStringList& files) {
    if (downloading_) return false;
    downloading_ = true;
    download_cancel_ = CancelToken();
    CancelToken cancel = download_cancel_;
    auto hf = hf_env_;
    auto ms = ms_env_;
    auto token = token_, where = token_where_;
    hub::DownloadOptions o;
    o.repo_id = repo_id.trimmed().toStdString();
    o.revision = source == HubSource::ModelScope ? "master" : "main";
    for (const auto& f : files) o.files.push_back(f.toStdString());
    o.offline = source == HubSource::ModelScope ? ms.offline : hf.offline;
    const std::string root = cacheRoot(source).toStdString();
    runAsync([this, source, hf, ms, token, where, o, root, cancel] {
        auto client = makeClient(source, hf, ms, token, where);
        hub::HubCache cache(root);
        auto progress = [this](const hub::DownloadProgress& p) {
            HubDownloadStatus s;
            s.done = p.done_bytes;
            s.total = p.total_bytes;
            s.bytes_per_s = p.bytes_per_s;
            s.eta_ms = p.eta_ms;
            s.files_done = p.files_done;
            s.files_total = p.files_total;
            for (const auto& f : p.files)
                s.files.push_back({q(f.path), QString::fromLatin1(hub::fileStateName(f.state)), f.done_bytes, f.total_bytes, q(f.error)});
            post([this, s] { emit downloadProgress(s); });
        };
        auto r = hub::downloadSnapshot(*client, cache, o, progress, cancel);
        QString dir, state = "finished", error;
        if (r) {
            dir = q(r->snapshot_dir);
        } else {
            state = r.error().code == ErrorCode::Cancelled ? "cancelled" : "failed";
            error = state == "cancelled" ? tr("Download cancelled; the partial files are kept and the next download resumes them.")
                                         : hubErrorText(r.error());
        }
        const QString id = q(o.repo_id);
        post([this, id, dir, state, error] {
            downloading_ = false;
            emit downloadDone(id, dir, state, error);
        });
    });
    return true;
}

void HubSession::cancelDownload() { download_cancel_.cancel(); }

void HubSession::login(const QString& token, bool remember) {
    const std::string t = token.trimmed().toStdString();
    if (t.empty()) {
        emit loggedIn({}, {}, {}, tr("Paste a token first: create one at %1/settings/tokens.").arg(q(hf_env_.endpoint)));
        return;
    }
    auto env = hf_env_;
    CancelToken cancel = all_cancel_;
    runAsync([this, env, t, remember, cancel] {
        hub::HfClient client(env, t);
        client.setTokenOrigin("the token field");
        auto who = client.whoami(cancel);
        QString user, role, error;
        QStringList orgs;
        if (who) {
            user = q(who->name);
            role = q(who->token_role);
            for (const auto& o : who->orgs) orgs << q(o);
        } else {
            error = hubErrorText(who.error());
        }
        post([this, t, remember, user, orgs, role, error] {
            if (error.isEmpty()) {
                token_ = t;
                token_where_ = "the token field";
                user_ = user;
                QSettings settings;
                if (remember) {
                    settings.setValue(kTokenKey, QString::fromStdString(t));
                    token_where_ = "app settings";
                }
            }
            emit loggedIn(user, orgs, role, error);
        });
    });
}

void HubSession::checkToken() {
    if (token_.empty()) {
        emit loggedIn({}, {}, {}, tr("No token is set: log in with a token from %1/settings/tokens.").arg(q(hf_env_.endpoint)));
        return;
    }
    auto env = hf_env_;
    auto t = token_, where = token_where_;
    CancelToken cancel = all_cancel_;
    runAsync([this, env, t, where, cancel] {
        hub::HfClient client(env, t);
        client.setTokenOrigin(where);
        auto who = client.whoami(cancel);
        QString user, role, error;
        QStringList orgs;
        if (who) {
            user = q(who->name);
            role = q(who->token_role);
            for (const auto& o : who->orgs) orgs << q(o);
        } else {
            error = hubErrorText(who.error());
        }
        post([this, user, orgs, role, error] {
            if (error.isEmpty()) user_ = user;
            emit loggedIn(user, orgs, role, error);
        });
    });
}

void HubSession::logout() {
    QSettings().remove(kTokenKey);
    token_.clear();
    token_where_.clear();
    user_.clear();
}

void HubSession::scanCache() {
    const std::string hf_root = hf_env_.hub_cache, ms_root = ms_env_.cache_root;
    runAsync([this, hf_root, ms_root] {
        QVector<HubCacheRow> rows;
        for (const auto& [root, source] : {std::pair{hf_root, tr("Hugging Face")}, std::pair{ms_root, tr("ModelScope")}}) {
            auto repos = hub::scanCache(root);
            if (!repos) continue;
            for (const auto& r : *repos) {
                if (r.type != hub::RepoType::Model || r.revisions.empty()) continue;
                HubCacheRow row;
                row.source = source;
                row.repo_id = q(r.repo_id);
                row.size = r.size_on_disk_bytes;
                row.modified_s = r.last_modified_s;
                // The revision a ref points at first (main / master), else the one with most files.
                const hub::CachedRevision* best = &r.revisions.front();
                for (const auto& rev : r.revisions) {
                    if (!rev.refs.empty() && best->refs.empty()) best = &rev;
                    else if (rev.refs.empty() == best->refs.empty() && rev.files.size() > best->files.size()) best = &rev;
                }
                row.commit = q(best->commit);
                for (const auto& ref : best->refs) row.refs << q(ref);
                row.files = static_cast<int>(best->files.size());
                row.snapshot_dir = q(hub::HubCache(root).snapshotDir(r.repo_id, best->commit));
                rows << row;
            }
        }
        post([this, rows] { emit cacheScanned(rows); });
    });
}

bool HubSession::upload(const QString& repo_id, const QString& folder, bool private_repo, const QString& commit_message,
                        const QString& card_text) {
    if (uploading_) return false;
    uploading_ = true;
    upload_cancel_ = CancelToken();
    CancelToken cancel = upload_cancel_;
    auto env = hf_env_;
    auto token = token_, where = token_where_;
    hub::UploadOptions o;
    o.repo_id = repo_id.trimmed().toStdString();
    o.private_repo = private_repo;
    o.commit_message = commit_message.trimmed().toStdString();
    const std::string dir = folder.toStdString();
    const std::string card = card_text.toStdString();
    runAsync([this, env, token, where, o, dir, card, cancel] {
        hub::HfClient client(env, token);
        client.setTokenOrigin(where);
        QString state = "finished", url, commit_url, error;
        auto items = hub::collectUploadFolder(dir);
        // The edited card goes up from a temporary copy; the export folder stays as written.
        QTemporaryDir tmp;
        if (items && !card.empty()) {
            const std::string card_path = tmp.path().toStdString() + "/README.md";
            Status w = io::writeFileAtomic(card_path, card);
            if (!w.ok()) {
                items = w.error();
            } else {
                bool replaced = false;
                for (auto& it : *items)
                    if (it.path_in_repo == "README.md") it.local_path = card_path, replaced = true;
                if (!replaced) items->push_back({card_path, "README.md"});
            }
        }
        if (!items) {
            state = "failed";
            error = hubErrorText(items.error());
        } else {
            auto progress = [this](const hub::UploadProgress& p) {
                const QString phase = q(p.phase);
                const quint64 done = p.done_bytes, total = p.total_bytes;
                const qint64 eta = p.eta_ms;
                const int fd = p.files_done, ft = p.files_total;
                post([this, phase, done, total, eta, fd, ft] { emit uploadProgress(phase, done, total, eta, fd, ft); });
            };
            auto r = hub::uploadFiles(client, o, *items, progress, cancel);
            if (r) {
                url = q(r->repo_url);
                commit_url = q(r->commit_url);
            } else {
                state = r.error().code == ErrorCode::Cancelled ? "cancelled" : "failed";
                error = state == "cancelled" ? tr("Upload cancelled; blobs already sent are skipped by the next attempt.")
                                             : hubErrorText(r.error());
            }
        }
        post([this, state, url, commit_url, error] {
            uploading_ = false;
            emit uploadDone(state, url, commit_url, error);
        });
    });
    return true;
}

void HubSession::cancelUpload() { upload_cancel_.cancel(); }

}  // namespace srs::ui
