#include "support/rtn_layer.h"

#include <algorithm>
#include <cmath>

#include "core/io/dtype.h"

namespace srs::test {

exporter::QuantizedLayer rtnLayer(const std::string& name, const io::FloatTensor& w, int bits, int gs, bool sym) {
    exporter::QuantizedLayer l;
    l.name = name;
    l.scheme.bits = bits;
    l.scheme.group_size = gs;
    l.scheme.sym = sym;
    l.out_features = w.shape[0];
    l.in_features = w.shape[1];
    const std::int64_t g = l.groups(), size = l.groupSize(), in = l.in_features;
    const int maxq = (1 << bits) - 1;
    l.q.resize(w.data.size());
    for (std::int64_t o = 0; o < l.out_features; ++o)
        for (std::int64_t k = 0; k < g; ++k) {
            const std::int64_t end = std::min(in, (k + 1) * size);
            float lo = 0, hi = 0;
            for (std::int64_t i = k * size; i < end; ++i) {
                lo = std::min(lo, w.data[o * in + i]);
                hi = std::max(hi, w.data[o * in + i]);
            }
            float scale;
            int zero;
            if (sym) {
                const float m = std::max(-lo, hi);
                scale = (hi > -lo ? -m : m) / static_cast<float>(1 << (bits - 1));
                zero = 1 << (bits - 1);
            } else {
                scale = (hi - lo) / static_cast<float>(maxq);
                zero = static_cast<int>(std::nearbyint(-lo / scale));
            }
            scale = io::halfToFloat(io::floatToHalf(scale));  // scales are stored in fp16
            l.scales.push_back(scale);
            l.zeros.push_back(zero);
            for (std::int64_t i = k * size; i < end; ++i) {
                const int q = static_cast<int>(std::nearbyint(w.data[o * in + i] / scale)) + zero;
                l.q[o * in + i] = static_cast<std::uint8_t>(std::clamp(q, 0, maxq));
            }
        }
    return l;
}

}  // namespace srs::test
