#include "core/io/model_config.h"

#include <algorithm>
#include <filesystem>

#include "core/io/atomic_file.h"

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
Result<std::int64_t> requireInt(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_integer())
        return makeError(ErrorCode::CorruptFile, std::string("config.json: \"") + key + "\" is missing or not an integer");
    std::int64_t v = j[key].get<std::int64_t>();
    if (v <= 0) return makeError(ErrorCode::CorruptFile, std::string("config.json: \"") + key + "\" must be positive");
    return v;
}
}  // namespace

Result<ModelConfig> parseModelConfig(const nlohmann::json& j) {
    if (!j.is_object()) return makeError(ErrorCode::CorruptFile, "config.json is not a JSON object");
    ModelConfig c;
    c.raw = j;
    c.model_type = j.value("model_type", std::string());
    if (c.model_type.empty()) return makeError(ErrorCode::CorruptFile, "config.json has no \"model_type\"");
    if (j.contains("architectures") && j["architectures"].is_array())
        for (const auto& a : j["architectures"])
            if (a.is_string()) c.architectures.push_back(a.get<std::string>());

    auto hidden = requireInt(j, "hidden_size");
    if (!hidden) return hidden.error();
    c.hidden_size = *hidden;
    auto inter = requireInt(j, "intermediate_size");
    if (!inter) return inter.error();
    c.intermediate_size = *inter;
    auto layers = requireInt(j, "num_hidden_layers");
    if (!layers) return layers.error();
    c.num_hidden_layers = *layers;
    auto heads = requireInt(j, "num_attention_heads");
    if (!heads) return heads.error();
    c.num_attention_heads = *heads;
    auto vocab = requireInt(j, "vocab_size");
    if (!vocab) return vocab.error();
    c.vocab_size = *vocab;

    c.num_key_value_heads = c.num_attention_heads;
    if (j.contains("num_key_value_heads") && j["num_key_value_heads"].is_number_integer())
        c.num_key_value_heads = j["num_key_value_heads"].get<std::int64_t>();
    if (c.num_key_value_heads <= 0 || c.num_attention_heads % c.num_key_value_heads != 0)
        return makeError(ErrorCode::CorruptFile, "config.json: num_attention_heads (" + std::to_string(c.num_attention_heads) +
                                                     ") is not a multiple of num_key_value_heads (" +
                                                     std::to_string(c.num_key_value_heads) + ")");
    if (j.contains("head_dim") && j["head_dim"].is_number_integer()) {
        c.head_dim = j["head_dim"].get<std::int64_t>();
    } else {
        if (c.hidden_size % c.num_attention_heads != 0)
            return makeError(ErrorCode::CorruptFile, "config.json: hidden_size is not a multiple of num_attention_heads and no head_dim is given");
        c.head_dim = c.hidden_size / c.num_attention_heads;
    }
    if (c.head_dim <= 0 || c.head_dim % 2 != 0)
        return makeError(ErrorCode::CorruptFile, "config.json: head_dim must be positive and even for RoPE");

    c.max_position_embeddings = j.value("max_position_embeddings", static_cast<std::int64_t>(2048));
    c.rms_norm_eps = j.value("rms_norm_eps", 1e-6);
    // RoPE: older configs write rope_theta and rope_scaling at the top level; transformers 5 writes
    // one rope_parameters object holding rope_theta, rope_type ("default" = no scaling) and the
    // scaling's parameters. Either is read; rope_parameters wins where both are present.
    auto readScaling = [&c](const nlohmann::json& rs) {
        c.rope_scaling.type = rs.value("rope_type", rs.value("type", std::string()));
        if (c.rope_scaling.type == "default") c.rope_scaling.type.clear();
        c.rope_scaling.factor = rs.value("factor", 1.0);
        c.rope_scaling.low_freq_factor = rs.value("low_freq_factor", 1.0);
        c.rope_scaling.high_freq_factor = rs.value("high_freq_factor", 4.0);
        c.rope_scaling.original_max_position_embeddings = rs.value("original_max_position_embeddings", static_cast<std::int64_t>(0));
    };
    if (j.contains("rope_theta") && j["rope_theta"].is_number()) c.rope_theta = j["rope_theta"].get<double>();
    if (j.contains("rope_scaling") && j["rope_scaling"].is_object()) readScaling(j["rope_scaling"]);
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object()) {
        const auto& rp = j["rope_parameters"];
        if (rp.contains("rope_theta") && rp["rope_theta"].is_number()) c.rope_theta = rp["rope_theta"].get<double>();
        readScaling(rp);
    }
    c.tie_word_embeddings = j.value("tie_word_embeddings", false);
    c.attention_bias = j.value("attention_bias", c.model_type == "qwen2");
    c.qk_norm = c.model_type == "qwen3";
    c.hidden_act = j.value("hidden_act", std::string("silu"));
    c.torch_dtype = j.value("torch_dtype", j.value("dtype", std::string()));
    if (j.contains("bos_token_id") && j["bos_token_id"].is_number_integer()) c.bos_token_id = j["bos_token_id"].get<std::int64_t>();
    if (j.contains("eos_token_id")) {
        const auto& e = j["eos_token_id"];
        if (e.is_number_integer()) c.eos_token_ids.push_back(e.get<std::int64_t>());
        else if (e.is_array())
            for (const auto& x : e)
                if (x.is_number_integer()) c.eos_token_ids.push_back(x.get<std::int64_t>());
    }
    return c;
}

Result<ModelConfig> loadModelConfig(const std::string& folder) {
    fs::path p = fs::path(folder) / "config.json";
    auto text = readFile(p.string());
    if (!text) {
        Error e = text.error();
        e.hint = "a Hugging Face model folder needs config.json beside its *.safetensors";
        return e;
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(*text);
    } catch (const std::exception& ex) {
        return makeError(ErrorCode::CorruptFile, p.string() + " is not valid JSON: " + ex.what(), "download config.json again");
    }
    auto c = parseModelConfig(j);
    if (!c) return c.error().withContext(p.string());
    return c;
}

const std::vector<std::string>& decoderBlockLinearNames() {
    static const std::vector<std::string> kNames = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                                    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
    return kNames;
}

}  // namespace srs::io
