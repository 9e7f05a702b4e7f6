// SHA-256 and SHA-1 for the Hub: SHA-256 is the LFS object id (and the cache blob name of LFS
// files), SHA-1 over "blob <size>\0<bytes>" is the git object id of regular files. Both are
// incremental so downloads hash while they stream and resumed downloads hash the part on disk
// once. The compression functions are OpenSSL's (libcrypto's EVP interface, already loaded by our
// libcurl): its assembly runs SHA-NI / AVX2 code, several times faster than portable C++
// (`signround bench hash` measures both).
//
// Errors. OpenSSL can fail only to allocate (or, in a broken installation, to load its default
// provider). update(), digest() and hexDigest() keep their plain signatures, so such a failure
// never throws and never aborts: the hasher records it (status() says what went wrong; code
// OutOfMemory for allocation failures, Internal otherwise), further update()s are ignored,
// digest() returns all zero bytes and hexDigest() returns kHashUnavailable*, which contains
// non-hex characters and so never equals any expected digest: a download being verified is
// rejected, never wrongly accepted. reset() retries from scratch. hashFile() returns the error.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/cancel.h"
#include "core/common/result.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX; <openssl/evp.h> stays out of this header

namespace srs::hub {

// What hexDigest() returns when OpenSSL failed (see above). Not hex, not empty, no '/'.
inline constexpr const char* kHashUnavailableSha256 = "sha256-unavailable";
inline constexpr const char* kHashUnavailableSha1 = "sha1-unavailable";

namespace detail {
// One running OpenSSL digest. Copies carry the running state (EVP_MD_CTX_copy_ex); a moved-from
// hasher is in the failed state until reset().
class EvpDigest {
public:
    enum class Algo { Sha256, Sha1 };
    explicit EvpDigest(Algo algo);
    ~EvpDigest();
    EvpDigest(const EvpDigest& other);
    EvpDigest& operator=(const EvpDigest& other);
    EvpDigest(EvpDigest&& other) noexcept;
    EvpDigest& operator=(EvpDigest&& other) noexcept;

    void reset();
    void update(const void* data, std::size_t size);
    // Writes the digest (size() bytes) to out, finalizing on the first call; later calls until
    // reset() return the same bytes. All zeros and false when the hasher has failed.
    bool finish(std::uint8_t* out);
    std::size_t size() const { return algo_ == Algo::Sha256 ? 32 : 20; }
    Status status() const;

private:
    void fail(const char* what, bool out_of_memory);
    void copyFrom(const EvpDigest& other);

    Algo algo_;
    evp_md_ctx_st* ctx_ = nullptr;
    bool finished_ = false;
    std::array<std::uint8_t, 32> out_{};
    ErrorCode error_code_ = ErrorCode::None;
    std::string error_;
};
}  // namespace detail

class Sha256 {
public:
    Sha256() : d_(detail::EvpDigest::Algo::Sha256) {}
    void reset() { d_.reset(); }
    void update(const void* data, std::size_t size) { d_.update(data, size); }
    // Finalizes; call reset() before hashing more (until then update() is an error and digest()
    // returns the same value again).
    std::array<std::uint8_t, 32> digest();
    std::string hexDigest();
    // Ok unless OpenSSL failed since the last reset() (see the top of this file).
    Status status() const { return d_.status(); }

private:
    detail::EvpDigest d_;
};

class Sha1 {
public:
    Sha1() : d_(detail::EvpDigest::Algo::Sha1) {}
    void reset() { d_.reset(); }
    void update(const void* data, std::size_t size) { d_.update(data, size); }
    std::array<std::uint8_t, 20> digest();
    std::string hexDigest();
    Status status() const { return d_.status(); }

private:
    detail::EvpDigest d_;
};

std::string toHex(const std::uint8_t* data, std::size_t size);
// Whole-buffer helpers; on an OpenSSL failure they return kHashUnavailable* (a std::string result
// has no room for an Error; use the classes' status() where that matters).
std::string sha256Hex(const std::string& bytes);
// The git object id of a blob with these contents (what the Hub reports as a regular file's oid).
std::string gitBlobSha1Hex(const std::string& bytes);
// The library doing the hashing, e.g. "OpenSSL 3.0.19 27 Jan 2026" (for benchmarks and reports).
std::string hashBackendName();

// Hashes of a whole file, read once. size_bytes is filled with the file size.
struct FileHashes {
    std::string sha256;
    std::string git_sha1;
    std::uint64_t size_bytes = 0;
};
Result<FileHashes> hashFile(const std::string& path, const CancelToken& cancel = {});

}  // namespace srs::hub
