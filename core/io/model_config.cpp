#include "core/io/model_config.h"

#include <algorithm>
#include <filesystem>

#include "core/common/json_field.h"
#include "core/io/read_text_file.h"

namespace fs = std::filesystem;

namespace srs::io {

const std::vector<std::string>& ModelConfig::supportedModelTypes() {
    static const std::vector<std::string> kTypes = {"llama", "mistral", "qwen2", "qwen3"};
    return kTypes;
}

const std::vector<std::string>& ModelConfig::supportedRopeScalings() {
    static const std::vector<std::string> kTypes = {"linear", "llama3"};
    return kTypes;
}

bool ModelConfig::isSupported() const { return unsupportedReason().empty(); }

std::string ModelConfig::unsupportedReason() const {
    auto joined = [](const std::vector<std::string>& v) {
        std::string list;
        for (const auto& t : v) list += (list.empty() ? "" : ", ") + t;
        return list;
    };
    const auto& t = supportedModelTypes();
    if (std::find(t.begin(), t.end(), model_type) == t.end())
        return "model_type '" + model_type + "' is not supported (supported: " + joined(t) + ")";
    const auto& r = supportedRopeScalings();
    if (!rope_scaling.type.empty() && std::find(r.begin(), r.end(), rope_scaling.type) == r.end())
        return "RoPE scaling '" + rope_scaling.type + "' is not supported (supported: none, " + joined(r) + ")";
    return {};
}

namespace {

// What config.json may hold, per key: wide enough for every published model (Llama 3.1 405B:
// hidden 16384, intermediate 53248, 126 layers, 128 heads, vocab 128256; context windows up to
// 10M tokens), narrow enough that every product the runtime forms stays far inside int64.
constexpr std::int64_t kMaxHidden = 1 << 20;
constexpr std::int64_t kMaxIntermediate = 1 << 22;
constexpr std::int64_t kMaxLayers = 1 << 14;
constexpr std::int64_t kMaxHeads = 1 << 16;
constexpr std::int64_t kMaxHeadDim = 1 << 16;
constexpr std::int64_t kMaxVocab = 2147483647;  // token ids are int32 in the tokenizers
constexpr std::int64_t kMaxContext = 2147483647;
constexpr std::size_t kMaxListItems = 1024;

using json::Fields;

// hidden / intermediate / layers / heads / KV heads / head_dim / vocab and their consistency.
Status readShape(const Fields& f, ModelConfig& c) {
    auto hidden = f.integer("hidden_size", 1, kMaxHidden);
    if (!hidden) return hidden.error();
    c.hidden_size = *hidden;
    auto inter = f.integer("intermediate_size", 1, kMaxIntermediate);
    if (!inter) return inter.error();
    c.intermediate_size = *inter;
    auto layers = f.integer("num_hidden_layers", 1, kMaxLayers);
    if (!layers) return layers.error();
    c.num_hidden_layers = *layers;
    auto heads = f.integer("num_attention_heads", 1, kMaxHeads);
    if (!heads) return heads.error();
    c.num_attention_heads = *heads;
    auto vocab = f.integer("vocab_size", 1, kMaxVocab);
    if (!vocab) return vocab.error();
    c.vocab_size = *vocab;
    auto kv = f.integer("num_key_value_heads", 1, c.num_attention_heads, c.num_attention_heads);
    if (!kv) return kv.error();
    c.num_key_value_heads = *kv;
    if (c.num_attention_heads % c.num_key_value_heads != 0)
        return f.error("num_attention_heads (" + std::to_string(c.num_attention_heads) + ") is not a multiple of num_key_value_heads (" +
                       std::to_string(c.num_key_value_heads) + ")");
    auto head_dim = f.optionalInteger("head_dim", 2, kMaxHeadDim);
    if (!head_dim) return head_dim.error();
    if (*head_dim) {
        c.head_dim = **head_dim;
    } else {
        if (c.hidden_size % c.num_attention_heads != 0)
            return f.error("hidden_size (" + std::to_string(c.hidden_size) + ") is not a multiple of num_attention_heads (" +
                           std::to_string(c.num_attention_heads) + ") and no head_dim is given");
        c.head_dim = c.hidden_size / c.num_attention_heads;
    }
    if (c.head_dim % 2 != 0)
        return f.error("head_dim (" + std::to_string(c.head_dim) + (*head_dim ? "" : ", hidden_size / num_attention_heads") +
                       ") must be even for RoPE");
    return {};
}

// One RoPE scaling object (rope_scaling, or transformers 5's rope_parameters).
Status readScaling(const Fields& rs, RopeScaling& out) {
    auto type = rs.string("rope_type", "");
    if (!type) return type.error();
    if (type->empty()) {
        type = rs.string("type", "");
        if (!type) return type.error();
    }
    out.type = *type == "default" ? std::string() : *type;
    const json::NumberRange kFactor{0.0, 1e6, true, false};
    auto factor = rs.number("factor", kFactor, 1.0);
    if (!factor) return factor.error();
    auto low = rs.number("low_freq_factor", kFactor, 1.0);
    if (!low) return low.error();
    auto high = rs.number("high_freq_factor", kFactor, 4.0);
    if (!high) return high.error();
    auto original = rs.integer("original_max_position_embeddings", 0, kMaxContext, 0);
    if (!original) return original.error();
    out.factor = *factor;
    out.low_freq_factor = *low;
    out.high_freq_factor = *high;
    out.original_max_position_embeddings = *original;
    if (out.type == "llama3" && !(out.high_freq_factor > out.low_freq_factor))
        return rs.error(rs.prefix() + "high_freq_factor (" + nlohmann::json(out.high_freq_factor).dump() + ") must be larger than " +
                        "low_freq_factor (" + nlohmann::json(out.low_freq_factor).dump() + ") for llama3 scaling");
    return {};
}

// Context, norm epsilon and RoPE. Older configs write rope_theta and rope_scaling at the top
// level; transformers 5 writes one rope_parameters object holding rope_theta, rope_type
// ("default" = no scaling) and the scaling's parameters. Either is read; rope_parameters wins.
Status readPositions(const Fields& f, ModelConfig& c) {
    auto ctx = f.integer("max_position_embeddings", 1, kMaxContext, 2048);
    if (!ctx) return ctx.error();
    c.max_position_embeddings = *ctx;
    auto eps = f.number("rms_norm_eps", json::NumberRange{0.0, 1.0, true, true}, 1e-6);
    if (!eps) return eps.error();
    c.rms_norm_eps = *eps;
    const json::NumberRange kTheta{0.0, 1e12, true, false};
    auto theta = f.number("rope_theta", kTheta, 10000.0);
    if (!theta) return theta.error();
    c.rope_theta = *theta;
    auto scaling = f.object("rope_scaling");
    if (!scaling) return scaling.error();
    if (*scaling) SRS_TRY(readScaling(**scaling, c.rope_scaling));
    auto params = f.object("rope_parameters");
    if (!params) return params.error();
    if (*params) {
        auto t = (*params)->number("rope_theta", kTheta, c.rope_theta);
        if (!t) return t.error();
        c.rope_theta = *t;
        c.rope_scaling = RopeScaling{};
        SRS_TRY(readScaling(**params, c.rope_scaling));
    }
    return {};
}

// Flags, strings and special token ids.
Status readRest(const Fields& f, ModelConfig& c) {
    auto tie = f.boolean("tie_word_embeddings", false);
    if (!tie) return tie.error();
    c.tie_word_embeddings = *tie;
    auto bias = f.boolean("attention_bias", c.model_type == "qwen2");
    if (!bias) return bias.error();
    c.attention_bias = *bias;
    c.qk_norm = c.model_type == "qwen3";
    auto act = f.string("hidden_act", "silu");
    if (!act) return act.error();
    c.hidden_act = *act;
    auto dtype = f.string("dtype", "");
    if (!dtype) return dtype.error();
    auto torch_dtype = f.string("torch_dtype", *dtype);
    if (!torch_dtype) return torch_dtype.error();
    c.torch_dtype = *torch_dtype;
    auto bos = f.optionalInteger("bos_token_id", 0, c.vocab_size - 1);
    if (!bos) return bos.error();
    c.bos_token_id = *bos;
    auto eos = f.integerOrList("eos_token_id", 0, c.vocab_size - 1, kMaxListItems);
    if (!eos) return eos.error();
    c.eos_token_ids = *eos;
    return {};
}

}  // namespace

Result<ModelConfig> parseModelConfig(const nlohmann::json& j, const std::string& file, const std::string& hint) {
    const Fields f(j, file, "", ErrorCode::CorruptFile, hint);
    if (!f.isObject()) return f.notAnObject();
    ModelConfig c;
    auto type = f.string("model_type");
    if (!type) return type.error();
    if (type->empty()) return f.wrong("model_type", "a model type such as \"llama\"", *f.find("model_type"));
    c.model_type = *type;
    auto arch = f.stringList("architectures", kMaxListItems);
    if (!arch) return arch.error();
    c.architectures = *arch;
    SRS_TRY(readShape(f, c));
    SRS_TRY(readPositions(f, c));
    SRS_TRY(readRest(f, c));
    c.raw = j;
    return c;
}

Result<ModelConfig> loadModelConfig(const std::string& folder) {
    const std::string p = (fs::path(folder) / "config.json").string();
    auto j = readJsonFile(p, kMaxConfigFileBytes);
    if (!j) {
        Error e = j.error();
        if (e.hint.empty()) e.hint = "a Hugging Face model folder needs config.json beside its *.safetensors";
        return e;
    }
    return parseModelConfig(*j, p);
}

const std::vector<std::string>& decoderBlockLinearNames() {
    static const std::vector<std::string> kNames = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                                    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
    return kNames;
}

}  // namespace srs::io
