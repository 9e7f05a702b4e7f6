#include "core/io/safetensors_writer.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"

namespace srs::io {

namespace {

// The JSON header (padded to a multiple of 8) and each tensor's byte size.
Result<std::string> buildHeader(const std::string& path, const std::vector<TensorToWrite>& tensors,
                                const std::map<std::string, std::string>& metadata, std::vector<std::uint64_t>* sizes,
                                std::uint64_t* data_bytes) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> seen;
    std::uint64_t offset = 0, end = 0;
    for (const auto& t : tensors) {
        if (t.name.empty() || t.name == "__metadata__" || !seen.insert(t.name).second)
            return makeError(ErrorCode::InvalidArgument, "bad or duplicate tensor name '" + t.name + "' for " + path);
        if (t.dtype == DType::Invalid) return makeError(ErrorCode::InvalidArgument, "tensor '" + t.name + "' has no dtype");
        std::uint64_t numel = 1;
        for (auto d : t.shape) {
            if (d < 0) return makeError(ErrorCode::InvalidArgument, "tensor '" + t.name + "' has a negative dimension");
            numel *= static_cast<std::uint64_t>(d);
        }
        std::uint64_t size = numel * dtypeSize(t.dtype);
        header[t.name] = {{"dtype", dtypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + size}}};
        sizes->push_back(size);
        offset += size;
        end = offset;
        offset += (8 - offset % 8) % 8;  // keep every tensor 8-byte aligned
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    *data_bytes = end;
    return h;
}

}  // namespace

Result<std::uint64_t> safetensorsFileBytes(const std::vector<TensorToWrite>& tensors, const std::map<std::string, std::string>& metadata) {
    std::vector<std::uint64_t> sizes;
    std::uint64_t data = 0;
    auto h = buildHeader("a safetensors file", tensors, metadata, &sizes, &data);
    if (!h) return h.error();
    return 8 + h->size() + data;
}

Status writeSafetensorsStreamed(const std::string& path, const std::vector<TensorToWrite>& tensors, const TensorProducer& produce,
                                const std::map<std::string, std::string>& metadata) {
    std::vector<std::uint64_t> sizes;
    std::uint64_t data_bytes = 0;
    auto header = buildHeader(path, tensors, metadata, &sizes, &data_bytes);
    if (!header) return header.error();
    const std::string& h = *header;

    auto file = AtomicFile::create(path);
    if (!file) return file.error();
    std::uint8_t len[8];
    std::uint64_t n = h.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(n >> (8 * i));
    SRS_TRY(file->write(len, 8));
    SRS_TRY(file->write(h));
    static const char kZeros[8] = {0};
    std::uint64_t pos = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        auto bytes = produce(i);
        if (!bytes) return bytes.error();
        const void* data = bytes->owned.empty() ? bytes->data : bytes->owned.data();
        std::size_t size = bytes->owned.empty() ? bytes->size : bytes->owned.size();
        if (size != sizes[i])
            return makeError(ErrorCode::Internal, "tensor '" + tensors[i].name + "' produced " + std::to_string(size) + " bytes, expected " +
                                                      std::to_string(sizes[i]));
        if (size > 0 && !data) return makeError(ErrorCode::InvalidArgument, "tensor '" + tensors[i].name + "' has no data");
        SRS_TRY(file->write(data, size));
        pos += size;
        std::uint64_t pad = (8 - pos % 8) % 8;
        if (i + 1 < tensors.size() && pad) {
            SRS_TRY(file->write(kZeros, pad));
            pos += pad;
        }
    }
    return file->commit();
}

Status writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
    return writeSafetensorsStreamed(
        path, tensors,
        [&](std::size_t i) -> Result<TensorBytes> {
            std::uint64_t numel = 1;
            for (auto d : tensors[i].shape) numel *= static_cast<std::uint64_t>(std::max<std::int64_t>(d, 0));
            return TensorBytes{tensors[i].data, static_cast<std::size_t>(numel * dtypeSize(tensors[i].dtype)), {}};
        },
        metadata);
}

}  // namespace srs::io
