// signround convert: a model written as a GGUF without quantizing (f32 / f16 / bf16, or q8_0 by
// llama.cpp's round-to-nearest), as llama.cpp's converter does: no calibration, no tuning.

#include "app/cli/command.h"
#include "app/cli/job_printer.h"
#include "app/cli/signal_cancel.h"
#include "core/job/convert.h"

namespace {

int runConvert(const std::vector<std::string>& argv);

const srs::cli::Command kConvert{
    "convert", "Write a model without quantizing: a Hugging Face folder (hf) or a GGUF (f32, f16, bf16, or q8_0 by round-to-nearest)",
    "signround convert --model PATH --format hf|gguf:f16[,gguf:bf16,gguf:f32,gguf:q8_0] --output_dir DIR [--json]\n"
    "  PATH: a Hugging Face model folder, one of our exports, or a .gguf. hf goes to DIR/<model>-hf/\n"
    "  (safetensors, config.json, tokenizer files; a GGUF's tensors dequantized to float32), each GGUF\n"
    "  type to DIR/<model>-gguf-<type>/, each with a model card; quantize with SignRound instead: signround quantize.",
    runConvert};
SRS_CLI_COMMAND(kConvert);

int runConvert(const std::vector<std::string>& argv) {
    srs::cli::Args a;
    std::string err;
    if (!a.parse(argv, {"model", "format", "output_dir"}, {"json"}, &err)) return srs::cli::usageError(kConvert, err);
    if (!a.get("model") || !a.get("format") || !a.get("output_dir"))
        return srs::cli::usageError(kConvert, "--model, --format and --output_dir are required");
    if (!a.positional().empty()) return srs::cli::usageError(kConvert, "unexpected argument '" + a.positional().front() + "'");
    srs::job::JobConfig c;
    c.model = *a.get("model");
    c.formats = srs::cli::splitList(*a.get("format"));
    c.output_dir = *a.get("output_dir");
    srs::cli::JobPrinter printer(a.flag("json"));
    srs::CancelToken cancel;
    srs::cli::SignalCancel on_signal(cancel);  // Ctrl-C stops between tensors; nothing half-written stays under the final name
    auto fin = srs::job::convertModel(c, printer, cancel);
    if (fin.state == srs::job::JobState::Cancelled) return 130;
    return fin.state == srs::job::JobState::Finished ? 0 : 1;
}

}  // namespace
