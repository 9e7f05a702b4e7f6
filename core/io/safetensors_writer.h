// Writes a safetensors file atomically (temp name, fsync, rename). Tensors are laid out in the
// order given, each aligned to 8 bytes within the data section; the header is padded with spaces
// to a multiple of 8, as the reference writer does.
#pragma once

#include <cstdint>
#include <functional>
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

// The same file, with each tensor's bytes produced only when it is written (in the order given),
// so a file far larger than memory can be written one tensor at a time. `data` in the
// descriptions is ignored; produce(i) must return exactly numel × dtypeSize bytes.
struct TensorBytes {
    const void* data = nullptr;
    std::size_t size = 0;
    std::vector<std::uint8_t> owned;  // when the producer had to build the bytes
};
using TensorProducer = std::function<Result<TensorBytes>(std::size_t index)>;
Status writeSafetensorsStreamed(const std::string& path, const std::vector<TensorToWrite>& tensors, const TensorProducer& produce,
                                const std::map<std::string, std::string>& metadata = {});
// The size in bytes of the file those writers would write (header, padding and data), without
// writing it: for estimates before a run.
Result<std::uint64_t> safetensorsFileBytes(const std::vector<TensorToWrite>& tensors,
                                           const std::map<std::string, std::string>& metadata = {});

}  // namespace srs::io
