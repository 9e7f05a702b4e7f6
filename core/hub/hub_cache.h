// The Hugging Face cache layout (HUB.md §3.2), shared with the Python tools so that models they
// downloaded are found here and ours are reused by them:
//   <root>/models--<org>--<name>/blobs/<etag>            file contents, named by sha256 (LFS) or git sha1
//   <root>/models--<org>--<name>/blobs/<etag>.incomplete  a download in progress (resumable)
//   <root>/models--<org>--<name>/refs/<revision>         the 40-character commit a branch/tag points at
//   <root>/models--<org>--<name>/snapshots/<commit>/<path> relative symlink to ../../blobs/<etag>
//   <root>/.locks/models--<org>--<name>/<etag>.lock      flock()ed while a blob is written
// Remote file names are checked before they become local paths: "..", absolute paths,
// backslashes and empty components are refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"

namespace srs::hub {

enum class RepoType { Model = 0, Dataset };

// "models--org--name" (or "datasets--…").
std::string repoFolderName(const std::string& repo_id, RepoType type = RepoType::Model);

// A file name from a remote listing that is safe to join under a local folder: relative, no "..",
// "." or empty components, no backslashes, drive letters or control characters.
Status validateRemotePath(const std::string& path, const std::string& repo_id = {});

bool isCommitHash(const std::string& revision);

// A path split at a cache snapshot: .../models--org--name/snapshots/<commit>[/inner]. The same
// layout holds our ModelScope downloads (under $MODELSCOPE_CACHE/hub, the commit being the
// listing's 40-digit content id). repo_id is empty when the path is not inside a snapshot.
struct SnapshotPath {
    std::string repo_id;  // "org/name" (or "name" for a repository without an owner)
    std::string commit;
    std::string inner;    // the path below the snapshot folder, '/'-separated; empty: the folder itself
    // The repository's own name, the part after the owner: "name".
    std::string repoName() const;
};
SnapshotPath parseSnapshotPath(const std::string& path);

// "org/name" when path is (a file or folder inside) a cache snapshot,
// .../models--org--name/snapshots/<commit>[/…]; empty otherwise. Lets a model card name the Hub
// model a downloaded folder came from (base_model).
std::string repoIdFromSnapshotPath(const std::string& path);

class HubCache {
public:
    explicit HubCache(std::string root, RepoType type = RepoType::Model) : root_(std::move(root)), type_(type) {}
    const std::string& root() const { return root_; }

    std::string repoDir(const std::string& repo_id) const;
    std::string blobPath(const std::string& repo_id, const std::string& etag) const;
    std::string refPath(const std::string& repo_id, const std::string& revision) const;
    std::string snapshotDir(const std::string& repo_id, const std::string& commit) const;
    std::string lockPath(const std::string& repo_id, const std::string& etag) const;

    // The commit a ref points at; NotFound when the ref was never written.
    Result<std::string> readRef(const std::string& repo_id, const std::string& revision) const;
    Status writeRef(const std::string& repo_id, const std::string& revision, const std::string& commit) const;
    // snapshots/<commit>/<path> -> ../../blobs/<etag> (relative, depth-aware); a copy where
    // symlinks are not allowed.
    Status linkSnapshotFile(const std::string& repo_id, const std::string& commit, const std::string& path,
                            const std::string& etag) const;
    // For offline use: the commit behind revision (a ref or a commit with a snapshot folder).
    Result<std::string> resolveCommit(const std::string& repo_id, const std::string& revision) const;
    // Files under snapshots/<commit> whose target exists, relative, sorted.
    std::vector<std::string> snapshotFiles(const std::string& repo_id, const std::string& commit) const;

private:
    std::string root_;
    RepoType type_;
};

struct CachedRevision {
    std::string commit;
    std::vector<std::string> refs;
    std::vector<std::string> files;
    std::uint64_t size_bytes = 0;
};

struct CachedRepo {
    std::string repo_id;
    RepoType type = RepoType::Model;
    std::string path;
    std::uint64_t size_on_disk_bytes = 0;   // complete blobs
    std::uint64_t incomplete_bytes = 0;     // partial downloads that can be resumed
    std::size_t blob_count = 0;
    std::int64_t last_modified_s = 0;       // newest blob, seconds since the epoch
    std::vector<CachedRevision> revisions;
};

// Every repository in a cache folder (missing folder = empty list), sorted by id.
Result<std::vector<CachedRepo>> scanCache(const std::string& root);
// Removes a repository's whole folder from the cache (and its lock folder).
Status deleteCachedRepo(const std::string& root, const std::string& repo_id, RepoType type = RepoType::Model);

// An exclusive advisory lock (flock) on a file, compatible with Python's filelock on Unix.
class FileLock {
public:
    static Result<FileLock> acquire(const std::string& path, const CancelToken& cancel, int timeout_ms = 10 * 60 * 1000);
    FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace srs::hub
