#include "fuzz/parser_targets.h"

#include <string>
#include <vector>

#include "core/io/gguf.h"
#include "core/io/safetensors.h"
#include "core/tokenizer/hf_tokenizer.h"

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

void fuzzTokenizerJson(const std::uint8_t* data, std::size_t size) {
    auto t = tokenizer::parseHfTokenizer(std::string(reinterpret_cast<const char*>(data), size), "", "fuzz tokenizer.json");
    if (!t.ok()) return;
    for (const char* text : {"Hello world, don't 12345!", "  a\n\n\tb <|endoftext|> <s>", "caf\xC3\xA9 e\xCC\x81 \xE6\x97\xA5 \xF0\x9F\x99\x82", "\xFF\xC3"}) {
        auto ids = (*t)->encode(text, true);
        (void)(*t)->decode(ids);
    }
    (void)(*t)->decode({-1, 0, 1, 2, 255, 256, 70000, 0x7fffffff});
    (void)(*t)->piece(-1);
    (void)(*t)->piece(0x7fffffff);
}

}  // namespace srs::fuzz
