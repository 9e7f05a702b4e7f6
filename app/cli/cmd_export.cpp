// signround export: a finished run written again in other formats, from its checkpoint, without
// tuning again. Before each format is written the pipeline logs how many of its tensors come from
// the run's tuned scales and why the others do not, and warns when none do (a W4G128 sym run as
// gguf:q4_k_m is plain round-to-nearest).

#include "app/cli/command.h"
#include "app/cli/job_printer.h"
#include "app/cli/signal_cancel.h"
#include "core/job/quant_job.h"

namespace {

int runExport(const std::vector<std::string>& argv);

const srs::cli::Command kExport{
    "export", "Re-export a finished quantization run in other formats (no tuning)",
    "signround export --run_dir DIR --format auto_gptq[,auto_awq,auto_round,fake,gguf:TYPE] --output_dir DIR [--json]\n"
    "       (DIR of a run is <output_dir of the quantize run>/.signround-run unless --run_dir was given there)\n"
    "       Says before writing how many tensors of each format come from the run's tuned scales; a GGUF type that cannot\n"
    "       store the tuned scheme is written by round-to-nearest (quantize with --format gguf:TYPE to tune for it).",
    runExport};
SRS_CLI_COMMAND(kExport);

int runExport(const std::vector<std::string>& argv) {
    srs::cli::Args a;
    std::string err;
    if (!a.parse(argv, {"run_dir", "format", "output_dir"}, {"json"}, &err)) return srs::cli::usageError(kExport, err);
    if (!a.get("run_dir") || !a.get("format") || !a.get("output_dir"))
        return srs::cli::usageError(kExport, "--run_dir, --format and --output_dir are required");
    if (!a.positional().empty()) return srs::cli::usageError(kExport, "unexpected argument '" + a.positional().front() + "'");
    std::vector<std::string> formats = srs::cli::splitList(*a.get("format"));
    srs::cli::JobPrinter printer(a.flag("json"));
    srs::CancelToken cancel;
    srs::cli::SignalCancel on_signal(cancel);  // Ctrl-C stops between tensors; no half-written export is left under its name
    auto fin = srs::job::reexportRun(*a.get("run_dir"), formats, *a.get("output_dir"), printer, cancel);
    if (fin.state == srs::job::JobState::Cancelled) return 130;
    return fin.state == srs::job::JobState::Finished ? 0 : 1;
}

}  // namespace
