// Which scheme each linear layer gets: the run's default, overridden by AutoRound's layer_config
// ({"name or pattern": "W8A16" | "BF16" | {"bits": 8, "group_size": 32, "sym": false}}; keys
// that are not exact names are regexes when they contain regex characters, else substrings) and
// by fp_layers (substrings kept in full precision; a name ending in a digit gets a '.' so that
// "layers.1" does not also match "layers.10"). ALGORITHM.md §4.4.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/quant/quant_scheme.h"

namespace srs::quant {

// Strict JSON, or the relaxed CLI form {k_proj:{bits:8},lm_head:{bits:4}}; at most
// io::kMaxConfigFileBytes, nested at most json::kMaxJsonDepth deep.
Result<nlohmann::json> parseLayerConfigText(const std::string& text);
// "W4A16", "W2A16G64", "W8A16", "BF16" (-> nullopt: keep full precision).
Result<std::optional<QuantScheme>> parsePreset(const std::string& name);

// nullopt = keep the layer in full precision. Every value is type- and range-checked: a wrong one
// is an InvalidArgument naming `source` and the key ("layer_config['k_proj']: bits must be an
// integer in [2, 32] (found the string \"x\")"), never an exception.
Result<std::map<std::string, std::optional<QuantScheme>>> resolveLayerSchemes(const std::vector<std::string>& layer_names,
                                                                              const QuantScheme& default_scheme,
                                                                              const nlohmann::json& layer_config,
                                                                              const std::vector<std::string>& fp_layers,
                                                                              const std::string& source = "layer_config");

}  // namespace srs::quant
