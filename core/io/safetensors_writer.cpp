#include "core/io/safetensors_writer.h"

#include <set>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"

namespace srs::io {

Status writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> seen;
    std::vector<std::uint64_t> sizes;
    std::uint64_t offset = 0;
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
        if (size > 0 && !t.data) return makeError(ErrorCode::InvalidArgument, "tensor '" + t.name + "' has no data");
        header[t.name] = {{"dtype", dtypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + size}}};
        sizes.push_back(size);
        offset += size;
        offset += (8 - offset % 8) % 8;  // keep every tensor 8-byte aligned
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');

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
        SRS_TRY(file->write(tensors[i].data, sizes[i]));
        pos += sizes[i];
        std::uint64_t pad = (8 - pos % 8) % 8;
        if (i + 1 < tensors.size() && pad) {
            SRS_TRY(file->write(kZeros, pad));
            pos += pad;
        }
    }
    return file->commit();
}

}  // namespace srs::io
