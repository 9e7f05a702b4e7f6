#include "core/hub/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/common/text.h"

namespace srs::hub {
namespace {

std::once_flag g_curl_init;

// One easy handle per thread, reset between requests, so keep-alive connections are reused.
struct ThreadHandle {
    CURL* curl = nullptr;
    ~ThreadHandle() {
        if (curl) curl_easy_cleanup(curl);
    }
};
thread_local ThreadHandle t_handle;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

struct Transfer {
    const HttpRequest* req = nullptr;
    HttpResponse* resp = nullptr;
    CURL* curl = nullptr;
    bool started = false;   // first body byte (or end) seen
    bool stream = false;    // the body goes to req->on_body
    bool aborted_by_sink = false;
    bool body_too_large = false;  // an in-memory 2xx body passed req->max_body_bytes
    // Request body source.
    const std::string* mem_body = nullptr;
    std::FILE* file = nullptr;
    std::uint64_t body_total = 0;
    std::uint64_t body_sent = 0;
};

bool startResponse(Transfer* t) {
    if (t->started) return true;
    t->started = true;
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    t->resp->status = code;
    bool ok = code >= 200 && code < 300;
    t->stream = ok && static_cast<bool>(t->req->on_body);
    if (ok && t->req->on_response && !t->req->on_response(code, t->resp->headers)) {
        t->aborted_by_sink = true;
        return false;
    }
    return true;
}

size_t onHeader(char* buffer, size_t size, size_t nitems, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    size_t n = size * nitems;
    std::string line(buffer, n);
    if (line.rfind("HTTP/", 0) == 0) {
        // A new response in a redirect chain (or after 100 Continue): keep only the last one's headers.
        t->resp->headers.clear();
        return n;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) return n;
    t->resp->headers.emplace_back(lower(text::trim(line.substr(0, colon))), text::trim(line.substr(colon + 1)));
    return n;
}

size_t onWrite(char* data, size_t size, size_t nmemb, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    size_t n = size * nmemb;
    if (!startResponse(t)) return 0;
    if (t->stream) {
        if (!t->req->on_body(data, n)) {
            t->aborted_by_sink = true;
            return 0;
        }
        return n;
    }
    bool ok = t->resp->status >= 200 && t->resp->status < 300;
    if (ok && n > t->req->max_body_bytes - std::min<std::uint64_t>(t->resp->body.size(), t->req->max_body_bytes)) {
        t->body_too_large = true;
        return 0;
    }
    if (ok || t->resp->body.size() < 65536) t->resp->body.append(data, n);
    return n;
}

size_t onRead(char* buffer, size_t size, size_t nitems, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    size_t want = size * nitems;
    std::uint64_t left = t->body_total - t->body_sent;
    if (left < want) want = static_cast<size_t>(left);
    if (want == 0) return 0;
    size_t got = 0;
    if (t->file) {
        got = std::fread(buffer, 1, want, t->file);
        if (got == 0) return CURL_READFUNC_ABORT;
    } else {
        std::memcpy(buffer, t->mem_body->data() + t->body_sent, want);
        got = want;
    }
    t->body_sent += got;
    if (t->req->on_upload_progress) t->req->on_upload_progress(t->body_sent);
    return got;
}

int onSeek(void* userdata, curl_off_t offset, int origin) {
    auto* t = static_cast<Transfer*>(userdata);
    if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > t->body_total) return CURL_SEEKFUNC_FAIL;
    if (t->file && std::fseek(t->file, static_cast<long>(t->req->body_offset + offset), SEEK_SET) != 0)
        return CURL_SEEKFUNC_FAIL;
    t->body_sent = static_cast<std::uint64_t>(offset);
    return CURL_SEEKFUNC_OK;
}

int onProgress(void* userdata, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(userdata);
    return t->req->cancel.cancelled() ? 1 : 0;
}

std::string noProxyList() {
    std::string list;
    for (const char* name : {"no_proxy", "NO_PROXY"}) {
        const char* v = std::getenv(name);
        if (v && *v) {
            list = v;
            break;
        }
    }
    if (list == "*") return list;
    // Loopback never goes through a proxy: the fake hub in tests, local mirrors.
    if (!list.empty()) list += ",";
    return list + "127.0.0.1,localhost,::1";
}

Error transportError(CURLcode code, const char* errbuf, const HttpRequest& req) {
    std::string detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(code);
    std::string what = req.method + " " + req.url;
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return makeError(ErrorCode::Network, "cannot reach the server for " + what + ": " + detail,
                         "check the network connection and proxy settings (HTTPS_PROXY, NO_PROXY); "
                         "set HF_HUB_OFFLINE=1 to work only with models already in the cache");
    case CURLE_OPERATION_TIMEDOUT:
        return makeError(ErrorCode::Network, "the connection stalled during " + what + ": " + detail,
                         "the network or the server is slow or down; retry later (downloads resume where they stopped)");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return makeError(ErrorCode::Network, "TLS failed for " + what + ": " + detail,
                         "check the system clock and CA certificates, or a proxy that intercepts HTTPS");
    default:
        return makeError(ErrorCode::Network, "transfer failed for " + what + ": " + detail,
                         "the connection was interrupted; retry (downloads resume where they stopped)");
    }
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return {};
}

Result<HttpResponse> httpSend(const HttpRequest& req) {
    std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (req.cancel.cancelled()) return makeError(ErrorCode::Cancelled, "cancelled before " + req.method + " " + req.url);
    if (!t_handle.curl) t_handle.curl = curl_easy_init();
    CURL* curl = t_handle.curl;
    if (!curl) return makeError(ErrorCode::Internal, "libcurl could not create a handle");
    curl_easy_reset(curl);

    HttpResponse resp;
    Transfer t;
    t.req = &req;
    t.resp = &resp;
    t.curl = curl;
    char errbuf[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(req.connect_timeout_s));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(req.stall_timeout_s));
    std::string noproxy = noProxyList();
    curl_easy_setopt(curl, CURLOPT_NOPROXY, noproxy.c_str());
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "signround-studio/" SRS_VERSION);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);

    struct curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
    // libcurl (>= 7.58) drops a custom Authorization header when a redirect leaves the host, so
    // the token never reaches a CDN.
    if (!req.bearer_token.empty())
        headers = curl_slist_append(headers, ("Authorization: Bearer " + req.bearer_token).c_str());
    headers = curl_slist_append(headers, "Expect:");

    bool has_body = !req.body.empty() || !req.body_file.empty() || req.method == "POST" || req.method == "PUT";
    if (!req.body_file.empty()) {
        t.file = std::fopen(req.body_file.c_str(), "rb");
        if (!t.file) {
            curl_slist_free_all(headers);
            return makeError(ErrorCode::IoError, "cannot read " + req.body_file + " for upload");
        }
        std::fseek(t.file, static_cast<long>(req.body_offset), SEEK_SET);
        t.body_total = req.body_size;
    } else {
        t.mem_body = &req.body;
        t.body_total = req.body.size();
    }
    if (req.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(curl, CURLOPT_READDATA, &t);
        curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, onSeek);
        curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);
        if (req.method == "PUT") {
            curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.body_total));
        } else {
            curl_easy_setopt(curl, CURLOPT_POST, 1L);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body_total));
            if (req.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
        }
    } else if (req.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    auto t0 = std::chrono::steady_clock::now();
    CURLcode rc = curl_easy_perform(curl);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    curl_slist_free_all(headers);
    if (t.file) std::fclose(t.file);

    char* eff = nullptr;
    curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &eff);
    if (eff) resp.effective_url = eff;
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    resp.status = code;

    if (rc == CURLE_ABORTED_BY_CALLBACK || (rc == CURLE_WRITE_ERROR && t.aborted_by_sink && req.cancel.cancelled())) {
        log::debug("HTTP " + req.method + " " + req.url + " cancelled after " + std::to_string(ms) + " ms");
        return makeError(ErrorCode::Cancelled, "cancelled during " + req.method + " " + req.url);
    }
    if (rc == CURLE_WRITE_ERROR && t.body_too_large) {
        log::debug("HTTP " + req.method + " " + req.url + ": body over " + std::to_string(req.max_body_bytes) + " bytes");
        return makeError(ErrorCode::CorruptFile,
                         "the server sent more than " + std::to_string(req.max_body_bytes) + " bytes in answer to " + req.method +
                             " " + req.url + "; the transfer was stopped",
                         "no Hub answer is that large: check HF_ENDPOINT and any proxy or mirror in between");
    }
    if (rc == CURLE_WRITE_ERROR && t.aborted_by_sink) {
        log::debug("HTTP " + req.method + " " + req.url + " stopped by the receiver");
        return makeError(ErrorCode::IoError, "the download of " + req.url + " was stopped while writing it to disk",
                         "check free disk space and permissions of the cache folder");
    }
    if (rc != CURLE_OK) {
        log::debug("HTTP " + req.method + " " + req.url + " failed: " + curl_easy_strerror(rc));
        return transportError(rc, errbuf, req);
    }
    if (!t.started && !startResponse(&t))
        return makeError(ErrorCode::Cancelled, "the response to " + req.url + " was refused by the receiver");
    log::debug("HTTP " + req.method + " " + req.url + " -> " + std::to_string(resp.status) + " in " + std::to_string(ms) + " ms");
    return resp;
}

std::string urlEncode(const std::string& s, bool keep_slash) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string linkNext(const std::string& link_header) {
    // Link: <url>; rel="next", <url2>; rel="prev"
    std::size_t pos = 0;
    while (pos < link_header.size()) {
        auto lt = link_header.find('<', pos);
        if (lt == std::string::npos) break;
        auto gt = link_header.find('>', lt);
        if (gt == std::string::npos) break;
        std::string url = link_header.substr(lt + 1, gt - lt - 1);
        auto next_entry = link_header.find('<', gt);
        std::string params = link_header.substr(gt + 1, next_entry == std::string::npos ? std::string::npos : next_entry - gt - 1);
        std::string p = lower(params);
        if (p.find("rel=\"next\"") != std::string::npos || p.find("rel=next") != std::string::npos) return url;
        pos = gt + 1;
    }
    return {};
}

int retryAfterSeconds(const std::string& value, int fallback) {
    std::string v = text::trim(value);
    if (v.empty() || !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) return fallback;
    long n = std::strtol(v.c_str(), nullptr, 10);
    return static_cast<int>(std::min<long>(n, 3600));
}

std::string normalizeEtag(const std::string& etag) {
    std::string e = text::trim(etag);
    if (e.rfind("W/", 0) == 0) e = e.substr(2);
    if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
    return e;
}

Error hubHttpError(const HttpResponse& r, const std::string& what, const std::string& repo_id, const std::string& endpoint) {
    std::string code_header = r.header("x-error-code");
    std::string server_msg = r.header("x-error-message");
    if (server_msg.empty() && !r.body.empty()) {
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        if (j.is_object() && j.contains("error") && j["error"].is_string()) server_msg = j["error"].get<std::string>();
        else if (j.is_object() && j.contains("message") && j["message"].is_string()) server_msg = j["message"].get<std::string>();
        else if (j.is_discarded() && r.body.find('<') == std::string::npos) server_msg = text::trim(r.body.substr(0, 200));
    }
    std::string msg = what + ": HTTP " + std::to_string(r.status);
    if (!server_msg.empty()) msg += " (" + server_msg + ")";
    std::string page = endpoint.empty() || repo_id.empty() ? std::string("the model page") : endpoint + "/" + repo_id;
    std::string tokens = endpoint.empty() ? std::string("the Hub's token settings") : endpoint + "/settings/tokens";

    if (code_header == "GatedRepo")
        return makeError(ErrorCode::Forbidden, msg,
                         "this model is gated: open " + page + ", accept its conditions while logged in, then use a token "
                         "of that account (HF_TOKEN, the Hub page's login, or --token)");
    if (code_header == "RepoNotFound")
        return makeError(ErrorCode::NotFound, msg,
                         "check the repository id" + (repo_id.empty() ? std::string() : " '" + repo_id + "'") +
                             "; a private repository also needs a token of an account that can read it");
    if (code_header == "RevisionNotFound")
        return makeError(ErrorCode::NotFound, msg, "check the branch, tag or commit name (main is the default)");
    if (code_header == "EntryNotFound")
        return makeError(ErrorCode::NotFound, msg, "the file does not exist in this repository at this revision; list the files first");

    switch (r.status) {
    case 401:
        return makeError(ErrorCode::Unauthorized, msg,
                         "the token is missing, invalid or expired: create a read token at " + tokens +
                             " and set it in HF_TOKEN or save it in the token file ($HF_HOME/token, the one `hf auth login` writes)");
    case 403:
        return makeError(ErrorCode::Forbidden, msg,
                         "the token lacks permission for this: use a token with read access (write access to upload) to " +
                             (repo_id.empty() ? std::string("the repository") : repo_id));
    case 404:
        return makeError(ErrorCode::NotFound, msg, "check the repository id, revision and file name");
    case 429: {
        int wait = retryAfterSeconds(r.header("retry-after"), 60);
        return makeError(ErrorCode::RateLimited, msg,
                         "the Hub is rate-limiting requests: wait " + std::to_string(wait) +
                             " s and retry; logged-in users get higher limits");
    }
    case 409:
        return makeError(ErrorCode::InvalidArgument, msg, "the repository changed or an operation is in progress; retry");
    default: break;
    }
    if (r.status >= 500)
        return makeError(ErrorCode::Network, msg, "the server had an error; retry in a few minutes");
    if (r.status >= 400) return makeError(ErrorCode::InvalidArgument, msg, "the server refused the request");
    return makeError(ErrorCode::Network, msg, "unexpected response from the server");
}

}  // namespace srs::hub
