// signround: the headless face of SignRound Studio. `signround help` lists the commands.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "app/cli/command.h"
#include "core/common/log.h"
#include "kernels/compute_runtime.h"

static void printHelp() {
    std::printf("signround %s — SignRound (AutoRound) quantization, headless\n\nusage: signround <command> [options]\n\ncommands:\n",
                SRS_VERSION);
    for (const auto& [name, cmd] : srs::cli::commands()) std::printf("  %-12s %s\n", name.c_str(), cmd.summary.c_str());
    std::printf("\n`signround help <command>` shows a command's options. `-v` before the command logs more.\n");
}

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    while (!args.empty() && (args[0] == "-v" || args[0] == "--verbose" || args[0] == "-q" || args[0] == "--quiet")) {
        srs::log::setMinLevel(args[0][1] == 'q' || args[0] == "--quiet" ? srs::log::Level::Warning : srs::log::Level::Debug);
        args.erase(args.begin());
    }
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        if (args.size() >= 2) {
            auto it = srs::cli::commands().find(args[1]);
            if (it == srs::cli::commands().end()) return srs::cli::fail("unknown command '" + args[1] + "'", "run `signround help`", 2);
            std::printf("%s\n\nusage: %s\n", it->second.summary.c_str(), it->second.usage.c_str());
            return 0;
        }
        printHelp();
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::printf("signround %s\n", SRS_VERSION);
        return 0;
    }
    auto it = srs::cli::commands().find(args[0]);
    if (it == srs::cli::commands().end()) return srs::cli::fail("unknown command '" + args[0] + "'", "run `signround help`", 2);

    std::vector<std::string> rest(args.begin() + 1, args.end());
    // `signround <command> --help` (anywhere among its arguments, or -h first): its usage, exit 0.
    if ((!rest.empty() && rest[0] == "-h") || std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
        std::printf("%s\n\nusage: %s\n", it->second.summary.c_str(), it->second.usage.c_str());
        return 0;
    }
    srs::log::debug(srs::kernels::describe(srs::kernels::configureComputeRuntime()));
    return it->second.run(rest);
}
