#include "core/io/packing.h"

#include <string>

namespace srs::io {
namespace {

// Position of value j (0..31) of a 32-value run in the 3 words of GPTQ's 3-bit scheme:
// value j occupies bits [3j, 3j+3) of the 96-bit little-endian concatenation of the words.
// That is exactly "word 0 holds values 0–9 and 2 bits of 10, word 1 ..." of FORMATS.md.
inline void put3(std::uint32_t* words, int j, std::uint32_t v) {
    int bit = 3 * j;
    for (int b = 0; b < 3; ++b, ++bit)
        if (v & (1u << b)) words[bit / 32] |= 1u << (bit % 32);
}
inline std::uint32_t get3(const std::uint32_t* words, int j) {
    std::uint32_t v = 0;
    int bit = 3 * j;
    for (int b = 0; b < 3; ++b, ++bit)
        if (words[bit / 32] & (1u << (bit % 32))) v |= 1u << b;
    return v;
}

Status checkBits(int bits) {
    if (bits == 2 || bits == 3 || bits == 4 || bits == 8) return {};
    return makeError(ErrorCode::Unsupported, std::to_string(bits) + "-bit weights cannot be packed in GPTQ-family formats (2, 3, 4 or 8)");
}

}  // namespace

Result<std::vector<std::int32_t>> packRowsGptq(const std::vector<std::uint32_t>& values, std::int64_t rows, std::int64_t cols, int bits) {
    SRS_TRY(checkBits(bits));
    const std::int64_t run = bits == 3 ? 32 : 32 / bits;
    if (rows % run != 0)
        return makeError(ErrorCode::Unsupported, "cannot pack " + std::to_string(rows) + " input rows at " + std::to_string(bits) +
                                                     " bits: a multiple of " + std::to_string(run) + " is needed");
    const std::int64_t words_per_run = bits == 3 ? 3 : 1;
    const std::int64_t out_rows = rows / run * words_per_run;
    std::vector<std::int32_t> out(static_cast<std::size_t>(out_rows * cols), 0);
    for (std::int64_t r0 = 0, w0 = 0; r0 < rows; r0 += run, w0 += words_per_run) {
        for (std::int64_t c = 0; c < cols; ++c) {
            std::uint32_t words[3] = {0, 0, 0};
            for (std::int64_t j = 0; j < run; ++j) {
                std::uint32_t v = values[(r0 + j) * cols + c] & ((1u << bits) - 1);
                if (bits == 3)
                    put3(words, static_cast<int>(j), v);
                else
                    words[0] |= v << (bits * j);
            }
            for (std::int64_t k = 0; k < words_per_run; ++k) out[(w0 + k) * cols + c] = static_cast<std::int32_t>(words[k]);
        }
    }
    return out;
}

std::vector<std::uint32_t> unpackRowsGptq(const std::vector<std::int32_t>& packed, std::int64_t rows, std::int64_t cols, int bits) {
    const std::int64_t run = bits == 3 ? 32 : 32 / bits;
    const std::int64_t words_per_run = bits == 3 ? 3 : 1;
    std::vector<std::uint32_t> out(static_cast<std::size_t>(rows * cols));
    for (std::int64_t r0 = 0, w0 = 0; r0 < rows; r0 += run, w0 += words_per_run)
        for (std::int64_t c = 0; c < cols; ++c) {
            std::uint32_t words[3] = {0, 0, 0};
            for (std::int64_t k = 0; k < words_per_run; ++k) words[k] = static_cast<std::uint32_t>(packed[(w0 + k) * cols + c]);
            for (std::int64_t j = 0; j < run; ++j)
                out[(r0 + j) * cols + c] = bits == 3 ? get3(words, static_cast<int>(j)) : (words[0] >> (bits * j)) & ((1u << bits) - 1);
        }
    return out;
}

Result<std::vector<std::int32_t>> packColsGptq(const std::vector<std::uint32_t>& values, std::int64_t rows, std::int64_t cols, int bits) {
    // Packing columns of A is packing rows of Aᵀ, transposed back.
    std::vector<std::uint32_t> t(values.size());
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) t[c * rows + r] = values[r * cols + c];
    auto packed_t = packRowsGptq(t, cols, rows, bits);
    if (!packed_t) return packed_t.error();
    const std::int64_t pcols = static_cast<std::int64_t>(packed_t->size()) / rows;
    std::vector<std::int32_t> out(packed_t->size());
    for (std::int64_t k = 0; k < pcols; ++k)
        for (std::int64_t r = 0; r < rows; ++r) out[r * pcols + k] = (*packed_t)[k * rows + r];
    return out;
}

std::vector<std::uint32_t> unpackColsGptq(const std::vector<std::int32_t>& packed, std::int64_t rows, std::int64_t cols, int bits) {
    const std::int64_t pcols = static_cast<std::int64_t>(packed.size()) / rows;
    std::vector<std::int32_t> t(packed.size());
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t k = 0; k < pcols; ++k) t[k * rows + r] = packed[r * pcols + k];
    std::vector<std::uint32_t> ut = unpackRowsGptq(t, cols, rows, bits);
    std::vector<std::uint32_t> out(ut.size());
    for (std::int64_t c = 0; c < cols; ++c)
        for (std::int64_t r = 0; r < rows; ++r) out[r * cols + c] = ut[c * rows + r];
    return out;
}

namespace {
constexpr int kAwqOrder[8] = {0, 4, 1, 5, 2, 6, 3, 7};  // column 8p+j goes to nibble kAwqOrder[j]
}

Result<std::vector<std::int32_t>> packColsAwq(const std::vector<std::uint32_t>& values, std::int64_t rows, std::int64_t cols) {
    if (cols % 8 != 0)
        return makeError(ErrorCode::Unsupported, "AWQ packing needs a multiple of 8 output features, got " + std::to_string(cols));
    const std::int64_t pcols = cols / 8;
    std::vector<std::int32_t> out(static_cast<std::size_t>(rows * pcols), 0);
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t p = 0; p < pcols; ++p) {
            std::uint32_t w = 0;
            for (int j = 0; j < 8; ++j) w |= (values[r * cols + p * 8 + j] & 0xfu) << (4 * kAwqOrder[j]);
            out[r * pcols + p] = static_cast<std::int32_t>(w);
        }
    return out;
}

std::vector<std::uint32_t> unpackColsAwq(const std::vector<std::int32_t>& packed, std::int64_t rows, std::int64_t cols) {
    const std::int64_t pcols = cols / 8;
    std::vector<std::uint32_t> out(static_cast<std::size_t>(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t p = 0; p < pcols; ++p) {
            auto w = static_cast<std::uint32_t>(packed[r * pcols + p]);
            for (int j = 0; j < 8; ++j) out[r * cols + p * 8 + j] = (w >> (4 * kAwqOrder[j])) & 0xfu;
        }
    return out;
}

}  // namespace srs::io
