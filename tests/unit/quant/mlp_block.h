// A tiny block for tuner tests: two linears ("up", "down") with SiLU between, random weights
// scaled to unit gain, as a BlockForward whose weights the tuner can override by name.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include "core/quant/signround.h"

namespace srs::test {

struct Mlp {
    std::map<std::string, at::Tensor> w;
    quant::BlockForward forward() const {
        auto weights = w;
        return [weights](const at::Tensor& x, const std::map<std::string, at::Tensor>& o) {
            auto pick = [&](const char* n) { return o.count(n) ? o.at(n) : weights.at(n); };
            return at::linear(at::silu(at::linear(x, pick("up"))), pick("down"));
        };
    }
};

inline Mlp makeMlp(int hidden, int inter, std::uint64_t seed) {
    at::manual_seed(seed);
    return {{{"up", at::randn({inter, hidden}) / std::sqrt(hidden)}, {"down", at::randn({hidden, inter}) / std::sqrt(inter)}}};
}

}  // namespace srs::test
