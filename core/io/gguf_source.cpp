#include "core/io/gguf_source.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <set>

namespace srs::io {
namespace {

// What the metadata may claim, far above any released model; the tensors present then decide.
constexpr std::int64_t kMaxBlocks = 1 << 16;
constexpr std::int64_t kMaxWidth = 1 << 20;  // embedding_length, key_length, rope.dimension_count
constexpr std::int64_t kMaxFeedForward = 1 << 22;
constexpr std::int64_t kMaxHeads = 1 << 14;
constexpr std::int64_t kMaxVocab = static_cast<std::int64_t>(kGgufMaxVocab);
constexpr std::int64_t kMaxContext = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxU32 = 0xFFFFFFFFll;

// The block of a "blk.N.<part>" tensor name; -1 for other names. An N of more than 9 digits
// reads as the largest int64 (no block count reaches it), never as an overflowed number.
std::int64_t blockOf(const std::string& name) {
    if (name.compare(0, 4, "blk.") != 0) return -1;
    std::size_t i = 4;
    std::int64_t n = 0;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) n = i - 4 < 9 ? n * 10 + (name[i] - '0') : std::numeric_limits<std::int64_t>::max();
    if (i == 4 || i >= name.size() || name[i] != '.') return -1;
    return n;
}

// llama.cpp tensor name -> Hugging Face name ("" for names we do not map).
std::string hfName(const std::string& g) {
    static const std::map<std::string, std::string> kParts = {
        {"attn_q", "self_attn.q_proj"},       {"attn_k", "self_attn.k_proj"},    {"attn_v", "self_attn.v_proj"},
        {"attn_output", "self_attn.o_proj"},  {"ffn_gate", "mlp.gate_proj"},     {"ffn_up", "mlp.up_proj"},
        {"ffn_down", "mlp.down_proj"},        {"attn_norm", "input_layernorm"},  {"ffn_norm", "post_attention_layernorm"},
        {"attn_q_norm", "self_attn.q_norm"},  {"attn_k_norm", "self_attn.k_norm"}};
    if (g == "token_embd.weight") return "model.embed_tokens.weight";
    if (g == "output_norm.weight") return "model.norm.weight";
    if (g == "output.weight") return "lm_head.weight";
    const std::int64_t block = blockOf(g);
    if (block < 0 || block > kMaxBlocks) return "";
    const std::size_t part_at = g.find('.', 4) + 1;
    const std::size_t suffix_at = g.rfind('.');
    if (suffix_at <= part_at) return "";
    const std::string suffix = g.substr(suffix_at + 1);
    if (suffix != "weight" && suffix != "bias") return "";
    auto it = kParts.find(g.substr(part_at, suffix_at - part_at));
    if (it == kParts.end()) return "";
    return "model.layers." + std::to_string(block) + "." + it->second + "." + suffix;
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
            // ggufModelConfig checked the shapes against the heads; a second look costs nothing.
            if (out.shape.size() != 2 || heads <= 0 || out.shape[0] % (2 * heads) != 0)
                return makeError(ErrorCode::CorruptFile, f_->path() + ": tensor '" + t.name + "' does not split into " + std::to_string(heads) + " heads");
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

namespace {

// One integer key into j[json_key]: an error when it is of another type or out of range, and
// when it is missing without a fallback.
Status putInt(nlohmann::json& j, const GgufFile& f, const std::string& key, const char* json_key, std::int64_t min, std::int64_t max,
              std::optional<std::int64_t> fallback) {
    auto v = f.metaInt(key, min, max);
    if (!v) return v.error();
    if (!*v && !fallback) return f.metaError(key, "an integer from " + std::to_string(min) + " to " + std::to_string(max) + " (it is required)");
    j[json_key] = v->value_or(*fallback);
    return {};
}

Status putNumber(nlohmann::json& j, const GgufFile& f, const std::string& key, const char* json_key, double min, double max, double fallback) {
    auto v = f.metaNumber(key, min, max);
    if (!v) return v.error();
    j[json_key] = v->value_or(fallback);
    return {};
}

// bos / eos ids: u32 in GGUF; 0xFFFFFFFF (llama.cpp's "none" as written by some converters) is none.
Status putTokenId(nlohmann::json& j, const GgufFile& f, const std::string& key, const char* json_key, std::int64_t vocab) {
    auto v = f.metaInt(key, -1, kMaxU32);
    if (!v) return v.error();
    if (!*v || **v == -1 || **v == kMaxU32) return {};
    if (**v >= vocab) return f.metaError(key, "a token id below the vocabulary size " + std::to_string(vocab));
    j[json_key] = **v;
    return {};
}

std::string shapeText(const std::vector<std::uint64_t>& ne) {
    std::string s = "[";
    for (std::size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

// The shape (ggml order: the input dimension first) a known tensor must have under config c;
// empty for names the importer does not use.
std::vector<std::uint64_t> expectedShape(const std::string& name, const ModelConfig& c) {
    const auto hidden = static_cast<std::uint64_t>(c.hidden_size), ff = static_cast<std::uint64_t>(c.intermediate_size);
    const auto hd = static_cast<std::uint64_t>(c.head_dim), vocab = static_cast<std::uint64_t>(c.vocab_size);
    const auto q = static_cast<std::uint64_t>(c.num_attention_heads) * hd, kv = static_cast<std::uint64_t>(c.num_key_value_heads) * hd;
    if (name == "token_embd.weight" || name == "output.weight") return {hidden, vocab};
    if (name == "output_norm.weight") return {hidden};
    if (blockOf(name) < 0) return {};
    const std::string part = name.substr(name.find('.', 4) + 1);
    static const std::map<std::string, int> kKinds = {
        {"attn_norm.weight", 0}, {"ffn_norm.weight", 0}, {"attn_q.weight", 1}, {"attn_k.weight", 2}, {"attn_v.weight", 2},
        {"attn_output.weight", 3}, {"attn_q.bias", 4}, {"attn_k.bias", 5}, {"attn_v.bias", 5}, {"attn_q_norm.weight", 6},
        {"attn_k_norm.weight", 6}, {"ffn_gate.weight", 7}, {"ffn_up.weight", 7}, {"ffn_down.weight", 8}};
    auto it = kKinds.find(part);
    if (it == kKinds.end()) return {};
    switch (it->second) {
    case 0: return {hidden};
    case 1: return {hidden, q};
    case 2: return {hidden, kv};
    case 3: return {q, hidden};
    case 4: return {q};
    case 5: return {kv};
    case 6: return {hd};
    case 7: return {hidden, ff};
    default: return {ff, hidden};
    }
}

// The counts the metadata gives, checked against the tensors the file holds: every blk.N below
// block_count and every block present, the embedding there, each known tensor of the shape the
// hidden size, heads, head size, feed-forward size and vocabulary give it.
Status checkAgainstTensors(const GgufFile& f, const ModelConfig& c, const std::string& arch) {
    auto corrupt = [&](const std::string& what) {
        return makeError(ErrorCode::CorruptFile, f.path() + ": " + what,
                         "the file's metadata does not describe its tensors: it is damaged or was not written by a GGUF converter "
                         "(it may be crafted to attack readers); get the model again from its source");
    };
    std::set<std::int64_t> blocks;
    for (const auto& t : f.tensors()) {
        const std::int64_t b = blockOf(t.name);
        if (b >= c.num_hidden_layers)
            return corrupt("tensor '" + t.name + "' belongs to a block past " + arch + ".block_count (" + std::to_string(c.num_hidden_layers) + ")");
        if (b >= 0) blocks.insert(b);
        const auto want = expectedShape(t.name, c);
        if (!want.empty() && t.ne != want)
            return corrupt("tensor '" + t.name + "' is " + shapeText(t.ne) + " (ggml order) but the metadata (" + arch + ".embedding_length " +
                           std::to_string(c.hidden_size) + ", " + std::to_string(c.num_attention_heads) + " heads / " +
                           std::to_string(c.num_key_value_heads) + " KV heads of " + std::to_string(c.head_dim) + ", feed-forward " +
                           std::to_string(c.intermediate_size) + ", vocabulary " + std::to_string(c.vocab_size) + ") needs " + shapeText(want));
    }
    if (static_cast<std::int64_t>(blocks.size()) != c.num_hidden_layers)
        return corrupt(arch + ".block_count is " + std::to_string(c.num_hidden_layers) + " but the file holds tensors for " +
                       std::to_string(blocks.size()) + " blocks");
    return {};
}

}  // namespace

Result<ModelConfig> ggufModelConfig(const GgufFile& f) {
    auto arch = f.metaString("general.architecture");
    if (!arch) return arch.error();
    if (!*arch) return makeError(ErrorCode::CorruptFile, f.path() + " has no general.architecture", "the file is not a GGUF model");
    const std::string a = **arch;
    if (a != "llama" && a != "mistral" && a != "qwen2" && a != "qwen3")
        return makeError(ErrorCode::Unsupported, f.path() + " is a '" + a + "' model; importing supports llama, mistral, qwen2 and qwen3 GGUFs");
    nlohmann::json j;
    j["model_type"] = a;
    j["architectures"] = {a == "llama" ? "LlamaForCausalLM" : a == "mistral" ? "MistralForCausalLM" : a == "qwen2" ? "Qwen2ForCausalLM" : "Qwen3ForCausalLM"};
    SRS_TRY(putInt(j, f, a + ".embedding_length", "hidden_size", 1, kMaxWidth, std::nullopt));
    SRS_TRY(putInt(j, f, a + ".feed_forward_length", "intermediate_size", 1, kMaxFeedForward, std::nullopt));
    SRS_TRY(putInt(j, f, a + ".block_count", "num_hidden_layers", 1, kMaxBlocks, std::nullopt));
    SRS_TRY(putInt(j, f, a + ".attention.head_count", "num_attention_heads", 1, kMaxHeads, std::nullopt));
    const std::int64_t heads = j["num_attention_heads"].get<std::int64_t>();
    SRS_TRY(putInt(j, f, a + ".attention.head_count_kv", "num_key_value_heads", 1, heads, heads));
    // The vocabulary: the embedding's rows, which a vocab_size key must equal and the tokens must not exceed.
    const auto* emb = f.find("token_embd.weight");
    if (!emb || emb->ne.size() != 2 || emb->ne[1] == 0 || emb->ne[1] > static_cast<std::uint64_t>(kMaxVocab))
        return makeError(ErrorCode::CorruptFile,
                         f.path() + (emb ? ": token_embd.weight is " + shapeText(emb->ne) + ", not [hidden size, vocabulary of 1 to " + std::to_string(kMaxVocab) + "]"
                                         : std::string(" holds no token_embd.weight (the token embedding)")),
                         "the file is damaged or not a complete model; get it again from its source");
    const auto vocab = static_cast<std::int64_t>(emb->ne[1]);
    auto vocab_key = f.metaInt(a + ".vocab_size", 1, kMaxVocab);
    if (!vocab_key) return vocab_key.error();
    if (*vocab_key && **vocab_key != vocab) return f.metaError(a + ".vocab_size", "the rows of token_embd.weight (" + std::to_string(vocab) + ")");
    j["vocab_size"] = vocab;
    auto tokenizer = readGgufVocab(f);
    if (!tokenizer) return tokenizer.error();
    if (*tokenizer && static_cast<std::int64_t>((*tokenizer)->tokens.size()) > vocab)
        return f.metaError("tokenizer.ggml.tokens", "an array of at most " + std::to_string(vocab) + " tokens (the rows of token_embd.weight)");
    SRS_TRY(putInt(j, f, a + ".context_length", "max_position_embeddings", 1, kMaxContext, 2048));
    SRS_TRY(putNumber(j, f, a + ".attention.layer_norm_rms_epsilon", "rms_norm_eps", 1e-30, 1.0, 1e-5));
    SRS_TRY(putNumber(j, f, a + ".rope.freq_base", "rope_theta", 1e-3, 1e12, 10000.0));
    auto key_length = f.metaInt(a + ".attention.key_length", 1, kMaxWidth);
    if (!key_length) return key_length.error();
    auto rope_dims = f.metaInt(a + ".rope.dimension_count", 1, kMaxWidth);
    if (!rope_dims) return rope_dims.error();
    if (*key_length) j["head_dim"] = **key_length;
    else if (*rope_dims && **rope_dims * heads != j["hidden_size"].get<std::int64_t>()) j["head_dim"] = **rope_dims;
    j["tie_word_embeddings"] = f.find("output.weight") == nullptr;
    if (*tokenizer) {
        if ((*tokenizer)->bos_id) j["bos_token_id"] = *(*tokenizer)->bos_id;
        if ((*tokenizer)->eos_id) j["eos_token_id"] = *(*tokenizer)->eos_id;
    } else {
        SRS_TRY(putTokenId(j, f, "tokenizer.ggml.bos_token_id", "bos_token_id", vocab));
        SRS_TRY(putTokenId(j, f, "tokenizer.ggml.eos_token_id", "eos_token_id", vocab));
    }
    auto scaling = f.metaString(a + ".rope.scaling.type");
    if (!scaling) return scaling.error();
    if (*scaling && **scaling != "none") {
        nlohmann::json rs = {{"type", **scaling}};
        SRS_TRY(putNumber(rs, f, a + ".rope.scaling.factor", "factor", 1e-6, 1e6, 1.0));
        SRS_TRY(putInt(rs, f, a + ".rope.scaling.original_context_length", "original_max_position_embeddings", 0, kMaxContext, 0));
        j["rope_scaling"] = std::move(rs);
    }
    j["torch_dtype"] = "float32";
    // The config built from the metadata is named after the file in messages, not "config.json".
    auto c = parseModelConfig(j, f.path() + " (GGUF metadata)", "the file's metadata does not describe a model we can run; convert it again");
    if (!c) return c.error();
    SRS_TRY(checkAgainstTensors(f, *c, a));
    return c;
}

Result<std::optional<GgufVocab>> readGgufVocab(const GgufFile& f) {
    auto tokens = f.metaStringArray("tokenizer.ggml.tokens", kGgufMaxVocab);
    if (!tokens) return tokens.error();
    if (!*tokens) return std::optional<GgufVocab>();
    GgufVocab v;
    v.tokens = std::move(**tokens);
    const std::uint64_t n = v.tokens.size();
    if (n == 0) return f.metaError("tokenizer.ggml.tokens", "an array of at least one token");
    auto model = f.metaString("tokenizer.ggml.model");
    if (!model) return model.error();
    v.model = model->value_or("");
    auto scores = f.metaNumberArray("tokenizer.ggml.scores", n);
    if (!scores) return scores.error();
    if (*scores) {
        if ((*scores)->size() != n) return f.metaError("tokenizer.ggml.scores", "one number per token (" + std::to_string(n) + ")");
        for (double d : **scores) {
            if (std::abs(d) > std::numeric_limits<float>::max()) return f.metaError("tokenizer.ggml.scores", "an array of f32 values");
            v.scores.push_back(static_cast<float>(d));
        }
    }
    auto types = f.metaIntArray("tokenizer.ggml.token_type", n, 0, 6);
    if (!types) return types.error();
    if (*types) {
        if ((*types)->size() != n) return f.metaError("tokenizer.ggml.token_type", "one type (0 to 6) per token (" + std::to_string(n) + ")");
        for (std::int64_t t : **types) v.types.push_back(static_cast<std::int32_t>(t));
    }
    const std::pair<const char*, std::optional<std::int32_t>*> ids[] = {{"tokenizer.ggml.bos_token_id", &v.bos_id},
                                                                      {"tokenizer.ggml.eos_token_id", &v.eos_id},
                                                                      {"tokenizer.ggml.unknown_token_id", &v.unk_id},
                                                                      {"tokenizer.ggml.padding_token_id", &v.padding_id}};
    for (const auto& [key, out] : ids) {
        auto id = f.metaInt(key, -1, kMaxU32);
        if (!id) return id.error();
        if (!*id || **id == -1 || **id == kMaxU32) continue;
        if (static_cast<std::uint64_t>(**id) >= n) return f.metaError(key, "a token id below the token count " + std::to_string(n) + " (or 0xFFFFFFFF for none)");
        *out = static_cast<std::int32_t>(**id);
    }
    auto add_bos = f.metaBool("tokenizer.ggml.add_bos_token");
    if (!add_bos) return add_bos.error();
    v.add_bos = *add_bos;
    return std::optional<GgufVocab>(std::move(v));
}

Result<std::shared_ptr<WeightSource>> openGgufModel(const std::string& path) {
    auto f = GgufFile::open(path);
    if (!f) return f.error();
    return openGgufModel(*f);
}

Result<std::shared_ptr<WeightSource>> openGgufModel(std::shared_ptr<GgufFile> f) {
    auto c = ggufModelConfig(*f);
    if (!c) return c.error();
    // When output.weight exists but equals the embedding (converters write a copy), keep both:
    // the model is untied as stored.
    return std::shared_ptr<WeightSource>(std::make_shared<GgufSource>(std::move(f), *c));
}

}  // namespace srs::io
