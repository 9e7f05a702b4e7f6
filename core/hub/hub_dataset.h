// Calibration text from a Hub dataset without parquet or Python: the dataset viewer's /rows
// endpoint (HUB.md §3.3 e), paged up to 100 rows a request, one text column kept, written once to
// a local JSONL file ({"text": …} per line, what openLocalDataset reads) and reused from there
// with no request at all. The cache lives beside the Hub cache, under
//   $HF_HOME/signround/datasets-server/datasets--<org>--<name>/<config>/<split>/<column>-<max rows>.jsonl
// ("auto" as config when it is looked up with /splits). Gated and private datasets need the token;
// it goes in the Authorization header only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/hub/hf_client.h"

namespace srs::hub {

struct DatasetSpec {
    std::string dataset;            // org/name
    std::string split = "train";
    std::string config;             // empty: the config that has `split`, from /splits
    std::string text_field = "text";
};

// "ORG/NAME", "ORG/NAME:split" or "ORG/NAME:split:column".
Result<DatasetSpec> parseDatasetSpec(const std::string& spec);
// The ORG/NAME[:split[:column]] form, and not a .txt / .jsonl / .json file name; says nothing
// about whether a local file of that name exists.
bool looksLikeHubDataset(const std::string& value);

struct DatasetRowsOptions {
    std::uint64_t max_rows = 10000;  // NeelNanda/pile-10k, AutoRound's default, is exactly this
    int page_size = 100;             // the viewer's maximum
};

struct DatasetRowsResult {
    std::string jsonl_path;
    std::string config;
    std::uint64_t rows = 0;            // lines written (rows whose column is a non-empty string)
    std::uint64_t num_rows_total = 0;  // as the viewer reports it (0 when read from the cache)
    bool from_cache = false;
};

// rows fetched so far, rows to fetch.
using DatasetRowsProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

std::string datasetRowsCachePath(const HubEnv& env, const DatasetSpec& spec, const DatasetRowsOptions& options);

// The cached JSONL when there is one, else fetched (written atomically when complete, so an
// interrupted fetch never passes for a cached one). 404 / 401 / 403 come back with what to do.
Result<DatasetRowsResult> fetchDatasetRows(HfClient& client, const DatasetSpec& spec, const DatasetRowsOptions& options = {},
                                           const DatasetRowsProgressFn& progress = {}, const CancelToken& cancel = {});

}  // namespace srs::hub
