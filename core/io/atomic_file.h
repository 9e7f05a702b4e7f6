// Files that appear whole or not at all: write to "<name>.tmp-<pid>", fsync, rename over the
// final name. A crash, a full disk or a cancel leaves at most a temporary file, never a truncated
// file under the final name. StagingDir does the same for a whole output folder.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/common/result.h"

namespace srs::io {

class AtomicFile {
public:
    // Opens "<final_path>.tmp-<pid>" for writing; nothing exists under final_path until commit().
    static Result<AtomicFile> create(const std::string& final_path);
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&& other) noexcept;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();  // discards the temporary file unless committed

    Status write(const void* data, std::size_t size_bytes);
    Status write(const std::string& text) { return write(text.data(), text.size()); }
    std::uint64_t bytesWritten() const { return written_; }
    // fsync + rename; after this the file is complete under its final name.
    Status commit();
    void discard();

    const std::string& finalPath() const { return final_path_; }
    const std::string& tempPath() const { return temp_path_; }

private:
    AtomicFile() = default;
    std::string final_path_;
    std::string temp_path_;
    std::FILE* fp_ = nullptr;
    std::uint64_t written_ = 0;
};

// A whole output folder that appears at once: files are written into a hidden sibling
// ".<name>.tmp-<pid>", and commit() renames it into place (an existing folder of that name is
// replaced only once the new one is whole). Destroying it uncommitted removes the staging folder.
class StagingDir {
public:
    static Result<StagingDir> create(const std::string& final_dir);
    StagingDir(StagingDir&& other) noexcept;
    StagingDir& operator=(StagingDir&&) = delete;
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;
    ~StagingDir();

    const std::string& path() const { return temp_; }       // write here
    const std::string& finalPath() const { return final_; }  // absolute
    Status commit();

private:
    StagingDir() = default;
    std::string final_, temp_;
    bool done_ = false;
};

// Writes a whole small file atomically.
Status writeFileAtomic(const std::string& path, const std::string& contents);
// Reads a whole file; a clear error names the file when it is missing or unreadable.
Result<std::string> readFile(const std::string& path);

// Bytes free for an unprivileged writer on the filesystem holding path (or its nearest parent).
Result<std::uint64_t> freeDiskBytes(const std::string& path);

}  // namespace srs::io
