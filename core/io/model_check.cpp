#include "core/io/model_check.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/io/weight_source.h"

namespace srs::io {
namespace {

const char* kMismatchHint = "config.json and the weights do not belong together; download the model again";
const char* kDamagedHint = "the weights file is damaged or not a Llama-family checkpoint; download it again";

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// What a tensor is for, and the shape that role takes under this config.
struct Role {
    std::string what;                  // "a linear layer's weight"
    std::string dims;                  // "[out_features, in_features]"
    std::vector<std::int64_t> shape;   // as config.json implies
    std::string implied_by;            // "num_attention_heads × head_dim, hidden_size"
};

struct Linear {
    const char* name;
    std::int64_t out, in;
    const char* implied_by;
};

std::vector<Linear> blockLinears(const ModelConfig& c) {
    const std::int64_t q = c.num_attention_heads * c.head_dim, kv = c.num_key_value_heads * c.head_dim, h = c.hidden_size,
                       f = c.intermediate_size;
    return {{"self_attn.q_proj", q, h, "num_attention_heads × head_dim, hidden_size"},
            {"self_attn.k_proj", kv, h, "num_key_value_heads × head_dim, hidden_size"},
            {"self_attn.v_proj", kv, h, "num_key_value_heads × head_dim, hidden_size"},
            {"self_attn.o_proj", h, q, "hidden_size, num_attention_heads × head_dim"},
            {"mlp.gate_proj", f, h, "intermediate_size, hidden_size"},
            {"mlp.up_proj", f, h, "intermediate_size, hidden_size"},
            {"mlp.down_proj", h, f, "hidden_size, intermediate_size"}};
}

// The role of a tensor inside a block ("self_attn.q_proj.weight"), if the runtime knows it.
std::optional<Role> blockRole(const ModelConfig& c, const std::string& part) {
    for (const auto& l : blockLinears(c)) {
        if (part == std::string(l.name) + ".weight")
            return Role{"a linear layer's weight", "[out_features, in_features]", {l.out, l.in}, l.implied_by};
        if (part == std::string(l.name) + ".bias") {
            const std::string by = l.implied_by;
            return Role{"a linear layer's bias", "[out_features]", {l.out}, by.substr(0, by.find(", "))};
        }
    }
    if (part == "input_layernorm.weight" || part == "post_attention_layernorm.weight")
        return Role{"a norm's weight", "[hidden_size]", {c.hidden_size}, "hidden_size"};
    if (part == "self_attn.q_norm.weight" || part == "self_attn.k_norm.weight")
        return Role{"a per-head norm's weight", "[head_dim]", {c.head_dim}, "head_dim"};
    return std::nullopt;
}

std::optional<Role> topRole(const ModelConfig& c, const std::string& name) {
    if (name == "model.embed_tokens.weight")
        return Role{"the token embedding", "[vocab_size, hidden_size]", {c.vocab_size, c.hidden_size}, "vocab_size, hidden_size"};
    if (name == "lm_head.weight")
        return Role{"the output head", "[vocab_size, hidden_size]", {c.vocab_size, c.hidden_size}, "vocab_size, hidden_size"};
    if (name == "model.norm.weight") return Role{"the final norm's weight", "[hidden_size]", {c.hidden_size}, "hidden_size"};
    return std::nullopt;
}

Status checkRole(const TensorShape& t, const Role& r) {
    if (t.shape.size() != r.shape.size()) {
        const std::size_t n = t.shape.size();
        return makeError(ErrorCode::CorruptFile,
                         "tensor '" + t.name + "' has " + std::to_string(n) + (n == 1 ? " dimension " : " dimensions ") + shapeText(t.shape) +
                             " but " + r.what + " has " + std::to_string(r.shape.size()) + " " + r.dims,
                         kDamagedHint);
    }
    if (t.shape != r.shape)
        return makeError(ErrorCode::CorruptFile,
                         "tensor '" + t.name + "' has shape " + shapeText(t.shape) + " but config.json implies " + shapeText(r.shape) + " (" +
                             r.implied_by + ")",
                         kMismatchHint);
    return {};
}

// "model.layers.<k>.<part>": Block with k and part; NotBlock for other names; TooLarge when the
// index has more digits than any real model's block count.
enum class BlockName { NotBlock, Block, TooLarge };
BlockName parseBlockName(const std::string& name, std::int64_t* index, std::string* part) {
    static const std::string kPrefix = "model.layers.";
    if (name.compare(0, kPrefix.size(), kPrefix) != 0) return BlockName::NotBlock;
    std::size_t i = kPrefix.size(), digits = 0;
    std::int64_t k = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9') {
        if (++digits <= 12) k = k * 10 + (name[i] - '0');
        ++i;
    }
    if (digits == 0 || i >= name.size() || name[i] != '.') return BlockName::NotBlock;
    *part = name.substr(i + 1);
    if (digits > 12) return BlockName::TooLarge;
    *index = k;
    return BlockName::Block;
}

// The block indices present; every one below num_hidden_layers.
Result<std::set<std::int64_t>> blockIndices(const ModelConfig& c, const std::vector<TensorShape>& tensors) {
    std::set<std::int64_t> blocks;
    for (const auto& t : tensors) {
        std::int64_t k = 0;
        std::string part;
        const BlockName b = parseBlockName(t.name, &k, &part);
        if (b == BlockName::NotBlock) continue;
        if (b == BlockName::TooLarge || k >= c.num_hidden_layers)
            return makeError(ErrorCode::CorruptFile,
                             "tensor '" + t.name + "' belongs to a block past the last one: config.json has num_hidden_layers " +
                                 std::to_string(c.num_hidden_layers) + " (blocks 0 to " + std::to_string(c.num_hidden_layers - 1) + ")",
                             kMismatchHint);
        blocks.insert(k);
    }
    return blocks;
}

Status checkBlockCount(const ModelConfig& c, const std::set<std::int64_t>& blocks, bool require) {
    if (blocks.empty()) {
        if (!require) return {};
        return makeError(ErrorCode::CorruptFile, "the weights hold no model.layers.<k>.* tensors, so no decoder block", kDamagedHint);
    }
    if (static_cast<std::int64_t>(blocks.size()) == c.num_hidden_layers) return {};
    std::int64_t missing = 0;
    while (blocks.count(missing)) ++missing;  // bounded by the tensors present
    return makeError(ErrorCode::CorruptFile,
                     "config.json has num_hidden_layers " + std::to_string(c.num_hidden_layers) + " but the weights hold " +
                         std::to_string(blocks.size()) + " block" + (blocks.size() == 1 ? "" : "s") + " (block " + std::to_string(missing) +
                         " has no tensors)",
                     kMismatchHint);
}

// Where a tensor comes in the forward pass (block, then role), so that the first mismatch
// reported is the first the model would meet: q_proj before k_proj, gate_proj before down_proj.
std::pair<std::int64_t, int> forwardOrder(const ModelConfig& c, const std::string& name) {
    static const std::vector<std::string> kParts = {
        "input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
        "self_attn.v_proj.weight", "self_attn.v_proj.bias",  "self_attn.q_norm.weight", "self_attn.k_norm.weight", "self_attn.o_proj.weight",
        "self_attn.o_proj.bias", "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"};
    std::int64_t k = 0;
    std::string part;
    if (parseBlockName(name, &k, &part) != BlockName::Block) {
        if (name == "model.embed_tokens.weight") return {-1, 0};
        return {c.num_hidden_layers, name == "model.norm.weight" ? 0 : 1};  // after the blocks
    }
    for (std::size_t i = 0; i < kParts.size(); ++i)
        if (part == kParts[i]) return {k, static_cast<int>(i)};
    return {k, static_cast<int>(kParts.size())};
}

}  // namespace

Status checkTensorsAgainstConfig(const ModelConfig& c, const std::vector<TensorShape>& tensors, bool require_block_linears) {
    for (const auto& t : tensors)
        for (auto d : t.shape)
            if (d < 0)
                return makeError(ErrorCode::CorruptFile, "tensor '" + t.name + "' has a negative dimension " + shapeText(t.shape), kDamagedHint);
    auto blocks = blockIndices(c, tensors);
    if (!blocks) return blocks.error();
    SRS_TRY(checkBlockCount(c, *blocks, require_block_linears));
    std::vector<const TensorShape*> ordered;
    for (const auto& t : tensors) ordered.push_back(&t);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [&c](const TensorShape* a, const TensorShape* b) { return forwardOrder(c, a->name) < forwardOrder(c, b->name); });
    std::set<std::string> names;
    for (const TensorShape* tp : ordered) {
        const TensorShape& t = *tp;
        names.insert(t.name);
        std::int64_t k = 0;
        std::string part;
        std::optional<Role> role =
            parseBlockName(t.name, &k, &part) == BlockName::Block ? blockRole(c, part) : topRole(c, t.name);
        if (role) SRS_TRY(checkRole(t, *role));
    }
    if (!require_block_linears) return {};
    for (std::int64_t k : *blocks)
        for (const auto& l : blockLinears(c)) {
            const std::string name = "model.layers." + std::to_string(k) + "." + l.name + ".weight";
            if (!names.count(name))
                return makeError(ErrorCode::CorruptFile,
                                 "tensor '" + name + "' is missing: every block of a " + c.model_type +
                                     " model has q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj and down_proj weights",
                                 kDamagedHint);
        }
    return {};
}

Status checkWeightSource(const WeightSource& source) {
    std::vector<TensorShape> tensors;
    for (const auto& name : source.tensorNames()) {
        auto shape = source.shape(name);
        if (!shape) return shape.error();
        tensors.push_back({name, *shape});
    }
    return checkTensorsAgainstConfig(source.config(), tensors, source.config().isSupported());
}

}  // namespace srs::io
