#include "core/io/atomic_file.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace srs::io {
namespace {
Error writeError(const std::string& path, int err) {
    if (err == ENOSPC || err == EDQUOT)
        return makeError(ErrorCode::DiskFull, "disk full while writing " + path,
                         "free some space or choose another output folder");
    return makeError(ErrorCode::IoError, "cannot write " + path + ": " + std::strerror(err));
}
}  // namespace

Result<AtomicFile> AtomicFile::create(const std::string& final_path) {
    AtomicFile f;
    f.final_path_ = final_path;
    f.temp_path_ = final_path + ".tmp-" + std::to_string(::getpid());
    std::error_code ec;
    fs::path parent = fs::path(final_path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    f.fp_ = std::fopen(f.temp_path_.c_str(), "wb");
    if (!f.fp_) return writeError(f.temp_path_, errno);
    return f;
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : final_path_(std::move(o.final_path_)), temp_path_(std::move(o.temp_path_)), fp_(o.fp_), written_(o.written_) {
    o.fp_ = nullptr;
}

AtomicFile& AtomicFile::operator=(AtomicFile&& o) noexcept {
    if (this != &o) {
        discard();
        final_path_ = std::move(o.final_path_);
        temp_path_ = std::move(o.temp_path_);
        fp_ = o.fp_;
        written_ = o.written_;
        o.fp_ = nullptr;
    }
    return *this;
}

AtomicFile::~AtomicFile() { discard(); }

Status AtomicFile::write(const void* data, std::size_t size_bytes) {
    if (!fp_) return makeError(ErrorCode::Internal, "write to a closed file " + temp_path_);
    if (size_bytes == 0) return {};
    if (std::fwrite(data, 1, size_bytes, fp_) != size_bytes) {
        int err = errno;
        discard();
        return writeError(final_path_, err);
    }
    written_ += size_bytes;
    return {};
}

Status AtomicFile::commit() {
    if (!fp_) return makeError(ErrorCode::Internal, "commit of a closed file " + temp_path_);
    if (std::fflush(fp_) != 0 || ::fsync(::fileno(fp_)) != 0) {
        int err = errno;
        discard();
        return writeError(final_path_, err);
    }
    std::fclose(fp_);
    fp_ = nullptr;
    if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
        int err = errno;
        std::remove(temp_path_.c_str());
        return writeError(final_path_, err);
    }
    return {};
}

void AtomicFile::discard() {
    if (fp_) {
        std::fclose(fp_);
        fp_ = nullptr;
        std::remove(temp_path_.c_str());
    }
}

Result<StagingDir> StagingDir::create(const std::string& final_dir) {
    StagingDir d;
    fs::path p = fs::absolute(final_dir);
    d.final_ = p.string();
    d.temp_ = (p.parent_path() / ("." + p.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
    std::error_code ec;
    fs::remove_all(d.temp_, ec);
    fs::create_directories(d.temp_, ec);
    if (ec) return makeError(ErrorCode::IoError, "cannot create " + d.temp_ + ": " + ec.message(), "check the output folder is writable");
    return d;
}

StagingDir::StagingDir(StagingDir&& o) noexcept : final_(std::move(o.final_)), temp_(std::move(o.temp_)), done_(o.done_) { o.done_ = true; }

StagingDir::~StagingDir() {
    if (done_) return;
    std::error_code ec;
    fs::remove_all(temp_, ec);
}

Status StagingDir::commit() {
    std::error_code ec;
    const fs::path final_path = final_;
    const fs::path backup = final_ + ".old-" + std::to_string(::getpid());
    const bool had_old = fs::exists(final_path, ec);
    if (had_old) {
        fs::rename(final_path, backup, ec);
        if (ec) return makeError(ErrorCode::IoError, "cannot move the existing " + final_ + " aside: " + ec.message());
    }
    fs::rename(temp_, final_path, ec);
    if (ec) {
        std::error_code e2;
        if (had_old) fs::rename(backup, final_path, e2);
        return makeError(ErrorCode::IoError, "cannot rename the export into " + final_ + ": " + ec.message());
    }
    done_ = true;
    if (had_old) fs::remove_all(backup, ec);
    return {};
}

Status writeFileAtomic(const std::string& path, const std::string& contents) {
    auto file = AtomicFile::create(path);
    if (!file) return file.error();
    SRS_TRY(file->write(contents));
    return file->commit();
}

Result<std::string> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!fs::exists(path, ec)) return makeError(ErrorCode::NotFound, "file not found: " + path);
        return makeError(ErrorCode::IoError, "cannot read " + path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result<std::uint64_t> freeDiskBytes(const std::string& path) {
    fs::path p = path;
    std::error_code ec;
    while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
    if (p.empty()) p = ".";
    struct statvfs st {};
    if (::statvfs(p.c_str(), &st) != 0)
        return makeError(ErrorCode::IoError, "cannot query free space of " + p.string() + ": " + std::strerror(errno));
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

}  // namespace srs::io
