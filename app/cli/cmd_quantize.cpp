// signround quantize: SignRound (or RTN) quantization with AutoRound's flag names, block by
// block with a checkpoint after each; Ctrl-C stops cleanly and --resume continues.
#include <cstdio>
#include <limits>

#include "app/cli/command.h"
#include "app/cli/job_printer.h"
#include "app/cli/signal_cancel.h"
#include "core/device/device_choice_torch.h"
#include "core/dist/dist_env.h"
#include "core/io/atomic_file.h"
#include "core/job/export_format.h"
#include "core/job/quant_job.h"
#include "core/job/run_plan.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "core/quant/autoscheme/bit_allocation.h"
#include "core/quant/layer_config.h"
#include "core/quant/quant_scheme.h"

namespace {

int runQuantize(const std::vector<std::string>& argv);

const srs::cli::Command kQuantize{
    "quantize", "Quantize a model with SignRound (AutoRound's algorithm) and export it",
    "signround quantize --model PATH --dataset FILE|ORG/NAME[:split[:column]][,...] --output_dir DIR [--scheme W4A16] [--bits 4] [--group_size 128]\n"
    "           [--sym|--asym] [--recipe auto-round|auto-round-best|auto-round-light|auto-round-opt-rtn|rtn] [--iters 200] [--nsamples 128]\n"
    "           [--seqlen 2048] [--batch_size 8] [--gradient_accumulate_steps 1] [--lr X] [--minmax_lr X] [--seed 42]\n"
    "           [--layer_config JSON] [--fp_layers a,b] [--format auto_round[,auto_gptq,auto_awq,fake]] [--device auto|cpu|cuda|cuda:N]\n"
    "           [--avg_bits 3.0 [--options W2A16G64,W4A16,W8A16] [--ignore_scale_zp_bits] [--autoscheme_nsamples 16] [--autoscheme_seqlen 256]\n"
    "            [--autoscheme_batch_size 8] [--autoscheme_output layer_config.json]]\n"
    "           [--disable_amp] [--disable_opt_rtn] [--disable_minmax_tuning] [--disable_quanted_input] [--not_use_best_mse] [--dynamic_max_gap N]\n"
    "           [--kernels auto|fused|reference]\n"
    "           [--eval_text FILE] [--eval_window 2048] [--run_dir DIR] [--resume] [--json] [--dist_timeout 60] [--dist_backend auto|gloo|nccl]\n"
    "  --dataset takes local .txt / .jsonl files or Hub datasets (e.g. NeelNanda/pile-10k, read through the dataset viewer\n"
    "  and cached under $HF_HOME/signround/datasets-server).\n"
    "  --avg_bits runs AutoScheme first (as `signround autoscheme` with the same flags; its sample counts are\n"
    "  --autoscheme_nsamples / _seqlen / _batch_size, --seed is shared) and tunes with the layer_config it chooses.\n"
    "  Allowed: --bits 2 to 8 (2, 3, 4, 8 for auto_round / auto_gptq / auto_awq), --group_size -1 or 1 to 1048576, --iters 0 to 1000000,\n"
    "  --device auto (the default) takes the first CUDA device LibTorch can use, else the CPU; cuda / cuda:N insist on a GPU.\n"
    "  --nsamples 1 to 65536, --seqlen 2 to 1048576, --lr / --minmax_lr > 0, --avg_bits (or --target_bits) 2 to 16, --eval_window 2 to 1048576.\n"
    "  Several ranks (data-parallel tuning): started by `signround launch --nproc N quantize ...`, torchrun or srun, read from RANK / WORLD_SIZE /\n"
    "  LOCAL_RANK / MASTER_ADDR / MASTER_PORT or SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID and the node list; rank 0 writes every file.\n"
    "  --dist_timeout (5 to 86400 s): a rank that fails, hangs or loses the master ends the others within about that long.",
    runQuantize};
SRS_CLI_COMMAND(kQuantize);

// A rank other than 0 of a distributed run: it keeps quiet (rank 0 reports the run) but for why
// it stopped, if it did not finish.
class RankPrinter : public srs::job::JobObserver {
public:
    explicit RankPrinter(const srs::dist::DistSpec& d) : rank_(d.rank), world_(d.world_size) {}
    void onFinished(const srs::job::JobFinished& e) override {
        if (e.state == srs::job::JobState::Finished) return;
        std::fprintf(stderr, "rank %d of %d: %s: %s\n", rank_, world_, e.state == srs::job::JobState::Cancelled ? "cancelled" : "error",
                     e.message.c_str());
        if (!e.hint.empty()) std::fprintf(stderr, "rank %d of %d: hint: %s\n", rank_, world_, e.hint.c_str());
    }

private:
    int rank_, world_;
};

// Runs AutoScheme (when asked) and then the job, after every flag passed its checks.
int quantizeChecked(const srs::cli::Args& a, srs::job::JobConfig& c, const srs::quant::autoscheme::AutoSchemeOptions* o,
                    const srs::dist::DistSpec& dist) {
    srs::CancelToken cancel;
    srs::cli::SignalCancel on_signal(cancel);  // Ctrl-C stops the AutoScheme search or the job at a safe point
    if (o) {
        srs::quant::autoscheme::AutoSchemeOptions mine = *o;
        // Each rank of a run on GPUs scores on its own GPU, as it tunes there.
        if (dist.active() && (mine.device == "auto" || mine.device == "cuda") && srs::device::currentDeviceAvailability().torch_cuda_devices > 0)
            mine.device = "cuda:" + std::to_string(dist.local_rank);
        auto r = srs::quant::autoscheme::runAutoScheme(mine, {}, cancel);
        if (!r) return srs::cli::fail(r.error().message, r.error().hint, r.error().code == srs::ErrorCode::Cancelled ? 130 : 1);
        c.layer_config = r->layer_config.dump();
        std::fprintf(stderr,
                     "AutoScheme: %.4f bits per weight on average (target %.4f, scale/zero bits %s; options %s; %d samples x %d tokens, "
                     "batch %d, seed %llu; scores %s)\n",
                     r->allocation.avg_bits(), o->avg_bits, o->ignore_scale_zp_bits ? "ignored" : "counted", o->options.c_str(), o->nsamples,
                     o->seqlen, o->batch_size, static_cast<unsigned long long>(o->seed), r->scores_from_cache ? "from cache" : "computed");
        if (auto out = a.get("autoscheme_output"); out && dist.isMaster()) {
            auto w = srs::io::writeFileAtomic(*out, r->layer_config.dump(2));
            if (!w) return srs::cli::fail(w.error().message, w.error().hint);
        }
    }
    srs::cli::JobPrinter printer(a.flag("json"));
    RankPrinter quiet(dist);
    srs::job::JobObserver& observer = dist.isMaster() ? static_cast<srs::job::JobObserver&>(printer) : quiet;
    auto fin = dist.active() ? srs::job::runDistributedQuantJob(c, dist, observer, cancel) : srs::job::runQuantJob(c, observer, cancel);
    switch (fin.state) {
    case srs::job::JobState::Finished: return 0;
    case srs::job::JobState::Cancelled: return 130;
    default: return 1;
    }
}

// The numeric flags into the config, each range-checked; false with the first bad one's message.
bool readNumbers(const srs::cli::Args& a, srs::job::JobConfig& c, std::string* err) {
    using namespace srs::cli::limits;
    const srs::cli::RealRange lr{0.0, std::numeric_limits<double>::infinity(), /*min_open=*/true};
    return a.getInt("bits", kBits, &c.bits, err) && a.getInt("group_size", kGroupSize, &c.group_size, err) &&
           a.getInt("iters", kIters, &c.iters, err) && a.getInt("nsamples", kNsamples, &c.nsamples, err) &&
           a.getInt("seqlen", kSeqlen, &c.seqlen, err) && a.getInt("batch_size", kBatchSize, &c.batch_size, err) &&
           a.getInt("gradient_accumulate_steps", srs::cli::IntRange{1, 65536}, &c.gradient_accumulate_steps, err) &&
           a.getInt("seed", kSeed, &c.seed, err) && a.getInt("eval_window", kWindow, &c.eval_window, err) &&
           a.getInt("dynamic_max_gap", srs::cli::IntRange{1, kIters.max, "off"}, &c.dynamic_max_gap, err) &&
           a.getDouble("lr", lr, &c.lr, err) && a.getDouble("minmax_lr", lr, &c.minmax_lr, err);
}

// AutoScheme's options from quantize's flags: every flag `signround autoscheme` takes. Its sample
// counts have their own names here (--nsamples / --seqlen / --batch_size are the tuning's);
// --seed, --dataset and --model are shared with the run.
bool readAutoScheme(const srs::cli::Args& a, const srs::job::JobConfig& c, srs::quant::autoscheme::AutoSchemeOptions* o, std::string* err) {
    using namespace srs::cli::limits;
    o->model = c.model;
    o->datasets = c.datasets;
    o->seed = c.seed;
    o->device = c.device;  // AutoScheme scores where the run tunes
    o->options = a.getOr("options", o->options);
    o->ignore_scale_zp_bits = a.flag("ignore_scale_zp_bits");
    return a.getDouble(a.get("avg_bits") ? "avg_bits" : "target_bits", kAvgBits, &o->avg_bits, err) &&
           a.getInt("autoscheme_nsamples", kNsamples, &o->nsamples, err) && a.getInt("autoscheme_seqlen", kSeqlen, &o->seqlen, err) &&
           a.getInt("autoscheme_batch_size", kBatchSize, &o->batch_size, err);
}

// What the core would reject at its start, checked before AutoScheme or the run does any work:
// the recipe, the formats, the device, the scheme and the scheme options (the core's own
// messages and hints; exit 1 as when the core reports them).
srs::Status checkSettings(const srs::job::JobConfig& c, const srs::quant::autoscheme::AutoSchemeOptions* o) {
    srs::job::JobConfig probe = c;
    SRS_TRY(srs::job::applyRecipe(probe));
    if (auto f = srs::job::parseExportFormats(srs::job::requestedExportFormats(c.formats)); !f) return f.error();
    if (auto d = srs::device::resolveDevice(c.device, srs::device::currentDeviceAvailability()); !d) return d.error();
    SRS_TRY(srs::quant::validateScheme({c.bits, c.group_size, c.sym}));
    if (o) {
        if (auto opts = srs::quant::autoscheme::parseSchemeOptions(o->options); !opts) return opts.error();
    }
    return {};
}

// The files the flags name: the evaluation text must be readable, AutoScheme's output writable.
std::string checkFiles(const srs::cli::Args& a, const srs::job::JobConfig& c) {
    if (!c.eval_text.empty()) {
        if (auto e = srs::cli::checkInputFile("eval_text", c.eval_text); !e.empty()) return e;
    }
    if (auto out = a.get("autoscheme_output")) return srs::cli::checkOutputFile("autoscheme_output", *out);
    return {};
}

int runQuantize(const std::vector<std::string>& argv) {
    srs::cli::Args a;
    std::string err;
    const std::set<std::string> values = {"model", "scheme", "bits", "group_size", "recipe", "iters", "nsamples", "seqlen", "batch_size",
                                          "gradient_accumulate_steps", "lr", "minmax_lr", "seed", "dataset", "layer_config", "fp_layers",
                                          "ignore_layers", "format", "device", "output_dir", "run_dir", "eval_text", "eval_window",
                                          "dynamic_max_gap", "avg_bits", "target_bits", "options", "kernels", "autoscheme_nsamples",
                                          "autoscheme_seqlen", "autoscheme_batch_size", "autoscheme_output", "dist_timeout", "dist_backend"};
    const std::set<std::string> bools = {"sym", "asym", "resume", "json", "disable_amp", "disable_minmax_tuning", "disable_quanted_input",
                                         "not_use_best_mse", "disable_opt_rtn", "ignore_scale_zp_bits"};
    if (!a.parse(argv, values, bools, &err)) return srs::cli::usageError(kQuantize, err);
    if (!a.positional().empty()) return srs::cli::usageError(kQuantize, "unexpected argument '" + a.positional().front() + "'");
    if (!a.get("model")) return srs::cli::usageError(kQuantize, "--model is required");
    if (!a.get("output_dir")) return srs::cli::usageError(kQuantize, "--output_dir is required");
    if (a.flag("sym") && a.flag("asym")) return srs::cli::usageError(kQuantize, "--sym and --asym exclude each other");
    const bool autoscheme = a.get("avg_bits") || a.get("target_bits");
    if (a.get("avg_bits") && a.get("target_bits")) return srs::cli::usageError(kQuantize, "--target_bits is another name for --avg_bits: give one");
    for (const char* f : {"options", "autoscheme_nsamples", "autoscheme_seqlen", "autoscheme_batch_size", "autoscheme_output"})
        if (!autoscheme && a.get(f)) return srs::cli::usageError(kQuantize, std::string("--") + f + " belongs to AutoScheme: give --avg_bits too");
    if (!autoscheme && a.flag("ignore_scale_zp_bits"))
        return srs::cli::usageError(kQuantize, "--ignore_scale_zp_bits belongs to AutoScheme: give --avg_bits too");

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
    if (!readNumbers(a, c, &err)) return srs::cli::usageError(kQuantize, err);
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
    srs::quant::autoscheme::AutoSchemeOptions o;
    if (autoscheme) {
        // AutoScheme first: its layer_config then drives the tuning and every export.
        if (!c.layer_config.empty()) return srs::cli::usageError(kQuantize, "--avg_bits chooses the layer_config itself; drop --layer_config");
        if (!readAutoScheme(a, c, &o, &err)) return srs::cli::usageError(kQuantize, err);
        c.avg_bits = o.avg_bits;
    }
    if (auto e = checkFiles(a, c); !e.empty()) return srs::cli::usageError(kQuantize, e);
    if (auto s = checkSettings(c, autoscheme ? &o : nullptr); !s) return srs::cli::fail(s.error().message, s.error().hint);
    auto dist = srs::dist::detectDistEnv();
    if (!dist) return srs::cli::fail(dist.error().message, dist.error().hint, 2);
    if (!a.getInt("dist_timeout", srs::cli::IntRange{5, 86400}, &dist->timeout_s, &err)) return srs::cli::usageError(kQuantize, err);
    dist->backend = a.getOr("dist_backend", dist->backend);
    if (dist->backend != "auto" && dist->backend != "gloo" && dist->backend != "nccl")
        return srs::cli::usageError(kQuantize, "unknown --dist_backend '" + dist->backend + "': use auto, gloo or nccl");
    return quantizeChecked(a, c, autoscheme ? &o : nullptr, *dist);
}

}  // namespace
