#include "core/io/model_summary.h"

#include <filesystem>
#include <regex>
#include <sstream>

#include "core/common/units.h"
#include "core/io/checkpoint.h"

namespace fs = std::filesystem;

namespace srs::io {
namespace {

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Expected [out, in] of the Llama-family projections, from config.json.
bool expectedShape(const ModelConfig& c, const std::string& proj, std::int64_t* out, std::int64_t* in) {
    const std::int64_t q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim;
    if (proj == "self_attn.q_proj") { *out = q; *in = c.hidden_size; return true; }
    if (proj == "self_attn.k_proj" || proj == "self_attn.v_proj") { *out = kv; *in = c.hidden_size; return true; }
    if (proj == "self_attn.o_proj") { *out = c.hidden_size; *in = q; return true; }
    if (proj == "mlp.gate_proj" || proj == "mlp.up_proj") { *out = c.intermediate_size; *in = c.hidden_size; return true; }
    if (proj == "mlp.down_proj") { *out = c.hidden_size; *in = c.intermediate_size; return true; }
    return false;
}

}  // namespace

Result<ModelSummary> inspectModelFolder(const std::string& folder) {
    ModelSummary s;
    s.path = folder;
    auto config = loadModelConfig(folder);
    if (!config) return config.error();
    s.config = *config;
    auto cp = Checkpoint::open(folder);
    if (!cp) return cp.error();
    s.shard_count = static_cast<int>((*cp)->shards().size());
    s.weights_size_bytes = (*cp)->totalSizeBytes();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec))
        if (e.is_regular_file(ec)) s.folder_size_bytes += e.file_size(ec);

    if (!s.config.isSupported()) s.warnings.push_back("not supported for quantization yet: " + s.config.unsupportedReason());

    static const std::regex kBlockTensor(R"(^model\.layers\.(\d+)\.(.+)\.(weight|bias)$)");
    std::map<std::string, LinearLayerInfo> linears;
    for (const auto& name : (*cp)->tensorNames()) {
        const TensorInfo* t = (*cp)->find(name);
        s.param_count += t->numel();
        s.params_by_dtype[dtypeName(t->dtype)] += t->numel();
        std::smatch m;
        if (std::regex_match(name, m, kBlockTensor)) {
            int block = std::stoi(m[1].str());
            std::string module = m[2].str();
            std::string module_name = "model.layers." + m[1].str() + "." + module;
            if (block >= s.config.num_hidden_layers)
                return makeError(ErrorCode::CorruptFile, "tensor '" + name + "' belongs to block " + m[1].str() + " but config.json has " +
                                                             std::to_string(s.config.num_hidden_layers) + " layers",
                                 "config.json and the weights do not belong together");
            if (m[3] == "weight" && t->shape.size() == 2) {
                auto& li = linears[module_name];
                li.name = module_name;
                li.block = block;
                li.out_features = t->shape[0];
                li.in_features = t->shape[1];
                std::int64_t eo = 0, ei = 0;
                if (expectedShape(s.config, module, &eo, &ei) && (eo != t->shape[0] || ei != t->shape[1]))
                    return makeError(ErrorCode::CorruptFile, "tensor '" + name + "' has shape " + shapeString(t->shape) +
                                                                 " but config.json implies [" + std::to_string(eo) + ", " + std::to_string(ei) + "]",
                                     "config.json and the weights do not belong together");
            } else if (m[3] == "bias") {
                linears[module_name].has_bias = true;
            }
        } else {
            s.kept_full_precision.push_back(name);
        }
    }
    if (const TensorInfo* emb = (*cp)->find("model.embed_tokens.weight")) {
        if (emb->shape.size() != 2 || emb->shape[0] != s.config.vocab_size || emb->shape[1] != s.config.hidden_size)
            return makeError(ErrorCode::CorruptFile, "model.embed_tokens.weight has shape " + shapeString(emb->shape) +
                                                         " but config.json implies [" + std::to_string(s.config.vocab_size) + ", " +
                                                         std::to_string(s.config.hidden_size) + "]",
                             "config.json and the weights do not belong together");
    } else {
        s.warnings.push_back("no model.embed_tokens.weight: not a Llama-family layout");
    }
    if (!s.config.tie_word_embeddings && !(*cp)->find("lm_head.weight"))
        s.warnings.push_back("tie_word_embeddings is false but there is no lm_head.weight");

    for (auto& [name, li] : linears) {
        if (li.out_features == 0) continue;  // a bias without weight: ignore
        li.packable = li.in_features % 32 == 0 && li.out_features % 32 == 0;
        s.quantizable_params += static_cast<std::uint64_t>(li.in_features * li.out_features);
        s.quantizable.push_back(li);
    }
    // Blocks in order, and within a block the order of the forward pass.
    static const std::vector<std::string> kOrder = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
    auto rank = [](const LinearLayerInfo& l) {
        for (std::size_t i = 0; i < kOrder.size(); ++i)
            if (l.name.size() >= kOrder[i].size() && l.name.compare(l.name.size() - kOrder[i].size(), kOrder[i].size(), kOrder[i]) == 0)
                return static_cast<int>(i);
        return static_cast<int>(kOrder.size());
    };
    std::stable_sort(s.quantizable.begin(), s.quantizable.end(), [&](const LinearLayerInfo& a, const LinearLayerInfo& b) {
        return a.block != b.block ? a.block < b.block : rank(a) < rank(b);
    });
    return s;
}

std::string formatSummary(const ModelSummary& s, bool list_layers) {
    std::ostringstream o;
    const auto& c = s.config;
    std::string arch = c.architectures.empty() ? c.model_type : c.architectures.front();
    o << "Model:         " << s.path << "\n";
    o << "Architecture:  " << arch << " (model_type " << c.model_type << ")\n";
    o << "Layers:        " << c.num_hidden_layers << "\n";
    o << "Hidden size:   " << c.hidden_size << "\n";
    o << "Intermediate:  " << c.intermediate_size << "\n";
    o << "Heads:         " << c.num_attention_heads << " / " << c.num_key_value_heads << " KV heads (head_dim " << c.head_dim << ")\n";
    o << "Vocab:         " << c.vocab_size << "\n";
    o << "Context:       " << c.max_position_embeddings << " (rope_theta " << c.rope_theta
      << (c.rope_scaling.type.empty() ? "" : ", scaling " + c.rope_scaling.type) << ")\n";
    o << "Embeddings:    " << (c.tie_word_embeddings ? "tied" : "untied") << "\n";
    o << "Parameters:    " << units::formatCount(s.param_count) << " (" << units::formatParams(s.param_count) << ")\n";
    o << "Dtypes:       ";
    for (const auto& [d, n] : s.params_by_dtype) o << " " << d << " " << units::formatCount(n);
    o << "\n";
    o << "Size on disk:  " << units::formatBytes(s.weights_size_bytes) << " in " << s.shard_count << " safetensors file"
      << (s.shard_count == 1 ? "" : "s") << " (" << units::formatBytes(s.folder_size_bytes) << " folder)\n";
    std::size_t unpackable = 0;
    for (const auto& l : s.quantizable) unpackable += l.packable ? 0 : 1;
    o << "Quantizable:   " << s.quantizable.size() << " linear layers in blocks, " << units::formatCount(s.quantizable_params)
      << " parameters (" << (s.param_count ? 100.0 * s.quantizable_params / s.param_count : 0.0) << " %)\n";
    if (unpackable)
        o << "               " << unpackable << " of them have a dimension that is not a multiple of 32: tuned with a ragged last group, "
          << "kept in full precision by the packed exports\n";
    o << "Kept as is:    embeddings, norms and lm_head (" << s.kept_full_precision.size() << " tensors outside blocks)\n";
    for (const auto& w : s.warnings) o << "Warning:       " << w << "\n";
    if (list_layers) {
        o << "\nLinear layers that would be quantized:\n";
        for (const auto& l : s.quantizable) {
            o << "  " << l.name << "  [" << l.out_features << " x " << l.in_features << "]" << (l.has_bias ? " +bias" : "")
              << (l.packable ? "" : "  (not a multiple of 32)") << "\n";
        }
    }
    return o.str();
}

nlohmann::json summaryToJson(const ModelSummary& s) {
    const auto& c = s.config;
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : s.quantizable)
        layers.push_back({{"name", l.name}, {"block", l.block}, {"out_features", l.out_features},
                          {"in_features", l.in_features}, {"bias", l.has_bias}, {"packable", l.packable}});
    return {{"path", s.path},
            {"architecture", c.architectures.empty() ? c.model_type : c.architectures.front()},
            {"model_type", c.model_type},
            {"supported", c.isSupported()},
            {"num_hidden_layers", c.num_hidden_layers},
            {"hidden_size", c.hidden_size},
            {"intermediate_size", c.intermediate_size},
            {"num_attention_heads", c.num_attention_heads},
            {"num_key_value_heads", c.num_key_value_heads},
            {"head_dim", c.head_dim},
            {"vocab_size", c.vocab_size},
            {"tie_word_embeddings", c.tie_word_embeddings},
            {"param_count", s.param_count},
            {"params_by_dtype", s.params_by_dtype},
            {"weights_size_bytes", s.weights_size_bytes},
            {"folder_size_bytes", s.folder_size_bytes},
            {"shards", s.shard_count},
            {"quantizable_params", s.quantizable_params},
            {"quantizable_layers", layers},
            {"warnings", s.warnings}};
}

}  // namespace srs::io
