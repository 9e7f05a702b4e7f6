// KldStats as a JSON object (the "kld" of `signround eval --json` and of the pipeline's evaluation
// rows): every field under its own name. Header-only so that torch-free code (the job events)
// can use it.
#pragma once

#include <nlohmann/json.hpp>

#include "core/eval/kld.h"

namespace srs::eval {

inline nlohmann::json kldToJson(const KldStats& k) {
    return {{"tokens", k.tokens},   {"mean", k.mean},       {"median", k.median},
            {"p99", k.p99},         {"p999", k.p999},       {"max", k.max},
            {"top1_agreement", k.top1_agreement}, {"reference_ppl", k.reference_ppl}, {"ppl_ratio", k.ppl_ratio}};
}

}  // namespace srs::eval
