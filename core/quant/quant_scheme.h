// A weight quantization scheme as plain data (bits, group size, symmetric), shared by the tuner,
// the layer_config resolution and estimates made before a run. No torch: layer_config and the
// estimator use it from torch-free code.
#pragma once

#include <cstdint>
#include <string>

#include "core/common/result.h"

namespace srs::quant {

struct QuantScheme {
    int bits = 4;
    int group_size = 128;  // > 0, or -1 (per output channel)
    bool sym = true;
    bool fp16_scale = true;  // false: fp32 scales (GGUF)

    int effectiveGroupSize(std::int64_t in_features) const {
        return group_size <= 0 || group_size > in_features ? static_cast<int>(in_features) : group_size;
    }
    std::int64_t groups(std::int64_t in_features) const {
        const int gs = effectiveGroupSize(in_features);
        return (in_features + gs - 1) / gs;
    }
    std::string name() const;  // "W4G128 sym"
};

Status validateScheme(const QuantScheme& s);

// Which implementation tunes (and runs blocks): `reference` is plain LibTorch ops (quant_math.cpp
// and at::linear); `fused` uses the fused quant-dequant / SignSGD kernels (kernels/cpu/qdq.h),
// the block's linears through kernels::linear (LibTorch or oneDNN per product, measured once per
// shape), and the fused norm / rope / SwiGLU ops and tiled causal attention (kernels/block_ops.h,
// attention.h); `auto` is `fused` where those kernels exist (CPU tensors), else `reference`.
enum class KernelPath { Auto, Fused, Reference };
Result<KernelPath> parseKernelPath(const std::string& name);  // "auto" | "fused" | "reference"

}  // namespace srs::quant
