// Which calibration data a --dataset value names: a local .txt / .jsonl file (openLocalDataset),
// or, when no such file exists and the value has the ORG/NAME[:split[:column]] form, a Hub
// dataset read through the dataset viewer and cached as JSONL (core/hub/hub_dataset.h). The Hub
// is configured from the environment the way huggingface_hub is (HF_ENDPOINT, HF_HOME, HF_TOKEN or
// the token file, HF_HUB_OFFLINE; SRS_DATASETS_SERVER for the viewer).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/data/calibration.h"

namespace srs::data {

// True when value would be read from the Hub: no file of that name exists and it looks like a
// dataset id.
bool isHubDatasetValue(const std::string& value);

// A local file, or a Hub dataset (fetched now unless cached; up to max_rows rows).
Result<std::unique_ptr<DocumentSource>> openDataset(const std::string& value, const CancelToken& cancel = {},
                                                    std::uint64_t max_rows = 10000);

// Opens every --dataset value and draws the calibration samples from them all (buildCalibrationSet).
Result<CalibrationSet> calibrationSetFrom(const std::vector<std::string>& values, const tokenizer::Tokenizer& tok,
                                          const CalibrationOptions& options, const CancelToken& cancel = {});

}  // namespace srs::data
