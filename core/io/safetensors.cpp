#include "core/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/common/json_field.h"

namespace srs::io {

namespace {
// Rank and dimension bounds of a tensor in a header: weights have rank 1 to 5; a dimension stays
// far inside int64 so products with element sizes cannot wrap.
constexpr std::size_t kMaxRank = 8;
constexpr std::uint64_t kMaxDim = std::uint64_t(1) << 48;
}  // namespace

std::uint64_t TensorInfo::numel() const {
    std::uint64_t n = 1;
    for (auto d : shape) n *= static_cast<std::uint64_t>(d);
    return n;
}

std::vector<float> TensorView::toFloat() const {
    std::uint64_t n = info->numel();
    std::vector<float> out(n);
    const std::uint8_t* p = data;
    auto load = [&](auto tag, std::uint64_t i) {
        using T = decltype(tag);
        T v;
        std::memcpy(&v, p + i * sizeof(T), sizeof(T));
        return v;
    };
    for (std::uint64_t i = 0; i < n; ++i) {
        switch (info->dtype) {
        case DType::F32: out[i] = load(float{}, i); break;
        case DType::F64: out[i] = static_cast<float>(load(double{}, i)); break;
        case DType::F16: out[i] = halfToFloat(load(std::uint16_t{}, i)); break;
        case DType::BF16: out[i] = bf16ToFloat(load(std::uint16_t{}, i)); break;
        case DType::I64: out[i] = static_cast<float>(load(std::int64_t{}, i)); break;
        case DType::I32: out[i] = static_cast<float>(load(std::int32_t{}, i)); break;
        case DType::I16: out[i] = static_cast<float>(load(std::int16_t{}, i)); break;
        case DType::I8: out[i] = static_cast<float>(load(std::int8_t{}, i)); break;
        case DType::U64: out[i] = static_cast<float>(load(std::uint64_t{}, i)); break;
        case DType::U32: out[i] = static_cast<float>(load(std::uint32_t{}, i)); break;
        case DType::U16: out[i] = static_cast<float>(load(std::uint16_t{}, i)); break;
        case DType::U8: case DType::Bool: out[i] = static_cast<float>(p[i]); break;
        default: out[i] = 0.0f; break;  // fp8: not converted here
        }
    }
    return out;
}

Result<std::vector<TensorInfo>> parseSafetensorsHeader(const std::string& header_json, std::uint64_t data_size,
                                                       std::map<std::string, std::string>* metadata) {
    auto parsed = json::parseJson(header_json, "the header");
    if (!parsed) return parsed.error();
    const nlohmann::json& j = *parsed;
    if (!j.is_object()) return makeError(ErrorCode::CorruptFile, "header is not a JSON object");

    std::vector<TensorInfo> tensors;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& name = it.key();
        const auto& entry = it.value();
        if (name == "__metadata__") {
            if (!entry.is_object()) return makeError(ErrorCode::CorruptFile, "__metadata__ is not an object");
            if (metadata) {
                for (auto m = entry.begin(); m != entry.end(); ++m)
                    (*metadata)[m.key()] = m.value().is_string() ? m.value().get<std::string>() : m.value().dump();
            }
            continue;
        }
        auto bad = [&](const std::string& what) {
            return makeError(ErrorCode::CorruptFile, "tensor '" + name + "': " + what);
        };
        if (!entry.is_object()) return bad("entry is not an object");
        if (!entry.contains("dtype") || !entry["dtype"].is_string()) return bad("missing dtype");
        if (!entry.contains("shape") || !entry["shape"].is_array()) return bad("missing shape");
        if (!entry.contains("data_offsets") || !entry["data_offsets"].is_array() || entry["data_offsets"].size() != 2)
            return bad("missing or malformed data_offsets");

        TensorInfo t;
        t.name = name;
        std::string dt = entry["dtype"].get<std::string>();
        t.dtype = dtypeFromSafetensorsName(dt);
        if (t.dtype == DType::Invalid) return bad("unknown dtype '" + dt + "'");

        if (entry["shape"].size() > kMaxRank)
            return bad("shape has " + std::to_string(entry["shape"].size()) + " dimensions, more than " + std::to_string(kMaxRank));
        std::uint64_t numel = 1;
        for (const auto& d : entry["shape"]) {
            if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<std::int64_t>() >= 0))
                return bad("shape has a negative or non-integer dimension");
            std::uint64_t dim = d.get<std::uint64_t>();
            // Beside a 0 any dimension passes the size check below; none may leave int64's range.
            if (dim > kMaxDim) return bad("shape has a dimension of " + std::to_string(dim) + ", more than any tensor can hold");
            if (dim != 0 && numel > std::numeric_limits<std::uint64_t>::max() / dim) return bad("shape overflows");
            numel *= dim;
            t.shape.push_back(static_cast<std::int64_t>(dim));
        }
        const auto& off = entry["data_offsets"];
        if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned()) {
            if (!(off[0].is_number_integer() && off[1].is_number_integer() && off[0].get<std::int64_t>() >= 0 &&
                  off[1].get<std::int64_t>() >= 0))
                return bad("data_offsets are not non-negative integers");
        }
        t.offset_begin = off[0].get<std::uint64_t>();
        t.offset_end = off[1].get<std::uint64_t>();
        if (t.offset_end < t.offset_begin) return bad("data_offsets end before they begin");
        if (t.offset_end > data_size)
            return bad("data_offsets [" + std::to_string(t.offset_begin) + ", " + std::to_string(t.offset_end) +
                       ") run past the end of the data (" + std::to_string(data_size) + " bytes) — the file is truncated or the header is wrong");
        std::uint64_t esize = dtypeSize(t.dtype);
        if (numel > std::numeric_limits<std::uint64_t>::max() / esize) return bad("shape overflows");
        if (numel * esize != t.sizeBytes())
            return bad("shape " + entry["shape"].dump() + " of " + dt + " needs " + std::to_string(numel * esize) +
                       " bytes but data_offsets give " + std::to_string(t.sizeBytes()));
        tensors.push_back(std::move(t));
    }

    std::sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.offset_begin != b.offset_begin ? a.offset_begin < b.offset_begin : a.offset_end < b.offset_end;
    });
    for (std::size_t i = 1; i < tensors.size(); ++i) {
        if (tensors[i].offset_begin < tensors[i - 1].offset_end)
            return makeError(ErrorCode::CorruptFile,
                             "tensors '" + tensors[i - 1].name + "' and '" + tensors[i].name + "' overlap in the data section");
    }
    return tensors;
}

Result<std::shared_ptr<SafetensorsFile>> SafetensorsFile::open(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    auto file = *mapped;
    auto fail = [&](const Error& e) {
        Error out = e.withContext(path);
        if (out.hint.empty()) out.hint = "the file is damaged or not a safetensors file; download it again";
        return out;
    };
    if (file->size() < 8) return fail(makeError(ErrorCode::CorruptFile, "file is shorter than the 8-byte header length"));
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | file->data()[i];
    if (header_len > file->size() - 8)
        return fail(makeError(ErrorCode::CorruptFile, "header length " + std::to_string(header_len) +
                                                          " runs past the end of the file (" + std::to_string(file->size()) + " bytes)"));
    if (header_len > 100ull * 1024 * 1024)
        return fail(makeError(ErrorCode::CorruptFile, "header length " + std::to_string(header_len) + " is implausibly large"));

    std::string header(reinterpret_cast<const char*>(file->data() + 8), header_len);
    std::shared_ptr<SafetensorsFile> st(new SafetensorsFile());
    st->file_ = file;
    st->data_start_ = 8 + header_len;
    auto parsed = parseSafetensorsHeader(header, file->size() - st->data_start_, &st->metadata_);
    if (!parsed) return fail(parsed.error());
    st->tensors_ = std::move(*parsed);
    for (std::size_t i = 0; i < st->tensors_.size(); ++i) st->index_[st->tensors_[i].name] = i;
    return st;
}

void SafetensorsFile::release(const TensorView& v) const {
    if (v.info) file_->releasePages(v.data, v.info->sizeBytes());
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

Result<TensorView> SafetensorsFile::tensor(const std::string& name) const {
    const TensorInfo* info = find(name);
    if (!info) return makeError(ErrorCode::NotFound, "tensor '" + name + "' not found in " + path());
    return TensorView{info, file_->data() + data_start_ + info->offset_begin};
}

}  // namespace srs::io
