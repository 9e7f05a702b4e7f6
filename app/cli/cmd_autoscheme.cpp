// signround autoscheme: per-layer sensitivity and the mixed-bit layer_config for a target
// average bit width, printed and written; `signround quantize --avg_bits` runs the same search
// and then tunes with the chosen mix.
#include <cstdio>

#include "app/cli/command.h"
#include "core/common/units.h"
#include "core/io/atomic_file.h"
#include "core/quant/autoscheme/autoscheme.h"

namespace {

int runAutoSchemeCmd(const std::vector<std::string>& argv);

const srs::cli::Command kAutoScheme{
    "autoscheme", "Choose per-layer bits for a target average (AutoScheme) and write the layer_config",
    "signround autoscheme --model PATH --dataset FILE[,FILE] --avg_bits 3.0 [--options W2A16G64,W4A16,W8A16] [--nsamples 16]\n"
    "           [--seqlen 256] [--batch_size 8] [--ignore_scale_zp_bits] [--output layer_config.json] [--json]",
    runAutoSchemeCmd};
SRS_CLI_COMMAND(kAutoScheme);

int runAutoSchemeCmd(const std::vector<std::string>& argv) {
    srs::cli::Args a;
    std::string err;
    if (!a.parse(argv, {"model", "dataset", "avg_bits", "target_bits", "options", "nsamples", "seqlen", "batch_size", "output", "seed"},
                 {"ignore_scale_zp_bits", "json"}, &err))
        return srs::cli::usageError(kAutoScheme, err);
    if (!a.get("model") || !a.get("dataset")) return srs::cli::usageError(kAutoScheme, "--model and --dataset are required");
    srs::quant::autoscheme::AutoSchemeOptions o;
    o.model = *a.get("model");
    o.datasets = srs::cli::splitList(*a.get("dataset"));
    o.options = a.getOr("options", o.options);
    double avg = 0;
    long long v = 0;
    if (!a.get("avg_bits") && !a.get("target_bits")) return srs::cli::usageError(kAutoScheme, "--avg_bits is required");
    if (!a.getDouble(a.get("avg_bits") ? "avg_bits" : "target_bits", &avg, &err)) return srs::cli::usageError(kAutoScheme, err);
    o.avg_bits = avg;
    if (!a.getInt("nsamples", &v, &err)) return srs::cli::usageError(kAutoScheme, err);
    if (a.get("nsamples")) o.nsamples = static_cast<int>(v);
    if (!a.getInt("seqlen", &v, &err)) return srs::cli::usageError(kAutoScheme, err);
    if (a.get("seqlen")) o.seqlen = static_cast<int>(v);
    if (!a.getInt("batch_size", &v, &err)) return srs::cli::usageError(kAutoScheme, err);
    if (a.get("batch_size")) o.batch_size = static_cast<int>(v);
    o.ignore_scale_zp_bits = a.flag("ignore_scale_zp_bits");
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
