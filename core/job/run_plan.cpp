#include "core/job/run_plan.h"

#include <filesystem>
#include <map>

#include "core/data/dataset_source.h"
#include "core/export/gguf_plan.h"
#include "core/hub/hub_cache.h"
#include "core/io/model_check.h"
#include "core/io/read_text_file.h"
#include "core/quant/layer_config.h"

namespace fs = std::filesystem;

namespace srs::job {
namespace {

using SchemeMap = std::map<std::string, std::optional<quant::QuantScheme>>;

std::string blockLayerName(int block, const std::string& linear) { return "model.layers." + std::to_string(block) + "." + linear; }

// Every block linear with its shape, in block order.
Result<std::vector<PlannedLayer>> blockLayers(const io::WeightSource& source) {
    std::vector<PlannedLayer> layers;
    for (int k = 0; k < source.config().num_hidden_layers; ++k)
        for (const auto& l : io::decoderBlockLinearNames()) {
            PlannedLayer p;
            p.name = blockLayerName(k, l);
            p.block = k;
            auto shape = source.shape(p.name + ".weight");
            if (!shape) return shape.error();
            if (shape->size() != 2)
                return makeError(ErrorCode::CorruptFile, "tensor '" + p.name + ".weight' has " + std::to_string(shape->size()) +
                                                             " dimension(s) but a linear layer's weight has 2 [out_features, in_features]",
                                 "the weights file is damaged; download the model again");
            p.out_features = (*shape)[0];
            p.in_features = (*shape)[1];
            p.has_bias = source.has(p.name + ".bias");
            layers.push_back(std::move(p));
        }
    return layers;
}

// With a GGUF format, each layer is tuned in the scheme of the ggml type llama.cpp's mix gives
// it (FORMATS.md §5.5), as AutoRound does; keys the user gave in layer_config / fp_layers keep
// what they asked for. Returns the mix ("84× Q4_K, 14× Q6_K") for the log.
Result<std::string> applyGgufSchemes(const RunPlan& plan, const io::WeightSource& source, const ExportFormat& gguf,
                                     const nlohmann::json& layer_config, SchemeMap& schemes, std::map<std::string, std::string>& reasons) {
    std::vector<std::string> names;
    std::vector<exporter::GgufPlanInput> inputs;
    for (const auto& l : plan.layers) {
        names.push_back(l.name);
        inputs.push_back({l.name + ".weight", {l.out_features, l.in_features}});
    }
    const auto types = exporter::planGgufTypes(*gguf.gguf, source.config(), inputs);
    auto explicitly = quant::resolveLayerSchemes(names, quant::QuantScheme{}, layer_config, plan.config.fp_layers);
    if (!explicitly) return explicitly.error();
    const bool user_keys = !layer_config.empty() || !plan.config.fp_layers.empty();
    const quant::QuantScheme plain{};
    std::map<std::string, int> counts;
    for (const auto& n : names) {
        const auto& e = explicitly->at(n);
        const bool user_set = !e || e->bits != plain.bits || e->group_size != plain.group_size || e->sym != plain.sym;
        if (user_set && user_keys) continue;
        const auto type = types.at(n + ".weight");
        schemes[n] = exporter::schemeForGgmlType(type);
        if (schemes[n])
            reasons.erase(n);
        else
            reasons[n] = "a float type in " + gguf.name;
        ++counts[io::ggmlTypeName(static_cast<std::uint32_t>(type))];
    }
    std::string mix;
    for (const auto& [t, c] : counts) mix += (mix.empty() ? "" : ", ") + std::to_string(c) + "× " + t;
    return mix;
}

// Schemes from the default, layer_config, fp_layers and the first GGUF format; then layers a
// packed format cannot store stay in full precision.
Status planSchemes(RunPlan& plan, const io::WeightSource& source) {
    const JobConfig& c = plan.config;
    auto lc = quant::parseLayerConfigText(c.layer_config);
    if (!lc) return lc.error();
    std::vector<std::string> names;
    for (const auto& l : plan.layers) names.push_back(l.name);
    auto schemes = quant::resolveLayerSchemes(names, plan.default_scheme, *lc, c.fp_layers);
    if (!schemes) return schemes.error();
    std::map<std::string, std::string> reasons;
    for (const auto& [n, s] : *schemes)
        if (!s) reasons[n] = "layer_config / fp_layers";
    for (const auto& pe : plan.exports)
        if (pe.format.isGguf()) {
            auto mix = applyGgufSchemes(plan, source, pe.format, *lc, *schemes, reasons);
            if (!mix) return mix.error();
            plan.gguf_mix = *mix;
            break;
        }
    for (auto& l : plan.layers) {
        l.scheme = schemes->at(l.name);
        if (!l.scheme) {
            l.kept_reason = reasons[l.name];
            continue;
        }
        for (const auto& pe : plan.exports)
            if (!pe.format.isGguf())
                if (auto ok = exporter::checkPackable(pe.format.packed, l.out_features, l.in_features, l.scheme->bits, l.scheme->group_size); !ok) {
                    l.kept_reason = pe.format.name + " cannot store it: " + ok.error().message;
                    l.scheme.reset();
                    ++plan.kept_for_shape;
                    break;
                }
        plan.layers_quantized += l.scheme ? 1 : 0;
    }
    return {};
}

std::string packedFolderName(const JobConfig& c, const ExportFormat& f) {
    const std::string scheme = "w" + std::to_string(c.bits) + (c.group_size > 0 ? "g" + std::to_string(c.group_size) : "") + (c.sym ? "" : "-asym");
    return modelBaseName(c.model) + "-" + scheme + "-" + f.name;
}

// The model card of one export, all but the perplexities (measured after the export).
exporter::ModelCardInfo cardSkeleton(const std::string& source_readme, const JobConfig& c, const ExportFormat& f, const ExportFormat* first_gguf) {
    exporter::ModelCardInfo card;
    card.source_readme = source_readme;
    card.format = f.name;
    // A model downloaded into the Hub cache names its source: base_model in the card.
    std::error_code ec;
    const fs::path abs = fs::absolute(c.model, ec);
    card.base_model = hub::repoIdFromSnapshotPath((ec ? fs::path(c.model) : abs).lexically_normal().string());
    card.scheme = "W" + std::to_string(c.bits) + "A16 " + (c.group_size > 0 ? "G" + std::to_string(c.group_size) : std::string("per-channel")) +
                  (c.sym ? " sym" : " asym");
    if (f.isGguf()) {
        card.gguf_file = exporter::ggufExportFileName(*f.gguf, modelBaseName(c.model));
        // Only the first GGUF format of a run sets the tuning schemes.
        const bool first = first_gguf == nullptr || first_gguf->name == f.name;
        card.scheme = "llama.cpp " + f.gguf->name + " mix, " +
                      (first ? std::string("each layer tuned in its ggml type")
                             : "written from the layers tuned for " + first_gguf->gguf->name +
                                   " where its type is as coarse or coarser, from the original weights where finer");
    }
    card.recipe = c.recipe + " (" + std::to_string(c.effectiveIters()) + " iters, " + std::to_string(c.effectiveNsamples()) + " samples × " +
                  std::to_string(c.effectiveSeqlen()) + " tokens)";
    for (const auto& d : c.datasets) card.calibration.push_back(data::isHubDatasetValue(d) ? d : fs::path(d).filename().string());
    card.tool_version = SRS_VERSION;
    return card;
}

Status planExports(RunPlan& plan, const io::WeightSource& source, const std::vector<ExportFormat>& formats) {
    const ExportFormat* first_gguf = nullptr;
    for (const auto& f : formats)
        if (f.isGguf() && !first_gguf) first_gguf = &f;
    // The source's own card (license, tags, pipeline tag carry over), read once for all exports.
    // A README that is not a plain file of at most 16 MiB (a FIFO, a link to a device) is left out.
    std::string source_readme;
    if (!source.tokenizerFolder().empty())
        if (auto readme = io::readTextFile((fs::path(source.tokenizerFolder()) / "README.md").string(), io::kMaxConfigFileBytes); readme.ok())
            source_readme = std::move(*readme);
    for (const auto& f : formats) {
        PlannedExport pe;
        pe.format = f;
        pe.folder = f.isGguf() ? modelBaseName(plan.config.model) + "-gguf-" + f.gguf->name : packedFolderName(plan.config, f);
        pe.card = cardSkeleton(source_readme, plan.config, f, first_gguf);
        plan.exports.push_back(std::move(pe));
    }
    return {};
}

Status planExportBytes(RunPlan& plan, const io::WeightSource& source) {
    // The exporters read the model through a shared_ptr; this one borrows `source` for the call.
    std::shared_ptr<io::WeightSource> borrowed(std::shared_ptr<void>{}, const_cast<io::WeightSource*>(&source));
    const exporter::QuantizedModel qm = plannedModel(plan, borrowed, true);
    for (auto& pe : plan.exports) {
        auto bytes = makeExporter(plan, pe)->plannedBytes(qm);
        if (!bytes) return bytes.error().withContext(pe.format.name);
        pe.bytes = *bytes;
    }
    return {};
}

}  // namespace

Result<ComputeDevice> parseComputeDevice(const std::string& name) {
    if (name == "auto" || name.empty()) return ComputeDevice::Auto;
    if (name == "cpu") return ComputeDevice::Cpu;
    const bool digits = name.size() > 5 && name.size() <= 9 && name.find_first_not_of("0123456789", 5) == std::string::npos;
    if (name == "cuda" || (name.rfind("cuda:", 0) == 0 && digits)) return ComputeDevice::Cuda;
    return makeError(ErrorCode::InvalidArgument, "unknown device '" + name + "'", "use --device auto, cpu, cuda or cuda:N");
}

const PlannedLayer* RunPlan::layer(const std::string& name) const {
    for (const auto& l : layers)
        if (l.name == name) return &l;
    return nullptr;
}

std::vector<std::string> RunPlan::fullPrecisionLayers() const {
    std::vector<std::string> out;
    for (const auto& l : layers)
        if (!l.quantized()) out.push_back(l.name);
    return out;
}

std::string modelBaseName(const std::string& model) {
    fs::path mp(model);
    std::error_code ec;
    if (!fs::is_regular_file(mp, ec)) {
        // A Hub cache snapshot folder is named by its commit; the repository's name says which
        // model it is (and is how quantized repositories are named after their source).
        const fs::path abs = fs::absolute(mp, ec);
        const auto snapshot = hub::parseSnapshotPath((ec ? mp : abs).lexically_normal().generic_string());
        if (!snapshot.repo_id.empty() && snapshot.inner.empty()) return snapshot.repoName();
    }
    std::string base = fs::is_regular_file(mp, ec) ? mp.stem().string() : mp.filename().string();
    if (base.empty()) base = mp.parent_path().filename().string();
    return base;
}

Result<RunPlan> planRun(const io::WeightSource& source, const JobConfig& config) {
    RunPlan plan;
    plan.config = config;
    JobConfig& c = plan.config;
    SRS_TRY(applyRecipe(c));
    c.formats = requestedExportFormats(c.formats);
    auto formats = parseExportFormats(c.formats);
    if (!formats) return formats.error();
    auto device = parseComputeDevice(c.device);
    if (!device) return device.error();
    plan.device = *device;
    auto kernels = quant::parseKernelPath(c.kernels);
    if (!kernels) return kernels.error();
    plan.kernels = *kernels;
    plan.default_scheme = quant::QuantScheme{c.bits, c.group_size, c.sym};
    SRS_TRY(quant::validateScheme(plan.default_scheme));
    // Every tensor's rank and shape and the block count against config.json, before any shape is
    // indexed or any loop runs over num_hidden_layers (openWeightSource checks too; a source made
    // another way is checked here).
    SRS_TRY(io::checkWeightSource(source));
    plan.num_blocks = static_cast<int>(source.config().num_hidden_layers);
    auto layers = blockLayers(source);
    if (!layers) return layers.error();
    plan.layers = std::move(*layers);
    SRS_TRY(planExports(plan, source, *formats));
    SRS_TRY(planSchemes(plan, source));
    SRS_TRY(planExportBytes(plan, source));
    return plan;
}

exporter::QuantizedModel plannedModel(const RunPlan& plan, std::shared_ptr<io::WeightSource> source, bool with_layers) {
    const JobConfig& c = plan.config;
    exporter::QuantizedModel qm;
    qm.source = std::move(source);
    qm.scheme = plan.default_scheme;
    if (c.effectiveIters() != 200) qm.tuning["iters"] = c.effectiveIters();
    if (c.effectiveNsamples() != 128) qm.tuning["nsamples"] = c.effectiveNsamples();
    if (c.effectiveSeqlen() != 2048) qm.tuning["seqlen"] = c.effectiveSeqlen();
    if (c.batch_size != 8) qm.tuning["batch_size"] = c.batch_size;
    if (c.lr) qm.tuning["lr"] = *c.lr;
    if (c.minmax_lr) qm.tuning["minmax_lr"] = *c.minmax_lr;
    qm.fp_layers = plan.fullPrecisionLayers();
    if (!with_layers) return qm;
    for (const auto& l : plan.layers) {
        if (!l.scheme) continue;
        exporter::QuantizedLayer q;
        q.name = l.name;
        q.scheme = *l.scheme;
        q.out_features = l.out_features;
        q.in_features = l.in_features;
        q.has_bias = l.has_bias;
        qm.layers[l.name] = std::move(q);
    }
    return qm;
}

std::unique_ptr<exporter::Exporter> makeExporter(const RunPlan& plan, const PlannedExport& exp) {
    const std::string card = exporter::renderModelCard(exp.card);
    if (exp.format.isGguf()) {
        exporter::GgufExportOptions o;
        o.file_type = *exp.format.gguf;
        o.model_name = modelBaseName(plan.config.model);
        o.model_card = card;
        return std::make_unique<exporter::GgufExporter>(std::move(o));
    }
    exporter::PackedExportOptions o;
    o.format = exp.format.packed;
    o.model_card = card;
    return std::make_unique<exporter::PackedExporter>(std::move(o));
}

}  // namespace srs::job
