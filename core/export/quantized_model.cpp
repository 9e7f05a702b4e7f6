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

double bitsPerWeight(const QuantizedModel& m) {
    if (!m.source) return 0;
    double bits = 0, params = 0;
    for (const auto& n : m.source->tensorNames()) {
        auto shape = m.source->shape(n);
        if (!shape) continue;
        double p = 1;
        for (auto d : *shape) p *= static_cast<double>(d);
        params += p;
        const bool weight = n.size() > 7 && n.compare(n.size() - 7, 7, ".weight") == 0;
        auto it = weight ? m.layers.find(n.substr(0, n.size() - 7)) : m.layers.end();
        if (it != m.layers.end()) {
            const auto& l = it->second;
            bits += static_cast<double>(l.scheme.bits) * p + static_cast<double>(l.out_features * l.groups()) * (16 + l.scheme.bits);
        } else {
            const std::string dt = m.source->storedDtype(n);
            bits += p * (dt == "F32" ? 32 : dt == "F64" ? 64 : 16);
        }
    }
    return params > 0 ? bits / params : 0;
}

}  // namespace srs::exporter
