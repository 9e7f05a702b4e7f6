#include "core/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace srs::io {

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); it changes
    // nothing for the regular files that are mapped.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        return makeError(err == ENOENT ? ErrorCode::NotFound : ErrorCode::IoError,
                         "cannot open " + path + ": " + std::strerror(err),
                         err == ENOENT ? "check the path" : "check the file's permissions");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        return makeError(ErrorCode::IoError, "cannot stat " + path + ": " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(ErrorCode::InvalidArgument, path + " is not a regular file");
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->path_ = path;
    file->size_ = static_cast<std::size_t>(st.st_size);
    if (file->size_ > 0) {
        void* p = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int err = errno;
            ::close(fd);
            return makeError(ErrorCode::IoError, "cannot map " + path + ": " + std::strerror(err));
        }
        file->data_ = static_cast<const std::uint8_t*>(p);
    }
    ::close(fd);  // the mapping stays valid after close
    return file;
}

std::shared_ptr<MappedFile> MappedFile::fromBuffer(std::vector<std::uint8_t> bytes, const std::string& name) {
    std::shared_ptr<MappedFile> f(new MappedFile());
    f->path_ = name;
    f->owned_ = std::move(bytes);
    f->data_ = f->owned_.data();
    f->size_ = f->owned_.size();
    return f;
}

void MappedFile::releasePages(const std::uint8_t* p, std::size_t size) const {
    if (!data_ || !owned_.empty() || size == 0 || p < data_ || p + size > data_ + size_) return;
    const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(p) & ~(page - 1);
    std::uintptr_t end = reinterpret_cast<std::uintptr_t>(p + size);
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
    if (data_ && owned_.empty()) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

}  // namespace srs::io
