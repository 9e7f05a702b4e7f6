#include "core/io/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "core/io/read_text_file.h"

namespace fs = std::filesystem;

namespace srs::io {

Result<std::shared_ptr<Checkpoint>> Checkpoint::open(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return makeError(ErrorCode::NotFound, "model folder not found: " + folder, "give a folder with config.json and *.safetensors");
    auto cp = std::make_shared<Checkpoint>();
    cp->folder_ = folder;

    std::vector<std::string> files;
    std::map<std::string, std::string> weight_map;
    fs::path index_path = fs::path(folder) / "model.safetensors.index.json";
    if (fs::exists(index_path, ec)) {
        auto parsed = readJsonFile(index_path.string(), kMaxConfigFileBytes);  // a plain file, bounded, depth-limited
        if (!parsed) {
            Error e = parsed.error();
            e.hint = "download the model's index file again";
            return e;
        }
        const nlohmann::json& j = *parsed;
        if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
            return makeError(ErrorCode::CorruptFile, index_path.string() + " has no \"weight_map\" object");
        std::set<std::string> unique;
        for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
            if (!it.value().is_string())
                return makeError(ErrorCode::CorruptFile, index_path.string() + ": weight_map entry '" + it.key() + "' is not a file name");
            std::string f = it.value().get<std::string>();
            if (f.find('/') != std::string::npos || f.find("..") != std::string::npos)
                return makeError(ErrorCode::CorruptFile, index_path.string() + ": shard name '" + f + "' is not a plain file name");
            weight_map[it.key()] = f;
            unique.insert(f);
        }
        files.assign(unique.begin(), unique.end());
    } else {
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            if (entry.path().extension() == ".safetensors") files.push_back(entry.path().filename().string());
        }
        std::sort(files.begin(), files.end());
    }
    if (files.empty())
        return makeError(ErrorCode::NotFound, "no *.safetensors files in " + folder,
                         "this folder holds no safetensors weights; open a Hugging Face model folder or a .gguf file");

    std::map<std::string, std::size_t> shard_of_file;
    for (const auto& f : files) {
        auto st = SafetensorsFile::open((fs::path(folder) / f).string());
        if (!st) return st.error();
        shard_of_file[f] = cp->shards_.size();
        cp->shards_.push_back(*st);
    }
    if (!weight_map.empty()) {
        for (const auto& [name, f] : weight_map) {
            std::size_t s = shard_of_file[f];
            if (!cp->shards_[s]->find(name))
                return makeError(ErrorCode::CorruptFile, "index lists tensor '" + name + "' in " + f + " but that shard does not contain it",
                                 "the shards and the index do not match; download the model again");
            cp->owner_[name] = s;
        }
    } else {
        for (std::size_t s = 0; s < cp->shards_.size(); ++s) {
            for (const auto& t : cp->shards_[s]->tensors()) {
                if (cp->owner_.count(t.name))
                    return makeError(ErrorCode::CorruptFile, "tensor '" + t.name + "' appears in more than one shard of " + folder);
                cp->owner_[t.name] = s;
            }
        }
    }
    return cp;
}

std::vector<std::string> Checkpoint::tensorNames() const {
    std::vector<std::string> names;
    names.reserve(owner_.size());
    for (const auto& [n, s] : owner_) names.push_back(n);
    return names;
}

const TensorInfo* Checkpoint::find(const std::string& name) const {
    auto it = owner_.find(name);
    return it == owner_.end() ? nullptr : shards_[it->second]->find(name);
}

Result<TensorView> Checkpoint::tensor(const std::string& name) const {
    auto it = owner_.find(name);
    if (it == owner_.end()) return makeError(ErrorCode::NotFound, "tensor '" + name + "' not found in " + folder_);
    return shards_[it->second]->tensor(name);
}

void Checkpoint::release(const std::string& name, const TensorView& view) const {
    auto it = owner_.find(name);
    if (it != owner_.end()) shards_[it->second]->release(view);
}

std::uint64_t Checkpoint::totalSizeBytes() const {
    std::uint64_t total = 0;
    for (const auto& s : shards_) total += s->fileSizeBytes();
    return total;
}

}  // namespace srs::io
