#include "core/io/weight_source.h"

#include <cstring>
#include <filesystem>
#include <map>

#include "core/io/packed_source.h"
#include "core/io/checkpoint.h"
#include "core/io/gguf_source.h"
#include "core/io/model_check.h"

namespace fs = std::filesystem;

namespace srs::io {
namespace {

class HfFolderSource : public WeightSource {
public:
    HfFolderSource(ModelConfig config, std::shared_ptr<Checkpoint> cp) : config_(std::move(config)), cp_(std::move(cp)) {}

    const ModelConfig& config() const override { return config_; }
    std::vector<std::string> tensorNames() const override { return cp_->tensorNames(); }
    bool has(const std::string& name) const override { return cp_->find(name) != nullptr; }
    Result<std::vector<std::int64_t>> shape(const std::string& name) const override {
        const TensorInfo* t = cp_->find(name);
        if (!t) return makeError(ErrorCode::NotFound, "tensor '" + name + "' not found in " + cp_->folder());
        return t->shape;
    }
    Result<FloatTensor> loadFloat(const std::string& name) const override {
        auto view = cp_->tensor(name);
        if (!view) return view.error();
        if (!isFloating(view->info->dtype) || view->info->dtype == DType::F8_E4M3 || view->info->dtype == DType::F8_E5M2)
            return makeError(ErrorCode::Unsupported, "tensor '" + name + "' is stored as " + dtypeName(view->info->dtype) +
                                                         "; only F32, F16, BF16 and F64 weights can be loaded");
        FloatTensor t{view->info->shape, view->toFloat()};
        cp_->release(name, *view);
        return t;
    }
    std::string storedDtype(const std::string& name) const override {
        const TensorInfo* t = cp_->find(name);
        return t ? dtypeName(t->dtype) : "";
    }
    Result<RawTensor> loadRaw(const std::string& name) const override {
        auto view = cp_->tensor(name);
        if (!view) return view.error();
        RawTensor raw{view->info->dtype, view->info->shape, {}};
        raw.bytes.assign(view->data, view->data + view->info->sizeBytes());
        cp_->release(name, *view);
        return raw;
    }
    const std::string& path() const override { return cp_->folder(); }
    std::string tokenizerFolder() const override { return cp_->folder(); }

private:
    ModelConfig config_;
    std::shared_ptr<Checkpoint> cp_;
};

}  // namespace

Result<RawTensor> WeightSource::loadRaw(const std::string& name) const {
    auto t = loadFloat(name);
    if (!t) return t.error();
    RawTensor raw{DType::F32, t->shape, {}};
    raw.bytes.resize(t->data.size() * sizeof(float));
    std::memcpy(raw.bytes.data(), t->data.data(), raw.bytes.size());
    return raw;
}

Result<std::shared_ptr<WeightSource>> openHfFolder(const std::string& folder) {
    auto config = loadModelConfig(folder);
    if (!config) return config.error();
    auto cp = Checkpoint::open(folder);
    if (!cp) return cp.error();
    bool packed = isPackedQuantConfig(config->raw);
    auto plain = std::shared_ptr<WeightSource>(std::make_shared<HfFolderSource>(std::move(*config), std::move(*cp)));
    // A folder exported in a packed format reads back as dequantized weights.
    auto source = packed ? openPackedFolder(plain) : Result<std::shared_ptr<WeightSource>>(plain);
    if (!source) return source.error();
    // Every tensor against config.json before anyone indexes a shape or loops over a count.
    SRS_TRY(checkWeightSource(**source));
    return source;
}

Result<ModelLocation> locateModel(const std::string& path) {
    std::error_code ec;
    const std::string kHint = "give a Hugging Face model folder (config.json and *.safetensors) or a .gguf file";
    if (fs::is_directory(path, ec)) {
        if (!fs::exists(fs::path(path) / "config.json", ec)) {
            std::vector<fs::path> ggufs;
            for (const auto& e : fs::directory_iterator(path, ec))
                if (e.path().extension() == ".gguf") ggufs.push_back(e.path());
            if (ggufs.size() == 1) return ModelLocation{ModelLocation::Kind::GgufFile, path, ggufs.front().string()};
            if (ggufs.size() > 1)
                return makeError(ErrorCode::InvalidArgument, path + " holds " + std::to_string(ggufs.size()) + " .gguf files",
                                 "give the path of the one to open");
        }
        return ModelLocation{ModelLocation::Kind::HfFolder, path, path};
    }
    if (!fs::exists(path, ec)) return makeError(ErrorCode::NotFound, "no such model folder or file: " + path, kHint);
    const std::string ext = fs::path(path).extension().string();
    if (ext == ".gguf") return ModelLocation{ModelLocation::Kind::GgufFile, path, path};
    return makeError(ErrorCode::Unsupported, "cannot open " + path + ": files of type '" + ext + "' are not models this tool reads", kHint);
}

Result<std::shared_ptr<WeightSource>> openWeightSource(const std::string& path) {
    auto where = locateModel(path);
    if (!where) return where.error();
    if (where->kind == ModelLocation::Kind::HfFolder) return openHfFolder(where->file);
    auto source = openGgufModel(where->file);
    if (!source) return source.error();
    SRS_TRY(checkWeightSource(**source));
    return source;
}

}  // namespace srs::io
