// SHA-256 and SHA-1 for the Hub: SHA-256 is the LFS object id (and the cache blob name of LFS
// files), SHA-1 over "blob <size>\0<bytes>" is the git object id of regular files. Both are
// incremental so downloads hash while they stream and resumed downloads hash the part on disk
// once. Written from FIPS 180-4; no OpenSSL dependency for two small functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/cancel.h"
#include "core/common/result.h"

namespace srs::hub {

class Sha256 {
public:
    Sha256() { reset(); }
    void reset();
    void update(const void* data, std::size_t size);
    std::array<std::uint8_t, 32> digest();  // finalizes; call reset() before reuse
    std::string hexDigest();

private:
    void block(const std::uint8_t* p);
    std::uint32_t h_[8];
    std::uint8_t buf_[64];
    std::size_t buf_len_ = 0;
    std::uint64_t total_ = 0;
};

class Sha1 {
public:
    Sha1() { reset(); }
    void reset();
    void update(const void* data, std::size_t size);
    std::array<std::uint8_t, 20> digest();
    std::string hexDigest();

private:
    void block(const std::uint8_t* p);
    std::uint32_t h_[5];
    std::uint8_t buf_[64];
    std::size_t buf_len_ = 0;
    std::uint64_t total_ = 0;
};

std::string toHex(const std::uint8_t* data, std::size_t size);
std::string sha256Hex(const std::string& bytes);
// The git object id of a blob with these contents (what the Hub reports as a regular file's oid).
std::string gitBlobSha1Hex(const std::string& bytes);

// Hashes of a whole file, read once. size_bytes is filled with the file size.
struct FileHashes {
    std::string sha256;
    std::string git_sha1;
    std::uint64_t size_bytes = 0;
};
Result<FileHashes> hashFile(const std::string& path, const CancelToken& cancel = {});

}  // namespace srs::hub
