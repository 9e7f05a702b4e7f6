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

#include "core/common/numeric_cast.h"
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

// What a path is, for messages about files that cannot be uploaded.
std::string fileKindName(fs::file_type type) {
    switch (type) {
    case fs::file_type::regular: return "a regular file";
    case fs::file_type::directory: return "a folder";
    case fs::file_type::fifo: return "a FIFO (named pipe)";
    case fs::file_type::character: return "a character device";
    case fs::file_type::block: return "a block device";
    case fs::file_type::socket: return "a socket";
    case fs::file_type::not_found: return "missing";
    default: return "not a regular file";
    }
}

// collectUploadFolder's walk. Symbolic links are resolved here, not by the iterator: a link to a
// regular file (anywhere: a Hugging Face cache snapshot links to ../../blobs/) is uploaded under
// the link's own name; a link to a folder is followed only when that folder is inside the upload
// folder and does not contain the link (a loop); links to anything else, dangling links and
// special files are refused, naming the path, so nothing ever opens a FIFO or a device.
struct FolderWalk {
    std::string folder;           // as given
    fs::path root;                // its canonical path
    std::string prefix;           // path_in_repo prefix, no trailing '/'
    std::vector<fs::path> open;   // canonical folders being listed, root first (loop check)
    std::vector<UploadItem> items;
};

constexpr std::size_t kMaxFolderDepth = 64;

bool isInside(const fs::path& path, const fs::path& root) {
    auto r = root.begin(), p = path.begin();
    for (; r != root.end(); ++r, ++p)
        if (p == path.end() || *p != *r) return false;
    return true;
}

Status walkUploadFolder(FolderWalk& w, const fs::path& dir, const std::string& rel_dir);

// A symbolic link at `rel`: added, followed or refused.
Status followLink(FolderWalk& w, const fs::path& link, const std::string& rel) {
    std::error_code ec;
    std::string shown = w.folder + "/" + rel;
    fs::path target_text = fs::read_symlink(link, ec);
    std::string arrow = shown + " -> " + (ec ? std::string("?") : target_text.string());
    fs::path target = fs::canonical(link, ec);
    if (ec == std::errc::too_many_symbolic_link_levels)
        return makeError(ErrorCode::InvalidArgument, "cannot upload the link " + arrow + ": it is a loop of links",
                         "replace the link with the file it should name, or remove it");
    if (ec)
        return makeError(ErrorCode::NotFound, "cannot upload the link " + arrow + ": its target does not exist (" + ec.message() + ")",
                         "restore the file it names, or remove the link");
    fs::file_type type = fs::status(target, ec).type();
    if (type == fs::file_type::regular) {
        w.items.push_back({link.string(), w.prefix.empty() ? rel : w.prefix + "/" + rel});
        return validateRemotePath(w.items.back().path_in_repo);
    }
    if (type != fs::file_type::directory)
        return makeError(ErrorCode::InvalidArgument,
                         "cannot upload the link " + arrow + ": it points to " + target.string() + ", which is " + fileKindName(type) +
                             "; only links to regular files are followed",
                         "remove the link from " + w.folder + ", or replace it with a copy of the file to upload");
    if (!isInside(target, w.root))
        return makeError(ErrorCode::InvalidArgument,
                         "cannot upload the link " + arrow + ": it points to the folder " + target.string() + ", outside " + w.folder,
                         "links to folders are followed only inside the upload folder; copy the files in, or remove the link");
    if (std::find(w.open.begin(), w.open.end(), target) != w.open.end())
        return makeError(ErrorCode::InvalidArgument,
                         "cannot upload the link " + arrow + ": it points back to " + target.string() + ", which holds it (a loop)",
                         "remove the link");
    if (w.open.size() >= kMaxFolderDepth)
        return makeError(ErrorCode::InvalidArgument, "cannot upload " + shown + ": folders nest more than " +
                                                         std::to_string(kMaxFolderDepth) + " deep through links",
                         "remove the links that nest folders into each other");
    w.open.push_back(target);
    Status st = walkUploadFolder(w, link, rel);
    w.open.pop_back();
    return st;
}

Status walkUploadFolder(FolderWalk& w, const fs::path& dir, const std::string& rel_dir) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
    if (ec) return makeError(ErrorCode::IoError, "cannot list " + dir.string() + ": " + ec.message());
    for (const auto& entry : entries) {
        std::string name = entry.path().filename().string();
        std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
        fs::file_type type = entry.symlink_status(ec).type();
        if (ec) return makeError(ErrorCode::IoError, "cannot read " + entry.path().string() + ": " + ec.message());
        if (name == ".git" || rel == ".cache/huggingface") continue;
        if (type != fs::file_type::directory && ignoredPath(rel)) continue;
        if (type == fs::file_type::symlink) {
            SRS_TRY(followLink(w, entry.path(), rel));
        } else if (type == fs::file_type::directory) {
            if (w.open.size() >= kMaxFolderDepth)
                return makeError(ErrorCode::InvalidArgument, "cannot upload " + entry.path().string() + ": folders nest more than " +
                                                                 std::to_string(kMaxFolderDepth) + " deep");
            w.open.push_back(fs::canonical(entry.path(), ec));
            if (ec) return makeError(ErrorCode::IoError, "cannot resolve " + entry.path().string() + ": " + ec.message());
            Status st = walkUploadFolder(w, entry.path(), rel);
            w.open.pop_back();
            SRS_TRY(st);
        } else if (type == fs::file_type::regular) {
            w.items.push_back({entry.path().string(), w.prefix.empty() ? rel : w.prefix + "/" + rel});
            SRS_TRY(validateRemotePath(w.items.back().path_in_repo));
        } else {
            return makeError(ErrorCode::InvalidArgument,
                             "cannot upload " + entry.path().string() + ": it is " + fileKindName(type) + ", not a regular file",
                             "remove it from " + w.folder + " or upload another folder");
        }
    }
    return {};
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
        p.bytes_per_s = p.elapsed_ms > 0 ? num::real(sent) * 1000.0 / num::real(p.elapsed_ms) : 0;
        p.eta_ms = p.bytes_per_s > 0 ? num::saturate<std::int64_t>(num::real(p.total_bytes - p.done_bytes) * 1000.0 / p.bytes_per_s) : -1;
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

// Copies the string headers of an LFS action onto req, never an Authorization one.
void addActionHeaders(HttpRequest& req, const json& header) {
    for (auto it = header.begin(); it != header.end(); ++it)
        if (it.value().is_string() && it.key() != "Authorization" && it.key() != "authorization")
            req.headers.emplace_back(it.key(), it.value().get<std::string>());
}

// The part size of a multipart upload, or 0 for a basic one (no chunk_size in the header).
Result<std::uint64_t> multipartChunkSize(const json& header, const std::string& what) {
    if (!header.contains("chunk_size")) return std::uint64_t{0};
    const json& c = header["chunk_size"];
    const std::string text = c.is_string() ? c.get<std::string>() : std::string();
    std::uint64_t chunk = 0;
    if (c.is_number_unsigned()) chunk = c.get<std::uint64_t>();
    else if (!text.empty() && text.size() < 19 &&
             std::all_of(text.begin(), text.end(), [](unsigned char ch) { return std::isdigit(ch); }))
        chunk = std::stoull(text);
    if (chunk == 0) return makeError(ErrorCode::Network, what + ": the LFS batch answer has an invalid chunk_size");
    return chunk;
}

// Basic transfer: one PUT of the whole file.
Status putWholeFile(HfClient& client, const Entry& e, const std::string& href, const json& header, const std::string& what,
                    Reporter& rep, UploadFileProgress& fp, const CancelToken& cancel) {
    HttpRequest req;
    req.method = "PUT";
    req.url = href;
    req.body_file = e.item.local_path;
    req.body_offset = 0;
    req.body_size = e.size;
    req.headers = {{"Content-Type", "application/octet-stream"}};
    addActionHeaders(req, header);
    req.cancel = cancel;
    req.on_upload_progress = [&](std::uint64_t sent) {
        fp.done_bytes = sent;
        rep.emit();
    };
    auto r = sendToStorage(req, what, client.retryPolicy(), &fp.attempts);
    if (!r) return r.error();
    return {};
}

// The presigned URLs of the parts, under the numbered header keys "00001", "00002", ...
Result<std::vector<std::string>> multipartUrls(const json& header, std::uint64_t nparts, const std::string& what) {
    std::vector<std::string> urls;
    for (std::uint64_t i = 1; i <= nparts; ++i) {
        char key[16];
        std::snprintf(key, sizeof key, "%05llu", static_cast<unsigned long long>(i));
        if (!header.contains(key) || !header[key].is_string() || !isHttpUrl(header[key].get<std::string>()))
            return makeError(ErrorCode::Network,
                             what + ": the multipart answer lacks the URL of part " + key + " of " + std::to_string(nparts));
        urls.push_back(header[key].get<std::string>());
    }
    return urls;
}

// Multipart transfer: a PUT per consecutive slice of `chunk` bytes, then a POST to href that
// names the parts by their ETags.
Status putMultipart(HfClient& client, const Entry& e, const std::string& href, const json& header, std::uint64_t chunk,
                    const std::string& what, Reporter& rep, UploadFileProgress& fp, const CancelToken& cancel) {
    const std::uint64_t nparts = (e.size + chunk - 1) / chunk;
    auto urls = multipartUrls(header, nparts, what);
    if (!urls) return urls.error();
    json parts = json::array();
    for (std::uint64_t i = 0; i < nparts; ++i) {
        HttpRequest req;
        req.method = "PUT";
        req.url = (*urls)[i];
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
    return {};
}

// The verify action, when the batch answer has one: the server checks it holds the blob.
Status verifyLfsObject(HfClient& client, const std::string& repo_id, const Entry& e, const json& actions,
                       const std::string& what, const CancelToken& cancel) {
    if (!actions.contains("verify") || !actions["verify"].is_object() || !actions["verify"].contains("href") ||
        !actions["verify"]["href"].is_string())
        return {};
    const std::string vhref = actions["verify"]["href"].get<std::string>();
    if (!isHttpUrl(vhref)) return makeError(ErrorCode::Network, what + ": the LFS verify URL is not an http(s) URL");
    HttpRequest req;
    req.method = "POST";
    req.url = vhref;
    req.headers = {{"Accept", kLfsType}, {"Content-Type", kLfsType}};
    const json& vh = actions["verify"].value("header", json::object());
    if (vh.is_object()) addActionHeaders(req, vh);
    req.body = json{{"oid", e.sha256}, {"size", e.size}}.dump();
    req.cancel = cancel;
    // The token goes along only when the verify URL is the Hub itself.
    Result<HttpResponse> r = startsWith(vhref, client.endpoint() + "/")
                                 ? client.send(req, what + " (verifying)", repo_id, /*token_required=*/true)
                                 : sendToStorage(req, what + " (verifying)", client.retryPolicy(), nullptr);
    if (!r) return r.error();
    return {};
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

    auto chunk = multipartChunkSize(header, what);
    if (!chunk) return chunk.error();
    SRS_TRY(*chunk == 0 ? putWholeFile(client, e, href, header, what, rep, fp, cancel)
                        : putMultipart(client, e, href, header, *chunk, what, rep, fp, cancel));
    fp.done_bytes = e.size;
    SRS_TRY(verifyLfsObject(client, repo_id, e, actions, what, cancel));
    fp.state = UploadState::Uploaded;
    rep.emit(true);
    return {};
}

// One uploadFiles call: what its steps read and update.
struct UploadRun {
    HfClient& client;
    const UploadOptions& o;
    const CancelToken& cancel;
    Reporter rep;
    std::vector<Entry> entries;
    UploadResult result;
};

// Refuses a bad repository id, revision or remote path, duplicates, missing files and a missing
// token, before any request.
Status checkUploadRequest(const HfClient& client, const UploadOptions& o, const std::vector<UploadItem>& items) {
    SRS_TRY(validateRepoId(o.repo_id));
    SRS_TRY(validateRevision(o.revision));
    if (items.empty()) return makeError(ErrorCode::InvalidArgument, "nothing to upload to " + o.repo_id);
    std::set<std::string> seen;
    for (const auto& it : items) {
        SRS_TRY(validateRemotePath(it.path_in_repo, o.repo_id));
        if (!seen.insert(it.path_in_repo).second)
            return makeError(ErrorCode::InvalidArgument, "two files would be uploaded as " + it.path_in_repo);
        std::error_code ec;
        fs::file_type type = fs::status(it.local_path, ec).type();
        if (type != fs::file_type::regular)
            return makeError(type == fs::file_type::not_found ? ErrorCode::NotFound : ErrorCode::InvalidArgument,
                             "cannot upload " + it.local_path + ": it is " + fileKindName(type) + ", not a regular file",
                             "upload regular files only (a link is followed to the file it names)");
    }
    if (!client.hasToken())
        return makeError(ErrorCode::Unauthorized, "uploading to " + o.repo_id + " needs a Hugging Face token and none is set",
                         "create a token with write access at " + client.endpoint() +
                             "/settings/tokens and set it in HF_TOKEN or save it in $HF_HOME/token");
    return {};
}

void addEntries(UploadRun& run, const std::vector<UploadItem>& items) {
    run.entries.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        run.entries[i].item = items[i];
        UploadFileProgress fp;
        fp.path = items[i].path_in_repo;
        run.rep.p.files.push_back(fp);
    }
    run.rep.p.files_total = static_cast<int>(items.size());
}

// The first 512 bytes of the file, base64: the sample the preupload call classifies it by.
std::string headSample(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string head(512, '\0');
    in.read(head.data(), 512);
    head.resize(static_cast<std::size_t>(in.gcount()));
    return base64Encode(head);
}

// Hash everything first: the batch API needs every oid and size up front.
Status hashEntries(UploadRun& run) {
    Reporter& rep = run.rep;
    rep.phase("hashing");
    for (std::size_t i = 0; i < run.entries.size(); ++i) {
        auto& e = run.entries[i];
        rep.p.files[i].state = UploadState::Hashing;
        rep.emit();
        auto h = hashFile(e.item.local_path, run.cancel);
        if (!h) return h.error();
        e.size = h->size_bytes;
        e.sha256 = h->sha256;
        e.sample_b64 = headSample(e.item.local_path);
        rep.p.files[i].total_bytes = e.size;
        rep.p.files[i].state = UploadState::Queued;
        rep.p.total_bytes += e.size;
    }
    return {};
}

// Asks the Hub how to upload entries [start, stop) and marks each as LFS, regular or ignored.
Status preuploadChunk(UploadRun& run, std::size_t start, std::size_t stop) {
    const UploadOptions& o = run.o;
    json files = json::array();
    for (std::size_t i = start; i < stop; ++i) {
        const Entry& e = run.entries[i];
        files.push_back({{"path", e.item.path_in_repo}, {"sample", e.sample_b64}, {"size", e.size}});
    }
    HttpRequest req;
    req.method = "POST";
    req.url = apiRepo(run.client, o.repo_id) + "/preupload/" + urlEncode(o.revision);
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = json{{"files", files}}.dump();
    req.cancel = run.cancel;
    const std::string what = "asking " + o.repo_id + " how to upload its files";
    auto r = run.client.send(req, what, o.repo_id, true);
    if (!r) return r.error();
    auto j = parseJsonBody(*r, what);
    if (!j) return j.error();
    std::map<std::string, const json*> modes;
    if (j->contains("files") && (*j)["files"].is_array())
        for (const auto& f : (*j)["files"])
            if (f.is_object() && f.contains("path") && f["path"].is_string()) modes[f["path"].get<std::string>()] = &f;
    for (std::size_t i = start; i < stop; ++i) {
        auto& e = run.entries[i];
        auto m = modes.find(e.item.path_in_repo);
        if (m == modes.end()) return makeError(ErrorCode::Network, what + ": the answer does not mention " + e.item.path_in_repo);
        e.lfs = m->second->value("uploadMode", std::string("regular")) == "lfs" && e.size > 0;  // empty files are always regular
        e.ignore = m->second->value("shouldIgnore", false);
        run.rep.p.files[i].lfs = e.lfs;
        if (e.ignore) log::info(e.item.path_in_repo + " is ignored by the repository's .gitignore; not uploaded");
    }
    return {};
}

// Preupload: the Hub decides which files are LFS (its .gitattributes, size and content rules).
Status classifyEntries(UploadRun& run) {
    run.rep.phase("preparing");
    for (std::size_t start = 0; start < run.entries.size(); start += kPreuploadChunk) {
        SRS_TRY(run.cancel.check("preparing the upload"));
        SRS_TRY(preuploadChunk(run, start, std::min(run.entries.size(), start + kPreuploadChunk)));
    }
    return {};
}

// The LFS blobs to send, in first-seen order; identical files share one blob.
struct LfsBlobs {
    std::vector<std::string> oids;
    std::map<std::string, std::vector<std::size_t>> holders;  // oid -> indices of the entries with that content
};

LfsBlobs lfsBlobs(const std::vector<Entry>& entries) {
    LfsBlobs blobs;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].lfs || entries[i].ignore) continue;
        if (blobs.holders[entries[i].sha256].empty()) blobs.oids.push_back(entries[i].sha256);
        blobs.holders[entries[i].sha256].push_back(i);
    }
    return blobs;
}

// The LFS batch request for some blobs; the answer, checked to list objects.
Result<json> requestLfsBatch(UploadRun& run, const json& objects, const std::string& what) {
    const UploadOptions& o = run.o;
    HttpRequest req;
    req.method = "POST";
    req.url = run.client.endpoint() + "/" + urlEncode(o.repo_id, true) + ".git/info/lfs/objects/batch";
    req.headers = {{"Accept", kLfsType}, {"Content-Type", kLfsType}};
    req.body = json{{"operation", "upload"},
                    {"transfers", {"basic", "multipart"}},
                    {"objects", objects},
                    {"hash_algo", "sha256"},
                    {"ref", {{"name", o.revision}}}}
                   .dump();
    req.cancel = run.cancel;
    auto r = run.client.send(req, what, o.repo_id, true);
    if (!r) return r.error();
    auto j = parseJsonBody(*r, what);
    if (!j) return j.error();
    if (!j->contains("objects") || !(*j)["objects"].is_array())
        return makeError(ErrorCode::Network, what + ": the LFS batch answer has no objects");
    return j;
}

Error lfsObjectError(const json& err, const std::string& path_in_repo, const std::string& repo_id) {
    std::string msg = err.is_object() ? err.value("message", std::string("unknown error")) : std::string("unknown error");
    int code = err.is_object() && err.contains("code") && err["code"].is_number_integer() ? err["code"].get<int>() : 0;
    return makeError(code == 401 || code == 403 ? ErrorCode::Forbidden : ErrorCode::Network,
                     "the Hub refused the LFS upload of " + path_in_repo + " (" + std::to_string(code) + ": " + msg + ")",
                     "check the token has write access to " + repo_id);
}

// Acts on the batch answer for one blob: a refusal fails the upload; without an upload action the
// Hub already stores it (an earlier, interrupted attempt, or the same blob elsewhere); otherwise it
// is sent once for all the entries that hold it.
Status handleLfsAnswer(UploadRun& run, const std::vector<std::size_t>& holders, const json& obj) {
    Reporter& rep = run.rep;
    const std::size_t first = holders[0];
    const Entry& e = run.entries[first];
    if (obj.contains("error")) return lfsObjectError(obj["error"], e.item.path_in_repo, run.o.repo_id);
    const bool has_upload = obj.contains("actions") && obj["actions"].is_object() && obj["actions"].contains("upload");
    if (!has_upload) {
        for (std::size_t i : holders) {
            rep.p.files[i].state = UploadState::AlreadyOnHub;
            rep.p.files[i].done_bytes = run.entries[i].size;
            rep.skipped_bytes += run.entries[i].size;
        }
        ++run.result.lfs_already_on_hub;
        rep.emit(true);
        return {};
    }
    Status s = uploadLfsObject(run.client, run.o.repo_id, e, obj["actions"], rep, rep.p.files[first], run.cancel);
    if (!s.ok()) {
        rep.p.files[first].state = UploadState::Failed;
        rep.p.files[first].error = s.error().message;
        rep.emit(true);
        return s.error();
    }
    for (std::size_t i : holders) {
        rep.p.files[i].state = UploadState::Uploaded;
        rep.p.files[i].done_bytes = run.entries[i].size;
    }
    ++run.result.lfs_uploaded;
    run.result.bytes_uploaded += e.size;
    rep.emit(true);
    return {};
}

// One batch request for blobs.oids[start, stop), then each blob per its answer.
Status uploadLfsBatch(UploadRun& run, const LfsBlobs& blobs, std::size_t start, std::size_t stop) {
    json objects = json::array();
    for (std::size_t k = start; k < stop; ++k)
        objects.push_back({{"oid", blobs.oids[k]}, {"size", run.entries[blobs.holders.at(blobs.oids[k])[0]].size}});
    const std::string what = "starting the LFS upload to " + run.o.repo_id;
    auto j = requestLfsBatch(run, objects, what);
    if (!j) return j.error();
    std::map<std::string, const json*> answers;
    for (const auto& obj : (*j)["objects"])
        if (obj.is_object() && obj.contains("oid") && obj["oid"].is_string()) answers[obj["oid"].get<std::string>()] = &obj;
    for (std::size_t k = start; k < stop; ++k) {
        const std::vector<std::size_t>& holders = blobs.holders.at(blobs.oids[k]);
        auto a = answers.find(blobs.oids[k]);
        if (a == answers.end())
            return makeError(ErrorCode::Network,
                             what + ": the LFS batch answer does not mention " + run.entries[holders[0]].item.path_in_repo);
        SRS_TRY(handleLfsAnswer(run, holders, *a->second));
    }
    return {};
}

// LFS batch: the server answers per object with upload actions, or none when it has the blob.
Status uploadLfsBlobs(UploadRun& run) {
    run.rep.phase("uploading");
    const LfsBlobs blobs = lfsBlobs(run.entries);
    for (std::size_t start = 0; start < blobs.oids.size(); start += kLfsBatchChunk) {
        SRS_TRY(run.cancel.check("uploading"));
        SRS_TRY(uploadLfsBatch(run, blobs, start, std::min(blobs.oids.size(), start + kLfsBatchChunk)));
    }
    return {};
}

// The commit's parent: the one given, else the branch head now; empty when unknown.
Result<std::string> parentCommit(UploadRun& run) {
    if (!run.o.parent_commit.empty()) return run.o.parent_commit;
    auto info = run.client.modelInfo(run.o.repo_id, run.o.revision, false, run.cancel);
    if (info && isCommitHash(info->sha)) return info->sha;
    if (!info && info.error().code == ErrorCode::Cancelled) return info.error();
    return std::string();
}

int committedCount(const std::vector<Entry>& entries) {
    int committed = 0;
    for (const auto& e : entries) committed += e.ignore ? 0 : 1;
    return committed;
}

std::string ndjsonLine(const char* key, const json& value) { return json{{"key", key}, {"value", value}}.dump() + "\n"; }

// The NDJSON commit body: the header, then each committed file, LFS ones by oid and size, the
// others inline. Records the committed paths and inline files in run.result.
Result<std::string> commitBody(UploadRun& run, const std::string& parent, int committed) {
    const UploadOptions& o = run.o;
    json head = {{"summary", o.commit_message.empty() ? "Upload " + std::to_string(committed) + " files with SignRound Studio"
                                                      : o.commit_message},
                 {"description", o.commit_description}};
    if (!parent.empty()) head["parentCommit"] = parent;
    std::string ndjson = ndjsonLine("header", head);
    for (std::size_t i = 0; i < run.entries.size(); ++i) {
        const auto& e = run.entries[i];
        if (e.ignore) continue;
        if (e.lfs) {
            ndjson += ndjsonLine("lfsFile",
                                 {{"path", e.item.path_in_repo}, {"algo", "sha256"}, {"oid", e.sha256}, {"size", e.size}});
        } else {
            auto bytes = io::readFile(e.item.local_path);
            if (!bytes) return bytes.error();
            // The file may have changed since it was hashed; what is sent is what was read now.
            ndjson += ndjsonLine("file",
                                 {{"content", base64Encode(*bytes)}, {"path", e.item.path_in_repo}, {"encoding", "base64"}});
            run.rep.p.files[i].state = UploadState::Inline;
            ++run.result.inline_files;
        }
        run.result.files.push_back(e.item.path_in_repo);
    }
    return ndjson;
}

Status sendCommit(UploadRun& run, std::string ndjson, int committed) {
    const UploadOptions& o = run.o;
    HttpRequest req;
    req.method = "POST";
    req.url = apiRepo(run.client, o.repo_id) + "/commit/" + urlEncode(o.revision);
    req.headers = {{"Content-Type", "application/x-ndjson"}, {"Accept", "application/json"}};
    req.body = std::move(ndjson);
    req.cancel = run.cancel;
    const std::string what = "committing " + std::to_string(committed) + " files to " + o.repo_id;
    auto r = run.client.send(req, what, o.repo_id, true);
    if (!r) return r.error();
    auto j = parseJsonBody(*r, what);
    if (!j) return j.error();
    run.result.commit_url = j->value("commitUrl", std::string());
    run.result.commit_oid = j->value("commitOid", std::string());
    return {};
}

// The commit. Pin the parent so that a retry after a lost answer cannot commit twice.
Status commitEntries(UploadRun& run) {
    SRS_TRY(run.cancel.check("committing"));
    run.rep.phase("committing");
    auto parent = parentCommit(run);
    if (!parent) return parent.error();
    const int committed = committedCount(run.entries);
    if (committed == 0)
        return makeError(ErrorCode::InvalidArgument, "every file is ignored by the repository's .gitignore; nothing to commit");
    auto body = commitBody(run, *parent, committed);
    if (!body) return body.error();
    SRS_TRY(sendCommit(run, std::move(*body), committed));
    for (std::size_t i = 0; i < run.entries.size(); ++i) {
        if (run.entries[i].ignore) continue;
        run.rep.p.files[i].state = UploadState::Committed;
        run.rep.p.files[i].done_bytes = run.entries[i].size;
    }
    return {};
}

}  // namespace

Result<std::vector<UploadItem>> collectUploadFolder(const std::string& folder, const std::string& prefix) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return makeError(ErrorCode::NotFound, "upload folder not found: " + folder, "give the folder an export wrote (--output_dir)");
    std::string pre = prefix;
    while (!pre.empty() && pre.back() == '/') pre.pop_back();
    FolderWalk walk;
    walk.folder = folder;
    walk.prefix = pre;
    walk.root = fs::canonical(folder, ec);
    if (ec) return makeError(ErrorCode::IoError, "cannot resolve " + folder + ": " + ec.message());
    walk.open.push_back(walk.root);
    SRS_TRY(walkUploadFolder(walk, folder, ""));
    std::vector<UploadItem>& items = walk.items;
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
    SRS_TRY(checkUploadRequest(client, o, items));
    UploadRun run{client, o, cancel, Reporter(progress, o.progress_interval_ms), {}, {}};
    addEntries(run, items);
    if (o.create_repo) {
        auto url = createRepo(client, o.repo_id, o.private_repo, client.retryPolicy(), cancel);
        if (!url) return url.error();
        run.result.repo_url = *url;
    } else {
        run.result.repo_url = client.endpoint() + "/" + o.repo_id;
    }
    SRS_TRY(hashEntries(run));
    SRS_TRY(classifyEntries(run));
    SRS_TRY(uploadLfsBlobs(run));
    SRS_TRY(commitEntries(run));
    run.rep.phase("done");
    log::info("uploaded " + std::to_string(committedCount(run.entries)) + " files to " + o.repo_id + " (" +
              std::to_string(run.result.lfs_uploaded) + " LFS blobs sent, " + std::to_string(run.result.lfs_already_on_hub) +
              " already on the Hub)");
    return std::move(run.result);
}

Result<UploadResult> uploadFolder(HfClient& client, const UploadOptions& options, const std::string& folder,
                                  const UploadProgressFn& progress, const CancelToken& cancel) {
    auto items = collectUploadFolder(folder);
    if (!items) return items.error();
    return uploadFiles(client, options, *items, progress, cancel);
}

}  // namespace srs::hub
