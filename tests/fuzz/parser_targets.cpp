#include "fuzz/parser_targets.h"

#include <string>
#include <vector>

#include "core/io/gguf.h"
#include "core/io/safetensors.h"

namespace srs::fuzz {

void fuzzSafetensors(const std::uint8_t* data, std::size_t size) {
    // The same steps SafetensorsFile::open takes, on a buffer.
    if (size < 8) return;
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | data[i];
    if (n > size - 8) return;
    std::map<std::string, std::string> meta;
    auto r = io::parseSafetensorsHeader(std::string(reinterpret_cast<const char*>(data + 8), n), size - 8 - n, &meta);
    if (r.ok()) {
        // Every accepted range must lie inside the buffer: touch its first and last byte.
        volatile std::uint8_t sink = 0;
        for (const auto& t : *r)
            if (t.sizeBytes() > 0) sink = sink + data[8 + n + t.offset_begin] + data[8 + n + t.offset_end - 1];
        (void)sink;
    }
}

void fuzzGguf(const std::uint8_t* data, std::size_t size) {
    auto g = io::GgufFile::parse(io::MappedFile::fromBuffer(std::vector<std::uint8_t>(data, data + size), "fuzz.gguf"), "fuzz.gguf");
    if (!g.ok()) return;
    for (const auto& t : (*g)->tensors()) {
        if (t.numel() > (1u << 20)) continue;
        auto f = io::dequantizeGgml(t, (*g)->tensorData(t));
        (void)f;
    }
}

}  // namespace srs::fuzz
