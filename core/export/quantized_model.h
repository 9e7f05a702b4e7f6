// The hand-off from the tuner to every exporter: per quantized linear layer, the integer weights,
// the per-group scales and zero points (w ≈ scale·(q − zero)); everything else of the model comes
// from its WeightSource unchanged. Plain data, no torch.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "core/io/weight_source.h"
#include "core/quant/quant_scheme.h"

namespace srs::exporter {

struct QuantizedLayer {
    std::string name;  // module name, e.g. "model.layers.0.self_attn.q_proj"
    quant::QuantScheme scheme;  // group_size > 0, or -1 for one group per output row
    std::int64_t out_features = 0;
    std::int64_t in_features = 0;
    std::vector<std::uint8_t> q;  // [out][in], unsigned integers in [0, 2^bits − 1]
    std::vector<float> scales;    // [out][groups]; fp16-representable, may be negative (sym full range)
    std::vector<std::int32_t> zeros;  // [out][groups]; 2^(bits−1) for sym
    std::vector<float> bias;      // [out] or empty
    bool has_bias = false;        // for metadata-only entries (see QuantizedModel::load_layer)

    std::int64_t groups() const;
    std::int64_t groupSize() const { return scheme.group_size > 0 ? scheme.group_size : in_features; }
    // scale·(q − zero), row-major [out][in].
    std::vector<float> dequantize() const;
};

struct QuantizedModel {
    std::shared_ptr<io::WeightSource> source;
    // By module name. When load_layer is set, entries may carry only the scheme and shape (q,
    // scales and zeros empty) and exporters load each layer's data when they write it, so an
    // export needs memory for one layer at a time, not for the model.
    std::map<std::string, QuantizedLayer> layers;
    std::function<Result<QuantizedLayer>(const std::string& name)> load_layer;
    Result<QuantizedLayer> layerData(const std::string& name) const;
    // Layers inside blocks that stay in full precision (16-bit in the configs).
    std::vector<std::string> fp_layers;
    // Default scheme (the one most layers use), for quantization_config.
    quant::QuantScheme scheme;
    std::string block_name = "model.layers";
    // Tuning settings that differ from AutoRound's defaults ("iters", "nsamples", "seqlen", ...).
    nlohmann::json tuning = nlohmann::json::object();
};

// Bits per weight of the model as stored: every tensor of the source, a quantized layer's weight
// at its bits plus an fp16 scale and a zero point per group, the rest in its stored dtype
// (F32 32, F64 64, others 16). With no quantized layers: the original model's.
double bitsPerWeight(const QuantizedModel& model);

}  // namespace srs::exporter
