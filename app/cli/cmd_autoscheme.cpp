// signround autoscheme: per-layer sensitivity and the mixed-bit layer_config for a target
// average bit width, printed and written; `signround quantize --avg_bits` runs the same search
// and then tunes with the chosen mix.
#include <cstdio>

#include "app/cli/command.h"
#include "core/device/device_choice_torch.h"
#include "core/common/units.h"
#include "core/io/atomic_file.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "core/quant/autoscheme/bit_allocation.h"

namespace {

int runAutoSchemeCmd(const std::vector<std::string>& argv);

const srs::cli::Command kAutoScheme{
    "autoscheme", "Choose per-layer bits for a target average (AutoScheme) and write the layer_config",
    "signround autoscheme --model PATH --dataset FILE[,FILE] --avg_bits 3.0 [--options W2A16G64,W4A16,W8A16] [--nsamples 16]\n"
    "           [--seqlen 256] [--batch_size 8] [--seed 42] [--ignore_scale_zp_bits] [--output layer_config.json] [--json]\n"
    "           [--device auto|cpu|cuda|cuda:N]\n"
    "  Allowed: --avg_bits (or --target_bits) 2 to 16, --nsamples 1 to 65536, --seqlen 2 to 1048576, --batch_size 1 to 65536, --seed 0 or more.\n"
    "  `signround quantize --avg_bits` takes the same flags (--autoscheme_nsamples / _seqlen / _batch_size / _output there).",
    runAutoSchemeCmd};
SRS_CLI_COMMAND(kAutoScheme);

int runAutoSchemeCmd(const std::vector<std::string>& argv) {
    srs::cli::Args a;
    std::string err;
    if (!a.parse(argv, {"model", "dataset", "avg_bits", "target_bits", "options", "nsamples", "seqlen", "batch_size", "output", "seed", "device"},
                 {"ignore_scale_zp_bits", "json"}, &err))
        return srs::cli::usageError(kAutoScheme, err);
    if (!a.get("model") || !a.get("dataset")) return srs::cli::usageError(kAutoScheme, "--model and --dataset are required");
    if (!a.positional().empty()) return srs::cli::usageError(kAutoScheme, "unexpected argument '" + a.positional().front() + "'");
    if (!a.get("avg_bits") && !a.get("target_bits")) return srs::cli::usageError(kAutoScheme, "--avg_bits is required");
    if (a.get("avg_bits") && a.get("target_bits")) return srs::cli::usageError(kAutoScheme, "--target_bits is another name for --avg_bits: give one");
    using namespace srs::cli::limits;
    srs::quant::autoscheme::AutoSchemeOptions o;
    o.model = *a.get("model");
    o.datasets = srs::cli::splitList(*a.get("dataset"));
    o.options = a.getOr("options", o.options);
    o.ignore_scale_zp_bits = a.flag("ignore_scale_zp_bits");
    o.device = a.getOr("device", o.device);
    if (auto d = srs::device::resolveDevice(o.device, srs::device::currentDeviceAvailability()); !d) return srs::cli::fail(d.error().message, d.error().hint);
    if (!a.getDouble(a.get("avg_bits") ? "avg_bits" : "target_bits", kAvgBits, &o.avg_bits, &err) ||
        !a.getInt("nsamples", kNsamples, &o.nsamples, &err) || !a.getInt("seqlen", kSeqlen, &o.seqlen, &err) ||
        !a.getInt("batch_size", kBatchSize, &o.batch_size, &err) || !a.getInt("seed", kSeed, &o.seed, &err))
        return srs::cli::usageError(kAutoScheme, err);
    // Checked before the scoring: the options, and that --output can be written where it points.
    if (auto opts = srs::quant::autoscheme::parseSchemeOptions(o.options); !opts) return srs::cli::fail(opts.error().message, opts.error().hint);
    if (auto out = a.get("output")) {
        if (auto e = srs::cli::checkOutputFile("output", *out); !e.empty()) return srs::cli::usageError(kAutoScheme, e);
    }
    auto r = srs::quant::autoscheme::runAutoScheme(o, [&](const std::string& what, int, int) {
        if (!a.flag("json")) std::fprintf(stderr, "%s\n", what.c_str());
    });
    if (!r) return srs::cli::fail(r.error().message, r.error().hint);
    if (auto out = a.get("output")) {
        auto w = srs::io::writeFileAtomic(*out, r->layer_config.dump(2));
        if (!w) return srs::cli::fail(w.error().message, w.error().hint);
    }
    if (a.flag("json")) {
        std::printf("%s\n", r->layer_config.dump(2).c_str());
        return 0;
    }
    std::printf("%-40s", "layer");
    for (const auto& opt : r->options) std::printf(" %12s", opt.name.c_str());
    std::printf("  chosen\n");
    for (const auto& l : r->layers) {
        std::printf("%-40s", l.name.c_str());
        for (double s : l.scores) std::printf(" %12.4g", s);
        std::printf("  %s\n", r->options[l.chosen].name.c_str());
    }
    std::printf("average %.4f bits per weight (target %.4f, scale/zero bits %s), summed sensitivity %.4g\n", r->allocation.avg_bits(),
                o.avg_bits, o.ignore_scale_zp_bits ? "ignored" : "counted", r->allocation.total_loss);
    std::printf("scores %s in %s\n", r->scores_from_cache ? "from cache" : "computed", srs::units::formatDuration(r->scoring_ms).c_str());
    return 0;
}

}  // namespace
