// AutoScheme's allocation step: given, for every layer (or group of layers tied together), a
// sensitivity loss per candidate scheme, choose one scheme per unit so the average bits per
// weight meet a target exactly or just under, with the least summed loss. A multiple-choice
// knapsack solved exactly by dynamic programming over Pareto-optimal (bits, loss) states
// (ALGORITHM.md §4.3). Plain C++; the scoring that produces the losses lives beside it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/numeric_cast.h"
#include "core/common/result.h"
#include "core/quant/quant_scheme.h"

namespace srs::quant::autoscheme {

struct SchemeOption {
    std::string name;                   // "W4A16", "W2A16G64", "BF16"
    std::optional<QuantScheme> scheme;  // nullopt: not quantized (full precision, "BF16")
    bool full_precision() const { return !scheme; }
    int storedBits() const { return scheme ? scheme->bits : 16; }  // bits per weight, 16 when full precision
};

// "W4A16", "W3A16", "W2A16", "W8A16", "W2A16G64", "W2A16G32", "W4A16G32", "BF16" (also "W4A16G128", ...).
Result<SchemeOption> parseSchemeOption(const std::string& name);
Result<std::vector<SchemeOption>> parseSchemeOptions(const std::string& comma_list);

struct LayerShape {
    std::string name;
    std::int64_t out_features = 0;
    std::int64_t in_features = 0;
    std::int64_t params() const { return out_features * in_features; }
};

// Storage cost in bits of one layer under an option: bits·params plus, unless ignored, per group
// a 16-bit scale and a zero point of `bits` bits (AutoRound counts it for sym int too).
std::int64_t layerCostBits(const LayerShape& layer, const SchemeOption& option, bool ignore_scale_zp_bits);

struct AllocationUnit {
    std::vector<LayerShape> layers;  // one layer, or layers that must share a scheme (e.g. q/k/v)
    std::vector<double> loss;        // per option, same order as the options
};

struct AllocationResult {
    std::vector<int> choice;  // option index per unit
    std::int64_t total_bits = 0;
    std::int64_t budget_bits = 0;
    std::int64_t total_params = 0;
    double total_loss = 0.0;
    double avg_bits() const { return total_params ? num::real(total_bits) / num::real(total_params) : 0.0; }
    std::size_t states_explored = 0;
};

// Errors: no options, a target outside [cheapest, dearest] average, a unit without a loss per option.
Result<AllocationResult> allocateBits(const std::vector<AllocationUnit>& units, const std::vector<SchemeOption>& options,
                                      double target_avg_bits, bool ignore_scale_zp_bits = false);

// AutoRound-style layer_config: {"<layer>": {"bits": b, "group_size": g, "sym": s}} for every layer.
nlohmann::json toLayerConfig(const std::vector<AllocationUnit>& units, const std::vector<SchemeOption>& options,
                             const AllocationResult& result);

}  // namespace srs::quant::autoscheme
