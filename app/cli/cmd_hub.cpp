// signround hub search|files|whoami and signround download: the Hugging Face Hub from the
// terminal. Configuration is huggingface_hub's (HF_ENDPOINT, HF_TOKEN or the token file,
// HF_HOME / HF_HUB_CACHE, HF_HUB_OFFLINE), so a machine set up for the Python tools works as is,
// and downloads land in the shared cache where transformers, vLLM and llama.cpp find them.
#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <set>

#include "app/cli/command.h"
#include "app/cli/progress_printer.h"
#include "app/cli/signal_cancel.h"
#include "core/common/units.h"
#include "core/hub/hf_client.h"
#include "core/hub/hub_download.h"
#include "core/hub/modelscope.h"

namespace {

using namespace srs;

int runHub(const std::vector<std::string>& argv);
int runDownload(const std::vector<std::string>& argv);

const cli::Command kHub{
    "hub", "Search the Hugging Face Hub, list a model's files, check your token",
    "signround hub search QUERY [--limit 20] [--author ORG] [--filter TAG[,TAG]] [--sort downloads|likes|lastModified|createdAt|trendingScore] [--json]\n"
    "       signround hub files REPO [--revision main] [--source huggingface|modelscope] [--json]\n"
    "       signround hub whoami\n"
    "  The endpoint is HF_ENDPOINT (default https://huggingface.co); the token HF_TOKEN or the token file ($HF_HOME/token).\n"
    "  --source modelscope lists files on ModelScope (MODELSCOPE_ENDPOINT, default https://www.modelscope.cn); it has no search here.",
    runHub};
SRS_CLI_COMMAND(kHub);

const cli::Command kDownload{
    "download", "Download a model from the Hugging Face Hub into the shared cache (resumable)",
    "signround download REPO [--revision main] [--include GLOB[,GLOB]] [--cache_dir DIR] [--offline] [--parallel 4]\n"
    "                   [--source huggingface|modelscope]\n"
    "  Files go to the Hugging Face cache ($HF_HUB_CACHE, default $HF_HOME/hub); the snapshot folder is printed last.\n"
    "  --source modelscope downloads from ModelScope (MODELSCOPE_ENDPOINT, default https://www.modelscope.cn; revision\n"
    "  master by default) into $MODELSCOPE_CACHE/hub (default ~/.cache/modelscope/hub), in the same layout.\n"
    "  Ctrl-C stops (exit 130) and keeps partial files: the next run resumes them.",
    runDownload};
SRS_CLI_COMMAND(kDownload);

int failWith(const Error& e) { return cli::fail(e.message, e.hint, e.code == ErrorCode::Cancelled ? 130 : 1); }

hub::HfClient makeClient(const hub::HubEnv& env) {
    hub::ResolvedToken token = hub::resolveToken(env);
    hub::HfClient client(env, token.token);
    client.setTokenOrigin(token.where);
    return client;
}

std::string dateOnly(const std::string& iso) { return iso.size() >= 10 ? iso.substr(0, 10) : iso; }

int hubSearch(const std::vector<std::string>& argv) {
    cli::Args args;
    std::string error;
    if (!args.parse(argv, {"limit", "author", "filter", "sort", "source"}, {"json"}, &error)) return cli::usageError(kHub, error);
    if (args.positional().size() != 1) return cli::usageError(kHub, "hub search takes one QUERY");
    const std::string source = args.getOr("source", "huggingface");
    if (source != "huggingface" && source != "modelscope") return cli::usageError(kHub, "--source is huggingface or modelscope");
    int limit = 20;
    if (!args.getInt("limit", cli::IntRange{1, 10000}, &limit, &error)) return cli::usageError(kHub, error);
    if (source == "modelscope") {
        const auto ms_env = hub::modelScopeEnvFromEnvironment();
        hub::ModelScopeClient ms(ms_env, ms_env.token);
        return failWith(ms.searchModels({}).error());
    }
    static const std::set<std::string> kSorts = {"downloads", "likes", "lastModified", "createdAt", "trendingScore"};
    hub::SearchQuery q;
    q.search = args.positional()[0];
    q.author = args.getOr("author", "");
    q.filters = cli::splitList(args.getOr("filter", ""));
    q.sort = args.getOr("sort", q.sort);
    if (!kSorts.count(q.sort)) return cli::usageError(kHub, "unknown --sort '" + q.sort + "'");
    q.limit = std::min(limit, 100);  // per page

    hub::HfClient client = makeClient(hub::hubEnvFromEnvironment());
    std::vector<hub::HubModel> models;
    auto page = client.searchModels(q);
    while (true) {
        if (!page) return failWith(page.error());
        for (auto& m : page->models)
            if (models.size() < static_cast<std::size_t>(limit)) models.push_back(std::move(m));
        if (models.size() >= static_cast<std::size_t>(limit) || page->next_url.empty()) break;
        page = client.nextPage(page->next_url);
    }

    if (args.flag("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& m : models) out.push_back(hub::hubModelToJson(m));
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    if (models.empty()) {
        std::fprintf(stderr, "no models match '%s' on %s\n", q.search.c_str(), client.endpoint().c_str());
        return 0;
    }
    int width = 5;  // the longest id, up to 200 columns
    for (const auto& m : models) width = std::max(width, static_cast<int>(std::min<std::size_t>(m.id.size(), 200)));
    std::printf("%-*s  %12s  %7s  %8s  %-10s  %s\n", width, "MODEL", "DOWNLOADS", "LIKES", "PARAMS", "UPDATED",
                "NOTES");
    for (const auto& m : models) {
        std::string notes;
        if (!m.gated.empty()) notes += "gated ";
        if (m.is_private) notes += "private ";
        if (std::find(m.tags.begin(), m.tags.end(), "gguf") != m.tags.end()) notes += "gguf ";
        std::printf("%-*s  %12s  %7s  %8s  %-10s  %s\n", width, m.id.c_str(),
                    units::formatCount(static_cast<std::uint64_t>(std::max<std::int64_t>(0, m.downloads))).c_str(),
                    units::formatCount(static_cast<std::uint64_t>(std::max<std::int64_t>(0, m.likes))).c_str(),
                    m.num_parameters ? units::formatParams(m.num_parameters).c_str() : "-", dateOnly(m.last_modified).c_str(),
                    notes.c_str());
    }
    return 0;
}

int hubFiles(const std::vector<std::string>& argv) {
    cli::Args args;
    std::string error;
    if (!args.parse(argv, {"revision", "source"}, {"json"}, &error)) return cli::usageError(kHub, error);
    if (args.positional().size() != 1) return cli::usageError(kHub, "hub files takes one REPO (org/name)");
    const std::string source = args.getOr("source", "huggingface");
    if (source != "huggingface" && source != "modelscope") return cli::usageError(kHub, "--source is huggingface or modelscope");
    const std::string repo = args.positional()[0];
    const std::string revision = args.getOr("revision", source == "modelscope" ? "master" : "main");
    Result<std::vector<hub::RepoFile>> files = std::vector<hub::RepoFile>{};
    if (source == "modelscope") {
        const auto ms_env = hub::modelScopeEnvFromEnvironment();
        hub::ModelScopeClient ms(ms_env, ms_env.token);
        files = ms.listFiles(repo, revision);
    } else {
        hub::HfClient client = makeClient(hub::hubEnvFromEnvironment());
        files = client.listFiles(repo, revision);
    }
    if (!files) return failWith(files.error());
    std::sort(files->begin(), files->end(), [](const hub::RepoFile& a, const hub::RepoFile& b) { return a.path < b.path; });
    if (args.flag("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& f : *files) out.push_back(hub::repoFileToJson(f));
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::uint64_t total = 0;
    for (const auto& f : *files) {
        total += f.size_bytes;
        std::printf("%14s  %10s  %s%s\n", units::formatCount(f.size_bytes).c_str(), units::formatBytes(f.size_bytes).c_str(),
                    f.path.c_str(), f.is_lfs ? "  (LFS)" : "");
    }
    std::printf("%zu files, %s (%s bytes) in %s at %s\n", files->size(), units::formatBytes(total).c_str(),
                units::formatCount(total).c_str(), repo.c_str(), revision.c_str());
    return 0;
}

int hubWhoami(const std::vector<std::string>& argv) {
    cli::Args args;
    std::string error;
    if (!args.parse(argv, {}, {}, &error)) return cli::usageError(kHub, error);
    if (!args.positional().empty()) return cli::usageError(kHub, "hub whoami takes no arguments");
    hub::HubEnv env = hub::hubEnvFromEnvironment();
    hub::ResolvedToken token = hub::resolveToken(env);
    hub::HfClient client = makeClient(env);
    auto who = client.whoami();
    if (!who) return failWith(who.error());
    std::printf("%s (%s) on %s\n", who->name.c_str(), who->fullname.empty() ? who->type.c_str() : who->fullname.c_str(),
                client.endpoint().c_str());
    std::printf("token: %s from %s, %s\n", hub::maskToken(token.token).c_str(), token.where.c_str(),
                who->token_role.empty() ? "role unknown" : (who->token_role + " access").c_str());
    if (!who->orgs.empty()) {
        std::string orgs;
        for (const auto& o : who->orgs) orgs += (orgs.empty() ? "" : ", ") + o;
        std::printf("organizations: %s\n", orgs.c_str());
    }
    return 0;
}

int runHub(const std::vector<std::string>& argv) {
    if (argv.empty()) return cli::usageError(kHub, "give a subcommand: search, files or whoami");
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (argv[0] == "search") return hubSearch(rest);
    if (argv[0] == "files") return hubFiles(rest);
    if (argv[0] == "whoami") return hubWhoami(rest);
    return cli::usageError(kHub, "unknown subcommand '" + argv[0] + "'");
}

// Progress on stderr (ProgressPrinter): a line per finished file, and a total line whose last
// report is always printed.
class DownloadPrinter {
public:
    void operator()(const hub::DownloadProgress& p) {
        for (std::size_t i = 0; i < p.files.size(); ++i) {
            const auto& f = p.files[i];
            if (out_.justFinished(i, p.files.size(), f.state == hub::FileState::Done || f.state == hub::FileState::Cached))
                out_.line(cli::padRight(f.state == hub::FileState::Cached ? "cached" : "downloaded", 10) + " " + f.path + " (" +
                          units::formatBytes(f.total_bytes) + ")");
        }
        bool end = p.files_done == p.files_total;
        if (end && ended_) return;  // the final report repeats the last file's
        ended_ = end;
        double pct = p.total_bytes ? 100.0 * static_cast<double>(p.done_bytes) / static_cast<double>(p.total_bytes) : 100.0;
        char percent[32];
        std::snprintf(percent, sizeof percent, "%.1f", pct);
        out_.status(std::string("progress ") + percent + "%  " +
                        cli::transferSummary(p.done_bytes, p.total_bytes, p.bytes_per_s, p.eta_ms, p.files_done, p.files_total),
                    p.elapsed_ms, /*force=*/end);
    }
    void finish() { out_.clear(); }

private:
    cli::ProgressPrinter out_;
    bool ended_ = false;
};

int runDownload(const std::vector<std::string>& argv) {
    cli::Args args;
    std::string error;
    if (!args.parse(argv, {"revision", "include", "cache_dir", "parallel", "source"}, {"offline"}, &error))
        return cli::usageError(kDownload, error);
    const std::string source = args.getOr("source", "huggingface");
    if (source != "huggingface" && source != "modelscope")
        return cli::usageError(kDownload, "--source is huggingface or modelscope");
    const bool modelscope = source == "modelscope";
    if (args.positional().size() != 1) return cli::usageError(kDownload, "give exactly one REPO (org/name)");
    int parallel = 4;
    if (!args.getInt("parallel", cli::IntRange{1, 32}, &parallel, &error)) return cli::usageError(kDownload, error);

    hub::HubEnv env = hub::hubEnvFromEnvironment();
    hub::ModelScopeEnv ms_env = hub::modelScopeEnvFromEnvironment();
    if (modelscope) env.hub_cache = ms_env.cache_root;
    if (auto dir = args.get("cache_dir")) env.hub_cache = std::filesystem::absolute(*dir).lexically_normal().string();
    if (args.flag("offline")) env.offline = ms_env.offline = true;
    if (modelscope) env.offline = ms_env.offline;
    hub::HfClient hf_client = makeClient(env);
    hub::ModelScopeClient ms_client(ms_env, ms_env.token);
    hub::HubClient& client = modelscope ? static_cast<hub::HubClient&>(ms_client) : hf_client;
    hub::HubCache cache(env.hub_cache);

    hub::DownloadOptions o;
    o.repo_id = args.positional()[0];
    o.revision = args.getOr("revision", modelscope ? "master" : "main");
    o.patterns = cli::splitList(args.getOr("include", ""));
    o.parallel = parallel;
    o.offline = env.offline;

    CancelToken cancel;
    std::fprintf(stderr, "downloading %s (%s) from %s%s into %s\n", o.repo_id.c_str(), o.revision.c_str(),
                 env.offline ? "the cache only" : client.endpoint().c_str(), modelscope ? " (ModelScope)" : "",
                 cache.root().c_str());
    DownloadPrinter printer;
    auto result = cli::cancelOnSignal(cancel, [&] {
        return hub::downloadSnapshot(client, cache, o, [&](const hub::DownloadProgress& p) { printer(p); }, cancel);
    });
    printer.finish();
    if (!result) {
        if (result.error().code == ErrorCode::Cancelled)
            return cli::fail("download of " + o.repo_id + " cancelled",
                             "partial files are kept in " + cache.repoDir(o.repo_id) + "/blobs; run the same command to resume", 130);
        return failWith(result.error());
    }
    if (result->from_cache_only)
        std::fprintf(stderr, "using the cached snapshot %s (%zu files)%s\n", result->commit.c_str(), result->files.size(),
                     env.offline ? "" : "; the Hub could not be reached");
    else
        std::fprintf(stderr, "done: %d file(s) downloaded (%s), %d already cached; commit %s\n", result->files_downloaded,
                     units::formatBytes(result->bytes_downloaded).c_str(), result->files_from_cache, result->commit.c_str());
    std::printf("%s\n", result->snapshot_dir.c_str());
    return 0;
}

}  // namespace
