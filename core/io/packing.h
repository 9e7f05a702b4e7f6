// Bit packing of integer weights into the int32 tensors of the GPTQ-family formats.
//   GPTQ rows:  qweight [in·bits/32, out]  — input rows packed into each word, first row in the
//               low bits; 3-bit uses GPTQ's 32-values-in-3-words scheme.
//   GPTQ cols:  qzeros [groups, out·bits/32] — the same scheme along the output dimension.
//   AWQ cols:   qweight [in, out/8], qzeros [groups, out/8] — 4-bit, interleaved: nibble k (from
//               the low end) of a word holds column 0,2,4,6,1,3,5,7 [k] of its eight (readers
//               undo it with the order 0,4,1,5,2,6,3,7).
// FORMATS.md §5.2–5.4 holds the facts; unpack* are the exact inverses, used by our own reader.
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/result.h"

namespace srs::io {

// values: [rows][cols] unsigned ints < 2^bits. Packs along rows (GPTQ qweight):
// returns [rows·bits/32][cols]. rows must be a multiple of 32/bits (of 32 for 3 bits).
Result<std::vector<std::int32_t>> packRowsGptq(const std::vector<std::uint32_t>& values, std::int64_t rows, std::int64_t cols, int bits);
std::vector<std::uint32_t> unpackRowsGptq(const std::vector<std::int32_t>& packed, std::int64_t rows, std::int64_t cols, int bits);

// Packs along columns (GPTQ qzeros): returns [rows][cols·bits/32].
Result<std::vector<std::int32_t>> packColsGptq(const std::vector<std::uint32_t>& values, std::int64_t rows, std::int64_t cols, int bits);
std::vector<std::uint32_t> unpackColsGptq(const std::vector<std::int32_t>& packed, std::int64_t rows, std::int64_t cols, int bits);

// AWQ: 4-bit only, along columns with the interleaved order; returns [rows][cols/8].
Result<std::vector<std::int32_t>> packColsAwq(const std::vector<std::uint32_t>& values, std::int64_t rows, std::int64_t cols);
std::vector<std::uint32_t> unpackColsAwq(const std::vector<std::int32_t>& packed, std::int64_t rows, std::int64_t cols);

}  // namespace srs::io
