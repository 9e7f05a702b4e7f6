#include "core/export/quantized_model.h"

namespace srs::exporter {

std::int64_t QuantizedLayer::groups() const {
    std::int64_t gs = groupSize();
    return gs > 0 ? (in_features + gs - 1) / gs : 0;
}

std::vector<float> QuantizedLayer::dequantize() const {
    const std::int64_t g = groups(), gs = groupSize();
    std::vector<float> w(static_cast<std::size_t>(out_features * in_features));
    for (std::int64_t o = 0; o < out_features; ++o)
        for (std::int64_t i = 0; i < in_features; ++i) {
            std::int64_t k = o * g + i / gs;
            w[o * in_features + i] = scales[k] * static_cast<float>(static_cast<int>(q[o * in_features + i]) - zeros[k]);
        }
    return w;
}

Result<QuantizedLayer> QuantizedModel::layerData(const std::string& name) const {
    auto it = layers.find(name);
    if (it == layers.end()) return makeError(ErrorCode::NotFound, "no quantized layer " + name);
    if (!it->second.q.empty() || !load_layer) return it->second;
    return load_layer(name);
}

}  // namespace srs::exporter
