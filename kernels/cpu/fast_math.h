// Small math helpers for the fused row loops that the compiler can vectorize (no library calls,
// no reductions that need reassociation). Include only in files built with -ffp-contract=off.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

// Row loops built for AVX-512, AVX2 and baseline x86-64, picked at load time (GCC target_clones).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SRS_ISA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SRS_ISA_CLONES
#endif

namespace srs::kernels {

// e^x for float32 with a relative error below 7.2e-8·(1 + |x|) (measured: 1.1e-7 on [−1, 1],
// 5.2e-7 at |x| = 10, most of it from rounding x·log₂e to float; the result is then used in float32
// sums or rounded to bfloat16), 0 below −87.3 (where e^x is under float's normal range), +inf above
// 88.7, NaN for NaN.
// e^x = 2^k · 2^f with k = round(x·log₂e), f ∈ [−½, ½]; 2^f = 1 + f·P(f), P the degree-5
// minimax polynomial of Cephes' exp2f.
inline float fastExp(float x) {
    // NaN takes the lower bound here (so the integer conversion below is defined) and is
    // returned as NaN at the end.
    const float cx = x > 88.7f ? 88.7f : (x >= -87.3f ? x : -87.3f);
    const float t = cx * 1.44269504088896341f;
    const float magic = 12582912.0f;  // 1.5·2²³: adding and subtracting it rounds to an integer
    const float k = (t + magic) - magic;
    const float f = t - k;
    float p = 1.535336188319500e-4f;
    p = p * f + 1.339887440266574e-3f;
    p = p * f + 9.618437357674640e-3f;
    p = p * f + 5.550332471162809e-2f;
    p = p * f + 2.402264791363012e-1f;
    p = p * f + 6.931472028550421e-1f;
    p = p * f + 1.0f;
    const std::uint32_t bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(k) + 127) << 23;  // k + 127 in [1, 255]
    float two_k;
    std::memcpy(&two_k, &bits, sizeof two_k);
    const float r = p * two_k;
    return x < -87.3f ? 0.0f : (x > 88.7f ? std::numeric_limits<float>::infinity() : (x == x ? r : x));
}

// bfloat16 ⇄ float32 without branches (c10::BFloat16's conversion branches on NaN, which keeps
// loops from vectorizing): round to nearest even, NaN stays a quiet NaN.
inline float bf16ToFloat(std::uint16_t b) {
    const std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
inline std::uint16_t floatToBf16(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    const std::uint32_t rounded = u + 0x7FFFu + ((u >> 16) & 1u);
    return static_cast<std::uint16_t>((v != v ? 0x7FC00000u : rounded) >> 16);
}

// Sum and maximum of n floats with 16 independent lanes (vectorizable without reassociation).
inline float laneSum(const float* a, std::int64_t n) {
    float acc[16] = {0};
    std::int64_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; ++k) acc[k] += a[j + k];
    float s = 0;
    for (int k = 0; k < 16; ++k) s += acc[k];
    for (; j < n; ++j) s += a[j];
    return s;
}

inline float laneMax(const float* a, std::int64_t n) {
    const float lowest = -std::numeric_limits<float>::infinity();
    float acc[16] = {lowest, lowest, lowest, lowest, lowest, lowest, lowest, lowest,
                     lowest, lowest, lowest, lowest, lowest, lowest, lowest, lowest};
    std::int64_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; ++k) acc[k] = a[j + k] > acc[k] ? a[j + k] : acc[k];
    float m = lowest;
    for (int k = 0; k < 16; ++k) m = acc[k] > m ? acc[k] : m;
    for (; j < n; ++j) m = a[j] > m ? a[j] : m;
    return m;
}

}  // namespace srs::kernels
