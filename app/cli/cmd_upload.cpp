// signround upload: sends an export folder (weights, config, tokenizer, the README.md model card
// the export wrote) to a Hugging Face model repository in one commit, creating the repository
// first. Configuration is huggingface_hub's (HF_ENDPOINT, HF_TOKEN or the token file). Ctrl-C
// stops (exit 130); running the same command again sends only the blobs the Hub does not have.
#include <cstdio>
#include <filesystem>

#include "app/cli/command.h"
#include "app/cli/progress_printer.h"
#include "app/cli/signal_cancel.h"
#include "core/common/units.h"
#include "core/hub/hf_client.h"
#include "core/hub/hub_upload.h"

namespace {

using namespace srs;

int runUpload(const std::vector<std::string>& argv);

const cli::Command kUpload{
    "upload", "Upload an export folder to a Hugging Face model repository (resumable)",
    "signround upload --repo_id ORG/NAME --folder DIR [--private] [--commit_message M] [--revision main] [--path_in_repo SUBDIR]\n"
    "  Creates the repository (public unless --private; an existing one is fine) and commits every file of DIR,\n"
    "  large ones through LFS. Needs a token with write access in HF_TOKEN or the token file ($HF_HOME/token).\n"
    "  Ctrl-C stops (exit 130); the same command resumes, skipping blobs the Hub already has. Prints the commit URL.",
    runUpload};
SRS_CLI_COMMAND(kUpload);

// Progress on stderr (ProgressPrinter): a line per phase and per finished file, and a total line
// while uploading.
class UploadPrinter {
public:
    void operator()(const hub::UploadProgress& p) {
        if (p.phase != phase_) {
            phase_ = p.phase;
            if (phase_ != "done") out_.line(phase_ + "...");
            else out_.clear();
        }
        for (std::size_t i = 0; i < p.files.size(); ++i) {
            const auto& f = p.files[i];
            if (out_.justFinished(i, p.files.size(), f.state == hub::UploadState::Uploaded || f.state == hub::UploadState::AlreadyOnHub))
                out_.line(cli::padRight(hub::uploadStateName(f.state), 18) + " " + f.path + " (" + units::formatBytes(f.total_bytes) + ")");
        }
        if (p.phase != "uploading") return;
        out_.status("progress " + cli::transferSummary(p.done_bytes, p.total_bytes, p.bytes_per_s, p.eta_ms, p.files_done, p.files_total),
                    p.elapsed_ms);
    }
    void finish() { out_.clear(); }

private:
    cli::ProgressPrinter out_;
    std::string phase_;
};

int runUpload(const std::vector<std::string>& argv) {
    cli::Args args;
    std::string error;
    if (!args.parse(argv, {"repo_id", "folder", "commit_message", "revision", "path_in_repo"}, {"private"}, &error))
        return cli::usageError(kUpload, error);
    if (!args.positional().empty()) return cli::usageError(kUpload, "unexpected argument '" + args.positional()[0] + "'");
    if (!args.get("repo_id") || !args.get("folder")) return cli::usageError(kUpload, "--repo_id and --folder are required");

    hub::UploadOptions o;
    o.repo_id = *args.get("repo_id");
    o.revision = args.getOr("revision", "main");
    o.private_repo = args.flag("private");
    o.commit_message = args.getOr("commit_message", "");
    const std::string folder = *args.get("folder");
    auto items = hub::collectUploadFolder(folder, args.getOr("path_in_repo", ""));
    if (!items) return cli::fail(items.error().message, items.error().hint);
    if (!std::filesystem::exists(std::filesystem::path(folder) / "README.md") && args.getOr("path_in_repo", "").empty())
        std::fprintf(stderr, "note: %s has no README.md; the repository will have no model card\n", folder.c_str());

    hub::HubEnv env = hub::hubEnvFromEnvironment();
    hub::ResolvedToken token = hub::resolveToken(env);
    hub::HfClient client(env, token.token);
    client.setTokenOrigin(token.where);

    CancelToken cancel;
    std::fprintf(stderr, "uploading %zu files from %s to %s (%s) on %s\n", items->size(), folder.c_str(), o.repo_id.c_str(),
                 o.revision.c_str(), client.endpoint().c_str());
    UploadPrinter printer;
    auto result = cli::cancelOnSignal(cancel, [&] {
        return hub::uploadFiles(client, o, *items, [&](const hub::UploadProgress& p) { printer(p); }, cancel);
    });
    printer.finish();
    if (!result) {
        const Error& e = result.error();
        if (e.code == ErrorCode::Cancelled)
            return cli::fail("upload to " + o.repo_id + " cancelled; nothing was committed",
                             "run the same command to resume: blobs already sent are not sent again", 130);
        return cli::fail(e.message, e.hint.empty() ? "run the same command again to resume" : e.hint);
    }
    std::fprintf(stderr, "done: %zu files committed (%d blobs sent, %s; %d already on the Hub; %d small files inline)\n",
                 result->files.size(), result->lfs_uploaded, units::formatBytes(result->bytes_uploaded).c_str(),
                 result->lfs_already_on_hub, result->inline_files);
    std::printf("%s\n", result->commit_url.empty() ? result->repo_url.c_str() : result->commit_url.c_str());
    return 0;
}

}  // namespace
