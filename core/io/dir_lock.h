// One writer per folder: a job that writes into an output folder or a run (checkpoint) folder
// holds an exclusive flock(2) on "<dir>/.signround.lock" for as long as it runs, so a second run
// into the same folder — another process, or another job of the same process (flock belongs to
// the open file description) — is refused at its start instead of mixing its files with the
// first's. The file holds the holder's PID and command line, for the refusal's message. The
// kernel drops the lock when its process dies (kill -9 included): a lock file nobody holds is
// stale and is taken over. Also: cleanDeadTemporaries, the leftovers of writers that died.
// Plain C++, no torch, no Qt.
#pragma once

#include <string>
#include <vector>

#include "core/common/result.h"

namespace srs::io {

inline constexpr const char* kDirLockFile = ".signround.lock";

class DirLock {
public:
    // Write: the job writes into dir. Read: it only reads dir, so a missing folder or one it
    // cannot write to (nobody else can write there either) gives an unlocked DirLock.
    enum class Use { Write, Read };
    // Creates dir when missing (Write) and locks it. Held by a live job (of this process or
    // another): IoError "<dir> is in use by another signround run (PID N: <command>)" with the
    // hint "wait for it to finish or choose another <flag>". A lock file left by a dead holder is
    // taken over (log line). A filesystem without flock support: a warning, and an unlocked
    // DirLock (held() false).
    static Result<DirLock> acquire(const std::string& dir, const std::string& flag = "--output_dir", Use use = Use::Write);

    DirLock(DirLock&& other) noexcept;
    DirLock& operator=(DirLock&& other) noexcept;
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;
    ~DirLock();  // release()

    // Removes the lock file and unlocks; removes the folder too when acquire created it and it is
    // empty again (unless keepDir() was called).
    void release();
    // The folder stays on release even when acquire created it and nothing else is in it.
    void keepDir() { created_dir_ = false; }
    bool held() const { return fd_ >= 0; }
    const std::string& dir() const { return dir_; }  // absolute, normalised

private:
    DirLock() = default;
    int fd_ = -1;
    std::string dir_;
    bool created_dir_ = false;
};

// The locks of one job: locking a folder already locked here (the same folder under another
// spelling too) is a no-op, so --run_dir equal to --output_dir does not refuse itself.
// Released in reverse order on destruction.
class DirLockSet {
public:
    DirLockSet() = default;
    DirLockSet(const DirLockSet&) = delete;
    DirLockSet& operator=(const DirLockSet&) = delete;
    ~DirLockSet() { releaseAll(); }

    Status lock(const std::string& dir, const std::string& flag, DirLock::Use use = DirLock::Use::Write);
    // The lock on dir, when held here; nullptr otherwise.
    DirLock* find(const std::string& dir);
    void releaseAll();

private:
    std::vector<DirLock> locks_;
};

// Leftovers of writers that died (kill -9, power loss) in dir and, for depth 1, in its
// subfolders: AtomicFile's "<name>.tmp-<pid>" files, StagingDir's ".<name>.tmp-<pid>" folders and
// its "<name>.old-<pid>" backups — only those whose <pid> is no live process (kill(pid, 0) fails
// with ESRCH); a live PID, ours included, is kept. A backup whose folder is missing is renamed
// back (its commit died between its two renames). Logs one line per entry and returns those
// lines. Call it only while holding dir's DirLock.
std::vector<std::string> cleanDeadTemporaries(const std::string& dir, int depth = 1);

}  // namespace srs::io
