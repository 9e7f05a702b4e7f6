// signround generate: text from a model (folder, packed export or GGUF), streamed as it comes.
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/signal_cancel.h"
#include "core/eval/generate.h"

namespace {

int runGenerate(const std::vector<std::string>& argv);

const srs::cli::Command kGenerate{
    "generate", "Generate text from a model, token by token (greedy or sampled)",
    "signround generate --model PATH --prompt TEXT [--max_new_tokens 128] [--chat] [--temperature 0] [--top_k 0] [--top_p 1]\n"
    "                      [--seed 0] [--dtype float32|bfloat16] [--kernels fused|reference] [--json]\n"
    "  --max_new_tokens 0 to 1000000, --temperature >= 0 (0 is greedy), --top_k 0 (all) to 100000000, --top_p in (0, 1], --seed 0 or more;\n"
    "  temperature 0 is greedy; --chat renders the prompt as one user message through the model's chat template.\n"
    "  The text goes to stdout as it comes, a summary to stderr; --json: one object per token, then the result.",
    runGenerate};
SRS_CLI_COMMAND(kGenerate);

std::string dumpJson(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// The flags into options; false (and a message) for a malformed or out-of-range value.
bool readOptions(const srs::cli::Args& args, srs::eval::GenerateOptions* gen, srs::eval::GeneratorOptions* model, std::string* error) {
    auto bad = [&](const std::string& message) {
        *error = message;
        return false;
    };
    const double inf = std::numeric_limits<double>::infinity();
    if (!args.getInt("max_new_tokens", srs::cli::IntRange{0, 1000000}, &gen->max_new_tokens, error) ||
        !args.getInt("top_k", srs::cli::IntRange{0, 100000000}, &gen->sampling.top_k, error) ||
        !args.getInt("seed", srs::cli::limits::kSeed, &gen->sampling.seed, error) ||
        !args.getDouble("temperature", srs::cli::RealRange{0.0, inf}, &gen->sampling.temperature, error) ||
        !args.getDouble("top_p", srs::cli::RealRange{0.0, 1.0, /*min_open=*/true}, &gen->sampling.top_p, error))
        return false;
    gen->chat = args.flag("chat");
    model->dtype = args.getOr("dtype", "float32");
    if (model->dtype != "float32" && model->dtype != "bfloat16") return bad("--dtype is float32 or bfloat16, not '" + model->dtype + "'");
    const std::string kernels = args.getOr("kernels", "fused");
    const auto path = srs::quant::parseKernelPath(kernels);
    if (!path) return bad("--kernels is fused, auto or reference, not '" + kernels + "'");
    model->kernels = *path;
    return true;
}

void printSummary(const srs::eval::GenerationResult& r, bool json) {
    if (json) {
        nlohmann::json j = {{"type", "result"},
                            {"prompt_tokens", r.prompt_ids.size()},
                            {"tokens", r.ids.size()},
                            {"ids", r.ids},
                            {"text", r.text},
                            {"stop", srs::eval::stopReasonName(r.stop)},
                            {"prompt_ms", r.prompt_ms},
                            {"generate_ms", r.generate_ms},
                            {"tokens_per_s", r.tokens_per_s}};
        std::printf("%s\n", dumpJson(j).c_str());
        std::fflush(stdout);
        return;
    }
    std::fprintf(stderr, "%zu tokens, %.1f tokens/s, prompt %.1f ms (%zu tokens), stop: %s\n", r.ids.size(), r.tokens_per_s, r.prompt_ms,
                 r.prompt_ids.size(), srs::eval::stopReasonName(r.stop));
}

int runGenerate(const std::vector<std::string>& argv) {
    srs::cli::Args args;
    std::string error;
    if (!args.parse(argv, {"model", "prompt", "max_new_tokens", "temperature", "top_k", "top_p", "seed", "dtype", "kernels"}, {"chat", "json"},
                    &error))
        return srs::cli::usageError(kGenerate, error);
    if (!args.get("model") || !args.get("prompt")) return srs::cli::usageError(kGenerate, "--model and --prompt are required");
    if (!args.positional().empty()) return srs::cli::usageError(kGenerate, "unexpected argument '" + args.positional().front() + "'");
    srs::eval::GenerateOptions gen;
    srs::eval::GeneratorOptions model_options;
    if (!readOptions(args, &gen, &model_options, &error)) return srs::cli::usageError(kGenerate, error);
    const bool json = args.flag("json");

    auto generator = srs::eval::Generator::open(*args.get("model"), model_options);
    if (!generator) return srs::cli::fail(generator.error().message, generator.error().hint);
    std::string streamed;
    auto on_token = [&](const srs::eval::GeneratedToken& t) {
        if (json) {
            std::printf("%s\n", dumpJson({{"type", "token"}, {"index", t.index}, {"id", t.id}, {"text", t.text}, {"elapsed_ms", t.elapsed_ms}}).c_str());
        } else {
            std::fwrite(t.text.data(), 1, t.text.size(), stdout);
            streamed += t.text;
        }
        std::fflush(stdout);
    };
    srs::CancelToken cancel;
    auto r = srs::cli::cancelOnSignal(cancel, [&] { return (*generator)->generate(*args.get("prompt"), gen, on_token, cancel); });
    if (!r) return srs::cli::fail(r.error().message, r.error().hint);
    if (!json) {
        // What no token carried: the characters of an incomplete UTF-8 sequence at the stop.
        if (r->text.size() > streamed.size() && r->text.compare(0, streamed.size(), streamed) == 0)
            std::fwrite(r->text.data() + streamed.size(), 1, r->text.size() - streamed.size(), stdout);
        std::printf("\n");
        std::fflush(stdout);
    }
    printSummary(*r, json);
    return r->stop == srs::eval::StopReason::Cancelled ? 130 : 0;
}

}  // namespace
