#include "core/io/dtype.h"

#include <cmath>
#include <cstring>
#include <map>

namespace srs::io {

DType dtypeFromSafetensorsName(const std::string& name) {
    static const std::map<std::string, DType> kNames = {
        {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
        {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16}, {"I8", DType::I8},
        {"U64", DType::U64}, {"U32", DType::U32}, {"U16", DType::U16}, {"U8", DType::U8},
        {"BOOL", DType::Bool}, {"F8_E4M3", DType::F8_E4M3}, {"F8_E5M2", DType::F8_E5M2},
    };
    auto it = kNames.find(name);
    return it == kNames.end() ? DType::Invalid : it->second;
}

const char* dtypeName(DType dtype) {
    switch (dtype) {
    case DType::F64: return "F64";
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U64: return "U64";
    case DType::U32: return "U32";
    case DType::U16: return "U16";
    case DType::U8: return "U8";
    case DType::Bool: return "BOOL";
    case DType::F8_E4M3: return "F8_E4M3";
    case DType::F8_E5M2: return "F8_E5M2";
    case DType::Invalid: break;
    }
    return "INVALID";
}

std::size_t dtypeSize(DType dtype) {
    switch (dtype) {
    case DType::F64: case DType::I64: case DType::U64: return 8;
    case DType::F32: case DType::I32: case DType::U32: return 4;
    case DType::F16: case DType::BF16: case DType::I16: case DType::U16: return 2;
    case DType::I8: case DType::U8: case DType::Bool: case DType::F8_E4M3: case DType::F8_E5M2: return 1;
    case DType::Invalid: break;
    }
    return 0;
}

bool isFloating(DType dtype) {
    switch (dtype) {
    case DType::F64: case DType::F32: case DType::F16: case DType::BF16:
    case DType::F8_E4M3: case DType::F8_E5M2: return true;
    default: return false;
    }
}

float halfToFloat(std::uint16_t h) {
    std::uint32_t sign = (h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1f;
    std::uint32_t mant = h & 0x3ff;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: renormalize
            int e = -1;
            do {
                ++e;
                mant <<= 1;
            } while ((mant & 0x400) == 0);
            mant &= 0x3ff;
            bits = sign | (static_cast<std::uint32_t>(127 - 15 - e) << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float bf16ToFloat(std::uint16_t b) {
    std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::uint16_t floatToBf16(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if (std::isnan(f)) return 0x7fc0;
    std::uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
    return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

std::uint16_t floatToHalf(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    std::uint32_t sign = (x >> 16) & 0x8000;
    std::uint32_t absx = x & 0x7fffffff;
    if (absx >= 0x7f800000) {  // inf or nan
        return static_cast<std::uint16_t>(sign | 0x7c00 | (absx > 0x7f800000 ? 0x200 : 0));
    }
    if (absx >= 0x477ff000) return static_cast<std::uint16_t>(sign | 0x7c00);  // overflow -> inf
    if (absx < 0x38800000) {  // subnormal half or zero
        // value = absx as float; half subnormal unit is 2^-24
        float af;
        std::memcpy(&af, &absx, 4);
        float scaled = af * 16777216.0f;  // / 2^-24
        std::uint32_t m = static_cast<std::uint32_t>(std::nearbyint(scaled));
        return static_cast<std::uint16_t>(sign | m);
    }
    std::uint32_t exp = ((absx >> 23) - 112) << 10;
    std::uint32_t mant = (absx >> 13) & 0x3ff;
    std::uint32_t rest = absx & 0x1fff;
    std::uint32_t h = exp | mant;
    if (rest > 0x1000 || (rest == 0x1000 && (mant & 1))) ++h;  // round to nearest even
    return static_cast<std::uint16_t>(sign | h);
}

}  // namespace srs::io
