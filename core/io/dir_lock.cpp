#include "core/io/dir_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "core/common/log.h"

namespace fs = std::filesystem;

namespace srs::io {
namespace {

// This process's command line, spaces for the NULs of /proc/self/cmdline, at most 300 characters.
std::string ownCommandLine() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!s.empty() && s.back() == '\0') s.pop_back();
    for (char& c : s)
        if (c == '\0' || c == '\n') c = ' ';
    if (s.size() > 300) s = s.substr(0, 297) + "...";
    return s;
}

struct Holder {
    long long pid = 0;  // 0: unknown
    std::string command;
};

Holder readHolder(int fd) {
    std::string text;
    char buf[1024];
    ssize_t n = 0;
    off_t off = 0;
    while ((n = ::pread(fd, buf, sizeof buf, off)) > 0) {
        text.append(buf, static_cast<std::size_t>(n));
        off += n;
        if (text.size() > 4096) break;
    }
    Holder h;
    std::istringstream in(text);
    std::string line;
    if (std::getline(in, line)) {
        try {
            h.pid = std::stoll(line);
        } catch (...) {
            h.pid = 0;
        }
    }
    std::getline(in, h.command);
    return h;
}

std::string describe(const Holder& h) {
    if (h.pid <= 0) return "PID unknown";
    std::string s = "PID " + std::to_string(h.pid);
    if (h.pid == ::getpid()) s += ", this process";
    if (!h.command.empty()) s += ": " + h.command;
    return s;
}

// The holder of a busy lock: it writes its PID right after locking, so an empty file is read
// again for a moment.
Holder waitForHolder(int fd) {
    Holder h = readHolder(fd);
    for (int i = 0; i < 20 && h.pid <= 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        h = readHolder(fd);
    }
    return h;
}

Error lockError(const std::string& what, const std::string& path, int err, const std::string& flag) {
    return makeError(ErrorCode::IoError, "cannot " + what + " " + path + ": " + std::strerror(err),
                     "check that the folder is writable, or choose another " + flag);
}

// Whether the file at path is the one open as fd (not removed or replaced since it was opened).
bool sameFile(int fd, const std::string& path) {
    struct stat a {}, b {};
    if (::fstat(fd, &a) != 0 || ::stat(path.c_str(), &b) != 0) return false;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool pidAlive(long long pid) {
    if (pid <= 0 || pid > 0x3fffffff) return true;  // not a process id we can check: keep
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

std::string normalised(const std::string& dir) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    if (ec) p = fs::absolute(dir, ec).lexically_normal();
    std::string s = p.string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

}  // namespace

Result<DirLock> DirLock::acquire(const std::string& dir, const std::string& flag, Use use) {
    DirLock lock;
    lock.dir_ = normalised(dir);
    std::error_code ec;
    if (use == Use::Read && !fs::is_directory(lock.dir_, ec)) return lock;
    if (!fs::is_directory(lock.dir_, ec)) {
        if (fs::exists(lock.dir_, ec))
            return makeError(ErrorCode::InvalidArgument, lock.dir_ + " is not a folder", "choose a folder for " + flag);
        fs::create_directories(lock.dir_, ec);
        if (ec) return makeError(ErrorCode::IoError, "cannot create " + lock.dir_ + ": " + ec.message(), "check the path, or choose another " + flag);
        lock.created_dir_ = true;
    }
    const std::string path = (fs::path(lock.dir_) / kDirLockFile).string();
    // A releasing holder removes the file before unlocking: a lock taken on a file no longer at
    // path is worthless, so open again.
    for (int attempt = 0; attempt < 50; ++attempt) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 && use == Use::Read && (errno == EACCES || errno == EROFS || errno == EPERM)) return lock;
        if (fd < 0) return lockError("create the lock file", path, errno, flag);
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            if (err == EWOULDBLOCK) {
                const Holder h = waitForHolder(fd);
                ::close(fd);
                return makeError(ErrorCode::IoError, lock.dir_ + " is in use by another signround run (" + describe(h) + ")",
                                 "wait for it to finish or choose another " + flag);
            }
            ::close(fd);
            if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS) {
                log::warn("cannot lock " + path + " (" + std::strerror(err) + "): another run into " + lock.dir_ + " would not be refused");
                return lock;
            }
            return lockError("lock", path, err, flag);
        }
        if (!sameFile(fd, path)) {
            ::close(fd);
            continue;
        }
        const Holder before = readHolder(fd);
        if (before.pid > 0)
            log::info("took over " + path + ", left by a run that ended without releasing it (" + describe(before) + ")");
        const std::string text = std::to_string(::getpid()) + "\n" + ownCommandLine() + "\n";
        if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
            const int err = errno;
            ::unlink(path.c_str());
            ::close(fd);
            return lockError("write the lock file", path, err, flag);
        }
        lock.fd_ = fd;
        return lock;
    }
    return makeError(ErrorCode::IoError, "cannot lock " + path + ": it was removed and re-created 50 times while locking",
                     "another program is deleting files in " + lock.dir_ + "; stop it or choose another " + flag);
}

DirLock::DirLock(DirLock&& o) noexcept : fd_(o.fd_), dir_(std::move(o.dir_)), created_dir_(o.created_dir_) {
    o.fd_ = -1;
    o.created_dir_ = false;
}

DirLock& DirLock::operator=(DirLock&& o) noexcept {
    if (this != &o) {
        release();
        fd_ = o.fd_;
        dir_ = std::move(o.dir_);
        created_dir_ = o.created_dir_;
        o.fd_ = -1;
        o.created_dir_ = false;
    }
    return *this;
}

DirLock::~DirLock() { release(); }

void DirLock::release() {
    if (fd_ >= 0) {
        // Unlink while still locked: whoever opened the old file finds it gone and opens anew.
        const std::string path = (fs::path(dir_) / kDirLockFile).string();
        if (sameFile(fd_, path)) ::unlink(path.c_str());
        ::close(fd_);
        fd_ = -1;
    }
    if (created_dir_) {
        ::rmdir(dir_.c_str());  // only when empty
        created_dir_ = false;
    }
}

Status DirLockSet::lock(const std::string& dir, const std::string& flag, DirLock::Use use) {
    if (find(dir)) return {};
    auto l = DirLock::acquire(dir, flag, use);
    if (!l) return l.error();
    if (l->held()) locks_.push_back(std::move(*l));
    return {};
}

DirLock* DirLockSet::find(const std::string& dir) {
    const std::string d = normalised(dir);
    for (auto& l : locks_)
        if (l.dir() == d) return &l;
    return nullptr;
}

void DirLockSet::releaseAll() {
    while (!locks_.empty()) locks_.pop_back();  // inner folders (locked later) first
}

std::vector<std::string> cleanDeadTemporaries(const std::string& dir, int depth) {
    static const std::regex kTemp(R"(^(.+)\.(tmp|old)-([0-9]{1,10})$)");
    std::vector<std::string> done;
    std::error_code ec;
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
    for (const fs::path& p : entries) {
        const std::string name = p.filename().string();
        std::smatch m;
        if (!std::regex_match(name, m, kTemp)) {
            if (depth > 0 && fs::is_directory(fs::symlink_status(p, ec))) {
                auto sub = cleanDeadTemporaries(p.string(), depth - 1);
                done.insert(done.end(), sub.begin(), sub.end());
            }
            continue;
        }
        const long long pid = std::stoll(m[3].str());
        if (pidAlive(pid)) continue;
        const fs::path original = p.parent_path() / m[1].str();
        std::string line;
        if (m[2] == "old" && !fs::exists(fs::symlink_status(original, ec))) {
            fs::rename(p, original, ec);
            line = ec ? "could not restore " + p.string() + ": " + ec.message()
                      : "restored " + original.string() + " from " + name + ", left by a run (PID " + m[3].str() + ") that died while replacing it";
        } else {
            fs::remove_all(p, ec);
            line = ec ? "could not remove " + p.string() + ": " + ec.message()
                      : "removed " + p.string() + ", left by a run (PID " + m[3].str() + ") that is no longer running";
        }
        log::info(line);
        done.push_back(line);
    }
    return done;
}

}  // namespace srs::io
