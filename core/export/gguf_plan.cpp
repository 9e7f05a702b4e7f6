#include "core/export/gguf_plan.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace srs::exporter {
namespace {

using io::GgmlType;

const std::vector<GgufFileType>& fileTypes() {
    // llama.cpp's LLAMA_FTYPE values.
    static const std::vector<GgufFileType> kTypes = {
        {"f32", 0, GgmlType::F32},     {"f16", 1, GgmlType::F16},     {"bf16", 32, GgmlType::BF16},  {"q4_0", 2, GgmlType::Q4_0},
        {"q4_1", 3, GgmlType::Q4_1},   {"q5_0", 8, GgmlType::Q5_0},   {"q5_1", 9, GgmlType::Q5_1},   {"q8_0", 7, GgmlType::Q8_0},
        {"q2_k", 10, GgmlType::Q2_K},  {"q2_k_s", 21, GgmlType::Q2_K}, {"q3_k_s", 11, GgmlType::Q3_K}, {"q3_k_m", 12, GgmlType::Q3_K},
        {"q3_k_l", 13, GgmlType::Q3_K}, {"q4_k_s", 14, GgmlType::Q4_K}, {"q4_k_m", 15, GgmlType::Q4_K}, {"q5_k_s", 16, GgmlType::Q5_K},
        {"q5_k_m", 17, GgmlType::Q5_K}, {"q6_k", 18, GgmlType::Q6_K},
    };
    return kTypes;
}

bool isKQuant(GgmlType t) {
    return t == GgmlType::Q2_K || t == GgmlType::Q3_K || t == GgmlType::Q4_K || t == GgmlType::Q5_K || t == GgmlType::Q6_K;
}

bool useMoreBits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// The type a row of `cols` elements can actually hold.
GgmlType fitRow(GgmlType t, std::int64_t cols) {
    if (isKQuant(t) && cols % 256 != 0) t = t == GgmlType::Q6_K ? GgmlType::Q8_0 : GgmlType::Q5_0;
    if (t != GgmlType::F32 && t != GgmlType::F16 && t != GgmlType::BF16 && cols % 32 != 0) t = GgmlType::F16;
    return t;
}

}  // namespace

Result<GgufFileType> parseGgufFileType(const std::string& name) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& t : fileTypes())
        if (t.name == n) return t;
    std::string all;
    for (const auto& t : fileTypes()) all += (all.empty() ? "" : ", ") + t.name;
    return makeError(ErrorCode::InvalidArgument, "unknown GGUF type '" + n + "'", "use gguf:<type> with one of " + all);
}

std::vector<std::string> ggufFileTypeNames() {
    std::vector<std::string> v;
    for (const auto& t : fileTypes()) v.push_back(t.name);
    return v;
}

std::string ggufFileTypeLabel(const GgufFileType& type) {
    std::string s = type.name;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

std::map<std::string, GgmlType> planGgufTypes(const GgufFileType& ft, const io::ModelConfig& config,
                                             const std::vector<GgufPlanInput>& tensors) {
    static const std::regex kBlock(R"(^model\.layers\.(\d+)\.(.+)$)");
    const bool has_output = std::any_of(tensors.begin(), tensors.end(), [](const GgufPlanInput& t) { return t.hf_name == "lm_head.weight"; });
    const int n_layer = static_cast<int>(config.num_hidden_layers);
    const std::int64_t n_gqa = config.num_key_value_heads > 0 ? config.num_attention_heads / config.num_key_value_heads : 1;
    const std::string& f = ft.name;
    const bool float_file = ft.base == GgmlType::F32 || ft.base == GgmlType::F16 || ft.base == GgmlType::BF16;

    std::map<std::string, GgmlType> plan;
    for (const auto& t : tensors) {
        const std::string& name = t.hf_name;
        if (t.shape.size() < 2 || name.find("norm") != std::string::npos || name.size() < 7 ||
            name.compare(name.size() - 7, 7, ".weight") != 0) {
            plan[name] = GgmlType::F32;
            continue;
        }
        GgmlType type = ft.base;
        const std::int64_t cols = t.shape.back();
        std::smatch m;
        if (float_file) {
            // The converter writes every matrix in the float type.
        } else if (name == "lm_head.weight" || (!has_output && name == "model.embed_tokens.weight")) {
            type = cols % 256 != 0 ? GgmlType::Q8_0 : ft.base == GgmlType::Q8_0 ? GgmlType::Q8_0 : GgmlType::Q6_K;
        } else if (std::regex_match(name, m, kBlock)) {
            const int i = std::stoi(m[1].str());
            const std::string part = m[2].str();
            if (part == "self_attn.v_proj.weight") {
                if (f == "q2_k") type = n_gqa >= 4 ? GgmlType::Q4_K : GgmlType::Q3_K;
                else if (f == "q2_k_s" && n_gqa >= 4) type = GgmlType::Q4_K;
                else if (f == "q3_k_m") type = i < 2 ? GgmlType::Q5_K : GgmlType::Q4_K;
                else if (f == "q3_k_l") type = GgmlType::Q5_K;
                else if ((f == "q4_k_m" || f == "q5_k_m") && useMoreBits(i, n_layer)) type = GgmlType::Q6_K;
                else if (f == "q4_k_s" && i < 4) type = GgmlType::Q5_K;
            } else if (part == "mlp.down_proj.weight") {
                if (f == "q2_k") type = GgmlType::Q3_K;
                else if (f == "q2_k_s") { if (i < n_layer / 8) type = GgmlType::Q4_K; }
                else if (f == "q3_k_m") type = i < n_layer / 16 ? GgmlType::Q5_K : GgmlType::Q4_K;
                else if (f == "q3_k_l") type = GgmlType::Q5_K;
                else if ((f == "q4_k_m" || f == "q5_k_m") && useMoreBits(i, n_layer)) type = GgmlType::Q6_K;
                else if (f == "q4_k_s" && i < n_layer / 8) type = GgmlType::Q5_K;
            } else if (part == "self_attn.o_proj.weight") {
                if (f == "q2_k") type = GgmlType::Q3_K;
                else if (f == "q3_k_m") type = GgmlType::Q4_K;
                else if (f == "q3_k_l") type = GgmlType::Q5_K;
            }
        }
        plan[name] = fitRow(type, cols);
    }
    return plan;
}

std::optional<quant::QuantScheme> schemeForGgmlType(GgmlType type) {
    switch (type) {
        case GgmlType::Q4_0: return quant::QuantScheme{4, 32, true};
        case GgmlType::Q4_1: return quant::QuantScheme{4, 32, false};
        case GgmlType::Q5_0: return quant::QuantScheme{5, 32, true};
        case GgmlType::Q5_1: return quant::QuantScheme{5, 32, false};
        case GgmlType::Q8_0: return quant::QuantScheme{8, 32, true};
        case GgmlType::Q2_K: return quant::QuantScheme{2, 16, false};
        case GgmlType::Q3_K: return quant::QuantScheme{3, 16, true};
        case GgmlType::Q4_K: return quant::QuantScheme{4, 32, false};
        case GgmlType::Q5_K: return quant::QuantScheme{5, 32, false};
        case GgmlType::Q6_K: return quant::QuantScheme{6, 16, true};
        default: return std::nullopt;
    }
}

}  // namespace srs::exporter
