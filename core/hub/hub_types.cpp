#include "core/hub/hub_types.h"

#include <nlohmann/json.hpp>

namespace srs::hub {
namespace {
std::string str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::int64_t integer(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return 0;
    if (it->is_number_integer() || it->is_number_unsigned()) return it->get<std::int64_t>();
    if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
    return 0;
}
std::uint64_t unsignedOf(const nlohmann::json& j, const char* key) {
    std::int64_t v = integer(j, key);
    return v < 0 ? 0 : static_cast<std::uint64_t>(v);
}
bool boolean(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}
}  // namespace

RepoFile parseTreeEntry(const nlohmann::json& j) {
    RepoFile f;
    // Tree entries use "path", model-info siblings use "rfilename".
    f.path = str(j, "path");
    if (f.path.empty()) f.path = str(j, "rfilename");
    f.is_dir = str(j, "type") == "directory";
    f.size_bytes = unsignedOf(j, "size");
    f.oid = str(j, "oid");
    if (f.oid.empty()) f.oid = str(j, "blobId");
    auto lfs = j.find("lfs");
    if (lfs != j.end() && lfs->is_object()) {
        f.is_lfs = true;
        f.lfs_sha256 = str(*lfs, "oid");
        if (f.lfs_sha256.empty()) f.lfs_sha256 = str(*lfs, "sha256");
        if (lfs->contains("size")) f.size_bytes = unsignedOf(*lfs, "size");
    }
    return f;
}

HubModel parseHubModel(const nlohmann::json& j) {
    HubModel m;
    m.id = str(j, "id");
    if (m.id.empty()) m.id = str(j, "modelId");
    m.author = str(j, "author");
    if (m.author.empty()) {
        auto slash = m.id.find('/');
        if (slash != std::string::npos) m.author = m.id.substr(0, slash);
    }
    m.sha = str(j, "sha");
    m.created_at = str(j, "createdAt");
    m.last_modified = str(j, "lastModified");
    m.is_private = boolean(j, "private");
    if (auto g = j.find("gated"); g != j.end()) {
        if (g->is_string()) m.gated = g->get<std::string>();
        else if (g->is_boolean() && g->get<bool>()) m.gated = "auto";
    }
    m.disabled = boolean(j, "disabled");
    m.downloads = integer(j, "downloads");
    m.likes = integer(j, "likes");
    if (auto t = j.find("trendingScore"); t != j.end() && t->is_number()) m.trending_score = t->get<double>();
    m.library_name = str(j, "library_name");
    m.pipeline_tag = str(j, "pipeline_tag");
    if (auto tags = j.find("tags"); tags != j.end() && tags->is_array())
        for (const auto& t : *tags)
            if (t.is_string()) m.tags.push_back(t.get<std::string>());
    if (auto st = j.find("safetensors"); st != j.end() && st->is_object()) {
        m.num_parameters = unsignedOf(*st, "total");
        if (auto p = st->find("parameters"); p != st->end() && p->is_object())
            for (auto it = p->begin(); it != p->end(); ++it)
                if (it->is_number()) m.params_by_dtype[it.key()] = it->get<std::uint64_t>();
    }
    m.used_storage_bytes = unsignedOf(j, "usedStorage");
    if (auto s = j.find("siblings"); s != j.end() && s->is_array())
        for (const auto& e : *s)
            if (e.is_object()) m.siblings.push_back(parseTreeEntry(e));
    return m;
}

WhoAmI parseWhoAmI(const nlohmann::json& j) {
    WhoAmI w;
    w.name = str(j, "name");
    w.fullname = str(j, "fullname");
    w.type = str(j, "type");
    if (auto orgs = j.find("orgs"); orgs != j.end() && orgs->is_array())
        for (const auto& o : *orgs)
            if (o.is_object()) w.orgs.push_back(str(o, "name"));
    if (auto auth = j.find("auth"); auth != j.end() && auth->is_object())
        if (auto at = auth->find("accessToken"); at != auth->end() && at->is_object()) {
            w.token_name = str(*at, "displayName");
            w.token_role = str(*at, "role");
        }
    return w;
}

nlohmann::json repoFileToJson(const RepoFile& f) {
    nlohmann::json j{{"path", f.path}, {"type", f.is_dir ? "directory" : "file"}, {"size", f.size_bytes}, {"oid", f.oid}};
    if (f.is_lfs) j["lfs"] = {{"oid", f.lfs_sha256}, {"size", f.size_bytes}};
    return j;
}

nlohmann::json hubModelToJson(const HubModel& m) {
    nlohmann::json j{{"id", m.id},
                     {"author", m.author},
                     {"sha", m.sha},
                     {"createdAt", m.created_at},
                     {"lastModified", m.last_modified},
                     {"private", m.is_private},
                     {"gated", m.gated.empty() ? nlohmann::json(false) : nlohmann::json(m.gated)},
                     {"downloads", m.downloads},
                     {"likes", m.likes},
                     {"library_name", m.library_name},
                     {"pipeline_tag", m.pipeline_tag},
                     {"tags", m.tags},
                     {"num_parameters", m.num_parameters},
                     {"usedStorage", m.used_storage_bytes}};
    if (!m.siblings.empty()) {
        j["siblings"] = nlohmann::json::array();
        for (const auto& f : m.siblings) j["siblings"].push_back(repoFileToJson(f));
    }
    return j;
}

}  // namespace srs::hub
