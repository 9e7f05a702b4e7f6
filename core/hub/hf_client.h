// The Hugging Face Hub over its HTTP API (shapes in shared/docs/HUB.md §3.3): search with Link
// pagination, model info, the recursive file tree, whoami, file metadata by HEAD of /resolve/.
// The token goes only into the Authorization header; URLs and logs never carry it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/hub/hub_client.h"

namespace srs::hub {

class HfClient : public HubClient {
public:
    HfClient(HubEnv env, std::string token, RetryPolicy retry = {});

    std::string sourceName() const override { return "huggingface"; }
    std::string endpoint() const override { return env_.endpoint; }
    bool supportsSearch() const override { return true; }
    Result<ModelPage> searchModels(const SearchQuery& query, const CancelToken& cancel = {}) override;
    Result<ModelPage> nextPage(const std::string& next_url, const CancelToken& cancel = {}) override;
    Result<HubModel> modelInfo(const std::string& repo_id, const std::string& revision = {}, bool files_metadata = false,
                               const CancelToken& cancel = {}) override;
    Result<std::vector<RepoFile>> listFiles(const std::string& repo_id, const std::string& revision,
                                            const CancelToken& cancel = {}) override;
    Result<WhoAmI> whoami(const CancelToken& cancel = {}) override;
    Result<FileMetadata> fileMetadata(const std::string& repo_id, const std::string& revision, const std::string& path,
                                      const CancelToken& cancel = {}) override;
    HttpRequest fileRequest(const std::string& repo_id, const std::string& revision, const std::string& path) const override;
    bool hasToken() const override { return !token_.empty(); }

    const HubEnv& env() const { return env_; }
    // Sends req with the token (when allowed), retrying per the policy; HTTP errors become Errors
    // named by `what`. Public for the calls built on it (hub_upload.h, hub_dataset.h).
    Result<HttpResponse> send(HttpRequest req, const std::string& what, const std::string& repo_id,
                              bool token_required = false, const std::vector<long>& accepted = {});
    Result<nlohmann::json> getJson(const std::string& url, const std::string& what, const std::string& repo_id,
                                   const CancelToken& cancel, HttpResponse* raw = nullptr);
    // Where the token came from ("HF_TOKEN", a token file path), for error messages; never the token.
    void setTokenOrigin(std::string where) { token_origin_ = std::move(where); }

private:
    Status checkOnline(const std::string& what) const;
    HubEnv env_;
    std::string token_;
    std::string token_origin_;
};

// "org/name" with the Hub's rules: letters, digits, '-', '_', '.'; no "--" or ".." ; at most one
// slash. A clear error names the bad id.
Status validateRepoId(const std::string& repo_id);
// Branch, tag or commit: no "..", no leading '/', no control characters or spaces.
Status validateRevision(const std::string& revision);

}  // namespace srs::hub
