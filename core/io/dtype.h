// Element types of stored tensors, with the names safetensors and GGUF readers use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace srs::io {

enum class DType {
    Invalid = 0,
    F64, F32, F16, BF16,
    I64, I32, I16, I8,
    U64, U32, U16, U8,
    Bool,
    F8_E4M3, F8_E5M2,
};

// "F32" -> DType::F32; unknown names -> Invalid.
DType dtypeFromSafetensorsName(const std::string& name);
const char* dtypeName(DType dtype);
std::size_t dtypeSize(DType dtype);
bool isFloating(DType dtype);

// Converts one stored element to float (F32/F16/BF16/F64 and the integer types).
float halfToFloat(std::uint16_t h);
float bf16ToFloat(std::uint16_t b);
std::uint16_t floatToHalf(float f);
std::uint16_t floatToBf16(float f);  // round to nearest even

}  // namespace srs::io
