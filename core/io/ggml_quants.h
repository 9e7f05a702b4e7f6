// llama.cpp's block formats for GGUF tensors, written and read without llama.cpp: Q4_0, Q4_1,
// Q5_0, Q5_1, Q8_0 (blocks of 32) and the k-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (super-blocks of
// 256), plus F32 / F16 / BF16 rows, with the byte layouts of FORMATS.md §5.5.
//
// Three ways in:
//  - quantizeRows: llama.cpp's reference quantizer (quantize_row_*_ref, with the make_qx_quants /
//    make_q3_quants / make_qkx2_quants searches), so a float row gives the same bytes as
//    llama-quantize without an importance matrix. The arithmetic follows the reference
//    step by step in float32, because a different rounding order changes the bytes.
//  - encodeBlocks: bytes from explicit parameters (scales, mins, integer values), for weights a
//    tuner already quantized; decodeBlocks is its inverse, so the two round-trip exactly.
//  - quantizeWithGroupScales: SignRound's per-group scales (and mins) are put into the format,
//    double-quantizing the k-quant sub-scales as AutoRound's packer does, and the integers are
//    recomputed from the weights.
// dequantizeRows turns any of them back into floats exactly as llama.cpp's dequantize_row_* does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/gguf.h"

namespace srs::io::ggml {

using io::GgmlType;

// The types this unit reads and writes.
bool isSupportedType(GgmlType type);
bool isQuantizedType(GgmlType type);  // block formats (not F32/F16/BF16)
// Elements per block (1 for float types) and bytes per block.
std::int64_t blockElements(GgmlType type);
std::int64_t blockBytes(GgmlType type);
// Bytes of a row of n elements; n must be a multiple of blockElements.
std::int64_t rowBytes(GgmlType type, std::int64_t n);
// "Q4_K" etc.; parseTypeName accepts any case.
std::string typeName(GgmlType type);
Result<GgmlType> parseTypeName(const std::string& name);

// Reference (RTN) quantization of nrows rows of n_per_row floats into dst (nrows · rowBytes).
Status quantizeRows(GgmlType type, const float* src, std::int64_t nrows, std::int64_t n_per_row, std::uint8_t* dst);
std::vector<std::uint8_t> quantizeRowsRef(GgmlType type, const std::vector<float>& src, std::int64_t n_per_row);
// Exactly llama.cpp's dequantize_row_* (and F16/BF16 widening).
Status dequantizeRows(GgmlType type, const std::uint8_t* src, std::int64_t nrows, std::int64_t n_per_row, float* dst);

// The parameters of one row, per type (n = elements of the row):
//   Q4_0/Q5_0/Q8_0  w = d[b]·(q − z),   z = 8 / 16 / 0 (q stored as 0..15, 0..31, int8 + 128)
//   Q4_1/Q5_1       w = d[b]·q + m[b]
//   Q2_K/Q4_K/Q5_K  w = d[s]·sc[j]·q − dmin[s]·mn[j]   (sub-blocks j of 16 / 32 / 32)
//   Q3_K            w = d[s]·sc[j]·(q − 4),   sc in −32..31, sub-blocks of 16
//   Q6_K            w = d[s]·sc[j]·(q − 32),  sc in −128..127, sub-blocks of 16
// b: 32-element block, s: 256-element super-block. q always holds the unsigned stored integer
// (Q8_0 too: q − 128 is the int8 in the file). d / m / dmin are stored as fp16, so encode
// rounds them; decode gives them back as the floats the file holds.
struct BlockParams {
    std::vector<float> d;      // per block (32-types) or per super-block (k-quants)
    std::vector<float> m;      // Q4_1/Q5_1: per block; Q2_K/Q4_K/Q5_K: dmin per super-block
    std::vector<int> sc;       // k-quants: per sub-block integer scale
    std::vector<int> mn;       // Q2_K/Q4_K/Q5_K: per sub-block integer min
    std::vector<std::uint8_t> q;  // per element
};
// Ranges of the integers a type can hold; encodeBlocks rejects values outside them.
int maxStoredQ(GgmlType type);        // 15, 31, 255, 3, 7, 15, 31, 63
int subBlockSize(GgmlType type);      // k-quants: 16 or 32; 32-types: 32

Result<std::vector<std::uint8_t>> encodeBlocks(GgmlType type, const BlockParams& p, std::int64_t n);
Result<BlockParams> decodeBlocks(GgmlType type, const std::uint8_t* bytes, std::int64_t n);
// w from the parameters, computed as llama.cpp's dequantizer does (fp16 rounding of d applied).
Result<std::vector<float>> dequantizeParams(GgmlType type, const BlockParams& p, std::int64_t n);

// SignRound's tuned weights into a GGUF type. w_qdq: one row (n elements) of the already
// quantize-dequantized weight; scales / mins: one value per group of subBlockSize(type)
// elements, with w ≈ scale·q − min for the asym types (min = zero·scale) and w ≈ scale·q_signed
// for the sym ones (mins ignored). Per-super-block scales are double-quantized like AutoRound's
// packer (Q3_K/Q6_K: d = max-magnitude scale / −32 or −128; Q2_K/Q4_K/Q5_K: d = max/15 or /63),
// and the integers are re-derived from w_qdq against the stored (rounded) scales.
Result<std::vector<std::uint8_t>> quantizeWithGroupScales(GgmlType type, const float* w_qdq, std::int64_t n,
                                                          const float* scales, const float* mins);

}  // namespace srs::io::ggml
