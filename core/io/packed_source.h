// Reads a folder exported in the auto_round, auto_gptq or auto_awq format back as a WeightSource:
// each packed linear appears as its dequantized "<layer>.weight" (scale·(q − zero)), everything
// else as stored. This is how `signround eval` scores an exported model and how the round-trip
// tests check that an export holds exactly the weights that were evaluated before it.
#pragma once

#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/io/weight_source.h"

namespace srs::io {

// True when config.json carries a quantization_config of a packed format we read.
bool isPackedQuantConfig(const nlohmann::json& config);
// Wraps an already opened plain folder source of a packed export.
Result<std::shared_ptr<WeightSource>> openPackedFolder(std::shared_ptr<WeightSource> plain);

}  // namespace srs::io
