#include "core/job/block_store.h"

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/io/model_config.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"

namespace fs = std::filesystem;

namespace srs::job {
namespace {

// Scheme and shape of a layer stored in a block file, without its data.
Result<exporter::QuantizedLayer> layerHeader(const io::SafetensorsFile& f, const nlohmann::json& meta, const std::string& name,
                                             const std::string& path) {
    exporter::QuantizedLayer l;
    l.name = name;
    try {
        l.scheme.bits = meta.at("bits");
        l.scheme.group_size = meta.at("group_size");
        l.scheme.sym = meta.at("sym");
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::CorruptFile, path + " has a damaged scheme for " + name + ": " + e.what(), "run again without --resume");
    }
    const io::TensorInfo* q = f.find(name + ".q");
    if (!q || q->shape.size() != 2) return makeError(ErrorCode::CorruptFile, path + " lacks " + name + ".q", "run again without --resume");
    l.out_features = q->shape[0];
    l.in_features = q->shape[1];
    l.has_bias = f.find(name + ".bias") != nullptr;
    return l;
}

Result<nlohmann::json> layersMeta(const io::SafetensorsFile& f, const std::string& path) {
    auto it = f.metadata().find("layers");
    if (it == f.metadata().end()) return makeError(ErrorCode::CorruptFile, path + " lists no layers", "run again without --resume");
    auto meta = nlohmann::json::parse(it->second, nullptr, false);
    if (!meta.is_object()) return makeError(ErrorCode::CorruptFile, path + " has damaged layer metadata", "run again without --resume");
    return meta;
}

// One tuned layer with its data, read from its block file.
Result<exporter::QuantizedLayer> loadTunedLayer(const std::string& run_dir, const std::string& name) {
    // "model.layers.<k>.<linear>"
    const std::size_t a = std::string("model.layers.").size();
    const std::size_t b = name.size() > a ? name.find('.', a) : std::string::npos;
    const std::string index = b == std::string::npos ? std::string() : name.substr(a, b - a);
    if (name.compare(0, a, "model.layers.") != 0 || index.empty() || index.find_first_not_of("0123456789") != std::string::npos || index.size() > 6)
        return makeError(ErrorCode::CorruptFile, "the run folder names a layer that is not a block linear: " + name, "run again without --resume");
    const int k = std::stoi(index);
    const std::string path = blockFilePath(run_dir, k);
    auto f = io::SafetensorsFile::open(path);
    if (!f) return f.error();
    auto meta = layersMeta(**f, path);
    if (!meta) return meta.error();
    if (!meta->contains(name)) return makeError(ErrorCode::CorruptFile, path + " lacks " + name, "run again without --resume");
    auto l = layerHeader(**f, meta->at(name), name, path);
    if (!l) return l.error();
    auto q = (*f)->tensor(name + ".q");
    if (!q) return q.error();
    l->q.assign(q->data, q->data + q->info->sizeBytes());
    auto sc = (*f)->tensor(name + ".scales");
    auto z = (*f)->tensor(name + ".zeros");
    if (!sc || !z) return makeError(ErrorCode::CorruptFile, path + " lacks scales or zeros of " + name);
    l->scales = sc->toFloat();
    l->zeros.resize(z->info->numel());
    std::memcpy(l->zeros.data(), z->data, z->info->sizeBytes());
    if ((*f)->find(name + ".bias")) l->bias = (*f)->tensor(name + ".bias")->toFloat();
    l->has_bias = !l->bias.empty();
    return l;
}

}  // namespace

std::string blockFilePath(const std::string& run_dir, int block) {
    char name[32];
    std::snprintf(name, sizeof name, "block_%03d.safetensors", block);
    return (fs::path(run_dir) / name).string();
}

Status writeBlockFile(const std::string& run_dir, int block, const std::vector<exporter::QuantizedLayer>& layers, const BlockFinished& stats) {
    std::vector<io::TensorToWrite> t;
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& l : layers) {
        t.push_back({l.name + ".q", io::DType::U8, {l.out_features, l.in_features}, l.q.data()});
        t.push_back({l.name + ".scales", io::DType::F32, {l.out_features, l.groups()}, l.scales.data()});
        t.push_back({l.name + ".zeros", io::DType::I32, {l.out_features, l.groups()}, l.zeros.data()});
        if (!l.bias.empty()) t.push_back({l.name + ".bias", io::DType::F32, {l.out_features}, l.bias.data()});
        meta[l.name] = {{"bits", l.scheme.bits}, {"group_size", l.scheme.group_size}, {"sym", l.scheme.sym}};
    }
    return io::writeSafetensors(blockFilePath(run_dir, block), t, {{"layers", meta.dump()}, {"block", toJson(stats).dump()}});
}

Status addTunedLayers(const std::string& run_dir, int num_blocks, exporter::QuantizedModel& model) {
    for (int k = 0; k < num_blocks; ++k) {
        const std::string path = blockFilePath(run_dir, k);
        auto f = io::SafetensorsFile::open(path);
        if (!f) return f.error();
        auto meta = layersMeta(**f, path);
        if (!meta) return meta.error();
        for (auto it = meta->begin(); it != meta->end(); ++it) {
            auto l = layerHeader(**f, it.value(), it.key(), path);
            if (!l) return l.error();
            model.layers[it.key()] = std::move(*l);
        }
        for (const auto& linear : io::decoderBlockLinearNames()) {
            const std::string name = "model.layers." + std::to_string(k) + "." + linear;
            if (!model.layers.count(name)) model.fp_layers.push_back(name);
        }
    }
    model.load_layer = [run_dir](const std::string& name) { return loadTunedLayer(run_dir, name); };
    return {};
}

}  // namespace srs::job
