#include "core/hub/hub_dataset.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/hub/hub_cache.h"
#include "core/io/atomic_file.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace srs::hub {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One path component of the cache file from a split, config or column name: percent-encoded, so
// no '/' survives, and never "." or "..".
std::string component(const std::string& s) {
    std::string e = urlEncode(s);
    return e == "." || e == ".." ? "%2E" + e.substr(1) : e;
}

std::string viewerPage(const HubEnv& env, const std::string& dataset) {
    return env.endpoint + "/datasets/" + dataset;
}

// The viewer's error statuses as Errors that say what to do.
Error viewerError(const HttpResponse& r, const DatasetSpec& spec, const HubEnv& env, const std::string& what) {
    std::string server;
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) server = j["error"].get<std::string>();
    std::string msg = what + ": HTTP " + std::to_string(r.status) + (server.empty() ? "" : " (" + server + ")");
    if (r.status == 401 || r.status == 403)
        return makeError(r.status == 401 ? ErrorCode::Unauthorized : ErrorCode::Forbidden, msg,
                         "the dataset is gated or private: open " + viewerPage(env, spec.dataset) +
                             ", accept its conditions while logged in, then set a token of that account in HF_TOKEN "
                             "(or the token file $HF_HOME/token)");
    if (r.status == 404)
        return makeError(ErrorCode::NotFound, msg,
                         "check the dataset id, split ('" + spec.split + "') and config; only datasets the Hub's dataset viewer "
                         "can show (with a parquet export) work here; or give a local .txt / .jsonl file");
    if (r.status == 422) return makeError(ErrorCode::InvalidArgument, msg, "the dataset viewer refused the request parameters");
    return hubHttpError(r, what, spec.dataset, env.endpoint);
}

Result<json> viewerGet(HfClient& client, const std::string& url, const DatasetSpec& spec, const std::string& what,
                       const CancelToken& cancel) {
    HttpRequest req;
    req.url = url;
    req.headers = {{"Accept", "application/json"}};
    req.cancel = cancel;
    auto r = client.send(req, what, spec.dataset, false, {401, 403, 404, 422});
    if (!r) return r.error();
    if (r->status != 200) return viewerError(*r, spec, client.env(), what);
    auto j = json::parse(r->body, nullptr, false);
    if (!j.is_object())
        return makeError(ErrorCode::Network, what + ": the answer is not a JSON object",
                         "check SRS_DATASETS_SERVER (" + client.env().datasets_server + ") points at the Hub's dataset viewer");
    return j;
}

}  // namespace

Result<DatasetSpec> parseDatasetSpec(const std::string& value) {
    DatasetSpec spec;
    auto c1 = value.find(':');
    spec.dataset = value.substr(0, c1);
    auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument, "invalid Hub dataset '" + value + "': " + why,
                         "write ORG/NAME, ORG/NAME:split or ORG/NAME:split:column, e.g. NeelNanda/pile-10k:train:text");
    };
    if (spec.dataset.find('/') == std::string::npos) return bad("no ORG/ part");
    if (Status s = validateRepoId(spec.dataset); !s.ok()) return bad(s.error().message);
    if (c1 != std::string::npos) {
        std::string rest = value.substr(c1 + 1);
        auto c2 = rest.find(':');
        spec.split = rest.substr(0, c2);
        if (c2 != std::string::npos) spec.text_field = rest.substr(c2 + 1);
        if (spec.split.empty()) return bad("empty split");
        if (spec.text_field.empty()) return bad("empty column name");
        for (unsigned char c : spec.split)
            if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.')) return bad("a split name has only letters, digits, '_', '-', '.'");
    }
    return spec;
}

bool looksLikeHubDataset(const std::string& value) {
    std::string id = value.substr(0, value.find(':'));
    if (endsWith(id, ".txt") || endsWith(id, ".jsonl") || endsWith(id, ".json")) return false;
    return parseDatasetSpec(value).ok();
}

std::string datasetRowsCachePath(const HubEnv& env, const DatasetSpec& spec, const DatasetRowsOptions& o) {
    fs::path p = fs::path(env.hf_home) / "signround" / "datasets-server" / repoFolderName(spec.dataset, RepoType::Dataset) /
                 component(spec.config.empty() ? "auto" : spec.config) / component(spec.split) /
                 (component(spec.text_field) + "-" + std::to_string(o.max_rows) + ".jsonl");
    return p.string();
}

Result<DatasetRowsResult> fetchDatasetRows(HfClient& client, const DatasetSpec& spec, const DatasetRowsOptions& o,
                                           const DatasetRowsProgressFn& progress, const CancelToken& cancel) {
    SRS_TRY(validateRepoId(spec.dataset));
    if (o.max_rows == 0 || o.page_size < 1 || o.page_size > 100)
        return makeError(ErrorCode::InvalidArgument, "dataset rows: max_rows must be positive and page_size 1..100");
    const HubEnv& env = client.env();
    DatasetRowsResult result;
    result.jsonl_path = datasetRowsCachePath(env, spec, o);
    result.config = spec.config;
    std::error_code ec;
    if (fs::is_regular_file(result.jsonl_path, ec)) {
        result.from_cache = true;
        auto text = io::readFile(result.jsonl_path);
        if (!text) return text.error();
        result.rows = static_cast<std::uint64_t>(std::count(text->begin(), text->end(), '\n'));
        return result;
    }
    const std::string ds = urlEncode(spec.dataset);
    const std::string name = spec.dataset + " (" + spec.split + ")";

    std::string config = spec.config;
    if (config.empty()) {
        auto j = viewerGet(client, env.datasets_server + "/splits?dataset=" + ds, spec, "listing the splits of " + spec.dataset, cancel);
        if (!j) return j.error();
        std::vector<std::string> seen;
        if (j->contains("splits") && (*j)["splits"].is_array())
            for (const auto& s : (*j)["splits"]) {
                if (!s.is_object() || !s.contains("split") || !s["split"].is_string() || !s.contains("config") || !s["config"].is_string())
                    continue;
                if (s["split"] == spec.split && config.empty()) config = s["config"].get<std::string>();
                seen.push_back(s["config"].get<std::string>() + "/" + s["split"].get<std::string>());
            }
        if (config.empty()) {
            std::string list;
            for (const auto& s : seen) list += (list.empty() ? "" : ", ") + s;
            return makeError(ErrorCode::NotFound, spec.dataset + " has no split '" + spec.split + "'",
                             list.empty() ? "the dataset viewer lists no splits for it"
                                          : "its config/splits are " + list + "; write " + spec.dataset + ":SPLIT");
        }
        result.config = config;
    }

    std::string out;
    std::uint64_t total = 0;
    bool column_checked = false;
    for (std::uint64_t offset = 0;;) {
        SRS_TRY(cancel.check(("fetching rows of " + name).c_str()));
        std::uint64_t want = std::min<std::uint64_t>(static_cast<std::uint64_t>(o.page_size), o.max_rows - offset);
        std::string url = env.datasets_server + "/rows?dataset=" + ds + "&config=" + urlEncode(config) + "&split=" + urlEncode(spec.split) +
                          "&offset=" + std::to_string(offset) + "&length=" + std::to_string(want);
        auto j = viewerGet(client, url, spec, "fetching rows " + std::to_string(offset) + ".. of " + name, cancel);
        if (!j) return j.error();
        if (!j->contains("rows") || !(*j)["rows"].is_array())
            return makeError(ErrorCode::Network, "fetching rows of " + name + ": the answer has no rows");
        if (offset == 0) {
            total = j->value("num_rows_total", std::uint64_t(0));
            result.num_rows_total = total;
            if (total > o.max_rows)
                log::info(name + " has " + std::to_string(total) + " rows; using the first " + std::to_string(o.max_rows));
        }
        const json& rows = (*j)["rows"];
        for (const auto& r : rows) {
            if (!r.is_object() || !r.contains("row") || !r["row"].is_object()) continue;
            const json& row = r["row"];
            if (!column_checked && !row.contains(spec.text_field)) {
                std::string cols;
                for (auto it = row.begin(); it != row.end(); ++it) cols += (cols.empty() ? "" : ", ") + it.key();
                return makeError(ErrorCode::InvalidArgument, name + " has no column '" + spec.text_field + "' (columns: " + cols + ")",
                                 "name the text column: " + spec.dataset + ":" + spec.split + ":COLUMN");
            }
            column_checked = true;
            auto it = row.find(spec.text_field);
            if (it == row.end() || !it->is_string() || it->get<std::string>().empty()) continue;
            out += json{{"text", it->get<std::string>()}}.dump() + "\n";
            ++result.rows;
        }
        offset += rows.size();
        std::uint64_t goal = std::min(o.max_rows, total);
        if (progress) progress(offset, goal);
        if (rows.empty() || offset >= goal) break;
    }
    if (result.rows == 0)
        return makeError(ErrorCode::InvalidArgument, name + " has no text in column '" + spec.text_field + "'",
                         "name another column: " + spec.dataset + ":" + spec.split + ":COLUMN");
    fs::create_directories(fs::path(result.jsonl_path).parent_path(), ec);
    if (ec) return makeError(ErrorCode::IoError, "cannot create the dataset cache folder for " + result.jsonl_path + ": " + ec.message());
    SRS_TRY(io::writeFileAtomic(result.jsonl_path, out));
    log::info("cached " + std::to_string(result.rows) + " rows of " + name + " in " + result.jsonl_path);
    return result;
}

}  // namespace srs::hub
