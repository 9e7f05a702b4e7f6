// The reference quantizers below mirror llama.cpp's ggml-quants.c operation for operation (the
// same float32 expressions in the same order, the same magic-number rounding, the same integer
// truncations), because the goal is identical bytes; a "cleaner" formula would round differently
// in a few blocks per tensor.
#include "core/io/ggml_quants.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/io/dtype.h"

namespace srs::io::ggml {

namespace {

constexpr int QK = 32;     // block of the _0 / _1 / Q8_0 types
constexpr int QK_K = 256;  // super-block of the k-quants
constexpr float kGroupMaxEps = 1e-15f;

inline std::uint16_t toHalf(float f) { return io::floatToHalf(f); }
inline float fromHalf(std::uint16_t h) { return io::halfToFloat(h); }
inline void putHalf(std::uint8_t* p, std::uint16_t h) {
    p[0] = static_cast<std::uint8_t>(h & 0xff);
    p[1] = static_cast<std::uint8_t>(h >> 8);
}
inline std::uint16_t getHalf(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

// llama.cpp's round-to-nearest through the float mantissa (ties go to even, like rintf).
inline int nearestInt(float fval) {
    float val = fval + 12582912.f;
    std::int32_t i;
    std::memcpy(&i, &val, sizeof(i));
    return (i & 0x007fffff) - 0x00400000;
}

// The C cast (int8_t)(float) / (uint8_t)(float): truncation toward zero, then the narrow type.
inline int truncToInt(float f) { return static_cast<int>(f); }

// ---- searches (ggml-quants.c helpers) ---------------------------------------------------------

// Symmetric search around nmax; rmse_type 1 weighs by x² (the only variant Q6_K uses).
float makeQxQuants(int n, int nmax, const float* x, std::int8_t* L, int rmse_type) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        float ax = std::fabs(x[i]);
        if (ax > amax) { amax = ax; max = x[i]; }
    }
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.f;
    }
    float iscale = static_cast<float>(-nmax) / max;
    auto weight = [&](int i) -> float {
        return rmse_type == 1 ? x[i] * x[i] : rmse_type == 2 ? 1.f : rmse_type == 3 ? std::fabs(x[i]) : std::sqrt(std::fabs(x[i]));
    };
    if (rmse_type == 0) {
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * x[i]);
            L[i] = static_cast<std::int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
        }
        return 1 / iscale;
    }
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * x[i]);
        l = std::max(-nmax, std::min(nmax - 1, l));
        L[i] = static_cast<std::int8_t>(l + nmax);
        float w = weight(i);
        sumlx += w * x[i] * static_cast<float>(l);
        suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * x[i]);
            l = std::max(-nmax, std::min(nmax - 1, l));
            float w = weight(i);
            sumlx += w * x[i] * static_cast<float>(l);
            suml2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i) {
                int l = nearestInt(iscale * x[i]);
                L[i] = static_cast<std::int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
            }
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// Q3_K's search: start from the max-magnitude scale, then move single values while the
// x²-weighted fit improves (at most 5 passes).
float makeQ3Quants(int n, int nmax, const float* x, std::int8_t* L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        float ax = std::fabs(x[i]);
        if (ax > amax) { amax = ax; max = x[i]; }
    }
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        return 0.f;
    }
    float iscale = static_cast<float>(-nmax) / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * x[i]);
        l = std::max(-nmax, std::min(nmax - 1, l));
        L[i] = static_cast<std::int8_t>(l);
        float w = x[i] * x[i];
        sumlx += w * x[i] * static_cast<float>(l);
        suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    for (int itry = 0; itry < 5; ++itry) {
        int n_changed = 0;
        for (int i = 0; i < n; ++i) {
            float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * static_cast<float>(L[i]);
            if (slx > 0) {
                float sl2 = suml2 - w * static_cast<float>(L[i]) * static_cast<float>(L[i]);
                int new_l = nearestInt(x[i] * sl2 / slx);
                new_l = std::max(-nmax, std::min(nmax - 1, new_l));
                if (new_l != L[i]) {
                    slx += w * x[i] * static_cast<float>(new_l);
                    sl2 += w * static_cast<float>(new_l) * static_cast<float>(new_l);
                    if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = static_cast<std::int8_t>(new_l);
                        sumlx = slx;
                        suml2 = sl2;
                        ++n_changed;
                    }
                }
            }
        }
        if (!n_changed) break;
    }
    for (int i = 0; i < n; ++i) L[i] = static_cast<std::int8_t>(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// Asymmetric (scale, min) search of Q2_K/Q4_K/Q5_K: weighted least squares over a grid of
// inverse scales (rmin + rdelta·is + nmax)/(max − min); returns the scale, *the_min = −min ≥ 0.
float makeQkx2Quants(int n, int nmax, const float* x, const float* weights, std::uint8_t* L, float* the_min,
                     std::uint8_t* Laux, float rmin, float rdelta, int nstep, bool use_mad) {
    float min = x[0], max = x[0];
    float sum_w = weights[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        float w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        for (int i = 0; i < n; ++i) L[i] = 0;
        *the_min = -min;
        return 0.f;
    }
    float iscale = static_cast<float>(nmax) / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * (x[i] - min));
        L[i] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        float diff = scale * static_cast<float>(L[i]) + min - x[i];
        diff = use_mad ? std::fabs(diff) : diff * diff;
        best_error += weights[i] * diff;
    }
    if (nstep < 1) {
        *the_min = -min;
        return scale;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            int l = nearestInt(iscale * (x[i] - min));
            l = std::max(0, std::min(nmax, l));
            Laux[i] = static_cast<std::uint8_t>(l);
            float w = weights[i];
            float fl = static_cast<float>(l);
            sum_l += w * fl;
            sum_l2 += w * fl * fl;
            sum_xl += w * fl * x[i];
        }
        float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) {
                this_min = 0;
                this_scale = sum_xl / sum_l2;
            }
            float cur_error = 0;
            for (int i = 0; i < n; ++i) {
                float diff = this_scale * static_cast<float>(Laux[i]) + this_min - x[i];
                diff = use_mad ? std::fabs(diff) : diff * diff;
                cur_error += weights[i] * diff;
            }
            if (cur_error < best_error) {
                for (int i = 0; i < n; ++i) L[i] = Laux[i];
                best_error = cur_error;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    *the_min = -min;
    return scale;
}

// ---- the 12-byte scale packings ----------------------------------------------------------------

// Q4_K/Q5_K: eight 6-bit scales and eight 6-bit mins. Bytes 0–3: scales 0–3 (+ high bits of
// scales 4–7 in bits 6–7), bytes 4–7: mins 0–3 (+ high bits of mins 4–7), bytes 8–11: low
// nibbles of scale j (low) and min j (high) for j = 4..7.
void packScaleMinK4(const std::uint8_t* ls, const std::uint8_t* lm, std::uint8_t* q) {
    std::memset(q, 0, 12);
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            q[j] = ls[j];
            q[j + 4] = lm[j];
        } else {
            q[j + 4] = static_cast<std::uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
            q[j - 4] |= static_cast<std::uint8_t>((ls[j] >> 4) << 6);
            q[j - 0] |= static_cast<std::uint8_t>((lm[j] >> 4) << 6);
        }
    }
}
void getScaleMinK4(int j, const std::uint8_t* q, std::uint8_t* d, std::uint8_t* m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = static_cast<std::uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4));
    }
}
// Q3_K: sixteen 6-bit values (scale + 32). Low nibbles in bytes 0–7 (j < 8 low, j ≥ 8 high),
// the two high bits of j in byte 8 + j%4 at bit 2·(j/4).
void packScalesQ3(const std::uint8_t* l6, std::uint8_t* q) {
    std::memset(q, 0, 12);
    for (int j = 0; j < 16; ++j) {
        std::uint8_t l = l6[j];
        if (j < 8)
            q[j] = static_cast<std::uint8_t>(l & 0xF);
        else
            q[j - 8] |= static_cast<std::uint8_t>((l & 0xF) << 4);
        l >>= 4;
        q[j % 4 + 8] |= static_cast<std::uint8_t>(l << (2 * (j / 4)));
    }
}
int scaleQ3(const std::uint8_t* q, int j) {
    int sc = j < 8 ? q[j] & 0xF : q[j - 8] >> 4;
    return (sc | (((q[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
}

// ---- element packings shared by the reference quantizers and encodeBlocks --------------------

// Q2_K and Q3_K low bits: 2 bits per value, four 32-value runs per 128 share a byte.
void pack2bit(const std::uint8_t* L, std::uint8_t* qs) {
    for (int j = 0; j < QK_K; j += 128)
        for (int l = 0; l < 32; ++l)
            qs[j / 4 + l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
}
void unpack2bit(const std::uint8_t* qs, std::uint8_t* L) {
    for (int j = 0; j < QK_K; j += 128)
        for (int l = 0; l < 32; ++l)
            for (int s = 0; s < 4; ++s) L[j + l + 32 * s] = (qs[j / 4 + l] >> (2 * s)) & 3;
}
// Q3_K high bit of value j: hmask[j % 32], bit j / 32.
void packQ3Values(const std::uint8_t* L8, std::uint8_t* hmask, std::uint8_t* qs) {
    std::uint8_t L[QK_K];
    std::memset(hmask, 0, QK_K / 8);
    int m = 0;
    std::uint8_t hm = 1;
    for (int j = 0; j < QK_K; ++j) {
        L[j] = L8[j];
        if (L[j] > 3) {
            hmask[m] |= hm;
            L[j] = static_cast<std::uint8_t>(L[j] - 4);
        }
        if (++m == QK_K / 8) {
            m = 0;
            hm = static_cast<std::uint8_t>(hm << 1);
        }
    }
    pack2bit(L, qs);
}
void unpackQ3Values(const std::uint8_t* hmask, const std::uint8_t* qs, std::uint8_t* L) {
    unpack2bit(qs, L);
    for (int j = 0; j < QK_K; ++j)
        if (hmask[j % 32] & (1 << (j / 32))) L[j] = static_cast<std::uint8_t>(L[j] + 4);
}
// Q4_K nibbles: per 64 values, value l in the low nibble and l + 32 in the high one.
void packQ4KValues(const std::uint8_t* L, std::uint8_t* q) {
    for (int j = 0; j < QK_K; j += 64) {
        for (int l = 0; l < 32; ++l) q[l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 4));
        q += 32;
    }
}
void unpackQ4KValues(const std::uint8_t* q, std::uint8_t* L) {
    for (int j = 0; j < QK_K; j += 64) {
        for (int l = 0; l < 32; ++l) {
            L[j + l] = q[l] & 0xF;
            L[j + l + 32] = q[l] >> 4;
        }
        q += 32;
    }
}
// Q5_K: the Q4_K nibbles plus a fifth bit in qh[l], bit 2·(j/64) (+1 for the upper 32).
void packQ5KValues(const std::uint8_t* L, std::uint8_t* qh, std::uint8_t* ql) {
    std::memset(qh, 0, QK_K / 8);
    std::uint8_t m1 = 1, m2 = 2;
    for (int n = 0; n < QK_K; n += 64) {
        for (int j = 0; j < 32; ++j) {
            int l1 = L[n + j];
            if (l1 > 15) { l1 -= 16; qh[j] |= m1; }
            int l2 = L[n + j + 32];
            if (l2 > 15) { l2 -= 16; qh[j] |= m2; }
            ql[j] = static_cast<std::uint8_t>(l1 | (l2 << 4));
        }
        m1 = static_cast<std::uint8_t>(m1 << 2);
        m2 = static_cast<std::uint8_t>(m2 << 2);
        ql += 32;
    }
}
void unpackQ5KValues(const std::uint8_t* qh, const std::uint8_t* ql, std::uint8_t* L) {
    std::uint8_t u1 = 1, u2 = 2;
    for (int n = 0; n < QK_K; n += 64) {
        for (int l = 0; l < 32; ++l) {
            L[n + l] = static_cast<std::uint8_t>((ql[l] & 0xF) + ((qh[l] & u1) ? 16 : 0));
            L[n + l + 32] = static_cast<std::uint8_t>((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0));
        }
        ql += 32;
        u1 = static_cast<std::uint8_t>(u1 << 2);
        u2 = static_cast<std::uint8_t>(u2 << 2);
    }
}
// Q6_K: per 128 values, low nibbles of l, l+64 share ql[l]; of l+32, l+96 share ql[l+32]; the
// two high bits of all four go to qh[l].
void packQ6KValues(const std::uint8_t* L, std::uint8_t* ql, std::uint8_t* qh) {
    for (int j = 0; j < QK_K; j += 128) {
        for (int l = 0; l < 32; ++l) {
            const std::uint8_t q1 = L[j + l + 0] & 0xF, q2 = L[j + l + 32] & 0xF;
            const std::uint8_t q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
            ql[l + 0] = static_cast<std::uint8_t>(q1 | (q3 << 4));
            ql[l + 32] = static_cast<std::uint8_t>(q2 | (q4 << 4));
            qh[l] = static_cast<std::uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) |
                                              ((L[j + l + 96] >> 4) << 6));
        }
        ql += 64;
        qh += 32;
    }
}
void unpackQ6KValues(const std::uint8_t* ql, const std::uint8_t* qh, std::uint8_t* L) {
    for (int n = 0; n < QK_K; n += 128) {
        for (int l = 0; l < 32; ++l) {
            L[n + l + 0] = static_cast<std::uint8_t>((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4));
            L[n + l + 32] = static_cast<std::uint8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
            L[n + l + 64] = static_cast<std::uint8_t>((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4));
            L[n + l + 96] = static_cast<std::uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
        }
        ql += 64;
        qh += 32;
    }
}
// Q4_0/Q4_1 nibbles: byte j = q[j] | q[j + 16] << 4. Q5_0/Q5_1 add bit 4 of q[j] to qh bit j.
void packNibbles32(const std::uint8_t* q, std::uint8_t* qs) {
    for (int j = 0; j < QK / 2; ++j) qs[j] = static_cast<std::uint8_t>((q[j] & 0x0F) | ((q[j + QK / 2] & 0x0F) << 4));
}
std::uint32_t highBits32(const std::uint8_t* q) {
    std::uint32_t qh = 0;
    for (int j = 0; j < QK; ++j) qh |= static_cast<std::uint32_t>((q[j] & 0x10u) >> 4) << j;
    return qh;
}
void putU32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t getU32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) | (static_cast<std::uint32_t>(p[2]) << 16) |
           (static_cast<std::uint32_t>(p[3]) << 24);
}

// ---- reference quantizers, one block ------------------------------------------------------------

void refQ4_0(const float* x, std::uint8_t* y) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < QK; j++) {
        const float v = x[j];
        if (amax < std::fabs(v)) { amax = std::fabs(v); max = v; }
    }
    const float d = max / -8;
    const float id = d ? 1.0f / d : 0.0f;
    putHalf(y, toHalf(d));
    std::uint8_t q[QK];
    for (int j = 0; j < QK; ++j) q[j] = static_cast<std::uint8_t>(std::min(15, truncToInt(x[j] * id + 8.5f)));
    packNibbles32(q, y + 2);
}
void refQ4_1(const float* x, std::uint8_t* y) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < QK; j++) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / ((1 << 4) - 1);
    const float id = d ? 1.0f / d : 0.0f;
    putHalf(y, toHalf(d));
    putHalf(y + 2, toHalf(min));
    std::uint8_t q[QK];
    for (int j = 0; j < QK; ++j) q[j] = static_cast<std::uint8_t>(std::min(15, truncToInt((x[j] - min) * id + 0.5f)));
    packNibbles32(q, y + 4);
}
void refQ5_0(const float* x, std::uint8_t* y) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < QK; j++) {
        const float v = x[j];
        if (amax < std::fabs(v)) { amax = std::fabs(v); max = v; }
    }
    const float d = max / -16;
    const float id = d ? 1.0f / d : 0.0f;
    putHalf(y, toHalf(d));
    std::uint8_t q[QK];
    for (int j = 0; j < QK; ++j) q[j] = static_cast<std::uint8_t>(std::min(31, truncToInt(x[j] * id + 16.5f)));
    putU32(y + 2, highBits32(q));
    packNibbles32(q, y + 6);
}
void refQ5_1(const float* x, std::uint8_t* y) {
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < QK; j++) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / ((1 << 5) - 1);
    const float id = d ? 1.0f / d : 0.0f;
    putHalf(y, toHalf(d));
    putHalf(y + 2, toHalf(min));
    std::uint8_t q[QK];
    // No clamp here in llama.cpp either: a value rounding to 32 keeps only its low five bits.
    for (int j = 0; j < QK; ++j) q[j] = static_cast<std::uint8_t>(truncToInt((x[j] - min) * id + 0.5f));
    putU32(y + 4, highBits32(q));
    packNibbles32(q, y + 8);
}
void refQ8_0(const float* x, std::uint8_t* y) {
    float amax = 0.0f;
    for (int j = 0; j < QK; j++) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / ((1 << 7) - 1);
    const float id = d ? 1.0f / d : 0.0f;
    putHalf(y, toHalf(d));
    for (int j = 0; j < QK; ++j) y[2 + j] = static_cast<std::uint8_t>(static_cast<std::int8_t>(std::round(x[j] * id)));
}

void refQ2_K(const float* x, std::uint8_t* y) {
    std::uint8_t* scales = y;
    std::uint8_t* qs = y + 16;
    std::uint8_t L[QK_K], Laux[16];
    float weights[16], mins[QK_K / 16], sc[QK_K / 16];
    const float q4scale = 15.f;
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < QK_K / 16; ++j) {
        for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
        sc[j] = makeQkx2Quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f, 0.1f, 15, true);
        if (sc[j] > max_scale) max_scale = sc[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    std::uint16_t dh, dminh;
    if (max_scale > 0) {
        float iscale = q4scale / max_scale;
        for (int j = 0; j < QK_K / 16; ++j) scales[j] = static_cast<std::uint8_t>(nearestInt(iscale * sc[j]));
        dh = toHalf(max_scale / q4scale);
    } else {
        for (int j = 0; j < QK_K / 16; ++j) scales[j] = 0;
        dh = toHalf(0.f);
    }
    if (max_min > 0) {
        float iscale = q4scale / max_min;
        for (int j = 0; j < QK_K / 16; ++j) scales[j] |= static_cast<std::uint8_t>(nearestInt(iscale * mins[j]) << 4);
        dminh = toHalf(max_min / q4scale);
    } else {
        dminh = toHalf(0.f);
    }
    for (int j = 0; j < QK_K / 16; ++j) {
        const float d = fromHalf(dh) * static_cast<float>(scales[j] & 0xF);
        if (!d) continue;
        const float dm = fromHalf(dminh) * static_cast<float>(scales[j] >> 4);
        for (int ii = 0; ii < 16; ++ii) {
            int l = nearestInt((x[16 * j + ii] + dm) / d);
            L[16 * j + ii] = static_cast<std::uint8_t>(std::max(0, std::min(3, l)));
        }
    }
    pack2bit(L, qs);
    putHalf(y + 80, dh);
    putHalf(y + 82, dminh);
}

void refQ3_K(const float* x, std::uint8_t* y) {
    std::uint8_t* hmask = y;
    std::uint8_t* qs = y + 32;
    std::uint8_t* scales = y + 96;
    std::int8_t L[QK_K];
    float sc[QK_K / 16];
    float max_scale = 0, amax = 0;
    for (int j = 0; j < QK_K / 16; ++j) {
        sc[j] = makeQ3Quants(16, 4, x + 16 * j, L + 16 * j);
        float scale = std::fabs(sc[j]);
        if (scale > amax) { amax = scale; max_scale = sc[j]; }
    }
    std::memset(scales, 0, 12);
    std::uint16_t dh;
    if (max_scale) {
        float iscale = -32.f / max_scale;
        std::uint8_t l6[16];
        for (int j = 0; j < QK_K / 16; ++j) {
            std::int8_t l = static_cast<std::int8_t>(nearestInt(iscale * sc[j]));
            l6[j] = static_cast<std::uint8_t>(std::max<int>(-32, std::min<int>(31, l)) + 32);
        }
        packScalesQ3(l6, scales);
        dh = toHalf(1 / iscale);
    } else {
        dh = toHalf(0.f);
    }
    for (int j = 0; j < QK_K / 16; ++j) {
        const float d = fromHalf(dh) * static_cast<float>(scaleQ3(scales, j));
        if (!d) continue;
        for (int ii = 0; ii < 16; ++ii) {
            int l = nearestInt(x[16 * j + ii] / d);
            L[16 * j + ii] = static_cast<std::int8_t>(std::max(-4, std::min(3, l)) + 4);
        }
    }
    std::uint8_t Lu[QK_K];
    for (int j = 0; j < QK_K; ++j) Lu[j] = static_cast<std::uint8_t>(L[j]);
    packQ3Values(Lu, hmask, qs);
    putHalf(y + 108, dh);
}

// Q4_K (nmax 15, grid −1 + 0.1·is, 20 steps) and Q5_K (nmax 31, −0.5 + 0.1·is, 15 steps).
void refQ45_K(const float* x, std::uint8_t* y, bool five) {
    const int nmax = five ? 31 : 15;
    std::uint8_t L[QK_K], Laux[32];
    float weights[32], mins[QK_K / 32], sc[QK_K / 32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < QK_K / 32; ++j) {
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
        float av_x = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
        sc[j] = five ? makeQkx2Quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -0.5f, 0.1f, 15, false)
                     : makeQkx2Quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -1.f, 0.1f, 20, false);
        if (sc[j] > max_scale) max_scale = sc[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    std::uint8_t ls[8], lm[8];
    for (int j = 0; j < QK_K / 32; ++j) {
        ls[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearestInt(inv_scale * sc[j])));
        lm[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearestInt(inv_min * mins[j])));
    }
    const std::uint16_t dh = toHalf(max_scale / 63.f), dminh = toHalf(max_min / 63.f);
    putHalf(y, dh);
    putHalf(y + 2, dminh);
    packScaleMinK4(ls, lm, y + 4);
    for (int j = 0; j < QK_K / 32; ++j) {
        const float d = fromHalf(dh) * static_cast<float>(ls[j]);
        if (!d) continue;
        const float dm = fromHalf(dminh) * static_cast<float>(lm[j]);
        for (int ii = 0; ii < 32; ++ii) {
            int l = nearestInt((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        }
    }
    if (five)
        packQ5KValues(L, y + 16, y + 48);
    else
        packQ4KValues(L, y + 16);
}

void refQ6_K(const float* x, std::uint8_t* y) {
    std::uint8_t* ql = y;
    std::uint8_t* qh = y + 128;
    std::int8_t* scales = reinterpret_cast<std::int8_t*>(y + 192);
    std::int8_t L[QK_K];
    float sc[QK_K / 16];
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < QK_K / 16; ++ib) {
        const float scale = makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib, 1);
        sc[ib] = scale;
        const float abs_scale = std::fabs(scale);
        if (abs_scale > max_abs_scale) { max_abs_scale = abs_scale; max_scale = scale; }
    }
    if (max_abs_scale < kGroupMaxEps) {
        std::memset(y, 0, 210);
        putHalf(y + 208, toHalf(0.f));
        return;
    }
    float iscale = -128.f / max_scale;
    const std::uint16_t dh = toHalf(1 / iscale);
    for (int ib = 0; ib < QK_K / 16; ++ib) scales[ib] = static_cast<std::int8_t>(std::min(127, nearestInt(iscale * sc[ib])));
    for (int j = 0; j < QK_K / 16; ++j) {
        float d = fromHalf(dh) * static_cast<float>(scales[j]);
        if (!d) continue;
        for (int ii = 0; ii < 16; ++ii) {
            int l = nearestInt(x[16 * j + ii] / d);
            L[16 * j + ii] = static_cast<std::int8_t>(std::max(-32, std::min(31, l)) + 32);
        }
    }
    std::uint8_t Lu[QK_K];
    for (int j = 0; j < QK_K; ++j) Lu[j] = static_cast<std::uint8_t>(L[j]);
    packQ6KValues(Lu, ql, qh);
    putHalf(y + 208, dh);
}

// ---- dequantizers, one block --------------------------------------------------------------------

void deqQ4_0(const std::uint8_t* b, float* y) {
    const float d = fromHalf(getHalf(b));
    for (int j = 0; j < QK / 2; ++j) {
        y[j] = static_cast<float>((b[2 + j] & 0x0F) - 8) * d;
        y[j + QK / 2] = static_cast<float>((b[2 + j] >> 4) - 8) * d;
    }
}
void deqQ4_1(const std::uint8_t* b, float* y) {
    const float d = fromHalf(getHalf(b)), m = fromHalf(getHalf(b + 2));
    for (int j = 0; j < QK / 2; ++j) {
        y[j] = static_cast<float>(b[4 + j] & 0x0F) * d + m;
        y[j + QK / 2] = static_cast<float>(b[4 + j] >> 4) * d + m;
    }
}
void deqQ5_0(const std::uint8_t* b, float* y) {
    const float d = fromHalf(getHalf(b));
    const std::uint32_t qh = getU32(b + 2);
    for (int j = 0; j < QK / 2; ++j) {
        const int xh0 = ((qh >> (j + 0)) << 4) & 0x10;
        const int xh1 = ((qh >> (j + 12))) & 0x10;
        y[j] = static_cast<float>(((b[6 + j] & 0x0F) | xh0) - 16) * d;
        y[j + QK / 2] = static_cast<float>(((b[6 + j] >> 4) | xh1) - 16) * d;
    }
}
void deqQ5_1(const std::uint8_t* b, float* y) {
    const float d = fromHalf(getHalf(b)), m = fromHalf(getHalf(b + 2));
    const std::uint32_t qh = getU32(b + 4);
    for (int j = 0; j < QK / 2; ++j) {
        const int xh0 = ((qh >> (j + 0)) << 4) & 0x10;
        const int xh1 = ((qh >> (j + 12))) & 0x10;
        y[j] = static_cast<float>((b[8 + j] & 0x0F) | xh0) * d + m;
        y[j + QK / 2] = static_cast<float>((b[8 + j] >> 4) | xh1) * d + m;
    }
}
void deqQ8_0(const std::uint8_t* b, float* y) {
    const float d = fromHalf(getHalf(b));
    for (int j = 0; j < QK; ++j) y[j] = static_cast<float>(static_cast<std::int8_t>(b[2 + j])) * d;
}
void deqQ2_K(const std::uint8_t* b, float* y) {
    const float d = fromHalf(getHalf(b + 80)), min = fromHalf(getHalf(b + 82));
    const std::uint8_t* q = b + 16;
    int is = 0;
    for (int n = 0; n < QK_K; n += 128) {
        int shift = 0;
        for (int j = 0; j < 4; ++j) {
            for (int half = 0; half < 2; ++half) {
                std::uint8_t sc = b[is++];
                const float dl = d * static_cast<float>(sc & 0xF), ml = min * static_cast<float>(sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>((q[l + 16 * half] >> shift) & 3) - ml;
            }
            shift += 2;
        }
        q += 32;
    }
}
void deqQ3_K(const std::uint8_t* b, float* y) {
    const float d_all = fromHalf(getHalf(b + 108));
    const std::uint8_t* hm = b;
    const std::uint8_t* q = b + 32;
    const std::uint8_t* scales = b + 96;
    std::uint8_t m = 1;
    int is = 0;
    for (int n = 0; n < QK_K; n += 128) {
        int shift = 0;
        for (int j = 0; j < 4; ++j) {
            for (int half = 0; half < 2; ++half) {
                const float dl = d_all * static_cast<float>(scaleQ3(scales, is++));
                for (int l = 0; l < 16; ++l) {
                    const int o = l + 16 * half;
                    *y++ = dl * static_cast<float>(((q[o] >> shift) & 3) - ((hm[o] & m) ? 0 : 4));
                }
            }
            shift += 2;
            m = static_cast<std::uint8_t>(m << 1);
        }
        q += 32;
    }
}
void deqQ45_K(const std::uint8_t* b, float* y, bool five) {
    const float d = fromHalf(getHalf(b)), min = fromHalf(getHalf(b + 2));
    const std::uint8_t* scales = b + 4;
    std::uint8_t L[QK_K];
    if (five)
        unpackQ5KValues(b + 16, b + 48, L);
    else
        unpackQ4KValues(b + 16, L);
    for (int j = 0; j < QK_K / 32; ++j) {
        std::uint8_t sc, m;
        getScaleMinK4(j, scales, &sc, &m);
        const float d1 = d * static_cast<float>(sc), m1 = min * static_cast<float>(m);
        for (int l = 0; l < 32; ++l) y[32 * j + l] = d1 * static_cast<float>(L[32 * j + l]) - m1;
    }
}
void deqQ6_K(const std::uint8_t* b, float* y) {
    const float d = fromHalf(getHalf(b + 208));
    const std::int8_t* sc = reinterpret_cast<const std::int8_t*>(b + 192);
    std::uint8_t L[QK_K];
    unpackQ6KValues(b, b + 128, L);
    for (int j = 0; j < QK_K; ++j)
        y[j] = d * static_cast<float>(sc[j / 16]) * static_cast<float>(static_cast<int>(L[j]) - 32);
}

Status checkRow(GgmlType type, std::int64_t n_per_row) {
    if (!isSupportedType(type))
        return makeError(ErrorCode::Unsupported, "GGUF type " + typeName(type) + " is not supported by the GGUF writer",
                         "use one of F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K");
    if (n_per_row <= 0 || n_per_row % blockElements(type) != 0)
        return makeError(ErrorCode::InvalidArgument,
                         "a row of " + std::to_string(n_per_row) + " elements cannot be stored as " + typeName(type) +
                             " (blocks of " + std::to_string(blockElements(type)) + ")",
                         "pick a type whose block size divides the row length (F16 always fits)");
    return {};
}

}  // namespace

bool isSupportedType(GgmlType type) {
    switch (type) {
        case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16:
        case GgmlType::Q4_0: case GgmlType::Q4_1: case GgmlType::Q5_0: case GgmlType::Q5_1: case GgmlType::Q8_0:
        case GgmlType::Q2_K: case GgmlType::Q3_K: case GgmlType::Q4_K: case GgmlType::Q5_K: case GgmlType::Q6_K:
            return true;
        default:
            return false;
    }
}
bool isQuantizedType(GgmlType type) {
    return isSupportedType(type) && type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::BF16;
}

std::int64_t blockElements(GgmlType type) {
    switch (type) {
        case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: return 1;
        case GgmlType::Q4_0: case GgmlType::Q4_1: case GgmlType::Q5_0: case GgmlType::Q5_1: case GgmlType::Q8_0: return QK;
        case GgmlType::Q2_K: case GgmlType::Q3_K: case GgmlType::Q4_K: case GgmlType::Q5_K: case GgmlType::Q6_K: return QK_K;
        default: return 0;
    }
}
std::int64_t blockBytes(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return 4;
        case GgmlType::F16: case GgmlType::BF16: return 2;
        case GgmlType::Q4_0: return 18;
        case GgmlType::Q4_1: return 20;
        case GgmlType::Q5_0: return 22;
        case GgmlType::Q5_1: return 24;
        case GgmlType::Q8_0: return 34;
        case GgmlType::Q2_K: return 84;
        case GgmlType::Q3_K: return 110;
        case GgmlType::Q4_K: return 144;
        case GgmlType::Q5_K: return 176;
        case GgmlType::Q6_K: return 210;
        default: return 0;
    }
}
std::int64_t rowBytes(GgmlType type, std::int64_t n) {
    const auto be = blockElements(type);
    return be ? n / be * blockBytes(type) : 0;
}

std::string typeName(GgmlType type) {
    const char* n = io::ggmlTypeName(static_cast<std::uint32_t>(type));
    return n && *n ? n : "type " + std::to_string(static_cast<std::uint32_t>(type));
}

Result<GgmlType> parseTypeName(const std::string& name) {
    std::string up;
    for (char c : name) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,
                   GgmlType::Q8_0, GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
        if (typeName(t) == up) return t;
    return makeError(ErrorCode::InvalidArgument, "unknown GGUF tensor type '" + name + "'",
                     "use one of F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K");
}

int maxStoredQ(GgmlType type) {
    switch (type) {
        case GgmlType::Q4_0: case GgmlType::Q4_1: case GgmlType::Q4_K: return 15;
        case GgmlType::Q5_0: case GgmlType::Q5_1: case GgmlType::Q5_K: return 31;
        case GgmlType::Q8_0: return 255;
        case GgmlType::Q2_K: return 3;
        case GgmlType::Q3_K: return 7;
        case GgmlType::Q6_K: return 63;
        default: return 0;
    }
}
int subBlockSize(GgmlType type) {
    switch (type) {
        case GgmlType::Q2_K: case GgmlType::Q3_K: case GgmlType::Q6_K: return 16;
        case GgmlType::Q4_K: case GgmlType::Q5_K: return 32;
        default: return isQuantizedType(type) ? QK : 1;
    }
}

Status quantizeRows(GgmlType type, const float* src, std::int64_t nrows, std::int64_t n_per_row, std::uint8_t* dst) {
    SRS_TRY(checkRow(type, n_per_row));
    const std::int64_t n = nrows * n_per_row;
    const std::int64_t be = blockElements(type), bb = blockBytes(type);
    switch (type) {
        case GgmlType::F32:
            std::memcpy(dst, src, static_cast<std::size_t>(n) * 4);
            return {};
        case GgmlType::F16:
            for (std::int64_t i = 0; i < n; ++i) putHalf(dst + 2 * i, toHalf(src[i]));
            return {};
        case GgmlType::BF16:
            for (std::int64_t i = 0; i < n; ++i) putHalf(dst + 2 * i, io::floatToBf16(src[i]));
            return {};
        default:
            break;
    }
    for (std::int64_t b = 0; b < n / be; ++b) {
        const float* x = src + b * be;
        std::uint8_t* y = dst + b * bb;
        switch (type) {
            case GgmlType::Q4_0: refQ4_0(x, y); break;
            case GgmlType::Q4_1: refQ4_1(x, y); break;
            case GgmlType::Q5_0: refQ5_0(x, y); break;
            case GgmlType::Q5_1: refQ5_1(x, y); break;
            case GgmlType::Q8_0: refQ8_0(x, y); break;
            case GgmlType::Q2_K: refQ2_K(x, y); break;
            case GgmlType::Q3_K: refQ3_K(x, y); break;
            case GgmlType::Q4_K: refQ45_K(x, y, false); break;
            case GgmlType::Q5_K: refQ45_K(x, y, true); break;
            case GgmlType::Q6_K: refQ6_K(x, y); break;
            default: break;
        }
    }
    return {};
}

std::vector<std::uint8_t> quantizeRowsRef(GgmlType type, const std::vector<float>& src, std::int64_t n_per_row) {
    if (n_per_row <= 0 || src.size() % static_cast<std::size_t>(n_per_row) != 0) return {};
    const std::int64_t nrows = static_cast<std::int64_t>(src.size()) / n_per_row;
    std::vector<std::uint8_t> out(static_cast<std::size_t>(nrows * rowBytes(type, n_per_row)));
    if (!quantizeRows(type, src.data(), nrows, n_per_row, out.data())) return {};
    return out;
}

Status dequantizeRows(GgmlType type, const std::uint8_t* src, std::int64_t nrows, std::int64_t n_per_row, float* dst) {
    SRS_TRY(checkRow(type, n_per_row));
    const std::int64_t n = nrows * n_per_row;
    const std::int64_t be = blockElements(type), bb = blockBytes(type);
    switch (type) {
        case GgmlType::F32:
            std::memcpy(dst, src, static_cast<std::size_t>(n) * 4);
            return {};
        case GgmlType::F16:
            for (std::int64_t i = 0; i < n; ++i) dst[i] = fromHalf(getHalf(src + 2 * i));
            return {};
        case GgmlType::BF16:
            for (std::int64_t i = 0; i < n; ++i) dst[i] = io::bf16ToFloat(getHalf(src + 2 * i));
            return {};
        default:
            break;
    }
    for (std::int64_t b = 0; b < n / be; ++b) {
        const std::uint8_t* x = src + b * bb;
        float* y = dst + b * be;
        switch (type) {
            case GgmlType::Q4_0: deqQ4_0(x, y); break;
            case GgmlType::Q4_1: deqQ4_1(x, y); break;
            case GgmlType::Q5_0: deqQ5_0(x, y); break;
            case GgmlType::Q5_1: deqQ5_1(x, y); break;
            case GgmlType::Q8_0: deqQ8_0(x, y); break;
            case GgmlType::Q2_K: deqQ2_K(x, y); break;
            case GgmlType::Q3_K: deqQ3_K(x, y); break;
            case GgmlType::Q4_K: deqQ45_K(x, y, false); break;
            case GgmlType::Q5_K: deqQ45_K(x, y, true); break;
            case GgmlType::Q6_K: deqQ6_K(x, y); break;
            default: break;
        }
    }
    return {};
}

// ---- explicit parameters ---------------------------------------------------------------------

namespace {

struct ParamShape {
    std::size_t d = 0, m = 0, sc = 0, mn = 0;
};
ParamShape paramShape(GgmlType type, std::int64_t n) {
    const std::size_t nb = static_cast<std::size_t>(n / blockElements(type));
    const std::size_t nsub = static_cast<std::size_t>(n / subBlockSize(type));
    switch (type) {
        case GgmlType::Q4_0: case GgmlType::Q5_0: case GgmlType::Q8_0: return {nb, 0, 0, 0};
        case GgmlType::Q4_1: case GgmlType::Q5_1: return {nb, nb, 0, 0};
        case GgmlType::Q2_K: case GgmlType::Q4_K: case GgmlType::Q5_K: return {nb, nb, nsub, nsub};
        case GgmlType::Q3_K: case GgmlType::Q6_K: return {nb, 0, nsub, 0};
        default: return {};
    }
}

Status checkParams(GgmlType type, const BlockParams& p, std::int64_t n) {
    if (!isQuantizedType(type))
        return makeError(ErrorCode::InvalidArgument, "block parameters apply to quantized GGUF types, not " + typeName(type));
    SRS_TRY(checkRow(type, n));
    const ParamShape s = paramShape(type, n);
    auto bad = [&](const char* what, std::size_t got, std::size_t want) {
        return makeError(ErrorCode::InvalidArgument, std::string("GGUF ") + typeName(type) + " parameters: " + what + " has " +
                                                         std::to_string(got) + " entries, expected " + std::to_string(want));
    };
    if (p.d.size() != s.d) return bad("d", p.d.size(), s.d);
    if (p.m.size() != s.m) return bad("m", p.m.size(), s.m);
    if (p.sc.size() != s.sc) return bad("sc", p.sc.size(), s.sc);
    if (p.mn.size() != s.mn) return bad("mn", p.mn.size(), s.mn);
    if (p.q.size() != static_cast<std::size_t>(n)) return bad("q", p.q.size(), static_cast<std::size_t>(n));
    const int qmax = maxStoredQ(type);
    for (std::size_t i = 0; i < p.q.size(); ++i)
        if (p.q[i] > qmax)
            return makeError(ErrorCode::InvalidArgument, std::string("GGUF ") + typeName(type) + " parameters: q[" + std::to_string(i) +
                                                             "] = " + std::to_string(p.q[i]) + " exceeds " + std::to_string(qmax));
    int sc_lo = 0, sc_hi = 0, mn_hi = 0;
    switch (type) {
        case GgmlType::Q2_K: sc_hi = 15; mn_hi = 15; break;
        case GgmlType::Q4_K: case GgmlType::Q5_K: sc_hi = 63; mn_hi = 63; break;
        case GgmlType::Q3_K: sc_lo = -32; sc_hi = 31; break;
        case GgmlType::Q6_K: sc_lo = -128; sc_hi = 127; break;
        default: break;
    }
    for (std::size_t i = 0; i < p.sc.size(); ++i)
        if (p.sc[i] < sc_lo || p.sc[i] > sc_hi)
            return makeError(ErrorCode::InvalidArgument, std::string("GGUF ") + typeName(type) + " parameters: sub-scale " +
                                                             std::to_string(p.sc[i]) + " outside " + std::to_string(sc_lo) + ".." +
                                                             std::to_string(sc_hi));
    for (std::size_t i = 0; i < p.mn.size(); ++i)
        if (p.mn[i] < 0 || p.mn[i] > mn_hi)
            return makeError(ErrorCode::InvalidArgument, std::string("GGUF ") + typeName(type) + " parameters: sub-min " +
                                                             std::to_string(p.mn[i]) + " outside 0.." + std::to_string(mn_hi));
    for (float v : p.d)
        if (!std::isfinite(v)) return makeError(ErrorCode::InvalidArgument, "GGUF " + typeName(type) + " parameters: a scale is not finite");
    for (float v : p.m)
        if (!std::isfinite(v)) return makeError(ErrorCode::InvalidArgument, "GGUF " + typeName(type) + " parameters: a min is not finite");
    return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> encodeBlocks(GgmlType type, const BlockParams& p, std::int64_t n) {
    SRS_TRY(checkParams(type, p, n));
    const std::int64_t be = blockElements(type), bb = blockBytes(type), nb = n / be;
    std::vector<std::uint8_t> out(static_cast<std::size_t>(nb * bb), 0);
    const int spb = static_cast<int>(be / subBlockSize(type));  // sub-blocks per block
    for (std::int64_t b = 0; b < nb; ++b) {
        std::uint8_t* y = out.data() + b * bb;
        const std::uint8_t* q = p.q.data() + b * be;
        const std::size_t s0 = static_cast<std::size_t>(b * spb);
        switch (type) {
            case GgmlType::Q4_0:
                putHalf(y, toHalf(p.d[b]));
                packNibbles32(q, y + 2);
                break;
            case GgmlType::Q4_1:
                putHalf(y, toHalf(p.d[b]));
                putHalf(y + 2, toHalf(p.m[b]));
                packNibbles32(q, y + 4);
                break;
            case GgmlType::Q5_0:
                putHalf(y, toHalf(p.d[b]));
                putU32(y + 2, highBits32(q));
                packNibbles32(q, y + 6);
                break;
            case GgmlType::Q5_1:
                putHalf(y, toHalf(p.d[b]));
                putHalf(y + 2, toHalf(p.m[b]));
                putU32(y + 4, highBits32(q));
                packNibbles32(q, y + 8);
                break;
            case GgmlType::Q8_0:
                putHalf(y, toHalf(p.d[b]));
                for (int j = 0; j < QK; ++j) y[2 + j] = static_cast<std::uint8_t>(q[j] - 128);
                break;
            case GgmlType::Q2_K:
                for (int j = 0; j < 16; ++j) y[j] = static_cast<std::uint8_t>(p.sc[s0 + j] | (p.mn[s0 + j] << 4));
                pack2bit(q, y + 16);
                putHalf(y + 80, toHalf(p.d[b]));
                putHalf(y + 82, toHalf(p.m[b]));
                break;
            case GgmlType::Q3_K: {
                std::uint8_t l6[16];
                for (int j = 0; j < 16; ++j) l6[j] = static_cast<std::uint8_t>(p.sc[s0 + j] + 32);
                packQ3Values(q, y, y + 32);
                packScalesQ3(l6, y + 96);
                putHalf(y + 108, toHalf(p.d[b]));
                break;
            }
            case GgmlType::Q4_K:
            case GgmlType::Q5_K: {
                std::uint8_t ls[8], lm[8];
                for (int j = 0; j < 8; ++j) {
                    ls[j] = static_cast<std::uint8_t>(p.sc[s0 + j]);
                    lm[j] = static_cast<std::uint8_t>(p.mn[s0 + j]);
                }
                putHalf(y, toHalf(p.d[b]));
                putHalf(y + 2, toHalf(p.m[b]));
                packScaleMinK4(ls, lm, y + 4);
                if (type == GgmlType::Q5_K)
                    packQ5KValues(q, y + 16, y + 48);
                else
                    packQ4KValues(q, y + 16);
                break;
            }
            case GgmlType::Q6_K:
                packQ6KValues(q, y, y + 128);
                for (int j = 0; j < 16; ++j) y[192 + j] = static_cast<std::uint8_t>(static_cast<std::int8_t>(p.sc[s0 + j]));
                putHalf(y + 208, toHalf(p.d[b]));
                break;
            default:
                break;
        }
    }
    return out;
}

Result<BlockParams> decodeBlocks(GgmlType type, const std::uint8_t* bytes, std::int64_t n) {
    if (!isQuantizedType(type))
        return makeError(ErrorCode::InvalidArgument, "block parameters apply to quantized GGUF types, not " + typeName(type));
    SRS_TRY(checkRow(type, n));
    const ParamShape s = paramShape(type, n);
    BlockParams p;
    p.d.resize(s.d);
    p.m.resize(s.m);
    p.sc.resize(s.sc);
    p.mn.resize(s.mn);
    p.q.resize(static_cast<std::size_t>(n));
    const std::int64_t be = blockElements(type), bb = blockBytes(type), nb = n / be;
    const int spb = static_cast<int>(be / subBlockSize(type));
    for (std::int64_t b = 0; b < nb; ++b) {
        const std::uint8_t* y = bytes + b * bb;
        std::uint8_t* q = p.q.data() + b * be;
        const std::size_t s0 = static_cast<std::size_t>(b * spb);
        auto nibbles = [&](const std::uint8_t* qs, std::uint32_t qh, bool five) {
            for (int j = 0; j < QK / 2; ++j) {
                q[j] = static_cast<std::uint8_t>((qs[j] & 0x0F) | (five ? ((qh >> j) & 1) << 4 : 0));
                q[j + QK / 2] = static_cast<std::uint8_t>((qs[j] >> 4) | (five ? ((qh >> (j + 16)) & 1) << 4 : 0));
            }
        };
        switch (type) {
            case GgmlType::Q4_0:
                p.d[b] = fromHalf(getHalf(y));
                nibbles(y + 2, 0, false);
                break;
            case GgmlType::Q4_1:
                p.d[b] = fromHalf(getHalf(y));
                p.m[b] = fromHalf(getHalf(y + 2));
                nibbles(y + 4, 0, false);
                break;
            case GgmlType::Q5_0:
                p.d[b] = fromHalf(getHalf(y));
                nibbles(y + 6, getU32(y + 2), true);
                break;
            case GgmlType::Q5_1:
                p.d[b] = fromHalf(getHalf(y));
                p.m[b] = fromHalf(getHalf(y + 2));
                nibbles(y + 8, getU32(y + 4), true);
                break;
            case GgmlType::Q8_0:
                p.d[b] = fromHalf(getHalf(y));
                for (int j = 0; j < QK; ++j) q[j] = static_cast<std::uint8_t>(y[2 + j] + 128);
                break;
            case GgmlType::Q2_K:
                for (int j = 0; j < 16; ++j) {
                    p.sc[s0 + j] = y[j] & 0xF;
                    p.mn[s0 + j] = y[j] >> 4;
                }
                unpack2bit(y + 16, q);
                p.d[b] = fromHalf(getHalf(y + 80));
                p.m[b] = fromHalf(getHalf(y + 82));
                break;
            case GgmlType::Q3_K:
                unpackQ3Values(y, y + 32, q);
                for (int j = 0; j < 16; ++j) p.sc[s0 + j] = scaleQ3(y + 96, j);
                p.d[b] = fromHalf(getHalf(y + 108));
                break;
            case GgmlType::Q4_K:
            case GgmlType::Q5_K:
                p.d[b] = fromHalf(getHalf(y));
                p.m[b] = fromHalf(getHalf(y + 2));
                for (int j = 0; j < 8; ++j) {
                    std::uint8_t sc, m;
                    getScaleMinK4(j, y + 4, &sc, &m);
                    p.sc[s0 + j] = sc;
                    p.mn[s0 + j] = m;
                }
                if (type == GgmlType::Q5_K)
                    unpackQ5KValues(y + 16, y + 48, q);
                else
                    unpackQ4KValues(y + 16, q);
                break;
            case GgmlType::Q6_K:
                unpackQ6KValues(y, y + 128, q);
                for (int j = 0; j < 16; ++j) p.sc[s0 + j] = static_cast<std::int8_t>(y[192 + j]);
                p.d[b] = fromHalf(getHalf(y + 208));
                break;
            default:
                break;
        }
    }
    return p;
}

Result<std::vector<float>> dequantizeParams(GgmlType type, const BlockParams& p, std::int64_t n) {
    auto bytes = encodeBlocks(type, p, n);
    if (!bytes) return bytes.error();
    std::vector<float> out(static_cast<std::size_t>(n));
    SRS_TRY(dequantizeRows(type, bytes->data(), 1, n, out.data()));
    return out;
}

Result<std::vector<std::uint8_t>> quantizeWithGroupScales(GgmlType type, const float* w, std::int64_t n, const float* scales,
                                                          const float* mins) {
    if (!isQuantizedType(type))
        return makeError(ErrorCode::InvalidArgument, "group scales apply to quantized GGUF types, not " + typeName(type));
    SRS_TRY(checkRow(type, n));
    const bool asym = type == GgmlType::Q4_1 || type == GgmlType::Q5_1 || type == GgmlType::Q2_K || type == GgmlType::Q4_K ||
                      type == GgmlType::Q5_K;
    if (!scales || (asym && !mins))
        return makeError(ErrorCode::InvalidArgument, "GGUF " + typeName(type) + " needs per-group scales" + (asym ? " and mins" : ""));
    const int gs = subBlockSize(type);
    const std::int64_t ngroups = n / gs;
    for (std::int64_t g = 0; g < ngroups; ++g)
        if (!std::isfinite(scales[g]) || (asym && !std::isfinite(mins[g])))
            return makeError(ErrorCode::InvalidArgument,
                             "GGUF " + typeName(type) + ": group " + std::to_string(g) + " has a scale or min that is not finite");
    const int qmax = maxStoredQ(type);
    const ParamShape s = paramShape(type, n);
    BlockParams p;
    p.d.resize(s.d);
    p.m.resize(s.m);
    p.sc.resize(s.sc);
    p.mn.resize(s.mn);
    p.q.resize(static_cast<std::size_t>(n));
    auto clampq = [&](float v, int lo, int hi) { return std::max(lo, std::min(hi, nearestInt(v))); };

    if (blockElements(type) == QK) {
        // One group per block: the scale is d itself (its fp16 rounding is what the file holds).
        const int zero = type == GgmlType::Q4_0 ? 8 : type == GgmlType::Q5_0 ? 16 : type == GgmlType::Q8_0 ? 128 : 0;
        for (std::int64_t b = 0; b < ngroups; ++b) {
            const float d = fromHalf(toHalf(scales[b]));
            const float m = asym ? fromHalf(toHalf(-mins[b])) : 0.f;
            p.d[b] = scales[b];
            if (asym) p.m[b] = -mins[b];
            for (int j = 0; j < QK; ++j) {
                const float x = w[b * QK + j];
                const float v = d != 0.f ? (asym ? (x - m) / d : x / d) : 0.f;
                p.q[b * QK + j] = static_cast<std::uint8_t>(d != 0.f ? clampq(v, -zero, qmax - zero) + zero : zero);
            }
        }
        return encodeBlocks(type, p, n);
    }

    // k-quants: double-quantize the sub-block scales (and mins) per super-block of 256.
    const int spb = QK_K / gs;
    const bool q3 = type == GgmlType::Q3_K;
    const int sub_max = type == GgmlType::Q2_K ? 15 : 63;
    for (std::int64_t b = 0; b < n / QK_K; ++b) {
        const float* sb = scales + b * spb;
        if (asym) {
            const float* mb = mins + b * spb;
            float max_scale = 0, max_min = 0;
            for (int j = 0; j < spb; ++j) {
                max_scale = std::max(max_scale, sb[j]);
                max_min = std::max(max_min, mb[j]);
            }
            p.d[b] = max_scale / static_cast<float>(sub_max);
            p.m[b] = max_min / static_cast<float>(sub_max);
            const float dq = fromHalf(toHalf(p.d[b])), mq = fromHalf(toHalf(p.m[b]));
            for (int j = 0; j < spb; ++j) {
                p.sc[b * spb + j] = dq > 0 ? clampq(sb[j] / dq, 0, sub_max) : 0;
                p.mn[b * spb + j] = mq > 0 ? clampq(mb[j] / mq, 0, sub_max) : 0;
                const float d = dq * static_cast<float>(p.sc[b * spb + j]);
                const float dm = mq * static_cast<float>(p.mn[b * spb + j]);
                for (int i = 0; i < gs; ++i) {
                    const std::int64_t k = b * QK_K + j * gs + i;
                    p.q[k] = static_cast<std::uint8_t>(d > 0 ? clampq((w[k] + dm) / d, 0, qmax) : 0);
                }
            }
        } else {
            // Signed sub-scales: the one of largest magnitude maps to −32 (Q3_K) or −128 (Q6_K).
            const int lo = q3 ? -32 : -128, hi = q3 ? 31 : 127, zero = q3 ? 4 : 32;
            float max_scale = 0, amax = 0;
            for (int j = 0; j < spb; ++j)
                if (std::fabs(sb[j]) > amax) {
                    amax = std::fabs(sb[j]);
                    max_scale = sb[j];
                }
            p.d[b] = max_scale != 0.f ? max_scale / static_cast<float>(lo) : 0.f;
            const float dq = fromHalf(toHalf(p.d[b]));
            for (int j = 0; j < spb; ++j) {
                p.sc[b * spb + j] = dq != 0.f ? clampq(sb[j] / dq, lo, hi) : 0;
                const float d = dq * static_cast<float>(p.sc[b * spb + j]);
                for (int i = 0; i < gs; ++i) {
                    const std::int64_t k = b * QK_K + j * gs + i;
                    p.q[k] = static_cast<std::uint8_t>((d != 0.f ? clampq(w[k] / d, -zero, qmax - zero) : 0) + zero);
                }
            }
        }
    }
    return encodeBlocks(type, p, n);
}

}  // namespace srs::io::ggml
