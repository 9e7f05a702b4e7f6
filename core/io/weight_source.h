// Where a model's weights come from, independent of the file format: a Hugging Face folder of
// safetensors, or (with the GGUF importer) a .gguf file. Every source hands out tensors under
// their Hugging Face names, in Hugging Face layout (rotate-half q/k rows), as float32, one tensor
// at a time — so the runtime can stream a block's weights without loading the whole model.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/dtype.h"
#include "core/io/model_config.h"

namespace srs::io {

struct FloatTensor {
    std::vector<std::int64_t> shape;
    std::vector<float> data;
    std::uint64_t numel() const { return data.size(); }
};

struct RawTensor {
    DType dtype = DType::Invalid;
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes;
};

class WeightSource {
public:
    virtual ~WeightSource() = default;
    virtual const ModelConfig& config() const = 0;
    // HF tensor names, sorted.
    virtual std::vector<std::string> tensorNames() const = 0;
    virtual bool has(const std::string& name) const = 0;
    virtual Result<std::vector<std::int64_t>> shape(const std::string& name) const = 0;
    // The tensor as float32 in HF layout. NotFound when absent.
    virtual Result<FloatTensor> loadFloat(const std::string& name) const = 0;
    // Original dtype name ("F32", "BF16", "Q8_0", ...) for display and for exports that keep it.
    virtual std::string storedDtype(const std::string& name) const = 0;
    // The tensor as stored, for exporters that keep unquantized tensors in their original dtype.
    // Sources whose storage is not a safetensors dtype (GGUF blocks) give float32.
    virtual Result<RawTensor> loadRaw(const std::string& name) const;
    // The folder (HF) or file (GGUF) this came from.
    virtual const std::string& path() const = 0;
    // Folder holding tokenizer files, or empty when the tokenizer is embedded (GGUF).
    virtual std::string tokenizerFolder() const = 0;
};

// Opens a Hugging Face model folder (config.json + *.safetensors). Both openers check every
// tensor's rank and shape and the block count against config.json (model_check.h) first.
Result<std::shared_ptr<WeightSource>> openHfFolder(const std::string& folder);

// What a model path names, decided in one place for every reader (inspect, the Model page, the
// estimate, the pipeline, eval): a .gguf file, a folder holding exactly one .gguf and no
// config.json (as our GGUF exports and many Hub repositories are), or a Hugging Face folder
// (config.json + *.safetensors, also our packed exports and Hub-cache snapshots).
struct ModelLocation {
    enum class Kind { HfFolder, GgufFile } kind = Kind::HfFolder;
    std::string path;  // as given
    std::string file;  // GgufFile: the .gguf to read; HfFolder: the folder
};
// Errors: a path that does not exist, a file that is not a .gguf, a folder with several .gguf
// files and no config.json (the hint says to give one of them).
Result<ModelLocation> locateModel(const std::string& path);

// Opens a folder (Hugging Face, or one of our packed exports) or a .gguf file, by what path is.
Result<std::shared_ptr<WeightSource>> openWeightSource(const std::string& path);

}  // namespace srs::io
