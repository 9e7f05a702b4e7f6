// signround inspect PATH: what is in a model (a Hugging Face folder, an export, a .gguf file or a folder holding one).
#include <cstdio>

#include "app/cli/command.h"
#include "core/io/model_summary.h"

namespace {

int runInspect(const std::vector<std::string>& argv);

const srs::cli::Command kInspect{
    "inspect", "Show a model's architecture, parameters, stored types, size and quantizable layers (folder or .gguf)",
    "signround inspect DIR|FILE.gguf [--layers] [--json]", runInspect};
SRS_CLI_COMMAND(kInspect);

int runInspect(const std::vector<std::string>& argv) {
    srs::cli::Args args;
    std::string error;
    if (!args.parse(argv, {}, {"layers", "json"}, &error)) return srs::cli::usageError(kInspect, error);
    if (args.positional().size() != 1) return srs::cli::usageError(kInspect, "give exactly one model folder or .gguf file");
    auto summary = srs::io::inspectModel(args.positional()[0]);
    if (!summary) return srs::cli::fail(summary.error().message, summary.error().hint);
    if (args.flag("json"))
        std::printf("%s\n", srs::io::summaryToJson(*summary).dump(2).c_str());
    else
        std::printf("%s", srs::io::formatSummary(*summary, args.flag("layers")).c_str());
    return 0;
}

}  // namespace
