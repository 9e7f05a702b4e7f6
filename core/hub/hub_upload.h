// Uploads a folder (an export) to a Hugging Face model repository the way huggingface_hub's
// upload_folder does over the LFS path (HUB.md §3.3 d): create the repository (an existing one is
// fine), ask the Hub which files go to LFS (preupload), hand large files to the LFS batch API
// (basic PUT, or multipart when the server answers with chunk_size and part URLs), then make one
// NDJSON commit that carries the small files inline (base64) and the LFS files by sha256 and size.
// Every request retries per the client's RetryPolicy.
// Resumable: the batch API answers without an upload action for blobs the server already holds,
// so a second attempt after a cut connection sends only what is missing. Retries 408/429/5xx and
// dropped connections with backoff (Retry-After wins). The token goes only into the Authorization
// header of requests to the Hub's own endpoint; presigned storage URLs never see it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/hub/hf_client.h"

namespace srs::hub {

// One file to send: where it is here and the path it gets in the repository.
struct UploadItem {
    std::string local_path;
    std::string path_in_repo;
};

enum class UploadState { Queued = 0, Hashing, Uploading, AlreadyOnHub, Uploaded, Inline, Committed, Failed };
const char* uploadStateName(UploadState state);

struct UploadFileProgress {
    std::string path;  // in the repository
    UploadState state = UploadState::Queued;
    bool lfs = false;
    std::uint64_t done_bytes = 0;
    std::uint64_t total_bytes = 0;
    int attempts = 0;
    std::string error;
};

struct UploadProgress {
    std::string phase;  // "hashing", "preparing", "uploading", "committing", "done"
    std::vector<UploadFileProgress> files;
    std::uint64_t done_bytes = 0;   // LFS bytes sent or found on the Hub, plus inline files once committed
    std::uint64_t total_bytes = 0;
    double bytes_per_s = 0;
    std::int64_t eta_ms = -1;
    std::int64_t elapsed_ms = 0;
    int files_done = 0;
    int files_total = 0;
};

// Called from the uploading thread, at most every progress_interval_ms and at each phase change.
using UploadProgressFn = std::function<void(const UploadProgress&)>;

struct UploadOptions {
    std::string repo_id;
    std::string revision = "main";  // an existing branch
    bool create_repo = true;
    bool private_repo = false;      // only used when the repository is created
    std::string commit_message;     // default: "Upload <n> files with SignRound Studio"
    std::string commit_description;
    // Expected head of the branch; empty = read it before committing, so a retried commit whose
    // first answer was lost cannot land twice.
    std::string parent_commit;
    int progress_interval_ms = 200;
};

struct UploadResult {
    std::string repo_url;
    std::string commit_url;
    std::string commit_oid;
    std::vector<std::string> files;   // paths in the repository, as committed
    int lfs_uploaded = 0;             // blobs sent in this call
    int lfs_already_on_hub = 0;       // blobs the server already had (earlier attempt, other repo)
    int inline_files = 0;
    std::uint64_t bytes_uploaded = 0; // LFS bytes sent in this call
};

// Every regular file under folder, as path_in_repo = prefix + relative path, sorted. Left out:
// .git/, .cache/huggingface/ (huggingface_hub's local-dir metadata) and *.incomplete / *.tmp
// leftovers. Each remote path is checked with validateRemotePath.
// Links: a link to a regular file is uploaded under the link's name with the target's bytes,
// wherever the target is (a Hugging Face cache snapshot links every file to ../../blobs/); a
// link to a folder is followed only inside `folder` and when it is no loop. Links to folders
// outside, loops, dangling links, and links to or entries that are FIFOs, devices or sockets are
// refused with an error naming the path (none of them is ever opened).
Result<std::vector<UploadItem>> collectUploadFolder(const std::string& folder, const std::string& path_in_repo_prefix = {});

// POST /api/repos/create; 409 (already exists) counts as success. Returns the repository URL.
Result<std::string> createRepo(HfClient& client, const std::string& repo_id, bool private_repo,
                               const RetryPolicy& retry, const CancelToken& cancel = {});

// Uploads the items in one commit. Remote paths with "..", absolute paths and duplicates are
// refused before any request. Needs a token with write access.
Result<UploadResult> uploadFiles(HfClient& client, const UploadOptions& options, const std::vector<UploadItem>& items,
                                 const UploadProgressFn& progress = {}, const CancelToken& cancel = {});

// collectUploadFolder + uploadFiles.
Result<UploadResult> uploadFolder(HfClient& client, const UploadOptions& options, const std::string& folder,
                                  const UploadProgressFn& progress = {}, const CancelToken& cancel = {});

std::string base64Encode(const void* data, std::size_t size);
inline std::string base64Encode(const std::string& bytes) { return base64Encode(bytes.data(), bytes.size()); }

}  // namespace srs::hub
