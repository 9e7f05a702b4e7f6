// GGUF (llama.cpp's model file), read from an mmap. The layout, step by step:
//   magic "GGUF" · u32 version (2 or 3) · u64 tensor count · u64 metadata count
//   metadata: string key · u32 type · value (u8 i8 u16 i16 u32 i32 f32 bool string array u64 i64
//             f64; arrays are u32 element type + u64 count + elements; strings are u64 length +
//             bytes)
//   tensor infos: string name · u32 n_dims · u64 ne[n_dims] (ne0 = fastest) · u32 ggml type ·
//             u64 offset (relative to the data section)
//   data section: starts at the next multiple of general.alignment (default 32)
// open() validates everything before any pointer is handed out: counts against the file size,
// string lengths, known types, tensor byte ranges inside the data and not overlapping; a path
// that is not a regular file (a FIFO, a device, a folder) is refused before it is opened.
// Values read from the metadata into a model or tokenizer go through the typed accessors below
// (metaInt, metaStringArray, ...): a key of the wrong type or a value out of range is an error
// naming the file, the key, what was expected and what was found, never an exception.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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

// The most values (array elements, nested ones included) a file's metadata may hold: real models
// hold about a million (tokens, scores, token types and merges of a 262k vocabulary); each value
// costs tens of bytes once parsed, so a file claiming billions is refused rather than read.
inline constexpr std::uint64_t kGgufMaxMetadataValues = std::uint64_t(1) << 24;
// The largest tensor dimension accepted (so every dimension fits an int64 shape).
inline constexpr std::uint64_t kGgufMaxDimension = std::uint64_t(1) << 40;

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
    // The GGUF type of a key as messages print it ("u32", "string", "array of i32"), "" when absent.
    std::string metaTypeName(const std::string& key) const;

    // Typed metadata. Absent key: nullopt. Present but of another type, or outside [min, max]: a
    // CorruptFile error "FILE: metadata key 'K' must be EXPECTED, but it is FOUND".
    // Integers: any GGUF integer type (u8 ... i64). Numbers: any integer or float type, finite.
    Result<std::optional<std::int64_t>> metaInt(const std::string& key, std::int64_t min, std::int64_t max) const;
    Result<std::optional<double>> metaNumber(const std::string& key, double min, double max) const;
    Result<std::optional<std::string>> metaString(const std::string& key) const;
    Result<std::optional<bool>> metaBool(const std::string& key) const;
    // Arrays: every element of the element type (and range); at most max_len elements.
    Result<std::optional<std::vector<std::string>>> metaStringArray(const std::string& key, std::uint64_t max_len) const;
    Result<std::optional<std::vector<double>>> metaNumberArray(const std::string& key, std::uint64_t max_len) const;
    Result<std::optional<std::vector<std::int64_t>>> metaIntArray(const std::string& key, std::uint64_t max_len, std::int64_t min,
                                                                  std::int64_t max) const;
    // The error for a key whose value does not fit what a reader needs (also for checks across keys).
    Error metaError(const std::string& key, const std::string& expected) const;
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
    std::map<std::string, std::string> meta_types_;  // key -> "u32", "array of string", ...
    std::vector<GgufTensorInfo> tensors_;
    std::map<std::string, std::size_t> index_;
};

// Dequantizes F32 / F16 / BF16 / Q8_0 data to float32; other types are an Unsupported error.
Result<std::vector<float>> dequantizeGgml(const GgufTensorInfo& t, const std::uint8_t* data);

}  // namespace srs::io
