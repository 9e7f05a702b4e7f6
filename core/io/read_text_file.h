// Reading a small text or JSON file out of a model folder (or any folder a user points at) when
// the file may be hostile: only a regular file is read (a FIFO would block forever, a link to
// /dev/zero would never end, a directory is not a file; links are followed and their target is
// what is checked), and no more than a fixed number of bytes.
//
// Limits (the largest real files seen, with room to spare):
//   kMaxConfigFileBytes     16 MiB: config.json, generation_config.json, tokenizer_config.json,
//                                   special_tokens_map.json, model.safetensors.index.json,
//                                   quantization configs, chat_template.jinja, README.md,
//                                   layer_config files (real ones are a few KiB; a 1T-parameter
//                                   model's index is about 2 MiB)
//   kMaxTokenizerFileBytes 256 MiB: tokenizer.json, tokenizer.model, vocab.json, merges.txt
//                                   (Gemma's tokenizer.json, among the largest, is 33 MiB)
//   kMaxTextDataBytes        1 GiB: calibration texts (--dataset) and evaluation texts (--text)
//                                   (wikitext-103's training split, 540 MB, fits)
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace srs::io {

inline constexpr std::uint64_t kMaxConfigFileBytes = 16ull << 20;
inline constexpr std::uint64_t kMaxTokenizerFileBytes = 256ull << 20;
inline constexpr std::uint64_t kMaxTextDataBytes = 1ull << 30;

// The whole file. Errors (each naming the path): NotFound when it does not exist (a dangling link
// too), IoError when it is not a regular file (the message says what it is) or cannot be read,
// CorruptFile when it is larger than max_bytes (the message says its size and the limit).
// Never blocks on a FIFO and never reads more than max_bytes + 1 bytes.
Result<std::string> readTextFile(const std::string& path, std::uint64_t max_bytes);

// readTextFile + json::parseJson (depth-limited); errors name the path.
Result<nlohmann::json> readJsonFile(const std::string& path, std::uint64_t max_bytes = kMaxConfigFileBytes);

// True when path names a regular file (following links); false for a FIFO, a device, a folder,
// a dangling link or nothing.
bool isRegularFile(const std::string& path);

}  // namespace srs::io
