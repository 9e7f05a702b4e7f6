// A Hugging Face checkpoint folder's tensors: one model.safetensors, or shards listed by
// model.safetensors.index.json ("weight_map": name -> file). Every shard is mmap'ed and its header
// validated on open; tensor bytes are read only when asked for.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/safetensors.h"

namespace srs::io {

class Checkpoint {
public:
    static Result<std::shared_ptr<Checkpoint>> open(const std::string& folder);

    const std::string& folder() const { return folder_; }
    const std::vector<std::shared_ptr<SafetensorsFile>>& shards() const { return shards_; }
    // All tensor names, sorted.
    std::vector<std::string> tensorNames() const;
    const TensorInfo* find(const std::string& name) const;
    Result<TensorView> tensor(const std::string& name) const;
    void release(const std::string& name, const TensorView& view) const;
    std::uint64_t totalSizeBytes() const;

private:
    std::string folder_;
    std::vector<std::shared_ptr<SafetensorsFile>> shards_;
    std::map<std::string, std::size_t> owner_;  // tensor name -> shard index
};

}  // namespace srs::io
