// HubClient: what the app needs from a model hub, behind one interface so the Hugging Face Hub
// and ModelScope (and test doubles) are interchangeable for browsing and downloading. Uploading
// is Hugging Face specific and not part of this interface (hub_upload.h, over HfClient).
// All calls block; the GUI runs them in worker threads. Every call takes a CancelToken.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/hub/http.h"
#include "core/hub/hub_env.h"
#include "core/hub/hub_types.h"
#include "core/hub/retry.h"

namespace srs::hub {

// Every client is built the same way: its environment (endpoint, cache, token) and the one
// RetryPolicy (retry.h) that all its API calls go through, via sendRetrying() below.
class HubClient {
public:
    explicit HubClient(RetryPolicy retry = {}) : retry_(retry) {}
    virtual ~HubClient() = default;
    virtual std::string sourceName() const = 0;  // "huggingface", "modelscope"
    virtual std::string endpoint() const = 0;
    virtual bool supportsSearch() const = 0;

    virtual Result<ModelPage> searchModels(const SearchQuery& query, const CancelToken& cancel = {}) = 0;
    // The page after one that had next_url set.
    virtual Result<ModelPage> nextPage(const std::string& next_url, const CancelToken& cancel = {}) = 0;
    // revision empty = the default branch. files_metadata asks for sibling sizes and LFS ids.
    virtual Result<HubModel> modelInfo(const std::string& repo_id, const std::string& revision = {},
                                       bool files_metadata = false, const CancelToken& cancel = {}) = 0;
    // Every file (recursively) with sizes; LFS files carry their sha256 and real size.
    virtual Result<std::vector<RepoFile>> listFiles(const std::string& repo_id, const std::string& revision,
                                                    const CancelToken& cancel = {}) = 0;
    virtual Result<WhoAmI> whoami(const CancelToken& cancel = {}) = 0;
    // HEAD of the file: commit, blob key (ETag) and size, without following a CDN redirect.
    virtual Result<FileMetadata> fileMetadata(const std::string& repo_id, const std::string& revision,
                                              const std::string& path, const CancelToken& cancel = {}) = 0;
    // The GET request for a file's content (URL, auth); the downloader adds Range and sinks.
    virtual HttpRequest fileRequest(const std::string& repo_id, const std::string& revision, const std::string& path) const = 0;
    virtual bool hasToken() const = 0;
    const RetryPolicy& retryPolicy() const { return retry_; }

protected:
    // The request, retried per retryPolicy().
    Result<HttpResponse> sendRetrying(const HttpRequest& request, const RetryCall& call) const {
        return sendWithRetry(request, retry_, call);
    }

private:
    RetryPolicy retry_;
};

}  // namespace srs::hub
