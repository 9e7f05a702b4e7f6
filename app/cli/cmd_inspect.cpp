// signround inspect DIR: what is in a Hugging Face model folder.
#include <cstdio>

#include "app/cli/command.h"
#include "core/io/model_summary.h"

namespace {

int runInspect(const std::vector<std::string>& argv);

const srs::cli::Command kInspect{
    "inspect", "Show a model folder's architecture, parameters, dtypes, size and quantizable layers",
    "signround inspect DIR [--layers] [--json]", runInspect};
SRS_CLI_COMMAND(kInspect);

int runInspect(const std::vector<std::string>& argv) {
    srs::cli::Args args;
    std::string error;
    if (!args.parse(argv, {}, {"layers", "json"}, &error)) return srs::cli::usageError(kInspect, error);
    if (args.positional().size() != 1) return srs::cli::usageError(kInspect, "give exactly one model folder");
    auto summary = srs::io::inspectModelFolder(args.positional()[0]);
    if (!summary) return srs::cli::fail(summary.error().message, summary.error().hint);
    if (args.flag("json"))
        std::printf("%s\n", srs::io::summaryToJson(*summary).dump(2).c_str());
    else
        std::printf("%s", srs::io::formatSummary(*summary, args.flag("layers")).c_str());
    return 0;
}

}  // namespace
