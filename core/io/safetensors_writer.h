// Writes a safetensors file atomically (temp name, fsync, rename). Tensors are laid out in the
// order given, each aligned to 8 bytes within the data section; the header is padded with spaces
// to a multiple of 8, as the reference writer does.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/dtype.h"

namespace srs::io {

struct TensorToWrite {
    std::string name;
    DType dtype = DType::Invalid;
    std::vector<std::int64_t> shape;
    const void* data = nullptr;  // numel × dtypeSize bytes, must stay valid during the write
};

Status writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace srs::io
