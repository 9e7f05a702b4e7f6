#include "core/quant/nonfinite.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstdio>

namespace srs::quant {

at::Tensor finiteFlag(const at::Tensor& t) {
    if (!t.defined() || t.numel() == 0 || !at::isFloatingType(t.scalar_type())) return at::ones({}, at::kBool);
    // min and max are NaN when any element is, ±inf when an infinity is the extreme.
    const auto [lo, hi] = at::aminmax(t.detach());
    return at::logical_and(at::isfinite(lo), at::isfinite(hi));
}

bool allFinite(const at::Tensor& t) { return finiteFlag(t).item<bool>(); }

std::string formatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string describeNonFinite(const at::Tensor& t) {
    if (allFinite(t)) return {};
    const at::Tensor x = t.detach();
    const std::int64_t nans = at::isnan(x).sum().item<std::int64_t>();
    const std::int64_t infs = at::isinf(x).sum().item<std::int64_t>();
    auto count = [](std::int64_t n, const char* what) {
        return std::to_string(n) + " " + what + (n == 1 ? " value" : " values");
    };
    std::string s = nans > 0 && infs > 0 ? std::to_string(nans) + " NaN and " + count(infs, "infinite")
                    : nans > 0           ? count(nans, "NaN")
                                         : count(infs, "infinite");
    s += " among " + std::to_string(x.numel());
    if (x.dim() == 0) return s;
    // The position of the first non-finite element, row-major.
    const at::Tensor first = at::nonzero(at::logical_not(at::isfinite(x).reshape(x.sizes()))).select(0, 0);
    std::string at_ = " (the first at [";
    for (std::int64_t d = 0; d < first.numel(); ++d) at_ += (d ? ", " : "") + std::to_string(first[d].item<std::int64_t>());
    return s + at_ + "])";
}

}  // namespace srs::quant
