#include "core/io/gguf_source.h"

#include <regex>

namespace srs::io {
namespace {

std::int64_t metaInt(const GgufFile& f, const std::string& key, std::int64_t fallback) {
    const auto* v = f.meta(key);
    return v && v->is_number() ? v->get<std::int64_t>() : fallback;
}
double metaDouble(const GgufFile& f, const std::string& key, double fallback) {
    const auto* v = f.meta(key);
    return v && v->is_number() ? v->get<double>() : fallback;
}

// llama.cpp tensor name -> Hugging Face name.
std::string hfName(const std::string& g) {
    static const std::regex kBlock(R"(^blk\.(\d+)\.(\w+)\.(weight|bias)$)");
    static const std::map<std::string, std::string> kParts = {
        {"attn_q", "self_attn.q_proj"},       {"attn_k", "self_attn.k_proj"},    {"attn_v", "self_attn.v_proj"},
        {"attn_output", "self_attn.o_proj"},  {"ffn_gate", "mlp.gate_proj"},     {"ffn_up", "mlp.up_proj"},
        {"ffn_down", "mlp.down_proj"},        {"attn_norm", "input_layernorm"},  {"ffn_norm", "post_attention_layernorm"},
        {"attn_q_norm", "self_attn.q_norm"},  {"attn_k_norm", "self_attn.k_norm"}};
    if (g == "token_embd.weight") return "model.embed_tokens.weight";
    if (g == "output_norm.weight") return "model.norm.weight";
    if (g == "output.weight") return "lm_head.weight";
    std::smatch m;
    if (std::regex_match(g, m, kBlock)) {
        auto it = kParts.find(m[2].str());
        if (it != kParts.end()) return "model.layers." + m[1].str() + "." + it->second + "." + m[3].str();
    }
    return "";
}

class GgufSource : public WeightSource {
public:
    GgufSource(std::shared_ptr<GgufFile> f, ModelConfig c) : f_(std::move(f)), config_(std::move(c)) {
        for (const auto& t : f_->tensors()) {
            std::string hf = hfName(t.name);
            if (!hf.empty()) names_[hf] = &t;
        }
        // Tied embeddings: an output.weight equal to the embedding is dropped, as HF has none.
        if (config_.tie_word_embeddings) names_.erase("lm_head.weight");
    }
    const ModelConfig& config() const override { return config_; }
    std::vector<std::string> tensorNames() const override {
        std::vector<std::string> n;
        for (const auto& [k, v] : names_) n.push_back(k);
        return n;
    }
    bool has(const std::string& name) const override { return names_.count(name) > 0; }
    Result<std::vector<std::int64_t>> shape(const std::string& name) const override {
        auto it = names_.find(name);
        if (it == names_.end()) return makeError(ErrorCode::NotFound, "tensor '" + name + "' not found in " + f_->path());
        std::vector<std::int64_t> s;
        for (auto d = it->second->ne.rbegin(); d != it->second->ne.rend(); ++d) s.push_back(static_cast<std::int64_t>(*d));
        return s;
    }
    Result<FloatTensor> loadFloat(const std::string& name) const override {
        auto it = names_.find(name);
        if (it == names_.end()) return makeError(ErrorCode::NotFound, "tensor '" + name + "' not found in " + f_->path());
        const GgufTensorInfo& t = *it->second;
        auto data = dequantizeGgml(t, f_->tensorData(t));
        f_->release(t);
        if (!data) return data.error().withContext(f_->path());
        FloatTensor out{*shape(name), std::move(*data)};
        // llama.cpp stores q/k rows of each head interleaved in pairs (Meta's RoPE layout); HF
        // keeps the two rotary halves apart: row (h, i, j) of [heads, d/2, 2] goes to (h, j, i).
        const bool is_q = name.find("self_attn.q_proj.weight") != std::string::npos;
        const bool is_k = name.find("self_attn.k_proj.weight") != std::string::npos;
        if (is_q || is_k) {
            const std::int64_t heads = is_q ? config_.num_attention_heads : config_.num_key_value_heads;
            const std::int64_t rows = out.shape[0], cols = out.shape[1], half = rows / heads / 2;
            std::vector<float> p(out.data.size());
            for (std::int64_t h = 0; h < heads; ++h)
                for (std::int64_t i = 0; i < half; ++i)
                    for (std::int64_t j = 0; j < 2; ++j) {
                        const std::int64_t src = (h * half + i) * 2 + j, dst = h * 2 * half + j * half + i;
                        std::memcpy(&p[dst * cols], &out.data[src * cols], cols * sizeof(float));
                    }
            out.data.swap(p);
        }
        return out;
    }
    std::string storedDtype(const std::string& name) const override {
        auto it = names_.find(name);
        return it == names_.end() ? "" : ggmlTypeName(it->second->type);
    }
    const std::string& path() const override { return f_->path(); }
    std::string tokenizerFolder() const override { return {}; }

private:
    std::shared_ptr<GgufFile> f_;
    ModelConfig config_;
    std::map<std::string, const GgufTensorInfo*> names_;
};

}  // namespace

Result<ModelConfig> ggufModelConfig(const GgufFile& f) {
    const auto* arch = f.meta("general.architecture");
    if (!arch || !arch->is_string()) return makeError(ErrorCode::CorruptFile, f.path() + " has no general.architecture");
    const std::string a = arch->get<std::string>();
    if (a != "llama" && a != "mistral" && a != "qwen2" && a != "qwen3")
        return makeError(ErrorCode::Unsupported, f.path() + " is a '" + a + "' model; importing supports llama, mistral, qwen2 and qwen3 GGUFs");
    nlohmann::json j;
    j["model_type"] = a;
    j["architectures"] = {a == "llama" ? "LlamaForCausalLM" : a == "mistral" ? "MistralForCausalLM" : a == "qwen2" ? "Qwen2ForCausalLM" : "Qwen3ForCausalLM"};
    j["hidden_size"] = metaInt(f, a + ".embedding_length", 0);
    j["intermediate_size"] = metaInt(f, a + ".feed_forward_length", 0);
    j["num_hidden_layers"] = metaInt(f, a + ".block_count", 0);
    const std::int64_t heads = metaInt(f, a + ".attention.head_count", 0);
    j["num_attention_heads"] = heads;
    j["num_key_value_heads"] = metaInt(f, a + ".attention.head_count_kv", heads);
    std::int64_t vocab = 0;
    if (const auto* toks = f.meta("tokenizer.ggml.tokens"); toks && toks->is_array()) vocab = static_cast<std::int64_t>(toks->size());
    if (const auto* emb = f.find("token_embd.weight"); emb && emb->ne.size() == 2) vocab = static_cast<std::int64_t>(emb->ne[1]);
    j["vocab_size"] = metaInt(f, a + ".vocab_size", vocab);
    j["max_position_embeddings"] = metaInt(f, a + ".context_length", 2048);
    j["rms_norm_eps"] = metaDouble(f, a + ".attention.layer_norm_rms_epsilon", 1e-5);
    j["rope_theta"] = metaDouble(f, a + ".rope.freq_base", 10000.0);
    const std::int64_t key_length = metaInt(f, a + ".attention.key_length", 0);
    if (key_length > 0) j["head_dim"] = key_length;
    else if (const std::int64_t rd = metaInt(f, a + ".rope.dimension_count", 0); rd > 0 && heads > 0 && rd * heads != j["hidden_size"].get<std::int64_t>())
        j["head_dim"] = rd;
    j["tie_word_embeddings"] = f.find("output.weight") == nullptr;
    if (const auto* bos = f.meta("tokenizer.ggml.bos_token_id")) j["bos_token_id"] = *bos;
    if (const auto* eos = f.meta("tokenizer.ggml.eos_token_id")) j["eos_token_id"] = *eos;
    if (const auto* st = f.meta(a + ".rope.scaling.type"); st && st->is_string() && st->get<std::string>() != "none")
        j["rope_scaling"] = {{"type", st->get<std::string>()}, {"factor", metaDouble(f, a + ".rope.scaling.factor", 1.0)},
                             {"original_max_position_embeddings", metaInt(f, a + ".rope.scaling.original_context_length", 0)}};
    j["torch_dtype"] = "float32";
    auto c = parseModelConfig(j);
    if (!c) return c.error().withContext(f.path() + " (metadata)");
    return c;
}

Result<std::shared_ptr<WeightSource>> openGgufModel(const std::string& path) {
    auto f = GgufFile::open(path);
    if (!f) return f.error();
    auto c = ggufModelConfig(**f);
    if (!c) return c.error();
    // When output.weight exists but equals the embedding (converters write a copy), keep both:
    // the model is untied as stored.
    return std::shared_ptr<WeightSource>(std::make_shared<GgufSource>(*f, *c));
}

}  // namespace srs::io
