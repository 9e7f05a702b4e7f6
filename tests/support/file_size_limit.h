// Makes the disk look full to this process: while a FileSizeLimit lives, writes past `bytes` in
// any one file fail (EFBIG) instead of raising SIGXFSZ, the way a full disk makes them fail
// (ENOSPC) part-way through an export. The previous limit comes back on destruction.
#pragma once

#include <sys/resource.h>

#include <csignal>

namespace srs::test {

class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        ok_ = ::getrlimit(RLIMIT_FSIZE, &old_) == 0;
        if (ok_) {
            rlimit r = old_;
            r.rlim_cur = bytes;
            ok_ = ::setrlimit(RLIMIT_FSIZE, &r) == 0;
        }
    }
    ~FileSizeLimit() {
        if (ok_) ::setrlimit(RLIMIT_FSIZE, &old_);
        std::signal(SIGXFSZ, old_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    bool active() const { return ok_; }

private:
    rlimit old_{};
    void (*old_handler_)(int) = SIG_DFL;
    bool ok_ = false;
};

}  // namespace srs::test
