#include "core/io/packed_source.h"

#include <map>
#include <optional>
#include <regex>
#include <set>

#include "core/common/json_field.h"
#include "core/io/packing.h"

namespace srs::io {
namespace {

struct LayerScheme {
    int bits = 4;
    int group_size = 128;
};

enum class Packing { GptqV1, GptqPlain, Awq };

// quantization_config as read, every value type- and range-checked (json_field.h), with each
// packed layer's scheme resolved once (extra_config, then dynamic "+:regex" entries).
struct PackedSettings {
    Packing packing = Packing::GptqV1;
    LayerScheme def;
    std::map<std::string, LayerScheme> layers;  // every packed layer (a "<layer>.qweight" in the folder)
};

// bits: what the unpackers read; group_size: -1 or 0 (one group per row) or a positive size.
Status readScheme(const json::Fields& f, LayerScheme& s) {
    auto bits = f.integer("bits", 2, 8, s.bits);
    if (!bits) return bits.error();
    if (*bits != 2 && *bits != 3 && *bits != 4 && *bits != 8) return f.wrong("bits", "2, 3, 4 or 8", *f.find("bits"));
    auto group = f.integer("group_size", -1, 1 << 20, s.group_size);
    if (!group) return group.error();
    s.bits = static_cast<int>(*bits);
    s.group_size = static_cast<int>(*group);
    return {};
}

Result<PackedSettings> readPackedSettings(const nlohmann::json& qc, const std::string& file, const WeightSource& plain) {
    const json::Fields f(qc, file, "quantization_config.", ErrorCode::CorruptFile, "the export is damaged or was written by an incompatible tool");
    PackedSettings out;
    auto method = f.string("quant_method", "");
    if (!method) return method.error();
    auto packing = f.string("packing_format", "");
    if (!packing) return packing.error();
    if (*method == "awq" || *packing == "auto_round:auto_awq") out.packing = Packing::Awq;
    else if (*method == "gptq" || *packing == "auto_round:auto_gptq") out.packing = Packing::GptqV1;
    else out.packing = Packing::GptqPlain;
    SRS_TRY(readScheme(f, out.def));
    auto extra = f.object("extra_config");
    if (!extra) return extra.error();
    auto dynamic = f.object("dynamic");
    if (!dynamic) return dynamic.error();
    std::vector<std::pair<std::regex, std::optional<json::Fields>>> rules;
    if (*dynamic)
        for (auto it = qc["dynamic"].begin(); it != qc["dynamic"].end(); ++it) {
            if (it.key().rfind("+:", 0) != 0) continue;
            auto entry = (*dynamic)->object(it.key());
            if (!entry) return entry.error();
            if (it.key().size() > 1000) return f.error("quantization_config.dynamic has a pattern longer than 1000 characters");
            try {
                rules.emplace_back(std::regex(it.key().substr(2)), *entry);
            } catch (const std::regex_error&) {
                return f.error("quantization_config.dynamic key '" + it.key() + "' is not a valid regular expression");
            }
        }
    static const std::string kSuffix = ".qweight";
    for (const auto& n : plain.tensorNames()) {
        if (n.size() <= kSuffix.size() || n.compare(n.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) continue;
        const std::string layer = n.substr(0, n.size() - kSuffix.size());
        LayerScheme s = out.def;
        if (*extra) {
            auto e = (*extra)->object(layer);
            if (!e) return e.error();
            if (*e) SRS_TRY(readScheme(**e, s));
        }
        for (const auto& [re, entry] : rules)
            if (entry && std::regex_search(layer, re)) SRS_TRY(readScheme(*entry, s));
        out.layers[layer] = s;
    }
    return out;
}

class PackedSource : public WeightSource {
public:
    PackedSource(std::shared_ptr<WeightSource> plain, PackedSettings settings)
        : plain_(std::move(plain)), packing_(settings.packing), schemes_(std::move(settings.layers)) {
        for (const auto& [layer, s] : schemes_) layers_.insert(layer);
    }

    const io::ModelConfig& config() const override { return plain_->config(); }
    std::vector<std::string> tensorNames() const override {
        std::vector<std::string> names;
        for (const auto& n : plain_->tensorNames()) {
            std::string layer, part;
            if (splitPacked(n, &layer, &part)) {
                if (part == "qweight") names.push_back(layer + ".weight");
                continue;
            }
            names.push_back(n);
        }
        std::sort(names.begin(), names.end());
        return names;
    }
    bool has(const std::string& name) const override {
        std::string layer;
        if (packedWeight(name, &layer)) return true;
        std::string l2, part;
        return !splitPacked(name, &l2, &part) && plain_->has(name);
    }
    Result<std::vector<std::int64_t>> shape(const std::string& name) const override {
        std::string layer;
        if (packedWeight(name, &layer)) return packedShape(layer);
        return plain_->shape(name);
    }
    Result<io::FloatTensor> loadFloat(const std::string& name) const override {
        std::string layer;
        if (!packedWeight(name, &layer)) return plain_->loadFloat(name);
        return dequantize(layer);
    }
    Result<io::RawTensor> loadRaw(const std::string& name) const override {
        std::string layer;
        if (packedWeight(name, &layer)) return WeightSource::loadRaw(name);
        return plain_->loadRaw(name);
    }
    std::string storedDtype(const std::string& name) const override {
        std::string layer;
        if (packedWeight(name, &layer)) return "INT" + std::to_string(schemeFor(layer).bits);
        return plain_->storedDtype(name);
    }
    const std::string& path() const override { return plain_->path(); }
    std::string tokenizerFolder() const override { return plain_->tokenizerFolder(); }

private:
    bool packedWeight(const std::string& name, std::string* layer) const {
        static const std::string kSuffix = ".weight";
        if (name.size() <= kSuffix.size() || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) return false;
        *layer = name.substr(0, name.size() - kSuffix.size());
        return layers_.count(*layer) > 0;
    }
    bool splitPacked(const std::string& name, std::string* layer, std::string* part) const {
        for (const char* p : {"qweight", "qzeros", "scales", "g_idx"}) {
            std::string suffix = std::string(".") + p;
            if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
                std::string l = name.substr(0, name.size() - suffix.size());
                if (layers_.count(l)) {
                    *layer = l;
                    *part = p;
                    return true;
                }
            }
        }
        return false;
    }
    LayerScheme schemeFor(const std::string& layer) const {
        auto it = schemes_.find(layer);
        return it == schemes_.end() ? LayerScheme{} : it->second;
    }

    Error damaged(const std::string& layer, const std::string& what) const {
        return makeError(ErrorCode::CorruptFile, "packed layer " + layer + " in " + plain_->path() + ": " + what,
                         "the export is damaged or was written by an incompatible tool");
    }

    // [out, in] from the shapes of qweight and scales, without reading data.
    Result<std::vector<std::int64_t>> packedShape(const std::string& layer) const {
        auto qw = plain_->shape(layer + ".qweight");
        auto sc = plain_->shape(layer + ".scales");
        if (!qw || !sc) return damaged(layer, "qweight and scales are both needed");
        if (qw->size() != 2 || sc->size() != 2) return damaged(layer, "qweight and scales must be matrices");
        const LayerScheme s = schemeFor(layer);
        const std::int64_t out = (*sc)[1];
        if (packing_ == Packing::Awq) return std::vector<std::int64_t>{out, (*qw)[0]};
        const std::int64_t words_per_run = s.bits == 3 ? 3 : 1, run = s.bits == 3 ? 32 : 32 / s.bits;
        return std::vector<std::int64_t>{out, (*qw)[0] / words_per_run * run};
    }

    Result<io::FloatTensor> dequantize(const std::string& layer) const {
        auto fail = [&](const std::string& what) { return damaged(layer, what); };
        auto qw = plain_->loadRaw(layer + ".qweight");
        auto qz = plain_->loadRaw(layer + ".qzeros");
        auto sc = plain_->loadFloat(layer + ".scales");
        if (!qw || !qz || !sc) return fail("qweight, qzeros and scales are all needed");
        if (qw->dtype != io::DType::I32 || qz->dtype != io::DType::I32 || qw->shape.size() != 2 || qz->shape.size() != 2 ||
            sc->shape.size() != 2)
            return fail("unexpected dtypes or ranks");
        const LayerScheme s = schemeFor(layer);
        const std::int64_t g = sc->shape[0], out = sc->shape[1];
        auto asInts = [](const io::RawTensor& t) {
            std::vector<std::int32_t> v(t.bytes.size() / 4);
            std::memcpy(v.data(), t.bytes.data(), v.size() * 4);
            return v;
        };
        std::int64_t in = 0;
        std::vector<std::uint32_t> q, z;
        if (packing_ == Packing::Awq) {
            in = qw->shape[0];
            if (qw->shape[1] * 8 != out || qz->shape[0] != g || qz->shape[1] * 8 != out) return fail("AWQ shapes disagree with scales");
            q = unpackColsAwq(asInts(*qw), in, out);
            z = unpackColsAwq(asInts(*qz), g, out);
        } else {
            const std::int64_t words_per_run = s.bits == 3 ? 3 : 1, run = s.bits == 3 ? 32 : 32 / s.bits;
            if (qw->shape[1] != out || qw->shape[0] % words_per_run != 0) return fail("qweight shape disagrees with scales");
            in = qw->shape[0] / words_per_run * run;
            if (qz->shape[0] != g || qz->shape[1] * 32 != out * s.bits) return fail("qzeros shape disagrees with scales and bits");
            q = unpackRowsGptq(asInts(*qw), in, out, s.bits);
            z = unpackColsGptq(asInts(*qz), g, out, s.bits);
        }
        const std::int64_t gs = s.group_size > 0 ? s.group_size : in;
        if ((in + gs - 1) / gs != g) return fail("group count does not match in_features / group_size");
        const int plus = packing_ == Packing::GptqV1 ? 1 : 0;
        io::FloatTensor w;
        w.shape = {out, in};
        w.data.resize(static_cast<std::size_t>(out * in));
        for (std::int64_t i = 0; i < in; ++i) {
            const std::int64_t k = i / gs;
            for (std::int64_t o = 0; o < out; ++o) {
                float scale = sc->data[k * out + o];
                int zero = static_cast<int>(z[k * out + o]) + plus;
                w.data[o * in + i] = scale * static_cast<float>(static_cast<int>(q[i * out + o]) - zero);
            }
        }
        return w;
    }

    std::shared_ptr<WeightSource> plain_;
    Packing packing_ = Packing::GptqV1;
    std::map<std::string, LayerScheme> schemes_;
    std::set<std::string> layers_;
};

}  // namespace

bool isPackedQuantConfig(const nlohmann::json& config) {
    if (!config.is_object()) return false;
    auto qc = config.find("quantization_config");
    if (qc == config.end() || !qc->is_object()) return false;
    auto m = qc->find("quant_method");
    if (m == qc->end() || !m->is_string()) return false;
    const std::string& method = m->get_ref<const std::string&>();
    return method == "auto-round" || method == "gptq" || method == "awq";
}

Result<std::shared_ptr<WeightSource>> openPackedFolder(std::shared_ptr<WeightSource> plain) {
    const auto& raw = plain->config().raw;
    if (!isPackedQuantConfig(raw))
        return makeError(ErrorCode::Unsupported, plain->path() + " has no quantization_config of a packed format");
    auto settings = readPackedSettings(raw["quantization_config"], plain->path() + "/config.json", *plain);
    if (!settings) return settings.error();
    return std::shared_ptr<WeightSource>(std::make_shared<PackedSource>(plain, std::move(*settings)));
}

}  // namespace srs::io
