// ModelScope (modelscope.cn) as a second source for downloads, behind the same HubClient
// interface as the Hugging Face Hub, so downloadSnapshot (resume, verification, progress, cache
// layout) works unchanged. Facts in shared/docs/HUB.md §3.4:
//   files:    GET {endpoint}/api/v1/models/{owner}/{name}/repo/files?Revision=R&Recursive=true
//             -> {"Code":200,"Success":true,"Data":{"Files":[{"Path","Name","Size","Type":"blob"|"tree","Sha256","IsLFS",…}]}}
//   download: GET {endpoint}/api/v1/models/{owner}/{name}/repo?Revision=R&FilePath=P (Range works)
// ModelScope names no commit for a branch in that listing, so a snapshot is named by a content id:
// the sha1 of the sorted (path, sha256, size) lines of the listing — the same files give the same
// id, any change gives a new one. Blobs are named by their sha256 as on the Hugging Face side.
// Search is not offered (ModelScope has no documented public search API in the shape we use):
// searchModels answers Unsupported with what to do instead. whoami likewise.
// Configuration: MODELSCOPE_ENDPOINT (default https://www.modelscope.cn), MODELSCOPE_CACHE
// (default ~/.cache/modelscope; our downloads go to its hub/ folder as models--owner--name, in
// the Hugging Face layout, beside ModelScope's own owner/name folders), MODELSCOPE_API_TOKEN
// (optional, sent as a Bearer token for private models).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/hub/hub_client.h"

namespace srs::hub {

struct ModelScopeEnv {
    std::string endpoint = "https://www.modelscope.cn";  // no trailing slash
    std::string cache_root;                               // $MODELSCOPE_CACHE/hub
    std::string token;                                    // MODELSCOPE_API_TOKEN, may be empty
    bool offline = false;                                 // HF_HUB_OFFLINE or MODELSCOPE_OFFLINE (ours)
    int download_timeout_s = 10;
};

ModelScopeEnv modelScopeEnvFromEnvironment(const EnvLookup& env = systemEnv());

class ModelScopeClient : public HubClient {
public:
    // Built as HfClient is: the environment, the token to send (env.token unless the user gives another) and the retry policy.
    ModelScopeClient(ModelScopeEnv env, std::string token, RetryPolicy retry = {});

    std::string sourceName() const override { return "modelscope"; }
    std::string endpoint() const override { return env_.endpoint; }
    bool supportsSearch() const override { return false; }
    Result<ModelPage> searchModels(const SearchQuery& query, const CancelToken& cancel = {}) override;
    Result<ModelPage> nextPage(const std::string& next_url, const CancelToken& cancel = {}) override;
    // sha = the snapshot's content id; siblings = the listing.
    Result<HubModel> modelInfo(const std::string& repo_id, const std::string& revision = {}, bool files_metadata = false,
                               const CancelToken& cancel = {}) override;
    // revision: a branch or tag ("master" by default), or a content id from modelInfo.
    Result<std::vector<RepoFile>> listFiles(const std::string& repo_id, const std::string& revision,
                                            const CancelToken& cancel = {}) override;
    Result<WhoAmI> whoami(const CancelToken& cancel = {}) override;
    // From the listing (no request when it is known): sha256 as the ETag, the listed size.
    Result<FileMetadata> fileMetadata(const std::string& repo_id, const std::string& revision, const std::string& path,
                                      const CancelToken& cancel = {}) override;
    HttpRequest fileRequest(const std::string& repo_id, const std::string& revision, const std::string& path) const override;
    bool hasToken() const override { return !token_.empty(); }

    const ModelScopeEnv& env() const { return env_; }

private:
    struct Listing {
        std::string revision;  // the branch or tag it was listed at
        std::string snapshot;  // content id
        std::vector<RepoFile> files;
    };
    Result<Listing> fetchListing(const std::string& repo_id, const std::string& revision, const CancelToken& cancel);
    // The listing for a branch, tag or content id (fetched once, then remembered).
    Result<Listing> listing(const std::string& repo_id, const std::string& revision, const CancelToken& cancel);
    std::string realRevision(const std::string& repo_id, const std::string& revision) const;

    ModelScopeEnv env_;
    std::string token_;
    mutable std::mutex mu_;
    std::map<std::string, Listing> by_snapshot_;  // "repo@snapshot" -> listing
};

// The content id of a listing (see the header comment): 40 hex digits.
std::string modelScopeSnapshotId(const std::string& repo_id, const std::vector<RepoFile>& files);

}  // namespace srs::hub
