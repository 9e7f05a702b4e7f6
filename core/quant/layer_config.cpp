#include "core/quant/layer_config.h"

#include <cctype>
#include <regex>

namespace srs::quant {

Result<nlohmann::json> parseLayerConfigText(const std::string& text) {
    if (text.empty()) return nlohmann::json::object();
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
    }
    // Relaxed form: quote bare keys and words (not numbers, true/false/null).
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        char c = text[i];
        if (c == '"' || c == '\'') {
            std::size_t j = text.find(c, i + 1);
            if (j == std::string::npos) return makeError(ErrorCode::InvalidArgument, "layer_config has an unterminated string");
            out += '"' + text.substr(i + 1, j - i - 1) + '"';
            i = j + 1;
        } else if (std::string("{}[]:, \t\n").find(c) != std::string::npos) {
            out += c;
            ++i;
        } else {
            std::size_t j = i;
            while (j < text.size() && std::string("{}[]:,\t\n").find(text[j]) == std::string::npos) ++j;
            std::string word = text.substr(i, j - i);
            while (!word.empty() && word.back() == ' ') word.pop_back();
            bool number = !word.empty() && std::regex_match(word, std::regex(R"(-?\d+(\.\d+)?)"));
            bool keyword = word == "true" || word == "false" || word == "null";
            out += (number || keyword) ? word : "\"" + word + "\"";
            i = i + word.size();
        }
    }
    try {
        return nlohmann::json::parse(out);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::InvalidArgument, std::string("layer_config is not valid JSON: ") + e.what(),
                         "e.g. --layer_config '{\"k_proj\": {\"bits\": 8}, \"mlp.down_proj\": \"W8A16\"}'");
    }
}

Result<std::optional<QuantScheme>> parsePreset(const std::string& raw) {
    std::string name = raw;
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (name == "BF16" || name == "FP16" || name == "W16A16") return std::optional<QuantScheme>();
    static const std::regex kPreset(R"(^W(\d)A16(?:G(\d+))?$)");
    std::smatch m;
    if (!std::regex_match(name, m, kPreset))
        return makeError(ErrorCode::InvalidArgument, "unknown scheme '" + raw + "'", "use W2A16, W3A16, W4A16, W8A16, W2A16G64, W2A16G32 or BF16");
    QuantScheme s;
    s.bits = std::stoi(m[1].str());
    s.group_size = m[2].matched ? std::stoi(m[2].str()) : 128;
    s.sym = true;
    SRS_TRY(validateScheme(s));
    return std::optional<QuantScheme>(s);
}

namespace {
bool hasRegexChars(const std::string& s) { return s.find_first_of("*+?[](){}|^$\\") != std::string::npos; }
}  // namespace

Result<std::map<std::string, std::optional<QuantScheme>>> resolveLayerSchemes(const std::vector<std::string>& names,
                                                                              const QuantScheme& def, const nlohmann::json& lc,
                                                                              const std::vector<std::string>& fp_layers) {
    std::map<std::string, std::optional<QuantScheme>> out;
    for (const auto& n : names) out[n] = def;
    if (!lc.is_null() && !lc.is_object()) return makeError(ErrorCode::InvalidArgument, "layer_config must be a JSON object");
    if (lc.is_object()) {
        for (auto it = lc.begin(); it != lc.end(); ++it) {
            const std::string& key = it.key();
            std::optional<QuantScheme> scheme = def;
            const auto& v = it.value();
            if (v.is_string()) {
                auto p = parsePreset(v.get<std::string>());
                if (!p) return p.error().withContext("layer_config['" + key + "']");
                scheme = *p;
            } else if (v.is_object()) {
                QuantScheme s = def;
                if (v.contains("scheme") && v["scheme"].is_string()) {
                    auto p = parsePreset(v["scheme"].get<std::string>());
                    if (!p) return p.error().withContext("layer_config['" + key + "']");
                    if (!*p) {
                        scheme.reset();
                    } else {
                        s = **p;
                    }
                }
                if (scheme) {
                    s.bits = v.value("bits", s.bits);
                    s.group_size = v.value("group_size", s.group_size);
                    s.sym = v.value("sym", s.sym);
                    if (v.value("data_type", std::string("int")) == "fp" || s.bits >= 16) {
                        scheme.reset();
                    } else {
                        auto ok = validateScheme(s);
                        if (!ok) return ok.error().withContext("layer_config['" + key + "']");
                        scheme = s;
                    }
                }
            } else {
                return makeError(ErrorCode::InvalidArgument, "layer_config['" + key + "'] must be a scheme name or an object");
            }
            int matched = 0;
            if (out.count(key)) {
                out[key] = scheme;
                matched = 1;
            } else {
                std::regex re;
                try {
                    re = std::regex(hasRegexChars(key) ? key : ".*" + std::regex_replace(key, std::regex(R"([.])"), R"(\.)") + ".*");
                } catch (const std::regex_error&) {
                    return makeError(ErrorCode::InvalidArgument, "layer_config key '" + key + "' is not a valid regular expression");
                }
                for (auto& [name, s] : out)
                    if (std::regex_search(name, re)) {
                        s = scheme;
                        ++matched;
                    }
            }
            if (matched == 0)
                return makeError(ErrorCode::InvalidArgument, "layer_config key '" + key + "' matches no quantizable layer",
                                 "keys are layer names (model.layers.0.self_attn.q_proj), substrings (k_proj) or regexes");
        }
    }
    for (std::string f : fp_layers) {
        if (f.empty()) continue;
        if (std::isdigit(static_cast<unsigned char>(f.back()))) f += ".";
        for (auto& [name, s] : out)
            if ((name + ".").find(f) != std::string::npos) s.reset();
    }
    return out;
}

}  // namespace srs::quant
