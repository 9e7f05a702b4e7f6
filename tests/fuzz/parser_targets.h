// The parser entry points shared by the libFuzzer targets and the bounded mutation driver that
// runs in CI: any input must yield a value or an Error, never a crash, a hang or a read out of
// bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace srs::fuzz {

void fuzzSafetensors(const std::uint8_t* data, std::size_t size);
void fuzzGguf(const std::uint8_t* data, std::size_t size);
// The bytes as a tokenizer.json; a tokenizer that loads encodes and decodes a few texts.
void fuzzTokenizerJson(const std::uint8_t* data, std::size_t size);

// What parses meaning out of a model's config.json and a layer_config (config_targets.cpp):
// every error must be clean (a message naming what is wrong, no exception text); a crash, an
// escaping exception or an unclean error aborts. Returns how far the input got: refused when
// parsed, refused by the check of the tensors against the config, refused by planRun, or planned.
enum class ConfigStage { ParseRejected, CheckRejected, PlanRejected, Planned };
// config.json and a tiny model.safetensors in one input, split at the first NUL byte (JSON text
// holds none): the config parsed, the tensors checked against it, and a run planned (planRun:
// every layer, its scheme and each export's size) with a small layer_config.
ConfigStage fuzzModelConfig(const std::uint8_t* data, std::size_t size);
// The bytes as a layer_config (strict or relaxed JSON) for the tiny model: resolved and planned.
ConfigStage fuzzLayerConfig(const std::uint8_t* data, std::size_t size);
// The valid seeds: config.json + NUL + model.safetensors of a 2-block Llama, and a layer_config.
std::vector<std::uint8_t> modelConfigSeed();
std::string layerConfigSeed();

}  // namespace srs::fuzz
