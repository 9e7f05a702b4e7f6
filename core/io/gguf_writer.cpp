#include "core/io/gguf_writer.h"

#include <cstring>
#include <set>

#include "core/io/atomic_file.h"
#include "core/io/gguf.h"

namespace srs::io {

namespace {

template <typename T>
void put(std::vector<std::uint8_t>& b, T v) {
    std::uint8_t raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));  // GGUF is little-endian, as is every host we build for
    b.insert(b.end(), raw, raw + sizeof(T));
}
void putString(std::vector<std::uint8_t>& b, const std::string& s) {
    put<std::uint64_t>(b, s.size());
    b.insert(b.end(), s.begin(), s.end());
}
template <typename T>
std::vector<std::uint8_t> scalar(GgufValueType type, T v) {
    std::vector<std::uint8_t> b;
    put<std::uint32_t>(b, static_cast<std::uint32_t>(type));
    put(b, v);
    return b;
}
template <typename T>
std::vector<std::uint8_t> array(GgufValueType elem, const std::vector<T>& v) {
    std::vector<std::uint8_t> b;
    put<std::uint32_t>(b, static_cast<std::uint32_t>(GgufValueType::Array));
    put<std::uint32_t>(b, static_cast<std::uint32_t>(elem));
    put<std::uint64_t>(b, v.size());
    for (const T& x : v) put(b, x);
    return b;
}
std::uint64_t alignUp(std::uint64_t x, std::uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace

GgufWriter::GgufWriter() = default;

void GgufWriter::setRaw(const std::string& key, std::vector<std::uint8_t> typed_value) {
    for (auto& kv : kv_)
        if (kv.first == key) {
            kv.second = std::move(typed_value);
            return;
        }
    kv_.emplace_back(key, std::move(typed_value));
}

void GgufWriter::setU8(const std::string& k, std::uint8_t v) { setRaw(k, scalar(GgufValueType::U8, v)); }
void GgufWriter::setI8(const std::string& k, std::int8_t v) { setRaw(k, scalar(GgufValueType::I8, v)); }
void GgufWriter::setU16(const std::string& k, std::uint16_t v) { setRaw(k, scalar(GgufValueType::U16, v)); }
void GgufWriter::setI16(const std::string& k, std::int16_t v) { setRaw(k, scalar(GgufValueType::I16, v)); }
void GgufWriter::setU32(const std::string& k, std::uint32_t v) { setRaw(k, scalar(GgufValueType::U32, v)); }
void GgufWriter::setI32(const std::string& k, std::int32_t v) { setRaw(k, scalar(GgufValueType::I32, v)); }
void GgufWriter::setU64(const std::string& k, std::uint64_t v) { setRaw(k, scalar(GgufValueType::U64, v)); }
void GgufWriter::setI64(const std::string& k, std::int64_t v) { setRaw(k, scalar(GgufValueType::I64, v)); }
void GgufWriter::setF32(const std::string& k, float v) { setRaw(k, scalar(GgufValueType::F32, v)); }
void GgufWriter::setF64(const std::string& k, double v) { setRaw(k, scalar(GgufValueType::F64, v)); }
void GgufWriter::setBool(const std::string& k, bool v) { setRaw(k, scalar<std::uint8_t>(GgufValueType::Bool, v ? 1 : 0)); }
void GgufWriter::setString(const std::string& k, const std::string& v) {
    std::vector<std::uint8_t> b;
    put<std::uint32_t>(b, static_cast<std::uint32_t>(GgufValueType::String));
    putString(b, v);
    setRaw(k, std::move(b));
}
void GgufWriter::setStringArray(const std::string& k, const std::vector<std::string>& v) {
    std::vector<std::uint8_t> b;
    put<std::uint32_t>(b, static_cast<std::uint32_t>(GgufValueType::Array));
    put<std::uint32_t>(b, static_cast<std::uint32_t>(GgufValueType::String));
    put<std::uint64_t>(b, v.size());
    for (const auto& s : v) putString(b, s);
    setRaw(k, std::move(b));
}
void GgufWriter::setF32Array(const std::string& k, const std::vector<float>& v) { setRaw(k, array(GgufValueType::F32, v)); }
void GgufWriter::setI32Array(const std::string& k, const std::vector<std::int32_t>& v) { setRaw(k, array(GgufValueType::I32, v)); }
void GgufWriter::setU32Array(const std::string& k, const std::vector<std::uint32_t>& v) { setRaw(k, array(GgufValueType::U32, v)); }

Status GgufWriter::addTensor(const std::string& name, const std::vector<std::uint64_t>& ne, std::uint32_t ggml_type,
                             std::uint64_t size_bytes) {
    if (name.empty() || name.size() > 63)
        return makeError(ErrorCode::InvalidArgument, "GGUF tensor name '" + name + "' must have 1 to 63 characters",
                         "llama.cpp rejects longer tensor names");
    for (const auto& t : tensors_)
        if (t.name == name) return makeError(ErrorCode::InvalidArgument, "GGUF tensor '" + name + "' is added twice");
    if (ne.empty() || ne.size() > 4)
        return makeError(ErrorCode::InvalidArgument, "GGUF tensor '" + name + "' has " + std::to_string(ne.size()) + " dimensions (1 to 4 allowed)");
    std::uint64_t block_elems = 0, block_bytes = 0;
    if (!ggmlBlockLayout(ggml_type, &block_elems, &block_bytes))
        return makeError(ErrorCode::Unsupported, "GGUF tensor '" + name + "' has unknown ggml type " + std::to_string(ggml_type));
    std::uint64_t numel = 1;
    for (auto d : ne) {
        if (d == 0) return makeError(ErrorCode::InvalidArgument, "GGUF tensor '" + name + "' has a zero dimension");
        numel *= d;
    }
    if (ne[0] % block_elems != 0)
        return makeError(ErrorCode::InvalidArgument,
                         "GGUF tensor '" + name + "': row length " + std::to_string(ne[0]) + " is not a multiple of the " +
                             ggmlTypeName(ggml_type) + " block size " + std::to_string(block_elems));
    if (numel / block_elems * block_bytes != size_bytes)
        return makeError(ErrorCode::InvalidArgument, "GGUF tensor '" + name + "': " + std::to_string(size_bytes) + " bytes declared, " +
                                                         std::to_string(numel / block_elems * block_bytes) + " expected for its shape and type");
    Tensor t{name, ne, ggml_type, size_bytes, data_size_};
    data_size_ = alignUp(data_size_ + size_bytes, kAlignment);
    tensors_.push_back(std::move(t));
    return {};
}

std::vector<std::uint8_t> GgufWriter::headerBytes() const {
    std::vector<std::uint8_t> b = {'G', 'G', 'U', 'F'};
    put<std::uint32_t>(b, 3);
    put<std::uint64_t>(b, tensors_.size());
    put<std::uint64_t>(b, kv_.size());
    for (const auto& [key, value] : kv_) {
        putString(b, key);
        b.insert(b.end(), value.begin(), value.end());
    }
    for (const auto& t : tensors_) {
        putString(b, t.name);
        put<std::uint32_t>(b, static_cast<std::uint32_t>(t.ne.size()));
        for (auto d : t.ne) put<std::uint64_t>(b, d);
        put<std::uint32_t>(b, t.type);
        put<std::uint64_t>(b, t.offset);
    }
    b.resize(alignUp(b.size(), kAlignment), 0);
    return b;
}

Result<std::uint64_t> GgufWriter::write(const std::string& path, const TensorDataFn& data, const ProgressFn& progress,
                                        const CancelToken& cancel) const {
    for (const auto& [key, value] : kv_)
        if (key == "general.alignment" && value != scalar(GgufValueType::U32, kAlignment))
            return makeError(ErrorCode::InvalidArgument, "general.alignment must be the u32 value 32 in files this writer makes");
    auto file = AtomicFile::create(path);
    if (!file) return file.error();
    const auto header = headerBytes();
    SRS_TRY(file->write(header.data(), header.size()));
    static const std::uint8_t zeros[kAlignment] = {};
    std::uint64_t pos = 0;  // within the data section
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
        const Tensor& t = tensors_[i];
        SRS_TRY(cancel.check(("writing GGUF tensor " + t.name).c_str()));
        if (progress) progress(i, tensors_.size(), t.name);
        auto bytes = data(i);
        if (!bytes) return bytes.error().withContext("GGUF tensor " + t.name);
        if (bytes->size() != t.size_bytes)
            return makeError(ErrorCode::Internal, "GGUF tensor '" + t.name + "': " + std::to_string(bytes->size()) +
                                                      " bytes produced, " + std::to_string(t.size_bytes) + " declared");
        if (pos < t.offset) SRS_TRY(file->write(zeros, t.offset - pos));
        SRS_TRY(file->write(bytes->data(), bytes->size()));
        pos = t.offset + t.size_bytes;
    }
    if (pos < data_size_) SRS_TRY(file->write(zeros, data_size_ - pos));
    SRS_TRY(cancel.check("finishing the GGUF file"));
    const std::uint64_t total = file->bytesWritten();
    SRS_TRY(file->commit());
    if (progress) progress(tensors_.size(), tensors_.size(), "");
    return total;
}

}  // namespace srs::io
