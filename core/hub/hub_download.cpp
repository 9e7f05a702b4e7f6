#include "core/hub/hub_download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "core/common/numeric_cast.h"
#include "core/common/log.h"
#include "core/common/units.h"
#include "core/hub/hf_client.h"
#include "core/hub/sha.h"
#include "core/io/atomic_file.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace srs::hub {

const char* fileStateName(FileState state) {
    switch (state) {
    case FileState::Queued: return "queued";
    case FileState::Checking: return "checking";
    case FileState::Downloading: return "downloading";
    case FileState::Verifying: return "verifying";
    case FileState::Done: return "done";
    case FileState::Cached: return "cached";
    case FileState::Failed: return "failed";
    }
    return "?";
}

bool globMatch(const std::string& pattern, const std::string& path) {
    // Iterative wildcard match with backtracking to the last '*'.
    std::size_t p = 0, s = 0, star = std::string::npos, mark = 0;
    while (s < path.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == path[s])) {
            ++p;
            ++s;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = s;
        } else if (star != std::string::npos) {
            p = star + 1;
            s = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::vector<std::string> filesNeededForQuantization(const std::vector<RepoFile>& files) {
    auto base = [](const std::string& p) {
        auto slash = p.rfind('/');
        return slash == std::string::npos ? p : p.substr(slash + 1);
    };
    auto endsWith = [](const std::string& s, const std::string& suffix) {
        return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    bool has_safetensors = std::any_of(files.begin(), files.end(), [&](const RepoFile& f) {
        return f.path.find('/') == std::string::npos && endsWith(f.path, ".safetensors");
    });
    static const std::set<std::string> kConfigs = {
        "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "tokenizer.model",
        "special_tokens_map.json", "vocab.json", "merges.txt", "added_tokens.json", "vocab.txt", "chat_template.jinja",
        "chat_template.json", "spiece.model", "sentencepiece.bpe.model"};
    std::vector<std::string> out;
    for (const auto& f : files) {
        // Weights and configs live at the top level; subfolders hold other formats (onnx/, gguf/…).
        if (f.is_dir || f.path.find('/') != std::string::npos) continue;
        std::string name = base(f.path);
        bool take = kConfigs.count(name) > 0;
        if (has_safetensors) take = take || endsWith(name, ".safetensors") || name == "model.safetensors.index.json";
        else take = take || (endsWith(name, ".bin") && name.rfind("pytorch_model", 0) == 0) || name == "pytorch_model.bin.index.json";
        if (take) out.push_back(f.path);
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

// Verifies a finished blob against its ETag while it streams: 64 hex digits are a sha256 (LFS),
// 40 a git blob sha1; anything else can only be checked by size.
class BlobVerifier {
public:
    BlobVerifier(const std::string& etag, std::uint64_t size) : etag_(etag), size_(size) {
        if (etag.size() == 64) kind_ = Kind::Sha256;
        else if (etag.size() == 40) kind_ = Kind::GitSha1;
        reset();
    }
    void reset() {
        s256_.reset();
        s1_.reset();
        if (kind_ == Kind::GitSha1) {
            std::string header = "blob " + std::to_string(size_);
            s1_.update(header.data(), header.size() + 1);
        }
    }
    void update(const char* p, std::size_t n) {
        if (kind_ == Kind::Sha256) s256_.update(p, n);
        else if (kind_ == Kind::GitSha1) s1_.update(p, n);
    }
    const char* kindName() const {
        return kind_ == Kind::Sha256 ? "sha256" : kind_ == Kind::GitSha1 ? "git sha1" : "size";
    }
    // Empty when the contents match, else the hash the contents actually have.
    std::string mismatch() {
        if (kind_ == Kind::Sha256) {
            std::string h = s256_.hexDigest();
            return h == etag_ ? std::string() : h;
        }
        if (kind_ == Kind::GitSha1) {
            std::string h = s1_.hexDigest();
            return h == etag_ ? std::string() : h;
        }
        return {};
    }

private:
    enum class Kind { None, Sha256, GitSha1 } kind_ = Kind::None;
    std::string etag_;
    std::uint64_t size_;
    Sha256 s256_;
    Sha1 s1_;
};

struct FilePlan {
    std::string path;
    std::uint64_t listed_size = 0;
    FileMetadata meta;
    // The most bytes the file may have on disk: its announced size, or for a file with none the
    // bound downloadSnapshot gives it (never more than the disk check allowed for).
    std::uint64_t limit = 0;
    // Announced by the file's metadata (X-Linked-Size / Content-Length) or the listing; a listing
    // without a size reads as 0, so only a non-zero listed size counts as announced.
    bool sizeKnown() const { return meta.size_known || listed_size > 0; }
    std::uint64_t size() const { return meta.size_known ? meta.size_bytes : listed_size; }
};

std::string byteCount(std::uint64_t n) {
    std::string s = std::to_string(n) + " bytes";
    return n >= (1u << 20) ? s + " (" + units::formatBytes(n) + ")" : s;
}

// A server that sends more than it announced: the partial file is wrong and already deleted.
Error oversizeError(const FilePlan& plan, const std::string& repo, std::uint64_t unannounced_cap) {
    std::string what = plan.sizeKnown()
                           ? "the server sent more than the " + byteCount(plan.limit) + " it announced for " + plan.path + " (" + repo + ")"
                           : "the server announced no size for " + plan.path + " (" + repo + ") and sent more than the " +
                                 byteCount(plan.limit) + " allowed for such a file (at most " + units::formatBytes(unannounced_cap) +
                                 ", and no more than its share of the free disk space)";
    return makeError(ErrorCode::CorruptFile, what + "; the download was stopped and the partial file deleted",
                     "the server, or a proxy or mirror in between (HF_ENDPOINT), sends something other than the file it "
                     "describes; this is not retried: try again later or use another endpoint");
}

class ProgressBoard {
public:
    ProgressBoard(const std::vector<FilePlan>& plans, const DownloadProgressFn& fn, int interval_ms)
        : fn_(fn), interval_ms_(interval_ms), start_(Clock::now()) {
        prog_.files.resize(plans.size());
        file_start_.resize(plans.size(), start_);
        session_bytes_.resize(plans.size(), 0);
        for (std::size_t i = 0; i < plans.size(); ++i) {
            prog_.files[i].path = plans[i].path;
            prog_.files[i].total_bytes = plans[i].size();
            prog_.total_bytes += plans[i].size();
        }
        prog_.files_total = static_cast<int>(plans.size());
    }
    void setState(std::size_t i, FileState s, const std::string& error = {}) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto& f = prog_.files[i];
            if (s == FileState::Downloading && f.state != FileState::Downloading) file_start_[i] = Clock::now();
            bool finished_now = (s == FileState::Done || s == FileState::Cached) && f.state != FileState::Done && f.state != FileState::Cached;
            f.state = s;
            if (!error.empty()) f.error = error;
            if (finished_now) {
                prog_.files_done++;
                setDone(i, f.total_bytes);
            }
        }
        report(s == FileState::Done || s == FileState::Cached || s == FileState::Failed);
    }
    void attempt(std::size_t i) {
        std::lock_guard<std::mutex> lock(mu_);
        prog_.files[i].attempts++;
    }
    // Bytes already on disk (resume) or reset to zero (restart).
    void setDoneFromDisk(std::size_t i, std::uint64_t bytes) {
        std::lock_guard<std::mutex> lock(mu_);
        setDone(i, bytes);
    }
    void addReceived(std::size_t i, std::uint64_t n) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            session_bytes_[i] += n;
            session_total_ += n;
            setDone(i, prog_.files[i].done_bytes + n);
        }
        report(false);
    }
    void report(bool force) {
        if (!fn_) return;
        DownloadProgress snapshot;
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto now = Clock::now();
            if (!force && now - last_report_ < std::chrono::milliseconds(interval_ms_)) return;
            last_report_ = now;
            auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
            for (std::size_t i = 0; i < prog_.files.size(); ++i) {
                auto& f = prog_.files[i];
                double t = secs(now - file_start_[i]);
                f.bytes_per_s = f.state == FileState::Downloading && t > 0.05 ? num::real(session_bytes_[i]) / t : 0;
                f.eta_ms = f.state == FileState::Done || f.state == FileState::Cached ? 0
                           : f.bytes_per_s > 0 ? num::saturate<std::int64_t>(num::real(f.total_bytes - std::min(f.done_bytes, f.total_bytes)) * 1000.0 / f.bytes_per_s)
                                               : -1;
            }
            double t = secs(now - start_);
            prog_.elapsed_ms = num::saturate<std::int64_t>(t * 1000);
            prog_.bytes_per_s = t > 0.05 ? num::real(session_total_) / t : 0;
            std::uint64_t left = prog_.total_bytes - std::min(prog_.done_bytes, prog_.total_bytes);
            prog_.eta_ms = left == 0 ? 0 : prog_.bytes_per_s > 0 ? num::saturate<std::int64_t>(num::real(left) * 1000.0 / prog_.bytes_per_s) : -1;
            snapshot = prog_;
        }
        // One report at a time, so a receiver never sees totals go backwards.
        std::lock_guard<std::mutex> lock(report_mu_);
        fn_(snapshot);
    }
    std::uint64_t sessionBytes() {
        std::lock_guard<std::mutex> lock(mu_);
        return session_total_;
    }

private:
    void setDone(std::size_t i, std::uint64_t bytes) {
        auto& f = prog_.files[i];
        prog_.done_bytes = prog_.done_bytes - f.done_bytes + bytes;
        f.done_bytes = bytes;
    }
    const DownloadProgressFn& fn_;
    int interval_ms_;
    std::mutex mu_, report_mu_;
    DownloadProgress prog_;
    Clock::time_point start_, last_report_{};
    std::vector<Clock::time_point> file_start_;
    std::vector<std::uint64_t> session_bytes_;
    std::uint64_t session_total_ = 0;
};

// Runs fn(i) for i in [0, count) on up to `threads` threads.
void parallelFor(std::size_t count, int threads, const std::function<void(std::size_t)>& fn) {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next++) < count;) fn(i);
    };
    int n = static_cast<int>(std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, threads))));
    std::vector<std::thread> pool;
    for (int t = 1; t < n; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
}

std::uint64_t fileSizeOr0(const std::string& path) {
    std::error_code ec;
    auto s = fs::file_size(path, ec);
    return ec ? 0 : s;
}

Status hashExisting(const std::string& path, std::uint64_t bytes, BlobVerifier* v) {
    if (bytes == 0) return {};
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return makeError(ErrorCode::IoError, "cannot read " + path);
    std::vector<char> buf(1 << 20);
    std::uint64_t left = bytes;
    while (left > 0) {
        std::size_t n = std::fread(buf.data(), 1, std::min<std::uint64_t>(buf.size(), left), f);
        if (n == 0) break;
        v->update(buf.data(), n);
        left -= n;
    }
    std::fclose(f);
    if (left) return makeError(ErrorCode::IoError, "short read of " + path);
    return {};
}

class FileDownloader {
public:
    FileDownloader(HubClient& client, const HubCache& cache, const DownloadOptions& opt, const std::string& commit,
                   ProgressBoard& board, const CancelToken& cancel)
        : client_(client), cache_(cache), opt_(opt), retry_{opt.max_attempts, opt.retry_base_ms, opt.max_retry_wait_ms},
          commit_(commit), board_(board), cancel_(cancel) {}

    // Returns true when the blob was already in the cache.
    Result<bool> run(std::size_t index, const FilePlan& plan) {
        const std::string& repo = opt_.repo_id;
        const std::string& etag = plan.meta.etag;
        const bool known = plan.sizeKnown();
        const std::uint64_t expected = plan.size();  // only meaningful when known
        std::string blob = cache_.blobPath(repo, etag);
        std::string partial = blob + ".incomplete";
        auto lock = FileLock::acquire(cache_.lockPath(repo, etag), cancel_);
        if (!lock) return lock.error();
        std::error_code ec;
        // A blob of unknown size was verified by its ETag when it was written.
        if (fs::exists(blob, ec) && (!known || fileSizeOr0(blob) == expected)) {
            SRS_TRY(cache_.linkSnapshotFile(repo, commit_, plan.path, etag));
            return true;
        }
        fs::create_directories(fs::path(blob).parent_path(), ec);
        if (!known) log::warn(plan.path + ": the server announced no size for it; downloading at most " + byteCount(plan.limit));
        BlobVerifier verifier(etag, expected);
        int mismatches = 0;
        std::string last_error;
        for (int attempt = 1; attempt <= retry_.attempts(); ++attempt) {
            SRS_TRY(cancel_.check(("downloading " + plan.path).c_str()));
            board_.attempt(index);
            std::uint64_t have = fileSizeOr0(partial);
            if (have > plan.limit) {
                fs::resize_file(partial, 0, ec);
                have = 0;
            }
            verifier.reset();
            if (known) SRS_TRY(hashExisting(partial, have, &verifier));
            board_.setDoneFromDisk(index, have);
            std::string retry_after;
            if (!known || have < expected || (expected == 0 && !fs::exists(partial, ec))) {
                auto step = fetch(index, plan, partial, have, &verifier, &retry_after);
                if (!step.ok()) {
                    const Error& e = step.error();
                    // CorruptFile: more bytes than announced. Not transient: the same server sends
                    // the same thing again, so another try only costs bandwidth.
                    if (e.code == ErrorCode::Cancelled || e.code == ErrorCode::DiskFull || e.code == ErrorCode::IoError ||
                        e.code == ErrorCode::NotFound || e.code == ErrorCode::Unauthorized || e.code == ErrorCode::Forbidden ||
                        e.code == ErrorCode::InvalidArgument || e.code == ErrorCode::CorruptFile)
                        return e;
                    last_error = e.message;
                    std::string prefix = "downloading " + plan.path + " from " + repo + ": ";
                    if (last_error.rfind(prefix, 0) == 0) last_error = last_error.substr(prefix.size());
                    if (attempt >= retry_.attempts()) break;
                    int wait_ms = retry_.delayMs(attempt, retry_after);
                    log::warn(plan.path + ": " + e.message + "; resuming in " + (wait_ms < 1000 ? std::to_string(wait_ms) + " ms" : units::formatDuration(wait_ms)) + " (attempt " +
                              std::to_string(attempt + 1) + " of " + std::to_string(retry_.attempts()) + ")");
                    if (!sleepCancellable(wait_ms, cancel_)) return makeError(ErrorCode::Cancelled, "cancelled downloading " + plan.path);
                    continue;
                }
            }
            std::uint64_t got = fileSizeOr0(partial);
            if (known && got != expected) {
                last_error = "got " + std::to_string(got) + " of " + std::to_string(expected) + " bytes";
                log::warn(plan.path + ": " + last_error + "; resuming");
                continue;
            }
            board_.setState(index, FileState::Verifying);
            if (!known) {
                // The git sha1 covers the size, known only now: hash what arrived.
                verifier = BlobVerifier(etag, got);
                SRS_TRY(hashExisting(partial, got, &verifier));
            }
            std::string actual = verifier.mismatch();
            if (!actual.empty()) {
                fs::remove(partial, ec);
                ++mismatches;
                std::string kind = verifier.kindName();
                log::warn(plan.path + ": " + kind + " mismatch: the contents hash to " + actual + " but the server's ETag is " + etag +
                          "; downloading it again");
                if (mismatches >= 2)
                    return makeError(ErrorCode::CorruptFile,
                                     kind + " mismatch: downloaded " + plan.path + " from " + repo + " twice and both times its " +
                                         kind + " was " + actual + " instead of " + etag,
                                     "the file was corrupted in transit or by a proxy, or the server's metadata is wrong; "
                                     "retry later, and check any proxy or mirror (HF_ENDPOINT)");
                continue;
            }
            if (std::rename(partial.c_str(), blob.c_str()) != 0)
                return makeError(ErrorCode::IoError, "cannot move " + partial + " into place: " + std::strerror(errno));
            ::chmod(blob.c_str(), 0644);
            SRS_TRY(cache_.linkSnapshotFile(repo, commit_, plan.path, etag));
            return false;
        }
        return makeError(ErrorCode::Network,
                         "downloading " + plan.path + " from " + repo + " failed after " + std::to_string(retry_.attempts()) +
                             " attempts" + (last_error.empty() ? "" : "; the last one: " + last_error),
                         "check the connection and retry; the partial file is kept and the download resumes where it stopped");
    }

private:
    // One GET from `have` into the partial file, which never grows past plan.limit: an answer
    // whose Content-Length says it would is refused before its first byte, and a body that goes
    // on longer is cut off in the write callback before the chunk that would pass the limit is
    // written; either way the partial file is deleted (it is not the file) and the error is
    // oversizeError. Sets *retry_after to a retryable answer's Retry-After header (the pause the
    // server asks for; retry_.delayMs reads it).
    Status fetch(std::size_t index, const FilePlan& plan, const std::string& partial, std::uint64_t have,
                 BlobVerifier* verifier, std::string* retry_after) {
        int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) return makeError(ErrorCode::IoError, "cannot write " + partial + ": " + std::strerror(errno));
        if (::ftruncate(fd, static_cast<off_t>(have)) != 0 || ::lseek(fd, static_cast<off_t>(have), SEEK_SET) < 0) {
            int err = errno;
            ::close(fd);
            return makeError(ErrorCode::IoError, "cannot prepare " + partial + ": " + std::strerror(err));
        }
        HttpRequest req = client_.fileRequest(opt_.repo_id, commit_, plan.path);
        req.cancel = cancel_;
        if (have > 0) req.headers.emplace_back("Range", "bytes=" + std::to_string(have) + "-");
        int write_errno = 0;
        std::uint64_t written = have;  // bytes of the partial file: never more than plan.limit
        bool oversize = false;
        req.on_response = [&](long status, const HeaderList& headers) {
            bool restart = false;
            if (have > 0 && status == 200) {
                // Range ignored (CloudFront with gzip does this): the body starts at byte 0.
                log::info(plan.path + ": the server ignored the Range request; restarting from the beginning");
                restart = true;
            } else if (have > 0 && status == 206) {
                std::string cr;
                for (const auto& [k, v] : headers)
                    if (k == "content-range") cr = v;
                if (cr.rfind("bytes " + std::to_string(have) + "-", 0) != 0) {
                    log::warn(plan.path + ": unexpected Content-Range '" + cr + "'");
                    return false;
                }
            }
            if (restart) {
                if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) < 0) {
                    write_errno = errno;
                    return false;
                }
                verifier->reset();
                board_.setDoneFromDisk(index, 0);
                written = 0;
            }
            std::string length;
            for (const auto& [k, v] : headers)
                if (k == "content-length") length = v;
            bool digits = !length.empty() && length.size() < 20 &&
                          std::all_of(length.begin(), length.end(), [](unsigned char c) { return std::isdigit(c); });
            if (digits && std::stoull(length) > plan.limit - written) {
                oversize = true;
                return false;
            }
            board_.setState(index, FileState::Downloading);
            return true;
        };
        req.on_body = [&](const char* data, std::size_t n) {
            if (n > plan.limit - written) {
                oversize = true;
                return false;
            }
            std::size_t off = 0;
            while (off < n) {
                ssize_t w = ::write(fd, data + off, n - off);
                if (w < 0) {
                    if (errno == EINTR) continue;
                    write_errno = errno;
                    return false;
                }
                off += static_cast<std::size_t>(w);
            }
            written += n;
            verifier->update(data, n);
            board_.addReceived(index, n);
            return !cancel_.cancelled();
        };
        auto r = httpSend(req);
        // On disk before the rename that publishes it (a crash must not leave a short blob).
        if (r && r->status >= 200 && r->status < 300 && ::fsync(fd) != 0 && write_errno == 0) write_errno = errno;
        ::close(fd);
        if (oversize) {
            std::error_code ec;
            fs::remove(partial, ec);
            // done_bytes keeps what was written before the cut, for the failed file's report.
            return oversizeError(plan, opt_.repo_id, opt_.max_unannounced_bytes);
        }
        if (write_errno == ENOSPC || write_errno == EDQUOT)
            return makeError(ErrorCode::DiskFull, "disk full while writing " + partial,
                             "free some space (or set HF_HUB_CACHE to a larger disk) and retry; the download resumes");
        if (write_errno != 0) return makeError(ErrorCode::IoError, "cannot write " + partial + ": " + std::strerror(write_errno));
        if (!r) {
            if (r.error().code == ErrorCode::Cancelled) return r.error();
            // A refused Content-Range lands here too; start over cleanly.
            if (r.error().code != ErrorCode::Network) {
                std::error_code ec;
                fs::resize_file(partial, 0, ec);
                return makeError(ErrorCode::Network, r.error().message);
            }
            return r.error();
        }
        long s = r->status;
        if (s >= 200 && s < 300) return {};
        if (s == 416) {
            std::error_code ec;
            fs::resize_file(partial, 0, ec);
            return makeError(ErrorCode::Network, "the server refused the resume range of " + plan.path + "; restarting");
        }
        Error e = hubHttpError(*r, "downloading " + plan.path + " from " + opt_.repo_id, opt_.repo_id, client_.endpoint());
        if (isRetryableStatus(s)) {
            *retry_after = r->header("retry-after");
            e.code = ErrorCode::Network;  // retryable
        }
        return e;
    }

    HubClient& client_;
    const HubCache& cache_;
    const DownloadOptions& opt_;
    const RetryPolicy retry_;  // the per-file attempts and pauses of opt_
    std::string commit_;
    ProgressBoard& board_;
    const CancelToken& cancel_;
};

bool selected(const DownloadOptions& o, const std::string& path) {
    if (!o.files.empty() && std::find(o.files.begin(), o.files.end(), path) == o.files.end()) return false;
    if (o.patterns.empty()) return true;
    return std::any_of(o.patterns.begin(), o.patterns.end(), [&](const std::string& p) { return globMatch(p, path); });
}

}  // namespace

Result<DownloadResult> snapshotFromCache(const HubCache& cache, const DownloadOptions& o) {
    SRS_TRY(validateRepoId(o.repo_id));
    auto commit = cache.resolveCommit(o.repo_id, o.revision);
    if (!commit)
        return makeError(ErrorCode::NotFound, o.repo_id + " (" + o.revision + ") is not in the cache " + cache.root(),
                         "download it first with network access (unset HF_HUB_OFFLINE)");
    DownloadResult r;
    r.commit = *commit;
    r.snapshot_dir = cache.snapshotDir(o.repo_id, *commit);
    r.from_cache_only = true;
    auto present = cache.snapshotFiles(o.repo_id, *commit);
    for (const auto& f : o.files)
        if (std::find(present.begin(), present.end(), f) == present.end())
            return makeError(ErrorCode::NotFound, f + " of " + o.repo_id + " is not in the cache",
                             "download it with network access (unset HF_HUB_OFFLINE)");
    for (const auto& f : present)
        if (selected(o, f)) r.files.push_back(f);
    if (r.files.empty())
        return makeError(ErrorCode::NotFound, "no matching files of " + o.repo_id + " in the cache",
                         "download them with network access (unset HF_HUB_OFFLINE)");
    r.files_from_cache = static_cast<int>(r.files.size());
    return r;
}

// The disk check counts every file at its announced size, which is also the most the downloader
// writes for it; files without one share what is left (see FilePlan::limit), which sets each
// plan's limit.
static Status checkDiskAndSetLimits(const HubCache& cache, const DownloadOptions& o, std::vector<FilePlan>& plans) {
    std::uint64_t needed = 0;
    int unannounced = 0;
    std::error_code ec;
    for (const auto& p : plans) {
        std::string blob = cache.blobPath(o.repo_id, p.meta.etag);
        if (fs::exists(blob, ec) && (!p.sizeKnown() || fileSizeOr0(blob) == p.size())) continue;
        if (!p.sizeKnown()) {
            ++unannounced;
            continue;
        }
        std::uint64_t have = fileSizeOr0(blob + ".incomplete");
        needed += p.size() > have ? p.size() - have : 0;
    }
    std::string repo_dir = cache.repoDir(o.repo_id);
    fs::create_directories(repo_dir + "/blobs", ec);
    auto free_fn = o.free_disk_bytes ? o.free_disk_bytes : [](const std::string& p) { return io::freeDiskBytes(p); };
    auto free_bytes = free_fn(repo_dir + "/blobs");
    if (free_bytes && needed > *free_bytes)
        return makeError(ErrorCode::DiskFull,
                         "not enough disk space for " + o.repo_id + ": " + units::formatBytes(needed) + " to download, " +
                             units::formatBytes(*free_bytes) + " free in " + cache.root(),
                         "free some space, or set HF_HUB_CACHE to a folder on a larger disk");
    std::uint64_t share = o.max_unannounced_bytes;
    if (unannounced > 0 && free_bytes) share = std::min(share, (*free_bytes - needed) / static_cast<std::uint64_t>(unannounced));
    for (auto& p : plans) p.limit = p.sizeKnown() ? p.size() : share;
    return {};
}

Result<DownloadResult> downloadSnapshot(HubClient& client, const HubCache& cache, const DownloadOptions& o,
                                        const DownloadProgressFn& progress, const CancelToken& cancel) {
    SRS_TRY(validateRepoId(o.repo_id));
    SRS_TRY(validateRevision(o.revision));
    for (const auto& f : o.files) SRS_TRY(validateRemotePath(f, o.repo_id));
    if (o.offline) return snapshotFromCache(cache, o);

    // Pin the revision to one commit so every file comes from the same tree.
    std::string commit = o.revision;
    if (!isCommitHash(commit)) {
        auto info = client.modelInfo(o.repo_id, o.revision, false, cancel);
        if (!info) {
            if (info.error().code == ErrorCode::Network) {
                auto cached = snapshotFromCache(cache, o);
                if (cached) {
                    log::warn("the Hub is unreachable (" + info.error().message + "); using the cached snapshot of " + o.repo_id);
                    return cached;
                }
            }
            return info.error();
        }
        commit = info->sha;
        if (!isCommitHash(commit))
            return makeError(ErrorCode::Network, "the Hub did not say which commit " + o.revision + " of " + o.repo_id + " is");
    }
    auto listing = client.listFiles(o.repo_id, commit, cancel);
    if (!listing) return listing.error();

    std::vector<FilePlan> plans;
    for (const auto& f : *listing) {
        if (!selected(o, f.path)) continue;
        // A hostile listing must not make us write outside the cache.
        SRS_TRY(validateRemotePath(f.path, o.repo_id));
        plans.push_back({f.path, f.size_bytes, {}});
    }
    for (const auto& want : o.files)
        if (std::none_of(plans.begin(), plans.end(), [&](const FilePlan& p) { return p.path == want; }))
            return makeError(ErrorCode::NotFound, want + " is not in " + o.repo_id + " at " + o.revision,
                             "list the repository's files (signround hub files " + o.repo_id + ") and check the name");
    if (plans.empty())
        return makeError(ErrorCode::NotFound, "no file of " + o.repo_id + " matches the requested names or patterns");

    // Metadata of every file first: ETags name the blobs, sizes feed the disk check.
    std::vector<std::optional<Error>> errors(plans.size());
    parallelFor(plans.size(), o.parallel, [&](std::size_t i) {
        if (cancel.cancelled()) return;
        auto m = client.fileMetadata(o.repo_id, commit, plans[i].path, cancel);
        if (m) plans[i].meta = *m;
        else errors[i] = m.error();
    });
    SRS_TRY(cancel.check("reading file metadata"));
    for (const auto& e : errors)
        if (e) return *e;
    SRS_TRY(cache.writeRef(o.repo_id, o.revision, commit));

    SRS_TRY(checkDiskAndSetLimits(cache, o, plans));

    ProgressBoard board(plans, progress, std::max(10, o.progress_interval_ms));
    FileDownloader downloader(client, cache, o, commit, board, cancel);
    std::vector<int> from_cache(plans.size(), 0);
    std::fill(errors.begin(), errors.end(), std::nullopt);
    parallelFor(plans.size(), o.parallel, [&](std::size_t i) {
        if (cancel.cancelled()) return;
        board.setState(i, FileState::Checking);
        auto r = downloader.run(i, plans[i]);
        if (!r) {
            errors[i] = r.error();
            board.setState(i, FileState::Failed, r.error().message);
            return;
        }
        from_cache[i] = *r ? 1 : 0;
        board.setState(i, *r ? FileState::Cached : FileState::Done);
    });
    board.report(true);
    SRS_TRY(cancel.check(("downloading " + o.repo_id).c_str()));
    int failed = 0;
    const Error* first = nullptr;
    for (const auto& e : errors)
        if (e) {
            ++failed;
            if (!first) first = &*e;
        }
    if (first) {
        if (failed == 1) return *first;
        Error e = *first;
        e.message += " (and " + std::to_string(failed - 1) + " more file(s) failed)";
        return e;
    }

    DownloadResult result;
    result.commit = commit;
    result.snapshot_dir = cache.snapshotDir(o.repo_id, commit);
    for (std::size_t i = 0; i < plans.size(); ++i) {
        result.files.push_back(plans[i].path);
        if (from_cache[i]) result.files_from_cache++;
        else result.files_downloaded++;
    }
    result.bytes_downloaded = board.sessionBytes();
    log::info("downloaded " + o.repo_id + "@" + commit.substr(0, 8) + ": " + std::to_string(result.files_downloaded) + " file(s), " +
              units::formatBytes(result.bytes_downloaded) + "; " + std::to_string(result.files_from_cache) + " already cached");
    return result;
}

}  // namespace srs::hub
