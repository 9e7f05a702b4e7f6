#include "core/io/read_text_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common/json_field.h"
#include "core/common/units.h"

namespace srs::io {
namespace {

std::string kindOf(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// Closes the descriptor on every path out.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

bool isRegularFile(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::string> readTextFile(const std::string& path, std::uint64_t max_bytes) {
    const std::string kHint = "replace it with the plain file the model came with";
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one; the
    // descriptor is then checked with fstat, so a file swapped after a stat() cannot slip through.
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (f.fd < 0) {
        const int err = errno;
        if (err == ENOENT) return makeError(ErrorCode::NotFound, "file not found: " + path);
        return makeError(ErrorCode::IoError, "cannot read " + path + ": " + std::strerror(err));
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) return makeError(ErrorCode::IoError, "cannot read " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::IoError, path + " is " + kindOf(st.st_mode) + ", not a regular file; it is not read", kHint);
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
        return makeError(ErrorCode::CorruptFile,
                         path + " is " + units::formatBytes(static_cast<std::uint64_t>(st.st_size)) + ", more than the " +
                             units::formatBytes(max_bytes) + " such a file may take; it is not read",
                         kHint);
    // The size can change while reading (a file still being written): read at most max_bytes + 1.
    std::string out;
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    for (;;) {
        if (got == out.size()) {
            if (out.size() > max_bytes) break;
            out.resize(std::min<std::uint64_t>(max_bytes + 1, out.size() + 65536));
        }
        const ssize_t n = ::read(f.fd, &out[got], out.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return makeError(ErrorCode::IoError, "cannot read " + path + ": " + std::strerror(errno));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    if (got > max_bytes)
        return makeError(ErrorCode::CorruptFile, path + " grew past the " + units::formatBytes(max_bytes) + " such a file may take while being read",
                         kHint);
    return out;
}

Result<nlohmann::json> readJsonFile(const std::string& path, std::uint64_t max_bytes) {
    auto text = readTextFile(path, max_bytes);
    if (!text) return text.error();
    return json::parseJson(*text, path);
}

}  // namespace srs::io
