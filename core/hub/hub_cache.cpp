#include "core/hub/hub_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "core/common/text.h"
#include "core/io/atomic_file.h"

namespace fs = std::filesystem;

namespace srs::hub {

std::string repoFolderName(const std::string& repo_id, RepoType type) {
    std::string name = type == RepoType::Dataset ? "datasets" : "models";
    std::size_t start = 0;
    while (true) {
        auto slash = repo_id.find('/', start);
        name += "--" + repo_id.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return name;
}

Status validateRemotePath(const std::string& path, const std::string& repo_id) {
    auto refuse = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument,
                         "refusing remote file name '" + path + "'" + (repo_id.empty() ? "" : " from " + repo_id) + ": " + why,
                         "the repository listing would write outside the model folder; do not use this repository, "
                         "or report it to the Hub");
    };
    if (path.empty()) return refuse("it is empty");
    if (path.size() > 4096) return refuse("it is too long");
    if (path.front() == '/') return refuse("it is an absolute path");
    if (path.find('\\') != std::string::npos) return refuse("it contains a backslash");
    if (path.size() >= 2 && std::isalpha(static_cast<unsigned char>(path[0])) && path[1] == ':') return refuse("it starts with a drive letter");
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f) return refuse("it contains a control character");
    std::size_t start = 0;
    while (true) {
        auto slash = path.find('/', start);
        std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty()) return refuse("it has an empty path component");
        if (part == "..") return refuse("it contains '..'");
        if (part == ".") return refuse("it contains '.'");
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return {};
}

bool isCommitHash(const std::string& revision) {
    return revision.size() == 40 &&
           std::all_of(revision.begin(), revision.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}

std::string HubCache::repoDir(const std::string& repo_id) const { return root_ + "/" + repoFolderName(repo_id, type_); }
std::string HubCache::blobPath(const std::string& repo_id, const std::string& etag) const {
    return repoDir(repo_id) + "/blobs/" + etag;
}
std::string HubCache::refPath(const std::string& repo_id, const std::string& revision) const {
    return repoDir(repo_id) + "/refs/" + revision;
}
std::string HubCache::snapshotDir(const std::string& repo_id, const std::string& commit) const {
    return repoDir(repo_id) + "/snapshots/" + commit;
}
std::string HubCache::lockPath(const std::string& repo_id, const std::string& etag) const {
    return root_ + "/.locks/" + repoFolderName(repo_id, type_) + "/" + etag + ".lock";
}

Result<std::string> HubCache::readRef(const std::string& repo_id, const std::string& revision) const {
    std::string p = refPath(repo_id, revision);
    auto contents = io::readFile(p);
    if (!contents) return makeError(ErrorCode::NotFound, "no cached ref '" + revision + "' for " + repo_id + " (" + p + ")");
    std::string commit = text::trim(*contents);
    if (!isCommitHash(commit)) return makeError(ErrorCode::CorruptFile, "cached ref " + p + " does not hold a commit hash");
    return commit;
}

Status HubCache::writeRef(const std::string& repo_id, const std::string& revision, const std::string& commit) const {
    if (revision == commit) return {};
    std::string p = refPath(repo_id, revision);
    auto existing = io::readFile(p);
    if (existing && text::trim(*existing) == commit) return {};
    return io::writeFileAtomic(p, commit);
}

Status HubCache::linkSnapshotFile(const std::string& repo_id, const std::string& commit, const std::string& path,
                                  const std::string& etag) const {
    SRS_TRY(validateRemotePath(path, repo_id));
    fs::path link = fs::path(snapshotDir(repo_id, commit)) / path;
    std::error_code ec;
    fs::create_directories(link.parent_path(), ec);
    if (ec) return makeError(ErrorCode::IoError, "cannot create " + link.parent_path().string() + ": " + ec.message());
    std::string target;
    for (auto depth = std::count(path.begin(), path.end(), '/') + 2; depth > 0; --depth) target += "../";
    target += "blobs/" + etag;
    if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec).string() == target) return {};
    // Built beside the final name and renamed over it, so a reader never sees the name missing
    // or half-copied.
    fs::path tmp = link;
    tmp += ".tmp-" + std::to_string(::getpid());
    fs::remove(tmp, ec);
    fs::create_symlink(target, tmp, ec);
    if (ec) {
        // Filesystems without symlinks (FAT, some network shares): a copy still works for readers.
        fs::copy_file(blobPath(repo_id, etag), tmp, fs::copy_options::overwrite_existing, ec);
        if (ec) {
            fs::remove(tmp, ec);
            return makeError(ErrorCode::IoError, "cannot place " + link.string() + " in the cache: " + ec.message(),
                             "check free space and permissions of the cache folder (HF_HUB_CACHE)");
        }
    }
    fs::rename(tmp, link, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return makeError(ErrorCode::IoError, "cannot place " + link.string() + " in the cache: " + ec.message(),
                         "check permissions of the cache folder (HF_HUB_CACHE)");
    }
    return {};
}

Result<std::string> HubCache::resolveCommit(const std::string& repo_id, const std::string& revision) const {
    std::error_code ec;
    if (isCommitHash(revision) && fs::is_directory(snapshotDir(repo_id, revision), ec)) return revision;
    auto commit = readRef(repo_id, revision);
    if (!commit) return commit.error();
    if (!fs::is_directory(snapshotDir(repo_id, *commit), ec))
        return makeError(ErrorCode::NotFound, "ref " + revision + " of " + repo_id + " points at " + *commit + ", which has no snapshot");
    return commit;
}

std::vector<std::string> HubCache::snapshotFiles(const std::string& repo_id, const std::string& commit) const {
    std::vector<std::string> out;
    fs::path dir = snapshotDir(repo_id, commit);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code e2;
        if (fs::is_directory(it->path(), e2)) continue;
        if (!fs::exists(it->path(), e2)) continue;  // dangling link: blob deleted
        // Lexical: fs::relative would resolve the symlink and name the blob instead of the file.
        out.push_back(it->path().lexically_relative(dir).generic_string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace {
std::string repoIdFromFolder(const std::string& folder, RepoType* type) {
    std::string rest;
    if (folder.rfind("models--", 0) == 0) {
        *type = RepoType::Model;
        rest = folder.substr(8);
    } else if (folder.rfind("datasets--", 0) == 0) {
        *type = RepoType::Dataset;
        rest = folder.substr(10);
    } else {
        return {};
    }
    std::string id;
    std::size_t pos = 0;
    while (true) {
        auto sep = rest.find("--", pos);
        id += rest.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos);
        if (sep == std::string::npos) break;
        id += "/";
        pos = sep + 2;
    }
    return id;
}

void collectRefs(const fs::path& refs_dir, const fs::path& dir, std::map<std::string, std::vector<std::string>>* by_commit) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code e2;
        if (!fs::is_regular_file(it->path(), e2)) continue;
        auto contents = io::readFile(it->path().string());
        if (!contents) continue;
        (*by_commit)[text::trim(*contents)].push_back(fs::relative(it->path(), refs_dir, e2).generic_string());
    }
}
}  // namespace

Result<std::vector<CachedRepo>> scanCache(const std::string& root) {
    std::vector<CachedRepo> repos;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return repos;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        std::error_code e2;
        if (!entry.is_directory(e2)) continue;
        CachedRepo repo;
        repo.repo_id = repoIdFromFolder(entry.path().filename().string(), &repo.type);
        if (repo.repo_id.empty()) continue;
        repo.path = entry.path().string();
        std::map<std::string, std::uint64_t> blob_sizes;
        fs::path blobs = entry.path() / "blobs";
        if (fs::is_directory(blobs, e2)) {
            for (const auto& b : fs::directory_iterator(blobs, e2)) {
                std::error_code e3;
                if (!b.is_regular_file(e3)) continue;
                std::uint64_t size = b.file_size(e3);
                std::string name = b.path().filename().string();
                if (name.size() > 11 && name.compare(name.size() - 11, 11, ".incomplete") == 0) {
                    repo.incomplete_bytes += size;
                    continue;
                }
                blob_sizes[name] = size;
                repo.size_on_disk_bytes += size;
                ++repo.blob_count;
                auto mtime = fs::last_write_time(b.path(), e3);
                auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                                (mtime - fs::file_time_type::clock::now()) + std::chrono::system_clock::now().time_since_epoch())
                                .count();
                repo.last_modified_s = std::max<std::int64_t>(repo.last_modified_s, secs);
            }
        }
        std::map<std::string, std::vector<std::string>> refs_by_commit;
        fs::path refs = entry.path() / "refs";
        if (fs::is_directory(refs, e2)) collectRefs(refs, refs, &refs_by_commit);
        fs::path snaps = entry.path() / "snapshots";
        if (fs::is_directory(snaps, e2)) {
            HubCache cache(root, repo.type);
            for (const auto& s : fs::directory_iterator(snaps, e2)) {
                std::error_code e3;
                if (!s.is_directory(e3)) continue;
                CachedRevision rev;
                rev.commit = s.path().filename().string();
                rev.files = cache.snapshotFiles(repo.repo_id, rev.commit);
                for (const auto& f : rev.files) rev.size_bytes += fs::file_size(s.path() / f, e3);
                if (auto it = refs_by_commit.find(rev.commit); it != refs_by_commit.end()) rev.refs = it->second;
                repo.revisions.push_back(std::move(rev));
            }
        }
        std::sort(repo.revisions.begin(), repo.revisions.end(),
                  [](const CachedRevision& a, const CachedRevision& b) { return a.commit < b.commit; });
        repos.push_back(std::move(repo));
    }
    if (ec) return makeError(ErrorCode::IoError, "cannot list the cache folder " + root + ": " + ec.message());
    std::sort(repos.begin(), repos.end(), [](const CachedRepo& a, const CachedRepo& b) { return a.repo_id < b.repo_id; });
    return repos;
}

Status deleteCachedRepo(const std::string& root, const std::string& repo_id, RepoType type) {
    std::string folder = repoFolderName(repo_id, type);
    if (repo_id.empty() || repo_id.find("..") != std::string::npos)
        return makeError(ErrorCode::InvalidArgument, "invalid repository id '" + repo_id + "'");
    std::error_code ec;
    fs::path dir = fs::path(root) / folder;
    if (!fs::exists(dir, ec)) return makeError(ErrorCode::NotFound, repo_id + " is not in the cache " + root);
    fs::remove_all(dir, ec);
    if (ec) return makeError(ErrorCode::IoError, "cannot delete " + dir.string() + ": " + ec.message());
    fs::remove_all(fs::path(root) / ".locks" / folder, ec);
    return {};
}

Result<FileLock> FileLock::acquire(const std::string& path, const CancelToken& cancel, int timeout_ms) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return makeError(ErrorCode::IoError, "cannot open lock file " + path + ": " + std::strerror(errno));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int err = errno;
            ::close(fd);
            return makeError(ErrorCode::IoError, "cannot lock " + path + ": " + std::strerror(err));
        }
        if (cancel.cancelled()) {
            ::close(fd);
            return makeError(ErrorCode::Cancelled, "cancelled while waiting for " + path);
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::close(fd);
            return makeError(ErrorCode::IoError, "another process holds " + path,
                             "another download of the same file is running (maybe a Python tool); wait for it or remove the lock file");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return FileLock(fd);
}

FileLock::~FileLock() {
    if (fd_ >= 0) {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
}

SnapshotPath parseSnapshotPath(const std::string& path) {
    std::vector<std::string> parts;
    std::string part;
    for (char c : path + "/") {
        if (c == '/') {
            if (!part.empty()) parts.push_back(part);
            part.clear();
        } else {
            part += c;
        }
    }
    for (std::size_t i = 0; i + 2 < parts.size(); ++i) {
        if (parts[i].rfind("models--", 0) != 0 || parts[i + 1] != "snapshots" || !isCommitHash(parts[i + 2])) continue;
        const std::string rest = parts[i].substr(8);
        if (rest.empty()) continue;
        const auto sep = rest.find("--");
        if (sep != std::string::npos && (sep == 0 || sep + 2 == rest.size() || rest.find("--", sep + 2) != std::string::npos)) return {};
        SnapshotPath out;
        out.repo_id = sep == std::string::npos ? rest : rest.substr(0, sep) + "/" + rest.substr(sep + 2);
        out.commit = parts[i + 2];
        for (std::size_t k = i + 3; k < parts.size(); ++k) out.inner += (out.inner.empty() ? "" : "/") + parts[k];
        return out;
    }
    return {};
}

std::string SnapshotPath::repoName() const {
    const auto slash = repo_id.rfind('/');
    return slash == std::string::npos ? repo_id : repo_id.substr(slash + 1);
}

std::string repoIdFromSnapshotPath(const std::string& path) { return parseSnapshotPath(path).repo_id; }

}  // namespace srs::hub
