// The plan of a quantization run, made once before anything is computed, from the model's
// shapes and the settings alone. Decided here: the effective settings (recipe filled in, export
// formats normalised), every decoder-block linear layer with its QuantScheme or the reason it
// stays in full precision (default scheme, layer_config, fp_layers, the first GGUF format's
// per-tensor ggml types, packed formats that cannot store a shape), the device and kernel path,
// and per export its typed format, folder name, model card (all but the measured perplexities)
// and the bytes it will take on disk.
//
// Not decided here: which calibration samples are drawn, what tuning finds, measured
// perplexities, and time and memory (the estimator adds a cost model to this plan). The pipeline,
// the estimate, the Configure page's checks and `signround export` all start from planRun, so
// an estimate and a run cannot disagree on layers, schemes, names or sizes. Plain C++, no torch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/export/exporter.h"
#include "core/export/model_card.h"
#include "core/export/quantized_model.h"
#include "core/io/weight_source.h"
#include "core/job/export_format.h"
#include "core/job/job_config.h"
#include "core/quant/quant_scheme.h"

namespace srs::job {

enum class ComputeDevice { Auto, Cpu, Cuda };
// "auto", "cpu", "cuda" or "cuda:N"; anything else is an error that lists them. Whether a CUDA
// device is usable is device::resolveDevice's question (the job asks it before planning).
Result<ComputeDevice> parseComputeDevice(const std::string& name);

struct PlannedLayer {
    std::string name;  // "model.layers.0.self_attn.q_proj"
    int block = 0;
    std::int64_t out_features = 0;
    std::int64_t in_features = 0;
    bool has_bias = false;
    std::optional<quant::QuantScheme> scheme;  // nullopt: kept in full precision
    std::string kept_reason;                   // why, when kept

    bool quantized() const { return scheme.has_value(); }
};

struct PlannedExport {
    ExportFormat format;
    std::string folder;             // the export's folder name inside output_dir
    exporter::ModelCardInfo card;   // README.md beside the export, without perplexities
    std::uint64_t bytes = 0;        // every file of the folder, the card as planned included
};

struct RunPlan {
    JobConfig config;  // applyRecipe done, formats normalised (requestedExportFormats)
    ComputeDevice device = ComputeDevice::Cpu;
    quant::KernelPath kernels = quant::KernelPath::Fused;
    quant::QuantScheme default_scheme;
    int num_blocks = 0;
    std::vector<PlannedLayer> layers;  // every decoder-block linear, block by block, in forward order
    int layers_quantized = 0;
    int kept_for_shape = 0;  // layers a packed format cannot store
    std::string gguf_mix;    // "84× Q4_K, 14× Q6_K" when a GGUF format set the schemes
    std::vector<PlannedExport> exports;

    const PlannedLayer* layer(const std::string& name) const;
    std::vector<std::string> fullPrecisionLayers() const;
};

// The model's name for file and folder names: a .gguf file's stem, the repository's name for a
// Hub cache snapshot folder (…/models--org--name/snapshots/<commit> gives "name"), else the
// folder's name.
std::string modelBaseName(const std::string& model);

// Errors: a bad scheme, layer_config, export format, device or kernel path (the message says
// which), a block linear missing from the model or not a matrix.
Result<RunPlan> planRun(const io::WeightSource& source, const JobConfig& config);

// The exporters' view of a run before its data exists: default scheme, tuning settings and
// full-precision layers; with_layers adds every planned layer's scheme and shape (no data).
exporter::QuantizedModel plannedModel(const RunPlan& plan, std::shared_ptr<io::WeightSource> source, bool with_layers);

// The exporter that writes `exp` (its card rendered inside, so the folder is whole when it appears).
std::unique_ptr<exporter::Exporter> makeExporter(const RunPlan& plan, const PlannedExport& exp);

}  // namespace srs::job
