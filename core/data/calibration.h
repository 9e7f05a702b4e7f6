// Calibration data for SignRound: documents from local .txt / .jsonl files (or any other
// DocumentSource, such as a Hub dataset), tokenized and sampled as AutoRound does (ALGORITHM.md
// §1.10): a seeded shuffle of the documents, each truncated to `seqlen` tokens, documents shorter
// than that or whose last token repeats more than seqlen/2 times dropped, until `nsamples`. When
// too few documents are long enough, the remaining ones are concatenated and cut into windows,
// with a warning saying so.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/tokenizer/tokenizer.h"

namespace srs::data {

class DocumentSource {
public:
    virtual ~DocumentSource() = default;
    virtual std::string name() const = 0;
    virtual Result<std::vector<std::string>> documents() const = 0;
};

// .txt: documents separated by "<|endoftext|>" lines when the file has them, else by blank lines.
// .jsonl: one JSON object per line with a "text" field.
Result<std::unique_ptr<DocumentSource>> openLocalDataset(const std::string& path);

struct CalibrationOptions {
    int nsamples = 128;
    int seqlen = 2048;
    std::uint64_t seed = 42;
};

struct CalibrationSet {
    std::vector<std::vector<std::int32_t>> samples;  // each exactly seqlen ids
    std::vector<std::string> sources;
    int from_documents = 0;     // samples that are single documents
    int from_concatenation = 0; // samples cut from concatenated documents
    std::vector<std::string> warnings;
};

Result<CalibrationSet> buildCalibrationSet(const std::vector<const DocumentSource*>& sources, const tokenizer::Tokenizer& tok,
                                           const CalibrationOptions& options, const CancelToken& cancel = {});

}  // namespace srs::data
