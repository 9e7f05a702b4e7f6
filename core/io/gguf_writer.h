// Writes GGUF v3 files (the layout is described in core/io/gguf.h): metadata of every GGUF value
// type including arrays of strings, tensor infos, and the data section, each tensor starting at a
// multiple of 32 bytes (GGUF's default alignment; callers may state it as general.alignment = 32,
// any other value of that key is refused). Tensors are declared first (name, ggml shape, type, byte
// size) so the header can be written before any tensor data exists; their bytes are then asked
// for one at a time, which lets an exporter quantize tensor by tensor with one in memory. The file
// appears atomically: a failure or a cancel leaves nothing under the final name.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"

namespace srs::io {

enum class GgufValueType : std::uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7, String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};

class GgufWriter {
public:
    static constexpr std::uint32_t kAlignment = 32;

    GgufWriter();

    // Metadata, written in the order set; setting a key again replaces its value in place.
    void setU8(const std::string& key, std::uint8_t v);
    void setI8(const std::string& key, std::int8_t v);
    void setU16(const std::string& key, std::uint16_t v);
    void setI16(const std::string& key, std::int16_t v);
    void setU32(const std::string& key, std::uint32_t v);
    void setI32(const std::string& key, std::int32_t v);
    void setU64(const std::string& key, std::uint64_t v);
    void setI64(const std::string& key, std::int64_t v);
    void setF32(const std::string& key, float v);
    void setF64(const std::string& key, double v);
    void setBool(const std::string& key, bool v);
    void setString(const std::string& key, const std::string& v);
    void setStringArray(const std::string& key, const std::vector<std::string>& v);
    void setF32Array(const std::string& key, const std::vector<float>& v);
    void setI32Array(const std::string& key, const std::vector<std::int32_t>& v);
    void setU32Array(const std::string& key, const std::vector<std::uint32_t>& v);
    std::size_t keyCount() const { return kv_.size(); }

    // ne in ggml order (ne[0] = contiguous dimension, i.e. in_features of a weight matrix).
    // size_bytes must be what the type needs for that shape; the data callback must return
    // exactly that many bytes.
    Status addTensor(const std::string& name, const std::vector<std::uint64_t>& ne, std::uint32_t ggml_type, std::uint64_t size_bytes);
    std::size_t tensorCount() const { return tensors_.size(); }

    using TensorDataFn = std::function<Result<std::vector<std::uint8_t>>(std::size_t index)>;
    using ProgressFn = std::function<void(std::size_t done, std::size_t total, const std::string& tensor)>;
    // Writes the whole file at `path` (atomically). Returns the number of bytes written.
    Result<std::uint64_t> write(const std::string& path, const TensorDataFn& data, const ProgressFn& progress = {},
                                const CancelToken& cancel = {}) const;
    // Header + metadata + tensor infos + padding, i.e. everything before the data section.
    std::vector<std::uint8_t> headerBytes() const;
    // The size of the file write() writes: the header and the padded data section.
    std::uint64_t fileBytes() const { return headerBytes().size() + data_size_; }

private:
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type = 0;
        std::uint64_t size_bytes = 0;
        std::uint64_t offset = 0;
    };
    void setRaw(const std::string& key, std::vector<std::uint8_t> typed_value);
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> kv_;  // key -> u32 type + value
    std::vector<Tensor> tensors_;
    std::uint64_t data_size_ = 0;
};

}  // namespace srs::io
