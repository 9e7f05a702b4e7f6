#include "core/data/calibration.h"

#include <algorithm>

#include "core/common/text.h"
#include <filesystem>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "core/common/json_field.h"
#include "core/io/read_text_file.h"

namespace fs = std::filesystem;

namespace srs::data {
namespace {

using text::trim;

// A calibration file: a regular file of at most io::kMaxTextDataBytes, read whole.
Result<std::string> readData(const std::string& path) {
    auto text = io::readTextFile(path, io::kMaxTextDataBytes);
    if (!text) {
        Error e = text.error();
        e.hint = "give --dataset plain .txt or .jsonl files (at most 1 GiB each; split larger ones)";
        return e;
    }
    return text;
}

class TextFileSource : public DocumentSource {
public:
    explicit TextFileSource(std::string path) : path_(std::move(path)) {}
    std::string name() const override { return fs::path(path_).filename().string(); }
    Result<std::vector<std::string>> documents() const override {
        auto text = readData(path_);
        if (!text) return text.error();
        std::vector<std::string> docs;
        const std::string marker = "<|endoftext|>";
        const bool has_marker = text->find(marker) != std::string::npos;
        std::size_t pos = 0;
        while (pos <= text->size()) {
            std::size_t next = has_marker ? text->find(marker, pos) : text->find("\n\n", pos);
            std::string doc = trim(text->substr(pos, next == std::string::npos ? std::string::npos : next - pos));
            if (!doc.empty()) docs.push_back(doc);
            if (next == std::string::npos) break;
            pos = next + (has_marker ? marker.size() : 2);
        }
        if (docs.empty()) return makeError(ErrorCode::InvalidArgument, "calibration file " + path_ + " holds no text");
        return docs;
    }

private:
    std::string path_;
};

class JsonlSource : public DocumentSource {
public:
    explicit JsonlSource(std::string path) : path_(std::move(path)) {}
    std::string name() const override { return fs::path(path_).filename().string(); }
    Result<std::vector<std::string>> documents() const override {
        auto text = readData(path_);
        if (!text) return text.error();
        std::vector<std::string> docs;
        std::size_t pos = 0;
        for (int n = 1; pos < text->size(); ++n) {
            std::size_t end = text->find('\n', pos);
            if (end == std::string::npos) end = text->size();
            const std::string line = text->substr(pos, end - pos);
            pos = end + 1;
            if (trim(line).empty()) continue;
            const std::string where = path_ + ":" + std::to_string(n);
            auto j = json::parseJson(line, where, ErrorCode::CorruptFile);
            if (!j) return j.error();
            if (!j->is_object() || !j->contains("text") || !(*j)["text"].is_string())
                return makeError(ErrorCode::InvalidArgument, where + ": no \"text\" string field",
                                 "each line must be a JSON object with a \"text\" field");
            std::string t = (*j)["text"].get<std::string>();
            if (!trim(t).empty()) docs.push_back(std::move(t));
        }
        if (docs.empty()) return makeError(ErrorCode::InvalidArgument, "calibration file " + path_ + " holds no text");
        return docs;
    }

private:
    std::string path_;
};

}  // namespace

Result<std::unique_ptr<DocumentSource>> openLocalDataset(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        return makeError(ErrorCode::NotFound, "calibration file not found: " + path, "give .txt or .jsonl files with --dataset");
    if (!fs::is_regular_file(path, ec))
        return makeError(ErrorCode::InvalidArgument, "calibration data " + path + " is not a regular file (a folder, FIFO or device)",
                         "give .txt or .jsonl files with --dataset");
    std::string ext = fs::path(path).extension().string();
    if (ext == ".jsonl" || ext == ".json") return std::unique_ptr<DocumentSource>(new JsonlSource(path));
    return std::unique_ptr<DocumentSource>(new TextFileSource(path));
}

Result<CalibrationSet> buildCalibrationSet(const std::vector<const DocumentSource*>& sources, const tokenizer::Tokenizer& tok,
                                           const CalibrationOptions& opt, const CancelToken& cancel) {
    if (opt.nsamples < 1 || opt.seqlen < 2)
        return makeError(ErrorCode::InvalidArgument, "nsamples must be at least 1 and seqlen at least 2");
    if (sources.empty())
        return makeError(ErrorCode::InvalidArgument, "no calibration data given", "pass text files with --dataset FILE[,FILE]");
    CalibrationSet set;
    std::vector<std::string> docs;
    for (const auto* s : sources) {
        auto d = s->documents();
        if (!d) return d.error();
        set.sources.push_back(s->name());
        docs.insert(docs.end(), d->begin(), d->end());
    }
    // Seeded Fisher–Yates with our own draws: the same seed gives the same samples everywhere.
    std::mt19937_64 rng(opt.seed);
    for (std::size_t i = docs.size(); i > 1; --i) std::swap(docs[i - 1], docs[rng() % i]);

    const bool bos = tok.addsBosByDefault() && tok.bosId().has_value();
    const std::size_t body = static_cast<std::size_t>(opt.seqlen) - (bos ? 1 : 0);
    std::vector<std::size_t> unused;
    for (std::size_t i = 0; i < docs.size() && static_cast<int>(set.samples.size()) < opt.nsamples; ++i) {
        SRS_TRY(cancel.check("tokenizing calibration data"));
        auto encoded = tok.tryEncode(docs[i], false);  // an error for a hostile tokenizer.json
        if (!encoded) return encoded.error().withContext("tokenizing calibration data");
        std::vector<std::int32_t> ids = std::move(*encoded);
        if (ids.size() < body) {
            unused.push_back(i);
            continue;
        }
        ids.resize(body);
        std::int32_t last = ids.back();
        if (std::count(ids.begin(), ids.end(), last) > opt.seqlen / 2) continue;  // degenerate text
        if (bos) ids.insert(ids.begin(), *tok.bosId());
        set.samples.push_back(std::move(ids));
    }
    set.from_documents = static_cast<int>(set.samples.size());
    if (static_cast<int>(set.samples.size()) < opt.nsamples && !unused.empty()) {
        // Concatenate the short documents (separated by EOS when there is one) into windows.
        std::vector<std::int32_t> stream;
        for (std::size_t i : unused) {
            SRS_TRY(cancel.check("tokenizing calibration data"));
            auto ids = tok.tryEncode(docs[i], false);
            if (!ids) return ids.error().withContext("tokenizing calibration data");
            stream.insert(stream.end(), ids->begin(), ids->end());
            if (tok.eosId()) stream.push_back(*tok.eosId());
            if (stream.size() >= body * static_cast<std::size_t>(opt.nsamples - set.samples.size())) break;
        }
        for (std::size_t p = 0; p + body <= stream.size() && static_cast<int>(set.samples.size()) < opt.nsamples; p += body) {
            std::vector<std::int32_t> ids(stream.begin() + p, stream.begin() + p + body);
            if (bos) ids.insert(ids.begin(), *tok.bosId());
            set.samples.push_back(std::move(ids));
            ++set.from_concatenation;
        }
        if (set.from_concatenation > 0)
            set.warnings.push_back(std::to_string(set.from_concatenation) + " of " + std::to_string(set.samples.size()) +
                                   " calibration samples were cut from concatenated documents: only " + std::to_string(set.from_documents) +
                                   " documents have " + std::to_string(opt.seqlen) + " tokens");
    }
    if (set.samples.empty())
        return makeError(ErrorCode::InvalidArgument, "the calibration data yields no sample of " + std::to_string(opt.seqlen) + " tokens",
                         "add more text or lower --seqlen");
    if (static_cast<int>(set.samples.size()) < opt.nsamples)
        set.warnings.push_back("only " + std::to_string(set.samples.size()) + " of " + std::to_string(opt.nsamples) +
                               " calibration samples could be made; add more text or lower --seqlen");
    return set;
}

}  // namespace srs::data
