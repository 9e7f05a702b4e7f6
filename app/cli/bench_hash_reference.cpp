// THE BENCH'S REFERENCE ONLY, not used by the product: the hand-written SHA-256 (FIPS 180-4) that
// core/hub/sha.cpp carried before the Hub code moved to OpenSSL's EVP interface (issue 22). Kept,
// unchanged but for names, so that `signround bench hash` measures the speed-up of the product's
// hashing against it in one run, on the same buffer (cmd_bench.cpp, benchHash). Nothing else may
// call it; the product hashes with srs::hub::Sha256 / Sha1 (core/hub/sha.h).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/hub/sha.h"

namespace srs::cli::bench {
namespace {

inline std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
inline std::uint32_t load32be(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}
inline void store32be(std::uint8_t* p, std::uint32_t v) {
    p[0] = std::uint8_t(v >> 24);
    p[1] = std::uint8_t(v >> 16);
    p[2] = std::uint8_t(v >> 8);
    p[3] = std::uint8_t(v);
}

constexpr std::uint32_t kK256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// Merkle–Damgård buffering: 64-byte blocks and a big-endian bit length.
template <typename H>
void feed(H& h, std::uint8_t* buf, std::size_t& buf_len, std::uint64_t& total, const void* data, std::size_t size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    total += size;
    if (buf_len) {
        std::size_t take = std::min<std::size_t>(64 - buf_len, size);
        std::memcpy(buf + buf_len, p, take);
        buf_len += take;
        p += take;
        size -= take;
        if (buf_len < 64) return;
        h(buf);
        buf_len = 0;
    }
    while (size >= 64) {
        h(p);
        p += 64;
        size -= 64;
    }
    if (size) {
        std::memcpy(buf, p, size);
        buf_len = size;
    }
}

template <typename H>
void pad(H& h, std::uint8_t* buf, std::size_t& buf_len, std::uint64_t total) {
    std::uint64_t bits = total * 8;
    buf[buf_len++] = 0x80;
    if (buf_len > 56) {
        std::memset(buf + buf_len, 0, 64 - buf_len);
        h(buf);
        buf_len = 0;
    }
    std::memset(buf + buf_len, 0, 56 - buf_len);
    for (int i = 0; i < 8; ++i) buf[56 + i] = std::uint8_t(bits >> (56 - 8 * i));
    h(buf);
    buf_len = 0;
}

class ReferenceSha256 {
public:
    ReferenceSha256() { reset(); }
    void reset();
    void update(const void* data, std::size_t size);
    std::array<std::uint8_t, 32> digest();
    std::string hexDigest();

private:
    void block(const std::uint8_t* p);
    std::uint32_t h_[8];
    std::uint8_t buf_[64];
    std::size_t buf_len_ = 0;
    std::uint64_t total_ = 0;
};


void ReferenceSha256::reset() {
    static constexpr std::uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::memcpy(h_, kInit, sizeof(h_));
    buf_len_ = 0;
    total_ = 0;
}

void ReferenceSha256::block(const std::uint8_t* p) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) w[i] = load32be(p + 4 * i);
    for (int i = 16; i < 64; ++i) {
        std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int i = 0; i < 64; ++i) {
        std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK256[i] + w[i];
        std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h_[0] += a; h_[1] += b; h_[2] += c; h_[3] += d;
    h_[4] += e; h_[5] += f; h_[6] += g; h_[7] += h;
}

void ReferenceSha256::update(const void* data, std::size_t size) {
    auto fn = [this](const std::uint8_t* p) { block(p); };
    feed(fn, buf_, buf_len_, total_, data, size);
}

std::array<std::uint8_t, 32> ReferenceSha256::digest() {
    auto fn = [this](const std::uint8_t* p) { block(p); };
    pad(fn, buf_, buf_len_, total_);
    std::array<std::uint8_t, 32> out{};
    for (int i = 0; i < 8; ++i) store32be(out.data() + 4 * i, h_[i]);
    return out;
}

std::string ReferenceSha256::hexDigest() {
    auto d = digest();
    return srs::hub::toHex(d.data(), d.size());
}

}  // namespace

// Declared in cmd_bench.cpp, its only caller: the SHA-256 of [data, data + size), fed in pieces of
// `piece` bytes (as the bench feeds the product's hasher), as lowercase hex.
std::string referenceSha256Hex(const std::uint8_t* data, std::size_t size, std::size_t piece) {
    ReferenceSha256 h;
    for (std::size_t i = 0; i < size; i += piece) h.update(data + i, std::min(piece, size - i));
    return h.hexDigest();
}

}  // namespace srs::cli::bench
