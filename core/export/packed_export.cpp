#include "core/export/packed_export.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/common/log.h"
#include "core/export/exporter.h"
#include "core/io/packing.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors_writer.h"
#include "core/io/gguf_source.h"
#include "core/tokenizer/gguf_bpe.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/tokenizer/spm_tokenizer.h"

namespace fs = std::filesystem;

namespace srs::exporter {
namespace {

const char* kAutoRoundVersion = "0.15.0";  // the AutoRound release whose format we write

// Files a model folder carries besides weights and config, copied verbatim.
const char* kCopiedFiles[] = {"tokenizer.json",  "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                              "generation_config.json", "chat_template.jinja", "chat_template.json", "added_tokens.json",
                              "vocab.json", "merges.txt", "LICENSE", "LICENSE.txt"};

struct OwnedTensor {
    std::string name;
    io::DType dtype = io::DType::Invalid;
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes;
};

template <typename T>
OwnedTensor makeTensor(const std::string& name, io::DType dtype, std::vector<std::int64_t> shape, const std::vector<T>& values) {
    OwnedTensor t{name, dtype, std::move(shape), {}};
    t.bytes.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
    return t;
}

OwnedTensor fp16Tensor(const std::string& name, std::vector<std::int64_t> shape, const std::vector<float>& values) {
    std::vector<std::uint16_t> h(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) h[i] = io::floatToHalf(values[i]);
    return makeTensor(name, io::DType::F16, std::move(shape), h);
}

std::string packingFormatFor(const QuantizedModel& m, PackedFormat f) {
    if (f == PackedFormat::Fake) return "fake";
    if (f == PackedFormat::AutoGptq) return "auto_gptq";
    if (f == PackedFormat::AutoAwq) return "auto_awq";
    if (m.scheme.sym) return "auto_round:auto_gptq";
    bool all4 = std::all_of(m.layers.begin(), m.layers.end(), [](const auto& kv) { return kv.second.scheme.bits == 4; });
    return all4 ? "auto_round:auto_awq" : "auto_round";
}

Result<std::vector<OwnedTensor>> packLayer(const QuantizedLayer& l, const std::string& packing, PackedFormat f) {
    if (auto ok = checkPackable(f, l.out_features, l.in_features, l.scheme.bits, l.scheme.group_size); !ok) return ok.error().withContext(l.name);
    const std::int64_t out = l.out_features, in = l.in_features, g = l.groups(), gs = l.groupSize();
    std::vector<OwnedTensor> t;
    if (f == PackedFormat::Fake) {  // float32 holds scale·(q − zero) exactly
        t.push_back(makeTensor(l.name + ".weight", io::DType::F32, {out, in}, l.dequantize()));
        if (!l.bias.empty()) t.push_back(makeTensor(l.name + ".bias", io::DType::F32, {out}, l.bias));
        return t;
    }
    // scales / zeros transposed from [out][groups] to [groups][out].
    std::vector<float> scales(static_cast<std::size_t>(g * out));
    std::vector<std::uint32_t> zeros(static_cast<std::size_t>(g * out));
    const bool minus_one = packing == "auto_gptq" || packing == "auto_round:auto_gptq";
    const std::uint32_t mask = (1u << l.scheme.bits) - 1;
    bool wrapped = false;
    for (std::int64_t o = 0; o < out; ++o)
        for (std::int64_t k = 0; k < g; ++k) {
            scales[k * out + o] = l.scales[o * g + k];
            std::int32_t z = l.zeros[o * g + k] - (minus_one ? 1 : 0);
            if (z < 0) wrapped = true;
            zeros[k * out + o] = static_cast<std::uint32_t>(z) & mask;
        }
    if (wrapped)
        log::warn(l.name + ": a zero point of 0 cannot be stored in the GPTQ v1 convention (zero − 1); readers will see " +
                  std::to_string(mask + 1) + " — prefer the auto_round format for asymmetric schemes");
    std::vector<std::uint32_t> qt(static_cast<std::size_t>(in * out));  // [in][out]
    for (std::int64_t o = 0; o < out; ++o)
        for (std::int64_t i = 0; i < in; ++i) qt[i * out + o] = l.q[o * in + i];

    const bool awq = packing == "auto_awq" || packing == "auto_round:auto_awq";
    if (awq) {
        auto qw = io::packColsAwq(qt, in, out);
        if (!qw) return qw.error().withContext(l.name);
        auto qz = io::packColsAwq(zeros, g, out);
        if (!qz) return qz.error().withContext(l.name);
        t.push_back(makeTensor(l.name + ".qweight", io::DType::I32, {in, out / 8}, *qw));
        t.push_back(makeTensor(l.name + ".qzeros", io::DType::I32, {g, out / 8}, *qz));
    } else {
        auto qw = io::packRowsGptq(qt, in, out, l.scheme.bits);
        if (!qw) return qw.error().withContext(l.name);
        auto qz = io::packColsGptq(zeros, g, out, l.scheme.bits);
        if (!qz) return qz.error().withContext(l.name);
        t.push_back(makeTensor(l.name + ".qweight", io::DType::I32, {static_cast<std::int64_t>(qw->size()) / out, out}, *qw));
        t.push_back(makeTensor(l.name + ".qzeros", io::DType::I32, {g, static_cast<std::int64_t>(qz->size()) / g}, *qz));
        if (f == PackedFormat::AutoGptq) {
            std::vector<std::int32_t> gidx(static_cast<std::size_t>(in));
            for (std::int64_t i = 0; i < in; ++i) gidx[i] = static_cast<std::int32_t>(i / gs);
            t.push_back(makeTensor(l.name + ".g_idx", io::DType::I32, {in}, gidx));
        }
    }
    t.push_back(fp16Tensor(l.name + ".scales", {g, out}, scales));
    if (!l.bias.empty()) t.push_back(fp16Tensor(l.name + ".bias", {out}, l.bias));
    return t;
}

bool sameScheme(const QuantizedLayer& l, const QuantizedModel& m) {
    return l.scheme.bits == m.scheme.bits && l.scheme.group_size == m.scheme.group_size && l.scheme.sym == m.scheme.sym;
}


}  // namespace

Result<PackedFormat> parsePackedFormat(const std::string& name) {
    if (name == "auto_round" || name == "auto-round") return PackedFormat::AutoRound;
    if (name == "auto_gptq" || name == "gptq") return PackedFormat::AutoGptq;
    if (name == "auto_awq" || name == "awq") return PackedFormat::AutoAwq;
    if (name == "fake") return PackedFormat::Fake;
    return makeError(ErrorCode::InvalidArgument, "unknown format '" + name + "'", "use auto_round, auto_gptq, auto_awq or gguf:<type>");
}

const char* packedFormatName(PackedFormat f) {
    switch (f) {
    case PackedFormat::AutoRound: return "auto_round";
    case PackedFormat::AutoGptq: return "auto_gptq";
    case PackedFormat::AutoAwq: return "auto_awq";
    case PackedFormat::Fake: return "fake";
    case PackedFormat::None: break;
    }
    return "none";
}

Status checkPackable(PackedFormat f, std::int64_t out, std::int64_t in, int bits, int group_size) {
    if (f == PackedFormat::Fake) return {};
    if (out % 32 != 0 || in % 32 != 0)
        return makeError(ErrorCode::Unsupported, "shape [" + std::to_string(out) + ", " + std::to_string(in) +
                                                     "] is not a multiple of 32 in both dimensions; " + packedFormatName(f) +
                                                     " keeps such layers in full precision");
    if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
        return makeError(ErrorCode::Unsupported, std::to_string(bits) + "-bit weights cannot be stored in " + packedFormatName(f));
    if (f == PackedFormat::AutoAwq) {
        if (bits != 4) return makeError(ErrorCode::Unsupported, "auto_awq stores 4-bit weights only");
        if (group_size > 0 && in % group_size != 0)
            return makeError(ErrorCode::Unsupported, "auto_awq needs in_features divisible by the group size");
    }
    return {};
}

nlohmann::json buildQuantizationConfig(const QuantizedModel& m, PackedFormat f) {
    nlohmann::json q = {{"bits", m.scheme.bits}, {"group_size", m.scheme.group_size}, {"sym", m.scheme.sym}, {"data_type", "int"},
                        {"autoround_version", kAutoRoundVersion}};
    for (auto it = m.tuning.begin(); it != m.tuning.end(); ++it) q[it.key()] = it.value();
    nlohmann::json extra = nlohmann::json::object();
    for (const auto& name : m.fp_layers) extra[name] = {{"bits", 16}, {"data_type", "fp"}};
    for (const auto& [name, l] : m.layers)
        if (!sameScheme(l, m)) extra[name] = {{"bits", l.scheme.bits}, {"group_size", l.scheme.group_size}, {"sym", l.scheme.sym}, {"data_type", "int"}};

    if (f == PackedFormat::AutoRound) {
        q["quant_method"] = "auto-round";
        q["packing_format"] = packingFormatFor(m, f);
        q["block_name_to_quantize"] = m.block_name;
        if (!extra.empty()) q["extra_config"] = extra;
    } else if (f == PackedFormat::AutoGptq) {
        q["quant_method"] = "gptq";
        q["provider"] = "auto-round";
        q["desc_act"] = false;
        q["true_sequential"] = false;
        q["damp_percent"] = 0.01;
        q["lm_head"] = m.layers.count("lm_head") > 0;
        if (!extra.empty()) {
            nlohmann::json dynamic = nlohmann::json::object();
            for (auto it = extra.begin(); it != extra.end(); ++it) {
                std::string pattern = it.key();
                for (std::size_t p = 0; (p = pattern.find('.', p)) != std::string::npos; p += 2) pattern.insert(p, "\\");
                pattern = "^" + pattern + "$";
                if (it.value().value("bits", 16) >= 16)
                    dynamic["-:" + pattern] = nlohmann::json::object();
                else
                    dynamic["+:" + pattern] = {{"bits", it.value()["bits"]}, {"group_size", it.value()["group_size"]}, {"sym", it.value()["sym"]}};
            }
            q["dynamic"] = dynamic;
        }
    } else if (f == PackedFormat::AutoAwq) {
        q["quant_method"] = "awq";
        q["provider"] = "auto-round";
        q["zero_point"] = !m.scheme.sym;
        q["version"] = "gemm";
        q["modules_to_not_convert"] = m.fp_layers;
        q["to_quant_block_names"] = m.block_name;
    }
    return q;
}

namespace {

// One output tensor: its description, and which layer (if any) produces it.
struct PlannedTensor {
    io::TensorToWrite desc;
    std::string layer;  // empty: copied from the source
    std::uint64_t size = 0;
};

std::uint64_t bytesOf(const io::TensorToWrite& t) {
    std::uint64_t n = 1;
    for (auto d : t.shape) n *= static_cast<std::uint64_t>(d);
    return n * io::dtypeSize(t.dtype);
}

// The tensors packLayer will produce for a layer, from its scheme and shape alone.
std::vector<io::TensorToWrite> layerTensorShapes(const QuantizedLayer& l, const std::string& packing, PackedFormat f) {
    const std::int64_t out = l.out_features, in = l.in_features, g = l.groups();
    const bool bias = !l.bias.empty() || l.has_bias;
    std::vector<io::TensorToWrite> t;
    if (f == PackedFormat::Fake) {
        t.push_back({l.name + ".weight", io::DType::F32, {out, in}, nullptr});
        if (bias) t.push_back({l.name + ".bias", io::DType::F32, {out}, nullptr});
        return t;
    }
    const bool awq = packing == "auto_awq" || packing == "auto_round:auto_awq";
    if (awq) {
        t.push_back({l.name + ".qweight", io::DType::I32, {in, out / 8}, nullptr});
        t.push_back({l.name + ".qzeros", io::DType::I32, {g, out / 8}, nullptr});
    } else {
        const std::int64_t rows = l.scheme.bits == 3 ? in / 32 * 3 : in * l.scheme.bits / 32;
        t.push_back({l.name + ".qweight", io::DType::I32, {rows, out}, nullptr});
        t.push_back({l.name + ".qzeros", io::DType::I32, {g, l.scheme.bits == 3 ? out / 32 * 3 : out * l.scheme.bits / 32}, nullptr});
        if (f == PackedFormat::AutoGptq) t.push_back({l.name + ".g_idx", io::DType::I32, {in}, nullptr});
    }
    t.push_back({l.name + ".scales", io::DType::F16, {g, out}, nullptr});
    if (bias) t.push_back({l.name + ".bias", io::DType::F16, {out}, nullptr});
    return t;
}

}  // namespace

namespace {

// Every output tensor with its size, sorted by name, and how they are split into shards.
Status planPackedTensors(const QuantizedModel& m, PackedFormat f, const std::string& packing, std::uint64_t max_shard_bytes,
                         std::vector<PlannedTensor>& plan, std::vector<std::vector<std::size_t>>& shards, std::uint64_t& total_bytes) {
    std::set<std::string> replaced;
    for (const auto& [name, l] : m.layers) {
        replaced.insert(name + ".weight");
        replaced.insert(name + ".bias");
        for (auto& d : layerTensorShapes(l, packing, f)) plan.push_back({d, name, bytesOf(d)});
    }
    for (const auto& n : m.source->tensorNames()) {
        if (replaced.count(n)) continue;
        auto shape = m.source->shape(n);
        if (!shape) return shape.error();
        io::DType dt = io::dtypeFromSafetensorsName(m.source->storedDtype(n));
        if (dt == io::DType::Invalid) dt = io::DType::F32;  // e.g. GGUF blocks: loadRaw gives float32
        io::TensorToWrite d{n, dt, *shape, nullptr};
        plan.push_back({d, "", bytesOf(d)});
    }
    std::sort(plan.begin(), plan.end(), [](const PlannedTensor& a, const PlannedTensor& b) { return a.desc.name < b.desc.name; });

    shards.assign(1, {});
    std::uint64_t current = 0;
    total_bytes = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        if (current > 0 && current + plan[i].size > max_shard_bytes) {
            shards.emplace_back();
            current = 0;
        }
        shards.back().push_back(i);
        current += plan[i].size;
        total_bytes += plan[i].size;
    }
    return {};
}

std::string shardName(std::size_t s, std::size_t count) {
    char name[64];
    if (count == 1)
        std::snprintf(name, sizeof name, "model.safetensors");
    else
        std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", s + 1, count);
    return name;
}

// config.json of the export: the source's, with quantization_config for the packed formats.
nlohmann::json exportConfig(const QuantizedModel& m, PackedFormat f, const std::string& packing) {
    nlohmann::json config = m.source->config().raw;
    if (f != PackedFormat::Fake) {
        config["quantization_config"] = buildQuantizationConfig(m, f);
        if (f != PackedFormat::AutoRound || packing == "auto_round:auto_awq") config["torch_dtype"] = "float16";
    }
    return config;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> embeddedTokenizerFiles(const io::WeightSource& source) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!source.tokenizerFolder().empty()) return out;
    auto g = io::GgufFile::open(source.path());
    if (!g) return out;  // not a GGUF: nothing embedded
    auto gv = io::readGgufVocab(**g);
    if (!gv) return gv.error();
    if (!*gv) return out;
    if ((*gv)->model == "gpt2") {
        auto hf = tokenizer::hfTokenizerFilesFromGguf(**g, **gv);
        if (!hf) return hf.error();
        out.emplace_back("tokenizer.json", std::move(hf->tokenizer_json));
        out.emplace_back("tokenizer_config.json", std::move(hf->tokenizer_config_json));
        return out;
    }
    auto tok = tokenizer::loadTokenizerFor(source);
    if (!tok) return tok.error();
    if (auto* spm = dynamic_cast<const tokenizer::SpmTokenizer*>(tok->get())) {
        nlohmann::json tc = {{"tokenizer_class", "LlamaTokenizer"}, {"add_bos_token", spm->vocab().add_bos}, {"add_eos_token", false}};
        if (spm->bosId()) tc["bos_token"] = spm->piece(*spm->bosId());
        if (spm->eosId()) tc["eos_token"] = spm->piece(*spm->eosId());
        out.emplace_back("tokenizer.model", tokenizer::serializeSpmModel(spm->vocab()));
        out.emplace_back("tokenizer_config.json", tc.dump(2));
    }
    return out;
}

Result<std::uint64_t> packedExportBytes(const QuantizedModel& m, const PackedExportOptions& opt) {
    if (!m.source) return makeError(ErrorCode::InvalidArgument, "export without a source model");
    const PackedFormat f = opt.format;
    const std::string packing = packingFormatFor(m, f);
    std::vector<PlannedTensor> plan;
    std::vector<std::vector<std::size_t>> shards;
    std::uint64_t tensor_bytes = 0;
    SRS_TRY(planPackedTensors(m, f, packing, opt.max_shard_bytes, plan, shards, tensor_bytes));
    std::uint64_t total = 0;
    nlohmann::json weight_map = nlohmann::json::object();
    for (std::size_t s = 0; s < shards.size(); ++s) {
        std::vector<io::TensorToWrite> descs;
        for (std::size_t i : shards[s]) {
            descs.push_back(plan[i].desc);
            weight_map[plan[i].desc.name] = shardName(s, shards.size());
        }
        auto bytes = io::safetensorsFileBytes(descs, {{"format", "pt"}});
        if (!bytes) return bytes.error();
        total += *bytes;
    }
    if (shards.size() > 1)
        total += nlohmann::json({{"metadata", {{"total_size", tensor_bytes}}}, {"weight_map", weight_map}}).dump(2).size();
    total += exportConfig(m, f, packing).dump(2).size();
    if (f != PackedFormat::Fake) total += buildQuantizationConfig(m, f).dump(2).size();
    const std::string src = m.source->tokenizerFolder();
    std::error_code ec;
    if (!src.empty()) {
        for (const char* file : kCopiedFiles) {
            const auto size = fs::file_size(fs::path(src) / file, ec);
            if (!ec) total += size;
        }
        for (const auto& e : fs::directory_iterator(src, ec))
            if (e.path().extension() == ".py") total += e.file_size(ec);
    } else {
        auto files = embeddedTokenizerFiles(*m.source);
        if (!files) return files.error();
        for (const auto& f : *files) total += f.second.size();
    }
    total += opt.model_card.size();
    return total;
}

namespace {

// Every layer's data has the sizes its shape and scheme give, and the format can store it.
Status checkLayers(const QuantizedModel& m, PackedFormat f) {
    for (const auto& [name, l] : m.layers) {
        if (!l.q.empty() && (l.q.size() != static_cast<std::size_t>(l.out_features * l.in_features) ||
                             l.scales.size() != static_cast<std::size_t>(l.out_features * l.groups()) || l.zeros.size() != l.scales.size()))
            return makeError(ErrorCode::Internal, "layer " + name + " has inconsistent quantization data");
        auto ok = checkPackable(f, l.out_features, l.in_features, l.scheme.bits, l.scheme.group_size);
        if (!ok) return ok.error().withContext(name);
    }
    return {};
}

// The tokenizer, generation and chat-template files (and remote code) of the source folder; a
// GGUF source carries its vocabulary inside, so it is written out as the folder's tokenizer.
Status writeTokenizerFiles(const io::WeightSource& source, const std::string& tmp) {
    std::error_code ec;
    const std::string src = source.tokenizerFolder();
    if (!src.empty()) {
        for (const char* file : kCopiedFiles) {
            fs::path from = fs::path(src) / file;
            if (fs::exists(from, ec)) {
                fs::copy_file(from, fs::path(tmp) / file, fs::copy_options::overwrite_existing, ec);
                if (ec) return makeError(ErrorCode::IoError, "cannot copy " + from.string() + ": " + ec.message());
            }
        }
        for (const auto& e : fs::directory_iterator(src, ec))
            if (e.path().extension() == ".py") fs::copy_file(e.path(), fs::path(tmp) / e.path().filename(), fs::copy_options::overwrite_existing, ec);
        return {};
    }
    auto files = embeddedTokenizerFiles(source);
    if (!files) return files.error();
    if (files->empty()) log::warn("the export has no tokenizer files: copy them from the original model");
    for (const auto& [name, content] : *files) SRS_TRY(io::writeFileAtomic(tmp + "/" + name, content));
    return {};
}

}  // namespace

Result<ExportReport> exportPacked(const QuantizedModel& m, const std::string& output_dir, const PackedExportOptions& opt,
                                  const ExportProgressFn& progress, const CancelToken& cancel) {
    if (!m.source) return makeError(ErrorCode::InvalidArgument, "export without a source model");
    const PackedFormat f = opt.format;
    const std::string packing = packingFormatFor(m, f);
    SRS_TRY(checkLayers(m, f));

    // Plan every output tensor with its size, before producing any bytes.
    std::vector<PlannedTensor> plan;
    std::vector<std::vector<std::size_t>> shards;
    std::uint64_t total_bytes = 0;
    SRS_TRY(planPackedTensors(m, f, packing, opt.max_shard_bytes, plan, shards, total_bytes));

    SRS_TRY(ensureFreeDisk(output_dir, total_bytes, "export"));

    auto staging = io::StagingDir::create(output_dir);
    if (!staging) return staging.error();
    const std::string tmp = staging->path();

    const int total_steps = static_cast<int>(plan.size()) + 1;
    int step = 0;
    // The packed tensors of the layer being written; a layer's tensors are adjacent in name order.
    std::string cached_layer;
    std::map<std::string, OwnedTensor> cached;
    nlohmann::json weight_map = nlohmann::json::object();
    for (std::size_t s = 0; s < shards.size(); ++s) {
        const std::string name = shardName(s, shards.size());
        std::vector<io::TensorToWrite> descs;
        for (std::size_t i : shards[s]) {
            descs.push_back(plan[i].desc);
            weight_map[plan[i].desc.name] = name;
        }
        auto produce = [&](std::size_t k) -> Result<io::TensorBytes> {
            SRS_TRY(cancel.check("exporting"));
            const PlannedTensor& pt = plan[shards[s][k]];
            if (progress) progress(++step, total_steps, pt.desc.name);
            if (pt.layer.empty()) {
                auto raw = m.source->loadRaw(pt.desc.name);
                if (!raw) return raw.error();
                return io::TensorBytes{nullptr, 0, std::move(raw->bytes)};
            }
            if (cached_layer != pt.layer) {
                auto data = m.layerData(pt.layer);
                if (!data) return data.error();
                auto packed = packLayer(*data, packing, f);
                if (!packed) return packed.error();
                cached.clear();
                for (auto& t : *packed) cached[t.name] = std::move(t);
                cached_layer = pt.layer;
            }
            auto it = cached.find(pt.desc.name);
            if (it == cached.end()) return makeError(ErrorCode::Internal, "packing produced no tensor " + pt.desc.name);
            io::TensorBytes b{nullptr, 0, std::move(it->second.bytes)};
            cached.erase(it);
            return b;
        };
        SRS_TRY(io::writeSafetensorsStreamed(tmp + "/" + name, descs, produce, {{"format", "pt"}}));
    }
    if (shards.size() > 1) {
        nlohmann::json index = {{"metadata", {{"total_size", total_bytes}}}, {"weight_map", weight_map}};
        SRS_TRY(io::writeFileAtomic(tmp + "/model.safetensors.index.json", index.dump(2)));
    }

    nlohmann::json config = exportConfig(m, f, packing);
    if (f != PackedFormat::Fake) SRS_TRY(io::writeFileAtomic(tmp + "/quantization_config.json", buildQuantizationConfig(m, f).dump(2)));
    SRS_TRY(io::writeFileAtomic(tmp + "/config.json", config.dump(2)));

    SRS_TRY(writeTokenizerFiles(*m.source, tmp));
    if (!opt.model_card.empty()) SRS_TRY(io::writeFileAtomic(tmp + "/README.md", opt.model_card));
    SRS_TRY(cancel.check("finishing the export"));

    SRS_TRY(staging->commit());
    const fs::path final_path = staging->finalPath();
    if (progress) progress(total_steps, total_steps, "done");

    return reportOfFolder(final_path.string(), packing);
}

}  // namespace srs::exporter
