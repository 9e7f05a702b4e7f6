#include "support/tiny_model.h"

#include <QDir>
#include <random>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/io/safetensors_writer.h"

namespace srs::test {

std::uint64_t writeTinyModel(const QString& folder, const TinyModelSpec& s) {
    QDir().mkpath(folder);
    const int hd = s.hidden / s.heads;
    nlohmann::json config = {
        {"architectures", {"LlamaForCausalLM"}}, {"model_type", s.model_type.toStdString()},
        {"hidden_size", s.hidden}, {"intermediate_size", s.intermediate}, {"num_hidden_layers", s.layers},
        {"num_attention_heads", s.heads}, {"num_key_value_heads", s.kv_heads}, {"vocab_size", s.vocab},
        {"max_position_embeddings", 128}, {"rms_norm_eps", 1e-5}, {"rope_theta", 10000.0},
        {"tie_word_embeddings", s.tied}, {"torch_dtype", "float32"}, {"bos_token_id", 1}, {"eos_token_id", 2},
        {"attention_bias", s.qkv_bias}};
    auto st = srs::io::writeFileAtomic((folder + "/config.json").toStdString(), config.dump(2));
    if (!st.ok()) throw std::runtime_error(st.error().message);

    std::mt19937 rng(s.seed);
    std::normal_distribution<float> dist(0.0f, static_cast<float>(s.weight_std));
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> specs;
    specs.push_back({"model.embed_tokens.weight", {s.vocab, s.hidden}});
    for (int l = 0; l < s.layers; ++l) {
        std::string p = "model.layers." + std::to_string(l) + ".";
        specs.push_back({p + "input_layernorm.weight", {s.hidden}});
        specs.push_back({p + "self_attn.q_proj.weight", {s.heads * hd, s.hidden}});
        specs.push_back({p + "self_attn.k_proj.weight", {s.kv_heads * hd, s.hidden}});
        specs.push_back({p + "self_attn.v_proj.weight", {s.kv_heads * hd, s.hidden}});
        specs.push_back({p + "self_attn.o_proj.weight", {s.hidden, s.heads * hd}});
        if (s.qkv_bias) {
            specs.push_back({p + "self_attn.q_proj.bias", {s.heads * hd}});
            specs.push_back({p + "self_attn.k_proj.bias", {s.kv_heads * hd}});
            specs.push_back({p + "self_attn.v_proj.bias", {s.kv_heads * hd}});
        }
        if (s.qk_norm) {
            specs.push_back({p + "self_attn.q_norm.weight", {hd}});
            specs.push_back({p + "self_attn.k_norm.weight", {hd}});
        }
        specs.push_back({p + "post_attention_layernorm.weight", {s.hidden}});
        specs.push_back({p + "mlp.gate_proj.weight", {s.intermediate, s.hidden}});
        specs.push_back({p + "mlp.up_proj.weight", {s.intermediate, s.hidden}});
        specs.push_back({p + "mlp.down_proj.weight", {s.hidden, s.intermediate}});
    }
    specs.push_back({"model.norm.weight", {s.hidden}});
    if (!s.tied) specs.push_back({"lm_head.weight", {s.vocab, s.hidden}});

    std::vector<std::vector<float>> data;
    std::uint64_t params = 0;
    for (const auto& [name, shape] : specs) {
        std::uint64_t n = 1;
        for (auto d : shape) n *= d;
        std::vector<float> v(n);
        bool norm = shape.size() == 1 && name.find("bias") == std::string::npos;
        for (auto& x : v) x = norm ? 1.0f + dist(rng) : dist(rng);
        data.push_back(std::move(v));
        params += n;
    }
    const int shards = std::max(1, s.shards);
    nlohmann::json weight_map = nlohmann::json::object();
    for (int k = 0; k < shards; ++k) {
        std::vector<srs::io::TensorToWrite> tensors;
        for (std::size_t i = k; i < specs.size(); i += shards)
            tensors.push_back({specs[i].first, srs::io::DType::F32, specs[i].second, data[i].data()});
        char name[64];
        if (shards == 1)
            std::snprintf(name, sizeof name, "model.safetensors");
        else
            std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", k + 1, shards);
        for (const auto& t : tensors) weight_map[t.name] = name;
        auto w = srs::io::writeSafetensors((folder + "/" + name).toStdString(), tensors, {{"format", "pt"}});
        if (!w.ok()) throw std::runtime_error(w.error().message);
    }
    if (shards > 1) {
        nlohmann::json index = {{"metadata", {{"total_size", params * 4}}}, {"weight_map", weight_map}};
        auto w = srs::io::writeFileAtomic((folder + "/model.safetensors.index.json").toStdString(), index.dump(2));
        if (!w.ok()) throw std::runtime_error(w.error().message);
    }
    return params;
}

}  // namespace srs::test
