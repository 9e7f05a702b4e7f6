#include "core/hub/hf_client.h"

#include <algorithm>
#include <cctype>

namespace srs::hub {

namespace {
bool nameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

// A header value the cache will use as a file name: hex digests, or at least nothing that can
// leave the folder.
bool safeKey(const std::string& s) {
    return !s.empty() && s.size() <= 128 &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}
}  // namespace

Status validateRepoId(const std::string& repo_id) {
    auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument, "invalid repository id '" + repo_id + "': " + why,
                         "use the form org/name as shown on the model page, e.g. NeelNanda/pile-10k");
    };
    if (repo_id.empty()) return bad("it is empty");
    if (repo_id.size() > 96 + 1 + 96) return bad("it is too long");
    if (std::count(repo_id.begin(), repo_id.end(), '/') > 1) return bad("more than one '/'");
    if (repo_id.find("--") != std::string::npos || repo_id.find("..") != std::string::npos) return bad("'--' and '..' are not allowed");
    std::size_t start = 0;
    while (start <= repo_id.size()) {
        auto slash = repo_id.find('/', start);
        std::string part = repo_id.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty()) return bad("an empty name part");
        if (!std::all_of(part.begin(), part.end(), nameChar)) return bad("only letters, digits, '-', '_' and '.' are allowed");
        if (part.front() == '-' || part.front() == '.' || part.back() == '-' || part.back() == '.')
            return bad("a name part starts or ends with '-' or '.'");
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return {};
}

Status validateRevision(const std::string& revision) {
    auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument, "invalid revision '" + revision + "': " + why,
                         "give a branch (main), a tag or a 40-character commit hash");
    };
    if (revision.empty()) return bad("it is empty");
    if (revision.size() > 255) return bad("it is too long");
    if (revision.front() == '/' || revision.back() == '/') return bad("it starts or ends with '/'");
    if (revision.find("..") != std::string::npos || revision.find("//") != std::string::npos) return bad("'..' or '//'");
    for (unsigned char c : revision)
        if (c < 0x21 || c == 0x7f || c == '\\' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[')
            return bad("it contains a character git does not allow in a ref");
    return {};
}

HfClient::HfClient(HubEnv env, std::string token, RetryPolicy retry)
    : HubClient(retry), env_(std::move(env)), token_(std::move(token)) {}

Status HfClient::checkOnline(const std::string& what) const {
    if (!env_.offline) return {};
    return makeError(ErrorCode::Network, "HF_HUB_OFFLINE is set, so " + what + " cannot reach " + env_.endpoint,
                     "unset HF_HUB_OFFLINE to use the Hub; downloads of cached models still work offline");
}

Result<HttpResponse> HfClient::send(HttpRequest req, const std::string& what, const std::string& repo_id,
                                    bool token_required, const std::vector<long>& accepted) {
    SRS_TRY(checkOnline(what));
    if (token_required && token_.empty())
        return makeError(ErrorCode::Unauthorized, what + ": this needs a Hugging Face token and none is set",
                         "create a token at " + env_.endpoint + "/settings/tokens and set it in HF_TOKEN or save it in " +
                             (env_.token_path.empty() ? std::string("$HF_HOME/token") : env_.token_path));
    if (token_required || env_.implicit_token) req.bearer_token = token_;
    RetryCall call;
    call.what = what;
    call.accept = [&](const HttpResponse& r) {
        long s = r.status;
        return (s >= 200 && s < 300) || std::find(accepted.begin(), accepted.end(), s) != accepted.end() ||
               (!req.follow_redirects && s >= 300 && s < 400);
    };
    call.refuse = [&](const HttpResponse& r) { return hubHttpError(r, what, repo_id, env_.endpoint); };
    return sendRetrying(req, call);
}

Result<nlohmann::json> HfClient::getJson(const std::string& url, const std::string& what, const std::string& repo_id,
                                         const CancelToken& cancel, HttpResponse* raw) {
    HttpRequest req;
    req.url = url;
    req.headers = {{"Accept", "application/json"}};
    req.cancel = cancel;
    auto r = send(req, what, repo_id);
    if (!r) return r.error();
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded())
        return makeError(ErrorCode::Network, what + ": the server's answer is not JSON",
                         "check HF_ENDPOINT (" + env_.endpoint + ") points at a Hugging Face Hub");
    if (raw) *raw = std::move(*r);
    return j;
}

Result<ModelPage> HfClient::searchModels(const SearchQuery& q, const CancelToken& cancel) {
    std::string url = env_.endpoint + "/api/models?";
    auto add = [&url](const std::string& k, const std::string& v) {
        if (url.back() != '?') url += '&';
        url += k + "=" + urlEncode(v);
    };
    if (!q.search.empty()) add("search", q.search);
    if (!q.author.empty()) add("author", q.author);
    for (const auto& f : q.filters) add("filter", f);
    if (!q.sort.empty()) add("sort", q.sort);
    if (q.descending) add("direction", "-1");
    add("limit", std::to_string(std::clamp(q.limit, 1, 1000)));
    // Fields for the results table; expand cannot be combined with full/config/cardData.
    for (const char* e : {"author", "downloads", "likes", "lastModified", "createdAt", "gated", "private", "pipeline_tag",
                          "library_name", "tags", "safetensors"})
        add("expand", e);
    return nextPage(url, cancel);
}

Result<ModelPage> HfClient::nextPage(const std::string& next_url, const CancelToken& cancel) {
    // A Link header could point anywhere; only follow it on the same endpoint so the token stays home.
    if (next_url.rfind(env_.endpoint + "/", 0) != 0)
        return makeError(ErrorCode::InvalidArgument, "refusing to follow a page link outside " + env_.endpoint + ": " + next_url);
    HttpResponse raw;
    auto j = getJson(next_url, "searching models", {}, cancel, &raw);
    if (!j) return j.error();
    if (!j->is_array()) return makeError(ErrorCode::Network, "searching models: the answer is not a list of models");
    ModelPage page;
    for (const auto& e : *j)
        if (e.is_object()) page.models.push_back(parseHubModel(e));
    page.next_url = linkNext(raw.header("link"));
    return page;
}

Result<HubModel> HfClient::modelInfo(const std::string& repo_id, const std::string& revision, bool files_metadata,
                                     const CancelToken& cancel) {
    SRS_TRY(validateRepoId(repo_id));
    std::string url = env_.endpoint + "/api/models/" + urlEncode(repo_id, true);
    if (!revision.empty()) {
        SRS_TRY(validateRevision(revision));
        url += "/revision/" + urlEncode(revision);
    }
    if (files_metadata) url += "?blobs=true";
    auto j = getJson(url, "reading model info of " + repo_id, repo_id, cancel);
    if (!j) return j.error();
    if (!j->is_object()) return makeError(ErrorCode::Network, "model info of " + repo_id + " is not a JSON object");
    return parseHubModel(*j);
}

Result<std::vector<RepoFile>> HfClient::listFiles(const std::string& repo_id, const std::string& revision,
                                                  const CancelToken& cancel) {
    SRS_TRY(validateRepoId(repo_id));
    std::string rev = revision.empty() ? "main" : revision;
    SRS_TRY(validateRevision(rev));
    std::string url = env_.endpoint + "/api/models/" + urlEncode(repo_id, true) + "/tree/" + urlEncode(rev) +
                      "?recursive=true&expand=false";
    std::vector<RepoFile> files;
    for (int page = 0; !url.empty(); ++page) {
        if (page > 10000) return makeError(ErrorCode::Network, "listing files of " + repo_id + ": too many pages");
        if (url.rfind(env_.endpoint + "/", 0) != 0)
            return makeError(ErrorCode::InvalidArgument, "refusing to follow a page link outside " + env_.endpoint);
        HttpResponse raw;
        auto j = getJson(url, "listing files of " + repo_id, repo_id, cancel, &raw);
        if (!j) return j.error();
        if (!j->is_array()) return makeError(ErrorCode::Network, "listing files of " + repo_id + ": the answer is not a list");
        for (const auto& e : *j) {
            if (!e.is_object()) continue;
            RepoFile f = parseTreeEntry(e);
            if (!f.is_dir) files.push_back(std::move(f));
        }
        url = linkNext(raw.header("link"));
    }
    return files;
}

Result<WhoAmI> HfClient::whoami(const CancelToken& cancel) {
    HttpRequest req;
    req.url = env_.endpoint + "/api/whoami-v2";
    req.cancel = cancel;
    auto r = send(req, "checking the token with whoami", {}, /*token_required=*/true);
    if (!r) {
        if (r.error().code != ErrorCode::Unauthorized || token_.empty()) return r.error();
        // The one case users hit most: a stale or mistyped token. Say which token, from where.
        Error e = r.error();
        e.message = "the Hub (" + env_.endpoint + ") refused the token " + maskToken(token_) +
                    (token_origin_.empty() ? std::string() : " from " + token_origin_) + ": " + r.error().message;
        e.hint = "the token is invalid, expired or revoked: create a new one at " + env_.endpoint +
                 "/settings/tokens and set it in HF_TOKEN, or save it in " +
                 (env_.token_path.empty() ? std::string("$HF_HOME/token") : env_.token_path);
        e.message = redact(e.message, token_);  // the server's message might echo the header
        return e;
    }
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (!j.is_object()) return makeError(ErrorCode::Network, "whoami: the answer is not a JSON object");
    return parseWhoAmI(j);
}

HttpRequest HfClient::fileRequest(const std::string& repo_id, const std::string& revision, const std::string& path) const {
    HttpRequest req;
    req.url = env_.endpoint + "/" + urlEncode(repo_id, true) + "/resolve/" + urlEncode(revision) + "/" + urlEncode(path, true);
    req.headers = {{"Accept-Encoding", "identity"}};
    if (env_.implicit_token) req.bearer_token = token_;
    req.stall_timeout_s = std::max(env_.download_timeout_s, 10);
    return req;
}

Result<FileMetadata> HfClient::fileMetadata(const std::string& repo_id, const std::string& revision, const std::string& path,
                                            const CancelToken& cancel) {
    SRS_TRY(validateRepoId(repo_id));
    SRS_TRY(validateRevision(revision));
    HttpRequest req = fileRequest(repo_id, revision, path);
    req.method = "HEAD";
    req.follow_redirects = false;
    req.cancel = cancel;
    req.stall_timeout_s = std::max(env_.etag_timeout_s, 1);
    std::string what = "reading metadata of " + path + " in " + repo_id;
    for (int hop = 0;; ++hop) {
        auto r = send(req, what, repo_id);
        if (!r) return r.error();
        std::string location = r->header("location");
        // Relative redirects are renamed repositories; absolute ones lead to the CDN and carry
        // the metadata on the redirect itself.
        if (r->status >= 300 && r->status < 400 && !location.empty() && location.front() == '/') {
            if (hop >= 3) return makeError(ErrorCode::Network, what + ": too many redirects");
            req.url = env_.endpoint + location;
            continue;
        }
        if (r->status >= 300 && r->status < 400 && location.empty())
            return makeError(ErrorCode::Network, what + ": redirect without a Location");
        FileMetadata m;
        m.commit = r->header("x-repo-commit");
        m.etag = normalizeEtag(r->header("x-linked-etag"));
        if (m.etag.empty()) m.etag = normalizeEtag(r->header("etag"));
        std::string size = r->header("x-linked-size");
        if (size.empty()) size = r->header("content-length");
        if (!size.empty() && std::all_of(size.begin(), size.end(), [](unsigned char c) { return std::isdigit(c); })) {
            m.size_bytes = std::stoull(size);
            m.size_known = true;
        }
        m.location = location;
        if (!safeKey(m.commit) || !safeKey(m.etag))
            return makeError(ErrorCode::Network,
                             what + ": the server sent no usable commit or ETag header (commit '" + m.commit + "', ETag '" + m.etag + "')",
                             "a proxy may be stripping headers; check HF_ENDPOINT and proxy settings");
        return m;
    }
}

}  // namespace srs::hub
