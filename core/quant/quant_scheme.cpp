#include "core/quant/quant_scheme.h"

namespace srs::quant {

std::string QuantScheme::name() const {
    return "W" + std::to_string(bits) + (group_size > 0 ? "G" + std::to_string(group_size) : std::string(" per-channel")) + (sym ? " sym" : " asym");
}

Status validateScheme(const QuantScheme& s) {
    if (s.bits < 2 || s.bits > 8)
        return makeError(ErrorCode::InvalidArgument, "bits must be between 2 and 8, got " + std::to_string(s.bits));
    if (s.group_size == 0 || s.group_size < -1)
        return makeError(ErrorCode::InvalidArgument, "group_size must be positive or -1 (per output channel), got " + std::to_string(s.group_size));
    return {};
}

Result<KernelPath> parseKernelPath(const std::string& name) {
    if (name == "auto") return KernelPath::Auto;
    if (name == "fused") return KernelPath::Fused;
    if (name == "reference") return KernelPath::Reference;
    return makeError(ErrorCode::InvalidArgument, "unknown kernels '" + name + "'", "use --kernels auto, fused or reference");
}

}  // namespace srs::quant
