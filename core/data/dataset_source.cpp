#include "core/data/dataset_source.h"

#include <filesystem>

#include "core/common/log.h"
#include "core/hub/hub_dataset.h"

namespace fs = std::filesystem;

namespace srs::data {
namespace {

// The cached JSONL of a Hub dataset, named by the dataset so the model card can say where the
// calibration text came from.
class HubRowsSource : public DocumentSource {
public:
    HubRowsSource(std::string name, std::unique_ptr<DocumentSource> file) : name_(std::move(name)), file_(std::move(file)) {}
    std::string name() const override { return name_; }
    Result<std::vector<std::string>> documents() const override { return file_->documents(); }

private:
    std::string name_;
    std::unique_ptr<DocumentSource> file_;
};

}  // namespace

bool isHubDatasetValue(const std::string& value) {
    std::error_code ec;
    return !fs::exists(value, ec) && hub::looksLikeHubDataset(value);
}

Result<std::unique_ptr<DocumentSource>> openDataset(const std::string& value, const CancelToken& cancel, std::uint64_t max_rows) {
    if (!isHubDatasetValue(value)) return openLocalDataset(value);
    auto spec = hub::parseDatasetSpec(value);
    if (!spec) return spec.error();
    hub::HubEnv env = hub::hubEnvFromEnvironment();
    hub::ResolvedToken token = hub::resolveToken(env);
    hub::HfClient client(env, token.token);
    client.setTokenOrigin(token.where);
    hub::DatasetRowsOptions o;
    o.max_rows = max_rows;
    std::uint64_t last_logged = 0;
    auto rows = hub::fetchDatasetRows(
        client, *spec, o,
        [&](std::uint64_t done, std::uint64_t total) {
            if (done - last_logged >= 1000 || done >= total) {
                log::info("calibration rows of " + spec->dataset + ": " + std::to_string(done) + " / " + std::to_string(total));
                last_logged = done;
            }
        },
        cancel);
    if (!rows) {
        Error e = rows.error();
        if (e.code == ErrorCode::NotFound)
            e.message = "no local file '" + value + "', and the Hub dataset: " + e.message;
        return e;
    }
    auto file = openLocalDataset(rows->jsonl_path);
    if (!file) return file.error();
    return std::unique_ptr<DocumentSource>(new HubRowsSource(spec->dataset + ":" + spec->split, std::move(*file)));
}

Result<CalibrationSet> calibrationSetFrom(const std::vector<std::string>& values, const tokenizer::Tokenizer& tok,
                                          const CalibrationOptions& options, const CancelToken& cancel) {
    std::vector<std::unique_ptr<DocumentSource>> owned;
    std::vector<const DocumentSource*> sources;
    for (const auto& v : values) {
        auto s = openDataset(v, cancel);
        if (!s) return s.error();
        owned.push_back(std::move(*s));
        sources.push_back(owned.back().get());
    }
    return buildCalibrationSet(sources, tok, options, cancel);
}

}  // namespace srs::data
