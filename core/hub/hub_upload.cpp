#include "core/hub/hub_upload.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/hub/hub_cache.h"
#include "core/hub/sha.h"
#include "core/io/atomic_file.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace srs::hub {

const char* uploadStateName(UploadState state) {
    switch (state) {
    case UploadState::Queued: return "queued";
    case UploadState::Hashing: return "hashing";
    case UploadState::Uploading: return "uploading";
    case UploadState::AlreadyOnHub: return "already on the Hub";
    case UploadState::Uploaded: return "uploaded";
    case UploadState::Inline: return "inline";
    case UploadState::Committed: return "committed";
    case UploadState::Failed: return "failed";
    }
    return "?";
}

std::string base64Encode(const void* data, std::size_t size) {
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto* p = static_cast<const unsigned char*>(data);
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        std::uint32_t v = (std::uint32_t(p[i]) << 16) | (std::uint32_t(p[i + 1]) << 8) | p[i + 2];
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (size - i == 1) {
        std::uint32_t v = std::uint32_t(p[i]) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (size - i == 2) {
        std::uint32_t v = (std::uint32_t(p[i]) << 16) | (std::uint32_t(p[i + 1]) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

namespace {

constexpr std::size_t kPreuploadChunk = 256;  // huggingface_hub's batch sizes
constexpr std::size_t kLfsBatchChunk = 256;
const char* kLfsType = "application/vnd.git-lfs+json";

bool startsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

bool ignoredPath(const std::string& rel) {
    auto ends = [&](const std::string& suffix) {
        return rel.size() >= suffix.size() && rel.compare(rel.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return rel == ".git" || startsWith(rel, ".git/") || rel.find("/.git/") != std::string::npos ||
           startsWith(rel, ".cache/huggingface/") || ends(".incomplete") || ends(".tmp");
}

struct Entry {
    UploadItem item;
    std::uint64_t size = 0;
    std::string sha256;
    std::string sample_b64;
    bool lfs = false;
    bool ignore = false;
};

// Keeps the progress snapshot and emits it at most every interval (and always when forced).
class Reporter {
public:
    Reporter(const UploadProgressFn& fn, int interval_ms) : fn_(fn), interval_ms_(interval_ms), t0_(Clock::now()) {}
    UploadProgress p;

    void emit(bool force = false) {
        if (!fn_) return;
        auto now = Clock::now();
        if (!force && now - last_ < std::chrono::milliseconds(interval_ms_)) return;
        last_ = now;
        p.done_bytes = 0;
        p.files_done = 0;
        for (const auto& f : p.files) {
            p.done_bytes += f.done_bytes;
            if (f.state == UploadState::Uploaded || f.state == UploadState::AlreadyOnHub || f.state == UploadState::Committed)
                ++p.files_done;
        }
        p.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - t0_).count();
        // Speed counts bytes actually sent, not blobs the Hub already had.
        std::uint64_t sent = p.done_bytes >= skipped_bytes ? p.done_bytes - skipped_bytes : 0;
        p.bytes_per_s = p.elapsed_ms > 0 ? sent * 1000.0 / p.elapsed_ms : 0;
        p.eta_ms = p.bytes_per_s > 0 ? static_cast<std::int64_t>((p.total_bytes - p.done_bytes) * 1000.0 / p.bytes_per_s) : -1;
        fn_(p);
    }
    void phase(const std::string& name) {
        p.phase = name;
        emit(true);
    }
    std::uint64_t skipped_bytes = 0;

private:
    const UploadProgressFn& fn_;
    int interval_ms_;
    Clock::time_point t0_, last_{};
};

bool isHttpUrl(const std::string& url) { return startsWith(url, "https://") || startsWith(url, "http://"); }

// A request to presigned storage (not the Hub): never with the token, retried like Hub calls.
Result<HttpResponse> sendToStorage(HttpRequest req, const std::string& what, const RetryPolicy& retry, int* attempts_out) {
    req.bearer_token.clear();
    RetryCall call;
    call.what = what;
    call.attempts_out = attempts_out;
    return sendWithRetry(req, retry, call);
}

Result<json> parseJsonBody(const HttpResponse& r, const std::string& what) {
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return makeError(ErrorCode::Network, what + ": the server's answer is not a JSON object",
                         "check HF_ENDPOINT points at a Hugging Face Hub");
    return j;
}

std::string apiRepo(const HfClient& client, const std::string& repo_id) {
    return client.endpoint() + "/api/models/" + urlEncode(repo_id, true);
}

// Sends one LFS object whose batch answer carried an upload action.
Status uploadLfsObject(HfClient& client, const std::string& repo_id, const Entry& e, const json& actions, Reporter& rep,
                       UploadFileProgress& fp, const CancelToken& cancel) {
    const std::string what = "uploading " + e.item.path_in_repo + " to " + repo_id;
    const json& upload = actions["upload"];
    if (!upload.is_object() || !upload.contains("href") || !upload["href"].is_string() || !isHttpUrl(upload["href"].get<std::string>()))
        return makeError(ErrorCode::Network, what + ": the LFS batch answer has no usable upload URL");
    const std::string href = upload["href"].get<std::string>();
    json header = upload.value("header", json::object());
    if (!header.is_object()) header = json::object();
    fp.state = UploadState::Uploading;
    rep.emit(true);

    std::uint64_t chunk = 0;
    if (header.contains("chunk_size")) {
        const json& c = header["chunk_size"];
        const std::string text = c.is_string() ? c.get<std::string>() : std::string();
        if (c.is_number_unsigned()) chunk = c.get<std::uint64_t>();
        else if (!text.empty() && text.size() < 19 &&
                 std::all_of(text.begin(), text.end(), [](unsigned char ch) { return std::isdigit(ch); }))
            chunk = std::stoull(text);
        if (chunk == 0) return makeError(ErrorCode::Network, what + ": the LFS batch answer has an invalid chunk_size");
    }

    if (chunk == 0) {  // basic transfer: one PUT of the whole file
        HttpRequest req;
        req.method = "PUT";
        req.url = href;
        req.body_file = e.item.local_path;
        req.body_offset = 0;
        req.body_size = e.size;
        req.headers = {{"Content-Type", "application/octet-stream"}};
        for (auto it = header.begin(); it != header.end(); ++it)
            if (it.value().is_string() && it.key() != "Authorization" && it.key() != "authorization")
                req.headers.emplace_back(it.key(), it.value().get<std::string>());
        req.cancel = cancel;
        req.on_upload_progress = [&](std::uint64_t sent) {
            fp.done_bytes = sent;
            rep.emit();
        };
        auto r = sendToStorage(req, what, client.retryPolicy(), &fp.attempts);
        if (!r) return r.error();
    } else {  // multipart: the numbered header keys are presigned URLs of consecutive slices
        std::uint64_t nparts = (e.size + chunk - 1) / chunk;
        std::vector<std::string> urls;
        for (std::uint64_t i = 1; i <= nparts; ++i) {
            char key[16];
            std::snprintf(key, sizeof key, "%05llu", static_cast<unsigned long long>(i));
            if (!header.contains(key) || !header[key].is_string() || !isHttpUrl(header[key].get<std::string>()))
                return makeError(ErrorCode::Network, what + ": the multipart answer lacks the URL of part " + key + " of " +
                                                         std::to_string(nparts));
            urls.push_back(header[key].get<std::string>());
        }
        json parts = json::array();
        for (std::uint64_t i = 0; i < nparts; ++i) {
            HttpRequest req;
            req.method = "PUT";
            req.url = urls[i];
            req.body_file = e.item.local_path;
            req.body_offset = i * chunk;
            req.body_size = std::min<std::uint64_t>(chunk, e.size - i * chunk);
            req.cancel = cancel;
            const std::uint64_t base = i * chunk;
            req.on_upload_progress = [&fp, &rep, base](std::uint64_t sent) {
                fp.done_bytes = base + sent;
                rep.emit();
            };
            int attempts = 0;
            auto r = sendToStorage(req, what + " (part " + std::to_string(i + 1) + " of " + std::to_string(nparts) + ")",
                                   client.retryPolicy(), &attempts);
            fp.attempts = std::max(fp.attempts, attempts);
            if (!r) return r.error();
            std::string etag = r->header("etag");
            if (etag.empty())
                return makeError(ErrorCode::Network, what + ": the storage server sent no ETag for part " + std::to_string(i + 1),
                                 "a proxy may be stripping headers");
            parts.push_back({{"partNumber", i + 1}, {"etag", etag}});
        }
        HttpRequest done;
        done.method = "POST";
        done.url = href;
        done.headers = {{"Accept", kLfsType}, {"Content-Type", kLfsType}};
        done.body = json{{"oid", e.sha256}, {"parts", parts}}.dump();
        done.cancel = cancel;
        auto r = sendToStorage(done, what + " (completing the multipart upload)", client.retryPolicy(), nullptr);
        if (!r) return r.error();
    }
    fp.done_bytes = e.size;

    if (actions.contains("verify") && actions["verify"].is_object() && actions["verify"].contains("href") &&
        actions["verify"]["href"].is_string()) {
        const std::string vhref = actions["verify"]["href"].get<std::string>();
        if (!isHttpUrl(vhref)) return makeError(ErrorCode::Network, what + ": the LFS verify URL is not an http(s) URL");
        HttpRequest req;
        req.method = "POST";
        req.url = vhref;
        req.headers = {{"Accept", kLfsType}, {"Content-Type", kLfsType}};
        const json& vh = actions["verify"].value("header", json::object());
        if (vh.is_object())
            for (auto it = vh.begin(); it != vh.end(); ++it)
                if (it.value().is_string() && it.key() != "Authorization" && it.key() != "authorization")
                    req.headers.emplace_back(it.key(), it.value().get<std::string>());
        req.body = json{{"oid", e.sha256}, {"size", e.size}}.dump();
        req.cancel = cancel;
        // The token goes along only when the verify URL is the Hub itself.
        Result<HttpResponse> r = startsWith(vhref, client.endpoint() + "/")
                                     ? client.send(req, what + " (verifying)", repo_id, /*token_required=*/true)
                                     : sendToStorage(req, what + " (verifying)", client.retryPolicy(), nullptr);
        if (!r) return r.error();
    }
    fp.state = UploadState::Uploaded;
    rep.emit(true);
    return {};
}

}  // namespace

Result<std::vector<UploadItem>> collectUploadFolder(const std::string& folder, const std::string& prefix) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return makeError(ErrorCode::NotFound, "upload folder not found: " + folder, "give the folder an export wrote (--output_dir)");
    std::string pre = prefix;
    while (!pre.empty() && pre.back() == '/') pre.pop_back();
    std::vector<UploadItem> items;
    fs::recursive_directory_iterator it(folder, fs::directory_options::follow_directory_symlink, ec), end;
    if (ec) return makeError(ErrorCode::IoError, "cannot list " + folder + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) return makeError(ErrorCode::IoError, "cannot list " + folder + ": " + ec.message());
        std::string rel = fs::relative(it->path(), folder, ec).generic_string();
        if (ec) return makeError(ErrorCode::IoError, "cannot list " + folder + ": " + ec.message());
        if (it->is_directory(ec)) {
            if (rel == ".git" || rel == ".cache/huggingface") it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec) || ignoredPath(rel)) continue;
        UploadItem item{it->path().string(), pre.empty() ? rel : pre + "/" + rel};
        SRS_TRY(validateRemotePath(item.path_in_repo));
        items.push_back(std::move(item));
    }
    std::sort(items.begin(), items.end(), [](const UploadItem& a, const UploadItem& b) { return a.path_in_repo < b.path_in_repo; });
    if (items.empty()) return makeError(ErrorCode::InvalidArgument, "nothing to upload: " + folder + " holds no files");
    return items;
}

Result<std::string> createRepo(HfClient& client, const std::string& repo_id, bool private_repo, const RetryPolicy& retry,
                               const CancelToken& cancel) {
    SRS_TRY(validateRepoId(repo_id));
    auto slash = repo_id.find('/');
    json body = {{"name", slash == std::string::npos ? repo_id : repo_id.substr(slash + 1)}, {"type", "model"}, {"private", private_repo}};
    if (slash != std::string::npos) body["organization"] = repo_id.substr(0, slash);
    HttpRequest req;
    req.method = "POST";
    req.url = client.endpoint() + "/api/repos/create";
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = body.dump();
    req.cancel = cancel;
    const std::string what = "creating the repository " + repo_id;
    for (int attempt = 1;; ++attempt) {
        auto r = client.send(req, what, repo_id, /*token_required=*/true, {409});
        if (!r) return r.error();
        if (r->status != 409) {
            auto j = json::parse(r->body, nullptr, false);
            if (j.is_object() && j.contains("url") && j["url"].is_string()) return j["url"].get<std::string>();
            return client.endpoint() + "/" + repo_id;
        }
        // 409 is "already exists" — fine — unless another operation on it is still running.
        if (r->body.find("conflicting operation") == std::string::npos) {
            log::info(repo_id + " already exists on " + client.endpoint() + "; uploading into it");
            return client.endpoint() + "/" + repo_id;
        }
        if (attempt >= retry.attempts()) return hubHttpError(*r, what, repo_id, client.endpoint());
        if (!sleepCancellable(retry.backoffMs(attempt), cancel)) return makeError(ErrorCode::Cancelled, "cancelled: " + what);
    }
}

Result<UploadResult> uploadFiles(HfClient& client, const UploadOptions& o, const std::vector<UploadItem>& items,
                                 const UploadProgressFn& progress, const CancelToken& cancel) {
    SRS_TRY(validateRepoId(o.repo_id));
    SRS_TRY(validateRevision(o.revision));
    if (items.empty()) return makeError(ErrorCode::InvalidArgument, "nothing to upload to " + o.repo_id);
    std::set<std::string> seen;
    for (const auto& it : items) {
        SRS_TRY(validateRemotePath(it.path_in_repo, o.repo_id));
        if (!seen.insert(it.path_in_repo).second)
            return makeError(ErrorCode::InvalidArgument, "two files would be uploaded as " + it.path_in_repo);
        std::error_code ec;
        if (!fs::is_regular_file(it.local_path, ec))
            return makeError(ErrorCode::NotFound, "cannot upload " + it.local_path + ": not a file");
    }
    if (!client.hasToken())
        return makeError(ErrorCode::Unauthorized, "uploading to " + o.repo_id + " needs a Hugging Face token and none is set",
                         "create a token with write access at " + client.endpoint() +
                             "/settings/tokens and set it in HF_TOKEN or save it in $HF_HOME/token");

    Reporter rep(progress, o.progress_interval_ms);
    std::vector<Entry> entries(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        entries[i].item = items[i];
        UploadFileProgress fp;
        fp.path = items[i].path_in_repo;
        rep.p.files.push_back(fp);
    }
    rep.p.files_total = static_cast<int>(items.size());

    UploadResult result;
    if (o.create_repo) {
        auto url = createRepo(client, o.repo_id, o.private_repo, client.retryPolicy(), cancel);
        if (!url) return url.error();
        result.repo_url = *url;
    } else {
        result.repo_url = client.endpoint() + "/" + o.repo_id;
    }

    // Hash everything first: the batch API needs every oid and size up front.
    rep.phase("hashing");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto& e = entries[i];
        rep.p.files[i].state = UploadState::Hashing;
        rep.emit();
        auto h = hashFile(e.item.local_path, cancel);
        if (!h) return h.error();
        e.size = h->size_bytes;
        e.sha256 = h->sha256;
        std::ifstream in(e.item.local_path, std::ios::binary);
        std::string head(512, '\0');
        in.read(head.data(), 512);
        head.resize(static_cast<std::size_t>(in.gcount()));
        e.sample_b64 = base64Encode(head);
        rep.p.files[i].total_bytes = e.size;
        rep.p.files[i].state = UploadState::Queued;
        rep.p.total_bytes += e.size;
    }

    // Preupload: the Hub decides which files are LFS (its .gitattributes, size and content rules).
    rep.phase("preparing");
    for (std::size_t start = 0; start < entries.size(); start += kPreuploadChunk) {
        SRS_TRY(cancel.check("preparing the upload"));
        std::size_t stop = std::min(entries.size(), start + kPreuploadChunk);
        json files = json::array();
        for (std::size_t i = start; i < stop; ++i)
            files.push_back({{"path", entries[i].item.path_in_repo}, {"sample", entries[i].sample_b64}, {"size", entries[i].size}});
        HttpRequest req;
        req.method = "POST";
        req.url = apiRepo(client, o.repo_id) + "/preupload/" + urlEncode(o.revision);
        req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
        req.body = json{{"files", files}}.dump();
        req.cancel = cancel;
        const std::string what = "asking " + o.repo_id + " how to upload its files";
        auto r = client.send(req, what, o.repo_id, true);
        if (!r) return r.error();
        auto j = parseJsonBody(*r, what);
        if (!j) return j.error();
        std::map<std::string, const json*> modes;
        if (j->contains("files") && (*j)["files"].is_array())
            for (const auto& f : (*j)["files"])
                if (f.is_object() && f.contains("path") && f["path"].is_string()) modes[f["path"].get<std::string>()] = &f;
        for (std::size_t i = start; i < stop; ++i) {
            auto& e = entries[i];
            auto m = modes.find(e.item.path_in_repo);
            if (m == modes.end())
                return makeError(ErrorCode::Network, what + ": the answer does not mention " + e.item.path_in_repo);
            e.lfs = m->second->value("uploadMode", std::string("regular")) == "lfs" && e.size > 0;  // empty files are always regular
            e.ignore = m->second->value("shouldIgnore", false);
            rep.p.files[i].lfs = e.lfs;
            if (e.ignore) log::info(e.item.path_in_repo + " is ignored by the repository's .gitignore; not uploaded");
        }
    }

    // LFS batch: the server answers per object with upload actions, or none when it has the blob.
    rep.phase("uploading");
    std::map<std::string, std::vector<std::size_t>> by_oid;  // identical files share one blob
    std::vector<std::string> oids;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].lfs || entries[i].ignore) continue;
        if (by_oid[entries[i].sha256].empty()) oids.push_back(entries[i].sha256);
        by_oid[entries[i].sha256].push_back(i);
    }
    for (std::size_t start = 0; start < oids.size(); start += kLfsBatchChunk) {
        SRS_TRY(cancel.check("uploading"));
        std::size_t stop = std::min(oids.size(), start + kLfsBatchChunk);
        json objects = json::array();
        for (std::size_t k = start; k < stop; ++k) objects.push_back({{"oid", oids[k]}, {"size", entries[by_oid[oids[k]][0]].size}});
        HttpRequest req;
        req.method = "POST";
        req.url = client.endpoint() + "/" + urlEncode(o.repo_id, true) + ".git/info/lfs/objects/batch";
        req.headers = {{"Accept", kLfsType}, {"Content-Type", kLfsType}};
        req.body = json{{"operation", "upload"},
                        {"transfers", {"basic", "multipart"}},
                        {"objects", objects},
                        {"hash_algo", "sha256"},
                        {"ref", {{"name", o.revision}}}}
                       .dump();
        req.cancel = cancel;
        const std::string what = "starting the LFS upload to " + o.repo_id;
        auto r = client.send(req, what, o.repo_id, true);
        if (!r) return r.error();
        auto j = parseJsonBody(*r, what);
        if (!j) return j.error();
        if (!j->contains("objects") || !(*j)["objects"].is_array())
            return makeError(ErrorCode::Network, what + ": the LFS batch answer has no objects");
        std::map<std::string, const json*> answers;
        for (const auto& obj : (*j)["objects"])
            if (obj.is_object() && obj.contains("oid") && obj["oid"].is_string()) answers[obj["oid"].get<std::string>()] = &obj;
        for (std::size_t k = start; k < stop; ++k) {
            const std::string& oid = oids[k];
            std::size_t first = by_oid[oid][0];
            const Entry& e = entries[first];
            auto a = answers.find(oid);
            if (a == answers.end())
                return makeError(ErrorCode::Network, what + ": the LFS batch answer does not mention " + e.item.path_in_repo);
            const json& obj = *a->second;
            if (obj.contains("error")) {
                const json& err = obj["error"];
                std::string msg = err.is_object() ? err.value("message", std::string("unknown error")) : std::string("unknown error");
                int code = err.is_object() && err.contains("code") && err["code"].is_number_integer() ? err["code"].get<int>() : 0;
                return makeError(code == 401 || code == 403 ? ErrorCode::Forbidden : ErrorCode::Network,
                                 "the Hub refused the LFS upload of " + e.item.path_in_repo + " (" + std::to_string(code) + ": " + msg + ")",
                                 "check the token has write access to " + o.repo_id);
            }
            bool has_upload = obj.contains("actions") && obj["actions"].is_object() && obj["actions"].contains("upload");
            if (!has_upload) {
                // Already stored (an earlier, interrupted attempt, or the same blob elsewhere).
                for (std::size_t i : by_oid[oid]) {
                    rep.p.files[i].state = UploadState::AlreadyOnHub;
                    rep.p.files[i].done_bytes = entries[i].size;
                    rep.skipped_bytes += entries[i].size;
                }
                ++result.lfs_already_on_hub;
                rep.emit(true);
                continue;
            }
            Status s = uploadLfsObject(client, o.repo_id, e, obj["actions"], rep, rep.p.files[first], cancel);
            if (!s.ok()) {
                rep.p.files[first].state = UploadState::Failed;
                rep.p.files[first].error = s.error().message;
                rep.emit(true);
                return s.error();
            }
            for (std::size_t i : by_oid[oid]) {
                rep.p.files[i].state = UploadState::Uploaded;
                rep.p.files[i].done_bytes = entries[i].size;
            }
            ++result.lfs_uploaded;
            result.bytes_uploaded += e.size;
            rep.emit(true);
        }
    }

    // The commit. Pin the parent so that a retry after a lost answer cannot commit twice.
    SRS_TRY(cancel.check("committing"));
    rep.phase("committing");
    std::string parent = o.parent_commit;
    if (parent.empty()) {
        auto info = client.modelInfo(o.repo_id, o.revision, false, cancel);
        if (info && isCommitHash(info->sha)) parent = info->sha;
        else if (!info && info.error().code == ErrorCode::Cancelled) return info.error();
    }
    int committed = 0;
    for (const auto& e : entries) committed += e.ignore ? 0 : 1;
    if (committed == 0) return makeError(ErrorCode::InvalidArgument, "every file is ignored by the repository's .gitignore; nothing to commit");
    json head = {{"summary", o.commit_message.empty() ? "Upload " + std::to_string(committed) + " files with SignRound Studio"
                                                      : o.commit_message},
                 {"description", o.commit_description}};
    if (!parent.empty()) head["parentCommit"] = parent;
    std::string ndjson = json{{"key", "header"}, {"value", head}}.dump() + "\n";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.ignore) continue;
        if (e.lfs) {
            ndjson += json{{"key", "lfsFile"},
                           {"value", {{"path", e.item.path_in_repo}, {"algo", "sha256"}, {"oid", e.sha256}, {"size", e.size}}}}
                          .dump() +
                      "\n";
        } else {
            auto bytes = io::readFile(e.item.local_path);
            if (!bytes) return bytes.error();
            // The file may have changed since it was hashed; what is sent is what was read now.
            ndjson += json{{"key", "file"},
                           {"value", {{"content", base64Encode(*bytes)}, {"path", e.item.path_in_repo}, {"encoding", "base64"}}}}
                          .dump() +
                      "\n";
            rep.p.files[i].state = UploadState::Inline;
            ++result.inline_files;
        }
        result.files.push_back(e.item.path_in_repo);
    }
    HttpRequest req;
    req.method = "POST";
    req.url = apiRepo(client, o.repo_id) + "/commit/" + urlEncode(o.revision);
    req.headers = {{"Content-Type", "application/x-ndjson"}, {"Accept", "application/json"}};
    req.body = std::move(ndjson);
    req.cancel = cancel;
    const std::string what = "committing " + std::to_string(committed) + " files to " + o.repo_id;
    auto r = client.send(req, what, o.repo_id, true);
    if (!r) return r.error();
    auto j = parseJsonBody(*r, what);
    if (!j) return j.error();
    result.commit_url = j->value("commitUrl", std::string());
    result.commit_oid = j->value("commitOid", std::string());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].ignore) continue;
        rep.p.files[i].state = UploadState::Committed;
        rep.p.files[i].done_bytes = entries[i].size;
    }
    rep.phase("done");
    log::info("uploaded " + std::to_string(committed) + " files to " + o.repo_id + " (" + std::to_string(result.lfs_uploaded) +
              " LFS blobs sent, " + std::to_string(result.lfs_already_on_hub) + " already on the Hub)");
    return result;
}

Result<UploadResult> uploadFolder(HfClient& client, const UploadOptions& options, const std::string& folder,
                                  const UploadProgressFn& progress, const CancelToken& cancel) {
    auto items = collectUploadFolder(folder);
    if (!items) return items.error();
    return uploadFiles(client, options, *items, progress, cancel);
}

}  // namespace srs::hub
