// GGUF (llama.cpp's model file), read from an mmap. The layout, step by step:
//   magic "GGUF" · u32 version (2 or 3) · u64 tensor count · u64 metadata count
//   metadata: string key · u32 type · value (u8 i8 u16 i16 u32 i32 f32 bool string array u64 i64
//             f64; arrays are u32 element type + u64 count + elements; strings are u64 length +
//             bytes)
//   tensor infos: string name · u32 n_dims · u64 ne[n_dims] (ne0 = fastest) · u32 ggml type ·
//             u64 offset (relative to the data section)
//   data section: starts at the next multiple of general.alignment (default 32)
// open() validates everything before any pointer is handed out: counts against the file size,
// string lengths, known types, tensor byte ranges inside the data and not overlapping.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/io/mapped_file.h"

namespace srs::io {

enum class GgmlType : std::uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15, BF16 = 30,
};
const char* ggmlTypeName(std::uint32_t type);  // "Q8_0", or "" when unknown
// Elements per block and bytes per block; false when the type is unknown.
bool ggmlBlockLayout(std::uint32_t type, std::uint64_t* block_elems, std::uint64_t* block_bytes);

struct GgufTensorInfo {
    std::string name;
    std::vector<std::uint64_t> ne;  // ggml order: ne[0] is the contiguous dimension
    std::uint32_t type = 0;
    std::uint64_t offset = 0;  // relative to the data section
    std::uint64_t size_bytes = 0;
    std::uint64_t numel() const;
};

class GgufFile {
public:
    static Result<std::shared_ptr<GgufFile>> open(const std::string& path);
    // Parses from memory (the fuzz targets use this); `name` appears in errors.
    static Result<std::shared_ptr<GgufFile>> parse(std::shared_ptr<MappedFile> file, const std::string& name);

    const std::string& path() const { return path_; }
    std::uint32_t version() const { return version_; }
    std::uint64_t alignment() const { return alignment_; }
    std::uint64_t dataOffset() const { return data_offset_; }
    // Metadata values as JSON (arrays as JSON arrays, integers as numbers).
    const std::map<std::string, nlohmann::json>& metadata() const { return metadata_; }
    const nlohmann::json* meta(const std::string& key) const;
    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* find(const std::string& name) const;
    const std::uint8_t* tensorData(const GgufTensorInfo& t) const { return file_->data() + data_offset_ + t.offset; }
    void release(const GgufTensorInfo& t) const { file_->releasePages(tensorData(t), t.size_bytes); }

private:
    GgufFile() = default;
    std::shared_ptr<MappedFile> file_;
    std::string path_;
    std::uint32_t version_ = 0;
    std::uint64_t alignment_ = 32;
    std::uint64_t data_offset_ = 0;
    std::map<std::string, nlohmann::json> metadata_;
    std::vector<GgufTensorInfo> tensors_;
    std::map<std::string, std::size_t> index_;
};

// Dequantizes F32 / F16 / BF16 / Q8_0 data to float32; other types are an Unsupported error.
Result<std::vector<float>> dequantizeGgml(const GgufTensorInfo& t, const std::uint8_t* data);

}  // namespace srs::io
