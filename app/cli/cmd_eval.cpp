// signround eval: perplexity of a model (folder, packed export or GGUF) on a text file and, with
// --reference, its KL divergence from the original's next-token distributions.
#include <cstdio>
#include <limits>

#include "app/cli/command.h"
#include "core/common/units.h"
#include "core/device/device_choice_torch.h"
#include "core/eval/kld_json.h"
#include "core/eval/perplexity.h"

#include <nlohmann/json.hpp>

namespace {

int runEval(const std::vector<std::string>& argv);

void printKld(const srs::eval::KldStats& k) {
    std::printf("KLD mean %.6f  median %.6f  p99 %.6f  p99.9 %.6f  max %.6f  (nats, %s tokens)\n", k.mean, k.median, k.p99, k.p999, k.max,
                srs::units::formatCount(k.tokens).c_str());
    std::printf("top-1 agreement %.2f %%\n", 100.0 * k.top1_agreement);
    std::printf("reference PPL %.4f  PPL ratio %.4f\n", k.reference_ppl, k.ppl_ratio);
}

const srs::cli::Command kEval{
    "eval", "Perplexity of a model on a text (non-overlapping windows); KL divergence from --reference",
    "signround eval --model PATH --text FILE [--window 2048] [--batch_size 4] [--dtype float32|bfloat16] [--max_windows N] [--tokenizer DIR]\n"
    "                      [--reference ORIGINAL] [--protocol windows|llama-perplexity] [--kernels fused|reference] [--device auto|cpu|cuda|cuda:N] [--json]\n"
    "  --window 2 to 1048576 tokens (4 or more for llama-perplexity), --batch_size 1 to 4096 windows per forward,\n"
    "  --max_windows 0 (all, the default) or the most windows to score\n"
    "  --device     auto (default: the first CUDA device LibTorch can use, else the CPU), cpu, cuda or cuda:N\n"
    "  --reference  the original (folder or .gguf, same vocabulary): both run on the same windows; prints the KL divergence\n"
    "               KL(original || model) per scored token (mean, median, 99th / 99.9th percentile, max, in nats), the\n"
    "               top-1 agreement, the original's perplexity and the ratio. Both models are in memory at once.\n"
    "  --protocol   windows (default): every token of a window after the first is scored, no BOS;\n"
    "               llama-perplexity: as llama.cpp's llama-perplexity (BOS first in each window, second half scored)",
    runEval};
SRS_CLI_COMMAND(kEval);

int runEval(const std::vector<std::string>& argv) {
    srs::cli::Args args;
    std::string error;
    if (!args.parse(argv, {"model", "text", "window", "batch_size", "dtype", "max_windows", "tokenizer", "kernels", "reference", "protocol", "device"}, {"json", "quiet"}, &error))
        return srs::cli::usageError(kEval, error);
    if (!args.get("model") || !args.get("text")) return srs::cli::usageError(kEval, "--model and --text are required");
    if (!args.positional().empty()) return srs::cli::usageError(kEval, "unexpected argument '" + args.positional().front() + "'");
    srs::eval::EvalOptions opt;
    if (!args.getInt("window", srs::cli::limits::kWindow, &opt.window, &error) ||
        !args.getInt("batch_size", srs::cli::IntRange{1, 4096}, &opt.batch_size, &error) ||
        !args.getInt("max_windows", srs::cli::IntRange{0, std::numeric_limits<int>::max()}, &opt.max_windows, &error))
        return srs::cli::usageError(kEval, error);
    opt.dtype = args.getOr("dtype", opt.dtype);
    if (opt.dtype != "float32" && opt.dtype != "bfloat16") return srs::cli::usageError(kEval, "--dtype is float32 or bfloat16, not '" + opt.dtype + "'");
    opt.tokenizer_folder = args.getOr("tokenizer", "");
    const std::string kernels = args.getOr("kernels", "fused");
    const auto path = srs::quant::parseKernelPath(kernels);
    if (!path) return srs::cli::usageError(kEval, "--kernels is fused, auto or reference, not '" + kernels + "'");
    opt.kernels = *path;
    opt.reference = args.getOr("reference", "");
    const std::string protocol = args.getOr("protocol", "windows");
    if (protocol == "llama-perplexity") opt.protocol = srs::eval::EvalProtocol::LlamaPerplexity;
    else if (protocol != "windows") return srs::cli::usageError(kEval, "--protocol is windows or llama-perplexity, not '" + protocol + "'");
    if (opt.protocol == srs::eval::EvalProtocol::LlamaPerplexity && opt.window < 4)
        return srs::cli::usageError(kEval, "--window " + std::to_string(opt.window) + " scores no token under --protocol llama-perplexity: allowed 4 to " +
                                               std::to_string(srs::cli::limits::kWindow.max));
    if (auto e = srs::cli::checkInputFile("text", *args.get("text")); !e.empty()) return srs::cli::usageError(kEval, e);
    const auto device = srs::device::resolveDevice(args.getOr("device", "auto"), srs::device::currentDeviceAvailability());
    if (!device) return srs::cli::fail(device.error().message, device.error().hint);
    opt.device = device->name;
    const bool json = args.flag("json");
    auto progress = [&](int done, int total) {
        if (!json && !args.flag("quiet")) std::fprintf(stderr, "\r%d/%d windows", done, total);
    };
    auto r = srs::eval::evaluatePerplexity(*args.get("model"), *args.get("text"), opt, progress);
    if (!json && !args.flag("quiet")) std::fprintf(stderr, "\n");
    if (!r) return srs::cli::fail(r.error().message, r.error().hint);
    if (json) {
        nlohmann::json j = {{"model", r->model}, {"text", r->text}, {"tokens", r->tokens}, {"scored_tokens", r->scored_tokens},
                            {"windows", r->windows}, {"window", r->window}, {"mean_nll", r->mean_nll}, {"ppl", r->ppl},
                            {"elapsed_ms", r->elapsed_ms}, {"tokens_per_s", r->tokens_per_s}, {"protocol", protocol},
                            {"device", device->name}};
        if (r->kld) j["kld"] = srs::eval::kldToJson(*r->kld);
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::printf("PPL %.4f\n", r->ppl);
        std::printf("mean NLL %.5f over %s scored tokens (%d windows of %d; %s tokens in the text)\n", r->mean_nll,
                    srs::units::formatCount(r->scored_tokens).c_str(), r->windows, r->window, srs::units::formatCount(r->tokens).c_str());
        std::printf("%.0f tokens/s, %s on %s\n", r->tokens_per_s, srs::units::formatDuration(r->elapsed_ms).c_str(), device->label.c_str());
        if (r->kld) printKld(*r->kld);
    }
    return 0;
}

}  // namespace
