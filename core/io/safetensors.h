// Safetensors reading, from an mmap: the file is an 8-byte little-endian header length N, N bytes
// of JSON ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}),
// then the tensor bytes, offsets relative to the end of the header.
//
// open() validates everything a later read relies on — header length within the file, valid JSON,
// known dtypes, shape × dtype size == byte range, ranges inside the data and not overlapping — so
// a TensorView handed out is always safe to read. Reading a tensor touches only its own pages.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/dtype.h"
#include "core/io/mapped_file.h"

namespace srs::io {

struct TensorInfo {
    std::string name;
    DType dtype = DType::Invalid;
    std::vector<std::int64_t> shape;
    std::uint64_t offset_begin = 0;  // relative to the data section
    std::uint64_t offset_end = 0;

    std::uint64_t numel() const;
    std::uint64_t sizeBytes() const { return offset_end - offset_begin; }
};

// A read-only view of one stored tensor; valid while its SafetensorsFile lives.
struct TensorView {
    const TensorInfo* info = nullptr;
    const std::uint8_t* data = nullptr;

    // Copies the tensor into float32 (F32/F16/BF16/F64 and integer types).
    std::vector<float> toFloat() const;
};

class SafetensorsFile {
public:
    static Result<std::shared_ptr<SafetensorsFile>> open(const std::string& path);

    const std::string& path() const { return file_->path(); }
    std::uint64_t fileSizeBytes() const { return file_->size(); }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    // Names in file order of their data offsets.
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* find(const std::string& name) const;
    Result<TensorView> tensor(const std::string& name) const;
    // Drops the tensor's pages from memory after it was copied (see MappedFile::releasePages).
    void release(const TensorView& view) const;

private:
    SafetensorsFile() = default;
    std::shared_ptr<MappedFile> file_;
    std::uint64_t data_start_ = 0;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::size_t> index_;
    std::map<std::string, std::string> metadata_;
};

// Parses a safetensors header from bytes (used by open() and by the fuzz target).
// data_size is the number of bytes available after the header.
Result<std::vector<TensorInfo>> parseSafetensorsHeader(const std::string& header_json, std::uint64_t data_size,
                                                       std::map<std::string, std::string>* metadata);

}  // namespace srs::io
