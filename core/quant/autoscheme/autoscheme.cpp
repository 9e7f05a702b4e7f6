#include "core/quant/autoscheme/autoscheme.h"

#include "core/device/device_choice_torch.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "core/data/calibration.h"
#include "core/data/dataset_source.h"
#include "core/io/atomic_file.h"
#include "core/io/weight_source.h"
#include "core/model/llama_model.h"
#include "core/quant/nonfinite.h"
#include "core/quant/quant_math.h"
#include "core/tokenizer/load_tokenizer.h"

namespace fs = std::filesystem;

namespace srs::quant::autoscheme {
namespace {

std::string cacheKey(const AutoSchemeOptions& o, const std::vector<SchemeOption>& opts) {
    std::string key = fs::absolute(o.model).string();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(o.model, ec))
        if (e.path().extension() == ".safetensors" || e.path().extension() == ".gguf")
            key += "|" + e.path().filename().string() + ":" + std::to_string(e.file_size(ec));
    if (fs::is_regular_file(o.model, ec)) key += ":" + std::to_string(fs::file_size(o.model, ec));
    for (const auto& d : o.datasets) key += "|" + fs::absolute(d).string() + ":" + std::to_string(fs::file_size(d, ec));
    key += "|" + std::to_string(o.nsamples) + "|" + std::to_string(o.seqlen) + "|" + std::to_string(o.seed);
    for (const auto& s : opts) {
        // Full precision keys as it always has: 16 bits, group 0, sym.
        const int bits = s.storedBits(), gs = s.scheme ? s.scheme->group_size : 0;
        const bool sym = s.scheme ? s.scheme->sym : true;
        key += "|" + std::to_string(bits) + "g" + std::to_string(gs) + (sym ? "s" : "a");
    }
    return std::to_string(std::hash<std::string>{}(key));
}

// Scores are gradients × deviations: a weight, a quantized weight, a loss or a score that is not
// finite would make the allocation meaningless (or impossible); it is named instead.
const char* const kBadWeightsHint =
    "a model holding NaN or infinity cannot be scored or quantized: the model file is damaged or was saved from a diverged training run";
const char* const kScaleHint =
    "a finite weight whose quantized form is not needs a scale past float16's 65504: weights this large are no trained values; check the model file";
const char* const kOverflowHint =
    "the model's weights or the calibration data drive its activations past float32's range; check the model file "
    "(signround eval on it shows whether its own outputs are finite)";
Status checkFinite(const at::Tensor& t, const std::string& what, const char* hint) {
    if (allFinite(t)) return {};
    return makeError(ErrorCode::InvalidArgument, what + " holds " + describeNonFinite(t), hint);
}
std::string layerName(int k, const std::string& l) {
    return "block " + std::to_string(k + 1) + ", layer model.layers." + std::to_string(k) + "." + l;
}

std::string cacheDir(const AutoSchemeOptions& o) {
    if (!o.cache_dir.empty()) return o.cache_dir;
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    std::string base = xdg && *xdg ? xdg : (home ? std::string(home) + "/.cache" : "/tmp");
    return base + "/signround-studio/autoscheme";
}

}  // namespace

Result<AutoSchemeResult> runAutoScheme(const AutoSchemeOptions& o, const AutoSchemeProgress& progress, const CancelToken& cancel) {
    const auto t0 = std::chrono::steady_clock::now();
    AutoSchemeResult res;
    auto opts = parseSchemeOptions(o.options);
    if (!opts) return opts.error();
    res.options = *opts;
    auto source = io::openWeightSource(o.model);
    if (!source) return source.error();
    const auto& cfg = (*source)->config();
    std::vector<std::string> names;
    for (int k = 0; k < cfg.num_hidden_layers; ++k)
        for (const auto& l : model::blockLinearNames()) names.push_back("model.layers." + std::to_string(k) + "." + l);
    for (const auto& n : names) {
        auto shape = (*source)->shape(n + ".weight");
        if (!shape) return shape.error();
        if (shape->size() != 2)  // openWeightSource has refused such a model; never index a shape unchecked
            return makeError(ErrorCode::CorruptFile, "tensor '" + n + ".weight' is not a matrix", "the weights file is damaged");
        res.layers.push_back({n, (*shape)[0] * (*shape)[1], {}, 0});
    }

    const std::string cache_file = cacheDir(o) + "/" + cacheKey(o, res.options) + ".json";
    if (auto cached = io::readFile(cache_file); cached.ok()) {
        try {
            auto j = nlohmann::json::parse(*cached);
            for (auto& l : res.layers) l.scores = j.at(l.name).get<std::vector<double>>();
            res.scores_from_cache = true;
        } catch (const std::exception&) {
            for (auto& l : res.layers) l.scores.clear();  // a damaged cache is recomputed
        }
    }
    if (!res.scores_from_cache) {
        auto tok = tokenizer::loadTokenizerFor(**source);
        if (!tok) return tok.error();
        auto calib = data::calibrationSetFrom(o.datasets, **tok, {o.nsamples, o.seqlen, o.seed}, cancel);
        if (!calib) return calib.error();
        auto chosen = device::resolveDevice(o.device, device::currentDeviceAvailability());
        if (!chosen) return chosen.error();
        auto m = model::CausalLM::load(*source, at::kFloat);
        if (!m) return m.error();
        try {
            const c10::Device dev = chosen->cuda ? c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(chosen->index)) : c10::Device(c10::kCPU);
            (*m)->to(dev);
            const std::int64_t n = static_cast<std::int64_t>(calib->samples.size()), T = o.seqlen;
            at::Tensor ids = at::empty({n, T}, at::kLong);
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t t = 0; t < T; ++t) ids[i][t] = calib->samples[i][t];
            ids = ids.to(dev);
            auto [cos, sin] = (*m)->rope().cosSin(at::arange(T, at::kLong));
            cos = cos.to(dev);
            sin = sin.to(dev);
            for (auto& l : res.layers) l.scores.assign(res.options.size(), 0.0);
            for (std::size_t oi = 0; oi < res.options.size(); ++oi) {
                const SchemeOption& so = res.options[oi];
                if (so.full_precision()) continue;  // not quantized: no loss
                if (progress) progress("scoring " + so.name, static_cast<int>(oi), static_cast<int>(res.options.size()));
                // Quantized weights as leaves that collect gradients, and their deviation.
                std::vector<std::map<std::string, at::Tensor>> ov(cfg.num_hidden_layers);
                std::vector<std::map<std::string, at::Tensor>> dev(cfg.num_hidden_layers);
                for (int k = 0; k < cfg.num_hidden_layers; ++k)
                    for (const auto& l : model::blockLinearNames()) {
                        at::Tensor w = (*m)->block(k).weight(l);
                        SRS_TRY(checkFinite(w, layerName(k, l) + ": the source tensor model.layers." + std::to_string(k) + "." + l + ".weight",
                                            kBadWeightsHint));
                        at::Tensor q = rtn(w, *so.scheme).weight.detach();
                        SRS_TRY(checkFinite(q, layerName(k, l) + ": its " + so.name + " round-to-nearest weight", kScaleHint));
                        dev[k][l] = (w - q).abs();
                        ov[k][l] = q.requires_grad_(true);
                    }
                for (std::int64_t b = 0; b < n; b += o.batch_size) {
                    SRS_TRY(cancel.check("scoring layers"));
                    at::Tensor x = ids.narrow(0, b, std::min<std::int64_t>(o.batch_size, n - b));
                    at::Tensor h = (*m)->embed(x);
                    for (int k = 0; k < cfg.num_hidden_layers; ++k) h = (*m)->block(k).forward(h, cos, sin, &ov[k]);
                    at::Tensor logits = (*m)->head(h);
                    at::Tensor loss = at::cross_entropy_loss(logits.narrow(1, 0, T - 1).reshape({-1, logits.size(-1)}),
                                                             x.narrow(1, 1, T - 1).reshape({-1}));
                    if (const double v = loss.item<double>(); !std::isfinite(v))
                        return makeError(ErrorCode::InvalidArgument,
                                         "AutoScheme: the model's loss with " + so.name + " weights on calibration samples " + std::to_string(b + 1) + "-" +
                                             std::to_string(b + x.size(0)) + " came out " + formatValue(v) + " (its linear layers' weights are finite: a norm weight is not, or its activations overflow float32)",
                                         kOverflowHint);
                    loss.backward();
                }
                std::size_t li = 0;
                for (int k = 0; k < cfg.num_hidden_layers; ++k)
                    for (const auto& l : model::blockLinearNames()) {
                        const double score = (ov[k][l].grad().abs() * dev[k][l]).sum().item<double>();
                        if (!std::isfinite(score))
                            return makeError(ErrorCode::InvalidArgument,
                                             layerName(k, l) + ": its " + so.name + " sensitivity (gradient × deviation) came out " + formatValue(score) +
                                                 " (the backward pass overflows float32)",
                                             kOverflowHint);
                        res.layers[li++].scores[oi] = score;
                    }
            }
        } catch (const std::exception& e) {
            return makeError(ErrorCode::Internal, std::string("AutoScheme scoring failed: ") + e.what());
        }
        nlohmann::json j = nlohmann::json::object();
        for (const auto& l : res.layers) j[l.name] = l.scores;
        std::error_code ec;
        fs::create_directories(cacheDir(o), ec);
        (void)io::writeFileAtomic(cache_file, j.dump());  // a cache that cannot be written only costs time
    }
    res.scoring_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();

    std::vector<AllocationUnit> units;
    for (const auto& l : res.layers) {
        auto shape = (*source)->shape(l.name + ".weight");
        if (!shape) return shape.error();
        if (shape->size() != 2) return makeError(ErrorCode::CorruptFile, "tensor '" + l.name + ".weight' is not a matrix", "the weights file is damaged");
        units.push_back({{{l.name, (*shape)[0], (*shape)[1]}}, l.scores});
    }
    auto alloc = allocateBits(units, res.options, o.avg_bits, o.ignore_scale_zp_bits);
    if (!alloc) return alloc.error();
    res.allocation = *alloc;
    for (std::size_t i = 0; i < res.layers.size(); ++i) res.layers[i].chosen = alloc->choice[i];
    res.layer_config = toLayerConfig(units, res.options, *alloc);
    return res;
}

}  // namespace srs::quant::autoscheme
