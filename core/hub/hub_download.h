// Downloads a model (all files, a list, or glob patterns) into the shared cache layout
// (hub_cache.h), the way huggingface_hub's snapshot_download does, so both reuse each other's
// files: the revision is pinned to one commit, each file goes to blobs/<etag>.incomplete, resumes
// with Range (and restarts from zero when the server answers 200 instead of 206), is checked
// against its size and ETag (sha256 for LFS files, git sha1 otherwise) before it is renamed into
// place and linked from snapshots/<commit>/. Free disk space is checked before any byte is
// fetched, and no file is written past the size the Hub announced for it (X-Linked-Size or
// Content-Length of its metadata, else the listing's size): a server that sends more is cut off
// at once, the partial file deleted and the download failed without retrying, so the disk check
// holds. A file with no announced size at all is bounded by max_unannounced_bytes and by its share
// of the free space left after the files of known size. Files download in parallel; progress with speed and ETA is reported per file and in
// total; cancelling keeps the partial files for the next attempt.
// With HF_HUB_OFFLINE (or when the Hub cannot be reached) the snapshot comes from the cache only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/hub/hub_cache.h"
#include "core/hub/hub_client.h"

namespace srs::hub {

enum class FileState { Queued = 0, Checking, Downloading, Verifying, Done, Cached, Failed };
const char* fileStateName(FileState state);

struct FileProgress {
    std::string path;
    FileState state = FileState::Queued;
    std::uint64_t done_bytes = 0;   // including bytes resumed from an earlier attempt
    std::uint64_t total_bytes = 0;
    double bytes_per_s = 0;
    std::int64_t eta_ms = -1;       // -1 while unknown
    int attempts = 0;
    std::string error;
};

struct DownloadProgress {
    std::vector<FileProgress> files;
    std::uint64_t done_bytes = 0;
    std::uint64_t total_bytes = 0;
    double bytes_per_s = 0;
    std::int64_t eta_ms = -1;
    std::int64_t elapsed_ms = 0;
    int files_done = 0;
    int files_total = 0;
};

// Called from worker threads, at most every progress_interval_ms and once at the end.
using DownloadProgressFn = std::function<void(const DownloadProgress&)>;

struct DownloadOptions {
    std::string repo_id;
    std::string revision = "main";
    std::vector<std::string> files;     // exact paths; empty = every file (after patterns)
    std::vector<std::string> patterns;  // globs (*, ?); a file is taken when any matches; empty = all
    int parallel = 4;
    int max_attempts = 5;               // per file, for dropped connections, 429 and 5xx
    int retry_base_ms = 1000;           // backoff doubles from here; Retry-After wins when given
    int max_retry_wait_ms = 60000;
    int progress_interval_ms = 200;
    bool offline = false;               // HF_HUB_OFFLINE: only the cache
    // The most bytes written for a file whose size neither its metadata nor the listing gives
    // (50 GiB: the Hub refuses files over 50 GB); also capped by that file's share of the free
    // space left after the files of known size.
    std::uint64_t max_unannounced_bytes = std::uint64_t(50) << 30;
    // Free bytes on the cache's filesystem; replaceable so tests can simulate a full disk.
    std::function<Result<std::uint64_t>(const std::string& path)> free_disk_bytes;
};

struct DownloadResult {
    std::string snapshot_dir;
    std::string commit;
    std::vector<std::string> files;
    std::uint64_t bytes_downloaded = 0;  // fetched in this call
    int files_downloaded = 0;
    int files_from_cache = 0;
    bool from_cache_only = false;        // offline, or the Hub was unreachable
};

Result<DownloadResult> downloadSnapshot(HubClient& client, const HubCache& cache, const DownloadOptions& options,
                                        const DownloadProgressFn& progress = {}, const CancelToken& cancel = {});

// The snapshot already in the cache for options.revision, with the requested files all present.
Result<DownloadResult> snapshotFromCache(const HubCache& cache, const DownloadOptions& options);

// '*' matches any run of characters (including '/'), '?' one character.
bool globMatch(const std::string& pattern, const std::string& path);

// Which files a quantization run needs from a repository: config, generation config, tokenizer
// files, and the weights as safetensors (with their index) — .bin/.pt weights only when there are
// no safetensors; GGUF, ONNX, other frameworks' weights, images and the like are left out.
std::vector<std::string> filesNeededForQuantization(const std::vector<RepoFile>& files);

}  // namespace srs::hub
