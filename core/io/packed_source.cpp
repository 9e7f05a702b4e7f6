#include "core/io/packed_source.h"

#include <regex>
#include <set>

#include "core/io/packing.h"

namespace srs::io {
namespace {

struct LayerScheme {
    int bits = 4;
    int group_size = 128;
};

enum class Packing { GptqV1, GptqPlain, Awq };

class PackedSource : public WeightSource {
public:
    PackedSource(std::shared_ptr<WeightSource> plain, nlohmann::json qc) : plain_(std::move(plain)), qc_(std::move(qc)) {
        std::string method = qc_.value("quant_method", std::string());
        std::string packing = qc_.value("packing_format", std::string());
        if (method == "awq" || packing == "auto_round:auto_awq")
            packing_ = Packing::Awq;
        else if (method == "gptq" || packing == "auto_round:auto_gptq")
            packing_ = Packing::GptqV1;
        else
            packing_ = Packing::GptqPlain;
        default_.bits = qc_.value("bits", 4);
        default_.group_size = qc_.value("group_size", 128);
        for (const auto& n : plain_->tensorNames()) {
            static const std::string kSuffix = ".qweight";
            if (n.size() > kSuffix.size() && n.compare(n.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0)
                layers_.insert(n.substr(0, n.size() - kSuffix.size()));
        }
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
        if (packedWeight(name, &layer)) {
            auto w = loadFloat(name);
            if (!w) return w.error();
            return w->shape;
        }
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
        LayerScheme s = default_;
        auto apply = [&s](const nlohmann::json& e) {
            s.bits = e.value("bits", s.bits);
            s.group_size = e.value("group_size", s.group_size);
        };
        if (qc_.contains("extra_config") && qc_["extra_config"].is_object()) {
            const auto& ec = qc_["extra_config"];
            if (ec.contains(layer)) apply(ec[layer]);
        }
        if (qc_.contains("dynamic") && qc_["dynamic"].is_object()) {
            for (auto it = qc_["dynamic"].begin(); it != qc_["dynamic"].end(); ++it) {
                const std::string& key = it.key();
                if (key.rfind("+:", 0) != 0) continue;
                try {
                    if (std::regex_search(layer, std::regex(key.substr(2)))) apply(it.value());
                } catch (const std::regex_error&) {
                }
            }
        }
        return s;
    }

    Result<io::FloatTensor> dequantize(const std::string& layer) const {
        auto fail = [&](const std::string& what) {
            return makeError(ErrorCode::CorruptFile, "packed layer " + layer + " in " + plain_->path() + ": " + what,
                             "the export is damaged or was written by an incompatible tool");
        };
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
    nlohmann::json qc_;
    Packing packing_ = Packing::GptqV1;
    LayerScheme default_;
    std::set<std::string> layers_;
};

}  // namespace

bool isPackedQuantConfig(const nlohmann::json& config) {
    if (!config.contains("quantization_config") || !config["quantization_config"].is_object()) return false;
    std::string m = config["quantization_config"].value("quant_method", std::string());
    return m == "auto-round" || m == "gptq" || m == "awq";
}

Result<std::shared_ptr<WeightSource>> openPackedFolder(std::shared_ptr<WeightSource> plain) {
    const auto& raw = plain->config().raw;
    if (!isPackedQuantConfig(raw))
        return makeError(ErrorCode::Unsupported, plain->path() + " has no quantization_config of a packed format");
    return std::shared_ptr<WeightSource>(std::make_shared<PackedSource>(plain, raw["quantization_config"]));
}

}  // namespace srs::io
