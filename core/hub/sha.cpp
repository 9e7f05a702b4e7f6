// SHA-256 and SHA-1 through OpenSSL's EVP interface (see sha.h for the error contract).
#include "core/hub/sha.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "core/common/log.h"

namespace srs::hub {
namespace detail {
namespace {

const EVP_MD* evpMd(EvpDigest::Algo algo) { return algo == EvpDigest::Algo::Sha256 ? EVP_sha256() : EVP_sha1(); }
const char* algoName(EvpDigest::Algo algo) { return algo == EvpDigest::Algo::Sha256 ? "SHA-256" : "SHA-1"; }

}  // namespace

EvpDigest::EvpDigest(Algo algo) : algo_(algo) { reset(); }

EvpDigest::~EvpDigest() { EVP_MD_CTX_free(ctx_); }

EvpDigest::EvpDigest(const EvpDigest& other) : algo_(other.algo_) { copyFrom(other); }

EvpDigest& EvpDigest::operator=(const EvpDigest& other) {
    if (this != &other) {
        EVP_MD_CTX_free(ctx_);
        ctx_ = nullptr;
        algo_ = other.algo_;
        copyFrom(other);
    }
    return *this;
}

EvpDigest::EvpDigest(EvpDigest&& other) noexcept
    : algo_(other.algo_),
      ctx_(std::exchange(other.ctx_, nullptr)),
      finished_(other.finished_),
      out_(other.out_),
      error_code_(other.error_code_),
      error_(std::move(other.error_)) {
    other.error_code_ = ErrorCode::Internal;
    other.error_ = "hasher was moved from (call reset() to reuse it)";
}

EvpDigest& EvpDigest::operator=(EvpDigest&& other) noexcept {
    if (this != &other) {
        EVP_MD_CTX_free(ctx_);
        algo_ = other.algo_;
        ctx_ = std::exchange(other.ctx_, nullptr);
        finished_ = other.finished_;
        out_ = other.out_;
        error_code_ = other.error_code_;
        error_ = std::move(other.error_);
        other.error_code_ = ErrorCode::Internal;
        other.error_ = "hasher was moved from (call reset() to reuse it)";
    }
    return *this;
}

// Takes other's state; ctx_ is null on entry.
void EvpDigest::copyFrom(const EvpDigest& other) {
    finished_ = other.finished_;
    out_ = other.out_;
    error_code_ = other.error_code_;
    error_ = other.error_;
    // A failed or finished hasher needs no running context (reset() makes a new one).
    if (error_code_ != ErrorCode::None || finished_ || !other.ctx_) return;
    ctx_ = EVP_MD_CTX_new();
    if (!ctx_) return fail("EVP_MD_CTX_new", true);
    if (EVP_MD_CTX_copy_ex(ctx_, other.ctx_) != 1) fail("EVP_MD_CTX_copy_ex", false);
}

void EvpDigest::fail(const char* what, bool out_of_memory) {
    // The first error on this thread's OpenSSL queue says why; drain the queue so nothing of ours
    // is left for libcurl's TLS code to misreport.
    std::string detail;
    if (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        detail = buf;
        if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE) out_of_memory = true;
    }
    ERR_clear_error();
    error_code_ = out_of_memory ? ErrorCode::OutOfMemory : ErrorCode::Internal;
    error_ = std::string(algoName(algo_)) + ": OpenSSL " + what + " failed" + (detail.empty() ? "" : ": " + detail);
    out_.fill(0);
    log::error(error_);
}

void EvpDigest::reset() {
    finished_ = false;
    out_.fill(0);
    error_code_ = ErrorCode::None;
    error_.clear();
    if (!ctx_) ctx_ = EVP_MD_CTX_new();
    if (!ctx_) return fail("EVP_MD_CTX_new", true);
    if (EVP_DigestInit_ex(ctx_, evpMd(algo_), nullptr) != 1) fail("EVP_DigestInit_ex", false);
}

void EvpDigest::update(const void* data, std::size_t size) {
    if (error_code_ != ErrorCode::None) return;
    if (finished_) {
        error_code_ = ErrorCode::Internal;
        error_ = std::string(algoName(algo_)) + ": update() after digest() without reset()";
        out_.fill(0);
        log::error(error_);
        return;
    }
    if (size == 0) return;
    if (EVP_DigestUpdate(ctx_, data, size) != 1) fail("EVP_DigestUpdate", false);
}

bool EvpDigest::finish(std::uint8_t* out) {
    if (error_code_ == ErrorCode::None && !finished_) {
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(ctx_, out_.data(), &len) != 1) fail("EVP_DigestFinal_ex", false);
        else if (len != size()) fail("EVP_DigestFinal_ex (unexpected digest length)", false);
        else finished_ = true;
    }
    std::memcpy(out, out_.data(), size());  // zeros after a failure
    return error_code_ == ErrorCode::None;
}

Status EvpDigest::status() const {
    if (error_code_ == ErrorCode::None) return {};
    return makeError(error_code_, error_,
                     error_code_ == ErrorCode::OutOfMemory ? "free some memory and try again" : "check the OpenSSL (libssl3) installation");
}

}  // namespace detail

std::array<std::uint8_t, 32> Sha256::digest() {
    std::array<std::uint8_t, 32> out{};
    d_.finish(out.data());
    return out;
}

std::string Sha256::hexDigest() {
    auto d = digest();
    return status().ok() ? toHex(d.data(), d.size()) : std::string(kHashUnavailableSha256);
}

std::array<std::uint8_t, 20> Sha1::digest() {
    std::array<std::uint8_t, 20> out{};
    d_.finish(out.data());
    return out;
}

std::string Sha1::hexDigest() {
    auto d = digest();
    return status().ok() ? toHex(d.data(), d.size()) : std::string(kHashUnavailableSha1);
}

std::string toHex(const std::uint8_t* data, std::size_t size) {
    static const char* kDigits = "0123456789abcdef";
    std::string s(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        s[2 * i] = kDigits[data[i] >> 4];
        s[2 * i + 1] = kDigits[data[i] & 15];
    }
    return s;
}

std::string sha256Hex(const std::string& bytes) {
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hexDigest();
}

std::string gitBlobSha1Hex(const std::string& bytes) {
    Sha1 h;
    std::string header = "blob " + std::to_string(bytes.size());
    h.update(header.data(), header.size() + 1);  // includes the terminating NUL, as git does
    h.update(bytes.data(), bytes.size());
    return h.hexDigest();
}

std::string hashBackendName() { return OpenSSL_version(OPENSSL_VERSION); }

Result<FileHashes> hashFile(const std::string& path, const CancelToken& cancel) {
    // Opened without blocking and checked on the descriptor: a path swapped for a FIFO or a
    // device after the caller looked at it is refused here instead of hanging or never ending.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return makeError(ErrorCode::IoError, "cannot read " + path + ": " + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return makeError(ErrorCode::IoError, "cannot read " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return makeError(ErrorCode::IoError, path + " is not a regular file; it is not read");
    FileHashes out;
    out.size_bytes = static_cast<std::uint64_t>(st.st_size);
    Sha256 s256;
    Sha1 s1;
    std::string header = "blob " + std::to_string(out.size_bytes);
    s1.update(header.data(), header.size() + 1);
    std::vector<char> buf(1 << 20);
    std::uint64_t read_total = 0;
    for (;;) {
        if (cancel.cancelled()) return makeError(ErrorCode::Cancelled, "cancelled while hashing " + path);
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return makeError(ErrorCode::IoError, "error reading " + path + ": " + std::strerror(errno));
        }
        if (n == 0) break;
        const auto got = static_cast<std::size_t>(n);
        read_total += got;
        // The hashes (git's blob header among them) are of the size stat gave: a file that grows
        // or shrinks while it is read is reported, not hashed half old, half new.
        if (read_total > out.size_bytes) break;
        s256.update(buf.data(), got);
        s1.update(buf.data(), got);
    }
    if (read_total != out.size_bytes)
        return makeError(ErrorCode::IoError, path + " changed while it was read (" + std::to_string(out.size_bytes) + " bytes, then " +
                                                 std::to_string(read_total) + ")",
                         "wait until nothing writes to the folder, then try again");
    out.sha256 = s256.hexDigest();
    out.git_sha1 = s1.hexDigest();
    for (const Status& st : {s256.status(), s1.status()})
        if (!st.ok()) return st.error().withContext("hashing " + path);
    return out;
}

}  // namespace srs::hub
