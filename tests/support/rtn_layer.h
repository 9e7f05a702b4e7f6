// A plain round-to-nearest quantizer for export tests (the real one lives in core/quant and needs
// LibTorch): min/max per group, fp16 scales, the sym convention of core/quant (scale may be
// negative so the larger magnitude maps to −2^(bits−1)).
#pragma once

#include <string>

#include "core/export/quantized_model.h"
#include "core/io/weight_source.h"

namespace srs::test {

exporter::QuantizedLayer rtnLayer(const std::string& name, const io::FloatTensor& w, int bits, int group_size, bool sym);

}  // namespace srs::test
