// The parser entry points shared by the libFuzzer targets and the bounded mutation driver that
// runs in CI: any input must yield a value or an Error, never a crash, a hang or a read out of
// bounds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace srs::fuzz {

void fuzzSafetensors(const std::uint8_t* data, std::size_t size);
void fuzzGguf(const std::uint8_t* data, std::size_t size);
// The bytes as a tokenizer.json; a tokenizer that loads encodes and decodes a few texts.
void fuzzTokenizerJson(const std::uint8_t* data, std::size_t size);

}  // namespace srs::fuzz
