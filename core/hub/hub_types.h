// Plain data the Hub code passes around: models from search and info, files of a repository,
// the logged-in account, and a file's download metadata. JSON parsing of the Hub's response
// shapes (hf_api.py's ModelInfo / RepoFile keys) lives beside them so the fake hub tests and the
// ModelScope client share it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/common/result.h"

namespace srs::hub {

struct RepoFile {
    std::string path;
    bool is_dir = false;
    std::uint64_t size_bytes = 0;  // for LFS files the real size, not the pointer's
    std::string oid;               // git blob sha1 (of the pointer for LFS files)
    bool is_lfs = false;
    std::string lfs_sha256;
    // The name the cache stores the blob under: sha256 for LFS files, the git oid otherwise.
    const std::string& blobKey() const { return is_lfs ? lfs_sha256 : oid; }
};

struct HubModel {
    std::string id;
    std::string author;
    std::string sha;
    std::string created_at;
    std::string last_modified;
    bool is_private = false;
    std::string gated;  // "" when not gated, else "auto" or "manual"
    bool disabled = false;
    std::int64_t downloads = 0;
    std::int64_t likes = 0;
    double trending_score = 0;
    std::string library_name;
    std::string pipeline_tag;
    std::vector<std::string> tags;
    std::uint64_t num_parameters = 0;                    // safetensors.total, 0 when unknown
    std::map<std::string, std::uint64_t> params_by_dtype;  // safetensors.parameters
    std::uint64_t used_storage_bytes = 0;
    std::vector<RepoFile> siblings;  // with sizes when asked for blobs
};

struct ModelPage {
    std::vector<HubModel> models;
    std::string next_url;  // empty on the last page
};

struct WhoAmI {
    std::string name;
    std::string fullname;
    std::string type;  // "user" or "org"
    std::vector<std::string> orgs;
    std::string token_name;
    std::string token_role;  // "read", "write", "fineGrained"
};

struct FileMetadata {
    std::string commit;  // X-Repo-Commit
    std::string etag;    // normalized X-Linked-Etag or ETag
    std::uint64_t size_bytes = 0;
    bool size_known = false;
    std::string location;  // CDN URL for LFS files
};

struct SearchQuery {
    std::string search;
    std::string author;
    std::vector<std::string> filters;  // tags: gguf, text-generation, library:transformers…
    std::string sort = "downloads";     // downloads | likes | lastModified | createdAt | trendingScore
    bool descending = true;
    int limit = 20;
};

// Parsers for the Hub's JSON; tolerant of absent keys, strict about types they rely on.
HubModel parseHubModel(const nlohmann::json& j);
RepoFile parseTreeEntry(const nlohmann::json& j);
WhoAmI parseWhoAmI(const nlohmann::json& j);
nlohmann::json hubModelToJson(const HubModel& m);
nlohmann::json repoFileToJson(const RepoFile& f);

}  // namespace srs::hub
