// signround quantize: SignRound (or RTN) quantization with AutoRound's flag names, block by
// block with a checkpoint after each; Ctrl-C stops cleanly and --resume continues.
#include <cstdio>

#include "app/cli/command.h"
#include "app/cli/job_printer.h"
#include "app/cli/signal_cancel.h"
#include "core/job/quant_job.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "core/quant/layer_config.h"

namespace {

int runQuantize(const std::vector<std::string>& argv);

const srs::cli::Command kQuantize{
    "quantize", "Quantize a model with SignRound (AutoRound's algorithm) and export it",
    "signround quantize --model PATH --dataset FILE|ORG/NAME[:split[:column]][,...] --output_dir DIR [--scheme W4A16] [--bits 4] [--group_size 128]\n"
    "           [--sym|--asym] [--recipe auto-round|auto-round-best|auto-round-light|auto-round-opt-rtn|rtn] [--iters 200] [--nsamples 128]\n"
    "           [--seqlen 2048] [--batch_size 8] [--gradient_accumulate_steps 1] [--lr X] [--minmax_lr X] [--seed 42]\n"
    "           [--layer_config JSON] [--fp_layers a,b] [--format auto_round[,auto_gptq,auto_awq,fake]] [--device cpu]\n"
    "           [--avg_bits 3.0 --options W2A16G64,W4A16,W8A16] [--disable_amp] [--disable_opt_rtn] [--disable_minmax_tuning] [--disable_quanted_input] [--not_use_best_mse] [--dynamic_max_gap N]\n"
    "           [--kernels auto|fused|reference]\n"
    "           [--eval_text FILE] [--eval_window 2048] [--run_dir DIR] [--resume] [--json]\n"
    "  --dataset takes local .txt / .jsonl files or Hub datasets (e.g. NeelNanda/pile-10k, read through the dataset viewer\n"
    "  and cached under $HF_HOME/signround/datasets-server).",
    runQuantize};
SRS_CLI_COMMAND(kQuantize);

int runQuantize(const std::vector<std::string>& argv) {
    srs::cli::Args a;
    std::string err;
    const std::set<std::string> values = {"model", "scheme", "bits", "group_size", "recipe", "iters", "nsamples", "seqlen", "batch_size",
                                          "gradient_accumulate_steps", "lr", "minmax_lr", "seed", "dataset", "layer_config", "fp_layers",
                                          "ignore_layers", "format", "device", "output_dir", "run_dir", "eval_text", "eval_window",
                                          "dynamic_max_gap", "avg_bits", "target_bits", "options", "kernels"};
    const std::set<std::string> bools = {"sym", "asym", "resume", "json", "disable_amp", "disable_minmax_tuning", "disable_quanted_input",
                                         "not_use_best_mse", "disable_opt_rtn"};
    if (!a.parse(argv, values, bools, &err)) return srs::cli::usageError(kQuantize, err);
    if (!a.get("model")) return srs::cli::usageError(kQuantize, "--model is required");
    if (!a.get("output_dir")) return srs::cli::usageError(kQuantize, "--output_dir is required");
    if (a.flag("sym") && a.flag("asym")) return srs::cli::usageError(kQuantize, "--sym and --asym exclude each other");

    srs::job::JobConfig c;
    c.model = *a.get("model");
    c.output_dir = *a.get("output_dir");
    if (auto s = a.get("scheme")) {  // explicit --bits / --group_size / --asym still win, as in AutoRound
        auto p = srs::quant::parsePreset(*s);
        if (!p) return srs::cli::fail(p.error().message, p.error().hint, 2);
        if (!*p) return srs::cli::fail("--scheme " + *s + " quantizes nothing", "use a W*A16 scheme", 2);
        c.scheme = *s;
        c.bits = (*p)->bits;
        c.group_size = (*p)->group_size;
        c.sym = (*p)->sym;
    }
    long long v = 0;
    auto geti = [&](const char* flag, auto setter) {
        if (!a.get(flag)) return true;
        if (!a.getInt(flag, &v, &err)) return false;
        setter(v);
        return true;
    };
    double d = 0;
    auto getd = [&](const char* flag, auto setter) {
        if (!a.get(flag)) return true;
        if (!a.getDouble(flag, &d, &err)) return false;
        setter(d);
        return true;
    };
    if (!geti("bits", [&](long long x) { c.bits = static_cast<int>(x); }) ||
        !geti("group_size", [&](long long x) { c.group_size = static_cast<int>(x); }) ||
        !geti("iters", [&](long long x) { c.iters = static_cast<int>(x); }) ||
        !geti("nsamples", [&](long long x) { c.nsamples = static_cast<int>(x); }) ||
        !geti("seqlen", [&](long long x) { c.seqlen = static_cast<int>(x); }) ||
        !geti("batch_size", [&](long long x) { c.batch_size = static_cast<int>(x); }) ||
        !geti("gradient_accumulate_steps", [&](long long x) { c.gradient_accumulate_steps = static_cast<int>(x); }) ||
        !geti("seed", [&](long long x) { c.seed = static_cast<std::uint64_t>(x); }) ||
        !geti("eval_window", [&](long long x) { c.eval_window = static_cast<int>(x); }) ||
        !geti("dynamic_max_gap", [&](long long x) { c.dynamic_max_gap = static_cast<int>(x); }) ||
        !getd("lr", [&](double x) { c.lr = x; }) || !getd("minmax_lr", [&](double x) { c.minmax_lr = x; }))
        return srs::cli::usageError(kQuantize, err);
    if (a.flag("asym")) c.sym = false;
    if (a.flag("sym")) c.sym = true;
    c.recipe = a.getOr("recipe", c.recipe);
    c.datasets = srs::cli::splitList(a.getOr("dataset", ""));
    c.layer_config = a.getOr("layer_config", "");
    c.fp_layers = srs::cli::splitList(a.getOr("fp_layers", a.getOr("ignore_layers", "")));
    if (auto f = a.get("format")) c.formats = srs::cli::splitList(*f);
    c.device = a.getOr("device", c.device);
    c.run_dir = a.getOr("run_dir", "");
    c.eval_text = a.getOr("eval_text", "");
    c.resume = a.flag("resume");
    if (a.flag("disable_amp")) c.amp_dtype = "float32";
    c.enable_minmax_tuning = !a.flag("disable_minmax_tuning");
    c.enable_quanted_input = !a.flag("disable_quanted_input");
    c.not_use_best_mse = a.flag("not_use_best_mse");
    if (a.flag("disable_opt_rtn")) c.disable_opt_rtn = true;
    if (auto k = a.get("kernels")) {  // fused quant-dequant and measured matmul backends, or plain LibTorch
        if (*k != "auto" && *k != "fused" && *k != "reference")
            return srs::cli::usageError(kQuantize, "unknown --kernels '" + *k + "': use auto, fused or reference");
        c.kernels = *k;
    }

    srs::CancelToken cancel;
    srs::cli::SignalCancel on_signal(cancel);  // Ctrl-C stops the AutoScheme search or the job at a safe point
    if (a.get("avg_bits") || a.get("target_bits")) {
        // AutoScheme first: its layer_config then drives the tuning and every export.
        if (!c.layer_config.empty()) return srs::cli::usageError(kQuantize, "--avg_bits chooses the layer_config itself; drop --layer_config");
        srs::quant::autoscheme::AutoSchemeOptions o;
        o.model = c.model;
        o.datasets = c.datasets;
        o.options = a.getOr("options", o.options);
        double avg = 0;
        if (!a.getDouble(a.get("avg_bits") ? "avg_bits" : "target_bits", &avg, &err)) return srs::cli::usageError(kQuantize, err);
        o.avg_bits = avg;
        c.avg_bits = avg;
        auto r = srs::quant::autoscheme::runAutoScheme(o, {}, cancel);
        if (!r) return srs::cli::fail(r.error().message, r.error().hint);
        c.layer_config = r->layer_config.dump();
        std::fprintf(stderr, "AutoScheme: %.4f bits per weight on average (target %.4f)\n", r->allocation.avg_bits(), avg);
    }
    srs::cli::JobPrinter printer(a.flag("json"));
    auto fin = srs::job::runQuantJob(c, printer, cancel);
    switch (fin.state) {
    case srs::job::JobState::Finished: return 0;
    case srs::job::JobState::Cancelled: return 130;
    default: return 1;
    }
}

}  // namespace
