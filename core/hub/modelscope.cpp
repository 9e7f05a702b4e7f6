#include "core/hub/modelscope.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/common/text.h"
#include "core/hub/hf_client.h"
#include "core/hub/hub_cache.h"
#include "core/hub/sha.h"

namespace srs::hub {

namespace {

std::optional<std::string> nonEmpty(const EnvLookup& env, const char* name) {
    auto v = env(name);
    if (!v || text::trim(*v).empty()) return std::nullopt;
    return text::trim(*v);
}

std::string expandHome(const std::string& path, const EnvLookup& env) {
    if (!path.empty() && path[0] == '~' && (path.size() == 1 || path[1] == '/'))
        if (auto home = nonEmpty(env, "HOME")) return *home + path.substr(1);
    return path;
}

bool isHex(const std::string& s, std::size_t n) {
    return s.size() == n && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) && !std::isupper(c); });
}

std::string jstr(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t jsize(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return 0;
    if (it->is_number_unsigned()) return it->get<std::uint64_t>();
    if (it->is_number_integer()) return static_cast<std::uint64_t>(std::max<std::int64_t>(0, it->get<std::int64_t>()));
    if (it->is_number_float()) return static_cast<std::uint64_t>(std::max(0.0, it->get<double>()));
    return 0;
}

// ModelScope's JSON envelope carries its own error: {"Code": 10010205001, "Message": "…", "Success": false}.
std::string envelopeMessage(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) return {};
    std::string m = jstr(j, "Message");
    if (m.empty()) m = jstr(j, "message");
    return m;
}

}  // namespace

ModelScopeEnv modelScopeEnvFromEnvironment(const EnvLookup& env) {
    ModelScopeEnv e;
    if (auto v = nonEmpty(env, "MODELSCOPE_ENDPOINT")) {
        e.endpoint = *v;
        while (!e.endpoint.empty() && e.endpoint.back() == '/') e.endpoint.pop_back();
    }
    std::string root = nonEmpty(env, "MODELSCOPE_CACHE").value_or("~/.cache/modelscope");
    e.cache_root = expandHome(root, env) + "/hub";
    if (auto v = nonEmpty(env, "MODELSCOPE_API_TOKEN")) e.token = *v;
    e.offline = envTruthy(env("HF_HUB_OFFLINE")) || envTruthy(env("MODELSCOPE_OFFLINE"));
    if (auto v = nonEmpty(env, "HF_HUB_DOWNLOAD_TIMEOUT")) {
        int n = std::atoi(v->c_str());
        if (n > 0 && n <= 3600) e.download_timeout_s = n;
    }
    return e;
}

std::string modelScopeSnapshotId(const std::string& repo_id, const std::vector<RepoFile>& files) {
    std::vector<const RepoFile*> sorted;
    for (const auto& f : files) sorted.push_back(&f);
    std::sort(sorted.begin(), sorted.end(), [](const RepoFile* a, const RepoFile* b) { return a->path < b->path; });
    Sha1 h;
    std::string head = "modelscope\n" + repo_id + "\n";
    h.update(head.data(), head.size());
    for (const RepoFile* f : sorted) {
        std::string line = f->path + '\0' + f->lfs_sha256 + '\0' + std::to_string(f->size_bytes) + '\n';
        h.update(line.data(), line.size());
    }
    return h.hexDigest();
}

ModelScopeClient::ModelScopeClient(ModelScopeEnv env, std::string token, RetryPolicy retry)
    : HubClient(retry), env_(std::move(env)), token_(std::move(token)) {}

Result<ModelPage> ModelScopeClient::searchModels(const SearchQuery&, const CancelToken&) {
    return makeError(ErrorCode::Unsupported, "searching ModelScope is not supported",
                     "type the model id as shown on modelscope.cn (owner/name, e.g. Qwen/Qwen2.5-0.5B-Instruct) and list its files");
}

Result<ModelPage> ModelScopeClient::nextPage(const std::string&, const CancelToken& cancel) { return searchModels({}, cancel); }

Result<WhoAmI> ModelScopeClient::whoami(const CancelToken&) {
    return makeError(ErrorCode::Unsupported, "checking a ModelScope token is not supported",
                     "public ModelScope models need no token; for private ones set MODELSCOPE_API_TOKEN");
}

std::string ModelScopeClient::realRevision(const std::string& repo_id, const std::string& revision) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_snapshot_.find(repo_id + "@" + revision);
    return it != by_snapshot_.end() ? it->second.revision : revision;
}

Result<ModelScopeClient::Listing> ModelScopeClient::fetchListing(const std::string& repo_id, const std::string& revision,
                                                                 const CancelToken& cancel) {
    SRS_TRY(validateRepoId(repo_id));
    SRS_TRY(validateRevision(revision));
    const std::string what = "listing files of " + repo_id + " on ModelScope";
    if (env_.offline)
        return makeError(ErrorCode::Network, "offline mode is set, so " + what + " cannot reach " + env_.endpoint,
                         "unset HF_HUB_OFFLINE / MODELSCOPE_OFFLINE; downloads of cached models still work offline");
    HttpRequest req;
    req.url = env_.endpoint + "/api/v1/models/" + urlEncode(repo_id, true) + "/repo/files?Revision=" + urlEncode(revision) +
              "&Recursive=true";
    req.headers = {{"Accept", "application/json"}};
    req.bearer_token = token_;
    req.cancel = cancel;
    RetryCall call;
    call.what = what;
    call.fail = [&](const Error& failure) {
        Error e = failure.withContext(what);
        if (e.hint.empty()) e.hint = "check the network connection (and any proxy); MODELSCOPE_ENDPOINT is " + env_.endpoint;
        return e;
    };
    call.refuse = [&](const HttpResponse& r) {
        std::string msg = envelopeMessage(r.body);
        std::string full = what + ": HTTP " + std::to_string(r.status) + (msg.empty() ? "" : " (" + msg + ")");
        if (r.status == 404)
            return makeError(ErrorCode::NotFound, full,
                             "check the model id '" + repo_id + "' and the revision '" + revision + "' on " + env_.endpoint +
                                 "/models/" + repo_id + " (ModelScope's default branch is master)");
        if (r.status == 401 || r.status == 403)
            return makeError(r.status == 401 ? ErrorCode::Unauthorized : ErrorCode::Forbidden, full,
                             "the model is private or needs accepting its licence on ModelScope: set MODELSCOPE_API_TOKEN "
                             "to a token of an account that can read it");
        Error e = hubHttpError(r, what, repo_id, env_.endpoint);
        e.message = full;
        return e;
    };
    auto resp = sendRetrying(req, call);
    if (!resp) return resp.error();
    auto j = nlohmann::json::parse(resp->body, nullptr, false);
    if (!j.is_object())
        return makeError(ErrorCode::Network, what + ": the answer is not JSON",
                         "check MODELSCOPE_ENDPOINT (" + env_.endpoint + ") points at ModelScope");
    if (j.contains("Success") && j["Success"].is_boolean() && !j["Success"].get<bool>()) {
        std::string msg = jstr(j, "Message");
        return makeError(ErrorCode::NotFound, what + ": ModelScope answered: " + (msg.empty() ? std::string("failure") : msg),
                         "check the model id and revision on " + env_.endpoint + "/models/" + repo_id);
    }
    auto data = j.find("Data");
    if (data == j.end() || !data->is_object() || !data->contains("Files") || !(*data)["Files"].is_array())
        return makeError(ErrorCode::Network, what + ": the answer has no Data.Files list",
                         "check MODELSCOPE_ENDPOINT (" + env_.endpoint + ") points at ModelScope");
    Listing out;
    out.revision = revision;
    for (const auto& e : (*data)["Files"]) {
        if (!e.is_object()) continue;
        std::string type = jstr(e, "Type");
        if (type == "tree" || type == "dir") continue;
        RepoFile f;
        f.path = jstr(e, "Path");
        if (f.path.empty()) f.path = jstr(e, "Name");
        if (f.path.empty()) continue;
        SRS_TRY(validateRemotePath(f.path, repo_id));
        f.size_bytes = jsize(e, "Size");
        f.is_lfs = e.value("IsLFS", false);
        std::string sha = jstr(e, "Sha256");
        std::transform(sha.begin(), sha.end(), sha.begin(), [](unsigned char c) { return std::tolower(c); });
        if (isHex(sha, 64)) f.lfs_sha256 = sha;
        out.files.push_back(std::move(f));
    }
    std::sort(out.files.begin(), out.files.end(), [](const RepoFile& a, const RepoFile& b) { return a.path < b.path; });
    out.snapshot = modelScopeSnapshotId(repo_id, out.files);
    // Files without a sha256 still need a stable blob name unique to this content: sha1 of the
    // snapshot and path, prefixed so the downloader does not mistake it for a git sha1.
    for (auto& f : out.files) {
        if (!f.lfs_sha256.empty()) continue;
        Sha1 h;
        std::string key = out.snapshot + "\n" + f.path;
        h.update(key.data(), key.size());
        f.oid = "ms-" + h.hexDigest();
    }
    return out;
}

Result<ModelScopeClient::Listing> ModelScopeClient::listing(const std::string& repo_id, const std::string& revision,
                                                            const CancelToken& cancel) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = by_snapshot_.find(repo_id + "@" + revision);
        if (it != by_snapshot_.end()) return it->second;
    }
    if (isHex(revision, 40))
        return makeError(ErrorCode::NotFound, revision + " is not a snapshot of " + repo_id + " listed in this session",
                         "give a branch or tag (master by default); ModelScope snapshots are named by their content");
    auto l = fetchListing(repo_id, revision, cancel);
    if (!l) return l.error();
    std::lock_guard<std::mutex> lock(mu_);
    by_snapshot_[repo_id + "@" + l->snapshot] = *l;
    return l;
}

Result<HubModel> ModelScopeClient::modelInfo(const std::string& repo_id, const std::string& revision, bool,
                                             const CancelToken& cancel) {
    auto l = listing(repo_id, revision.empty() ? std::string("master") : revision, cancel);
    if (!l) return l.error();
    HubModel m;
    m.id = repo_id;
    auto slash = repo_id.find('/');
    if (slash != std::string::npos) m.author = repo_id.substr(0, slash);
    m.sha = l->snapshot;
    m.siblings = l->files;
    return m;
}

Result<std::vector<RepoFile>> ModelScopeClient::listFiles(const std::string& repo_id, const std::string& revision,
                                                          const CancelToken& cancel) {
    auto l = listing(repo_id, revision.empty() ? std::string("master") : revision, cancel);
    if (!l) return l.error();
    return l->files;
}

Result<FileMetadata> ModelScopeClient::fileMetadata(const std::string& repo_id, const std::string& revision,
                                                    const std::string& path, const CancelToken& cancel) {
    auto l = listing(repo_id, revision, cancel);
    if (!l) return l.error();
    for (const auto& f : l->files) {
        if (f.path != path) continue;
        FileMetadata m;
        m.commit = l->snapshot;
        m.etag = f.lfs_sha256.empty() ? f.oid : f.lfs_sha256;
        m.size_bytes = f.size_bytes;
        m.size_known = true;
        return m;
    }
    return makeError(ErrorCode::NotFound, path + " is not in " + repo_id + " on ModelScope at " + l->revision,
                     "list the repository's files and check the name");
}

HttpRequest ModelScopeClient::fileRequest(const std::string& repo_id, const std::string& revision, const std::string& path) const {
    HttpRequest req;
    req.url = env_.endpoint + "/api/v1/models/" + urlEncode(repo_id, true) + "/repo?Revision=" +
              urlEncode(realRevision(repo_id, revision)) + "&FilePath=" + urlEncode(path);
    req.headers = {{"Accept-Encoding", "identity"}};
    req.bearer_token = token_;
    req.stall_timeout_s = std::max(env_.download_timeout_s, 10);
    return req;
}

}  // namespace srs::hub
