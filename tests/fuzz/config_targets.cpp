// Fuzz targets for what reads meaning out of config.json and a layer_config: the same functions
// the loaders use (json::parseJson, parseModelConfig, parseSafetensorsHeader,
// checkTensorsAgainstConfig, planRun with parseLayerConfigText / resolveLayerSchemes), on a
// source held in memory so that one input costs well under a millisecond.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "core/common/json_field.h"
#include "core/export/gguf_plan.h"
#include "core/io/model_check.h"
#include "core/io/model_config.h"
#include "core/io/safetensors.h"
#include "core/io/weight_source.h"
#include "core/job/run_plan.h"
#include "core/quant/layer_config.h"
#include "fuzz/parser_targets.h"

namespace srs::fuzz {
namespace {

// An error must say what is wrong in words: never empty, never a library exception's text.
void requireClean(const Error& e, const char* stage, const char* must_name = nullptr) {
    const bool unclean = e.message.empty() || e.message.find("json.exception") != std::string::npos ||
                         e.message.find("unexpected error") != std::string::npos ||
                         (must_name && e.message.find(must_name) == std::string::npos);
    if (!unclean) return;
    std::fprintf(stderr, "unclean error from %s: '%s'%s%s\n", stage, e.message.c_str(), must_name ? " (should name " : "",
                 must_name ? (std::string(must_name) + ")").c_str() : "");
    std::abort();
}

// Shapes from a parsed safetensors header; data is never read (zeros for the few small loads).
class MemorySource : public io::WeightSource {
public:
    MemorySource(io::ModelConfig c, std::vector<io::TensorInfo> tensors) : config_(std::move(c)) {
        for (auto& t : tensors) tensors_[t.name] = std::move(t);
    }
    const io::ModelConfig& config() const override { return config_; }
    std::vector<std::string> tensorNames() const override {
        std::vector<std::string> names;
        for (const auto& [n, t] : tensors_) names.push_back(n);
        return names;
    }
    bool has(const std::string& name) const override { return tensors_.count(name) > 0; }
    Result<std::vector<std::int64_t>> shape(const std::string& name) const override {
        auto it = tensors_.find(name);
        if (it == tensors_.end()) return makeError(ErrorCode::NotFound, "tensor '" + name + "' not found");
        return it->second.shape;
    }
    Result<io::FloatTensor> loadFloat(const std::string& name) const override {
        auto it = tensors_.find(name);
        if (it == tensors_.end()) return makeError(ErrorCode::NotFound, "tensor '" + name + "' not found");
        std::uint64_t n = 1;
        for (auto d : it->second.shape) n *= static_cast<std::uint64_t>(d);
        if (n > (1u << 16)) return makeError(ErrorCode::Unsupported, "tensor '" + name + "' is too large for the fuzz source");
        return io::FloatTensor{it->second.shape, std::vector<float>(n, 0.0f)};
    }
    std::string storedDtype(const std::string& name) const override {
        auto it = tensors_.find(name);
        return it == tensors_.end() ? std::string() : io::dtypeName(it->second.dtype);
    }
    const std::string& path() const override { return path_; }
    std::string tokenizerFolder() const override { return {}; }

private:
    io::ModelConfig config_;
    std::map<std::string, io::TensorInfo> tensors_;
    std::string path_ = "fuzz-model";
};

// The seed model: 2 blocks, hidden 8, intermediate 16, 2 heads of 4, 1 KV head, vocab 16, tied.
nlohmann::json seedConfig() {
    return {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"}, {"hidden_size", 8}, {"intermediate_size", 16},
            {"num_hidden_layers", 2}, {"num_attention_heads", 2}, {"num_key_value_heads", 1}, {"vocab_size", 16},
            {"max_position_embeddings", 64}, {"rms_norm_eps", 1e-5}, {"rope_theta", 10000.0},
            {"rope_scaling", {{"rope_type", "linear"}, {"factor", 2.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                              {"original_max_position_embeddings", 32}}},
            {"tie_word_embeddings", true}, {"hidden_act", "silu"}, {"attention_bias", false}, {"bos_token_id", 1},
            {"eos_token_id", {2, 3}}, {"torch_dtype", "float32"}, {"head_dim", 4}};
}

std::vector<std::pair<std::string, std::vector<std::int64_t>>> seedTensors() {
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> t = {{"model.embed_tokens.weight", {16, 8}}, {"model.norm.weight", {8}}};
    for (int k = 0; k < 2; ++k) {
        const std::string p = "model.layers." + std::to_string(k) + ".";
        for (auto&& [name, shape] : std::vector<std::pair<std::string, std::vector<std::int64_t>>>{
                 {"input_layernorm.weight", {8}}, {"post_attention_layernorm.weight", {8}}, {"self_attn.q_proj.weight", {8, 8}},
                 {"self_attn.k_proj.weight", {4, 8}}, {"self_attn.v_proj.weight", {4, 8}}, {"self_attn.o_proj.weight", {8, 8}},
                 {"mlp.gate_proj.weight", {16, 8}}, {"mlp.up_proj.weight", {16, 8}}, {"mlp.down_proj.weight", {8, 16}}})
            t.push_back({p + name, shape});
    }
    return t;
}

// A safetensors file in memory: 8-byte header length, header JSON, F32 zeros.
std::vector<std::uint8_t> seedSafetensors() {
    nlohmann::json header = nlohmann::json::object();
    std::uint64_t offset = 0;
    for (const auto& [name, shape] : seedTensors()) {
        std::uint64_t n = 4;
        for (auto d : shape) n *= static_cast<std::uint64_t>(d);
        header[name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {offset, offset + n}}};
        offset += n;
    }
    std::string h = header.dump();
    while (h.size() % 8) h += ' ';
    std::vector<std::uint8_t> out(8, 0);
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(h.size()) >> (8 * i));
    out.insert(out.end(), h.begin(), h.end());
    out.resize(out.size() + offset, 0);
    return out;
}

// The header of a safetensors buffer, as SafetensorsFile::open reads it; nullopt when refused.
std::optional<std::vector<io::TensorInfo>> parseTensors(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return std::nullopt;
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | data[i];
    if (n > size - 8) return std::nullopt;
    std::map<std::string, std::string> meta;
    auto r = io::parseSafetensorsHeader(std::string(reinterpret_cast<const char*>(data + 8), n), size - 8 - n, &meta);
    if (!r) {
        // The safetensors parser is fuzzed on its own (fuzz_parsers); here only: it says something.
        if (r.error().message.empty()) requireClean(r.error(), "parseSafetensorsHeader");
        return std::nullopt;
    }
    return *r;
}

// planRun over a checked source with several formats, the layer_config given.
ConfigStage plan(const io::WeightSource& source, const std::string& layer_config) {
    job::JobConfig c;
    c.model = "fuzz-model";
    c.output_dir = "fuzz-out";
    c.group_size = 32;
    c.formats = {"fake", "auto_round", "auto_awq"};  // GGUF's planned size needs a tokenizer: its type plan is run below
    c.layer_config = layer_config;
    c.fp_layers = {"layers.1.mlp"};
    std::vector<exporter::GgufPlanInput> inputs;
    for (const auto& n : source.tensorNames()) inputs.push_back({n, *source.shape(n)});
    for (const char* mix : {"q2_k", "q4_k_m"}) (void)exporter::planGgufTypes(*exporter::parseGgufFileType(mix), source.config(), inputs);
    auto p = job::planRun(source, c);
    if (!p) {
        if (std::getenv("SRS_FUZZ_VERBOSE")) std::fprintf(stderr, "planRun: %s\n", p.error().message.c_str());
        requireClean(p.error(), "planRun");
        return ConfigStage::PlanRejected;
    }
    return ConfigStage::Planned;
}

}  // namespace

std::vector<std::uint8_t> modelConfigSeed() {
    const std::string config = seedConfig().dump(2);
    std::vector<std::uint8_t> out(config.begin(), config.end());
    out.push_back(0);
    const auto st = seedSafetensors();
    out.insert(out.end(), st.begin(), st.end());
    return out;
}

std::string layerConfigSeed() {
    return R"({"self_attn.k_proj": {"bits": 8, "group_size": 32, "sym": false}, "model.layers.0.mlp.down_proj": "W2A16G64",)"
           R"( "layers\\.1\\..*q_proj": {"scheme": "BF16"}, "o_proj": {"bits": 16}, "up_proj": {"data_type": "int", "bits": 3}})";
}

ConfigStage fuzzModelConfig(const std::uint8_t* data, std::size_t size) {
    const auto* nul = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
    const std::size_t config_size = nul ? static_cast<std::size_t>(nul - data) : size;
    auto j = json::parseJson(std::string(reinterpret_cast<const char*>(data), config_size), "config.json");
    if (!j) {
        requireClean(j.error(), "parseJson", "config.json");
        return ConfigStage::ParseRejected;
    }
    auto config = io::parseModelConfig(*j, "config.json");
    if (!config) {
        requireClean(config.error(), "parseModelConfig", "config.json");
        return ConfigStage::ParseRejected;
    }
    const std::uint8_t* st = nul ? nul + 1 : nullptr;
    auto tensors = st ? parseTensors(st, size - config_size - 1) : std::optional<std::vector<io::TensorInfo>>();
    if (!tensors) return ConfigStage::ParseRejected;
    std::vector<io::TensorShape> shapes;
    for (const auto& t : *tensors) shapes.push_back({t.name, t.shape});
    if (auto ok = io::checkTensorsAgainstConfig(*config, shapes, config->isSupported()); !ok) {
        requireClean(ok.error(), "checkTensorsAgainstConfig");
        return ConfigStage::CheckRejected;
    }
    const MemorySource source(std::move(*config), std::move(*tensors));
    return plan(source, layerConfigSeed());
}

ConfigStage fuzzLayerConfig(const std::uint8_t* data, std::size_t size) {
    static const MemorySource source = [] {
        const auto bytes = seedSafetensors();
        return MemorySource(*io::parseModelConfig(seedConfig()), *parseTensors(bytes.data(), bytes.size()));
    }();
    const std::string text(reinterpret_cast<const char*>(data), size);
    // The resolution alone (what the Configure page checks), then the whole plan.
    auto lc = quant::parseLayerConfigText(text);
    if (!lc) {
        requireClean(lc.error(), "parseLayerConfigText", "layer_config");
        return ConfigStage::ParseRejected;
    }
    std::vector<std::string> names;
    for (const auto& n : source.tensorNames())
        if (n.size() > 7 && n.compare(n.size() - 7, 7, ".weight") == 0 && n.find("_proj") != std::string::npos) names.push_back(n.substr(0, n.size() - 7));
    auto r = quant::resolveLayerSchemes(names, quant::QuantScheme{4, 32, true}, *lc, {}, "layer_config.json");
    if (!r) {
        requireClean(r.error(), "resolveLayerSchemes", "layer_config");
        return ConfigStage::CheckRejected;
    }
    return plan(source, text);
}

}  // namespace srs::fuzz
