#include "core/job/calibrate_step.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "core/common/log.h"
#include "core/data/calibration.h"
#include "core/data/dataset_source.h"
#include "core/model/llama_model.h"
#include "core/tokenizer/load_tokenizer.h"

namespace srs::job {

Result<at::Tensor> calibrationInputs(const RunPlan& plan, const std::shared_ptr<io::WeightSource>& source, at::ScalarType dtype,
                                     const CancelToken& cancel) {
    const JobConfig& c = plan.config;
    if (c.datasets.empty())
        return makeError(ErrorCode::InvalidArgument, "no calibration data given",
                         "pass local text with --dataset FILE[,FILE] (.txt or .jsonl) or a Hub dataset (NeelNanda/pile-10k)");
    auto tok = tokenizer::loadTokenizerFor(*source);
    if (!tok) return tok.error();
    data::CalibrationOptions co{c.effectiveNsamples(), c.effectiveSeqlen(), c.seed};
    if (co.seqlen > source->config().max_position_embeddings)
        log::warn("seqlen " + std::to_string(co.seqlen) + " exceeds the model's max_position_embeddings (" +
                  std::to_string(source->config().max_position_embeddings) + ")");
    auto set = data::calibrationSetFrom(c.datasets, **tok, co, cancel);
    if (!set) return set.error();
    for (const auto& w : set->warnings) log::warn(w);
    const std::int64_t n = static_cast<std::int64_t>(set->samples.size()), seqlen = co.seqlen;
    at::Tensor ids = at::empty({n, seqlen}, at::kLong);
    auto acc = ids.accessor<std::int64_t, 2>();
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t t = 0; t < seqlen; ++t) acc[i][t] = set->samples[i][t];
    auto shell = model::CausalLM::loadShell(source, dtype);
    if (!shell) return shell.error();
    at::NoGradGuard ng;
    at::Tensor inputs = (*shell)->embed(ids).contiguous();
    log::info(std::to_string(n) + " calibration samples of " + std::to_string(seqlen) + " tokens from " + std::to_string(set->sources.size()) +
              " file(s)");
    return inputs;
}

}  // namespace srs::job
