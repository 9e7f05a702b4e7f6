#include "core/quant/layer_config.h"

#include <cctype>
#include <regex>

#include "core/common/bounded_regex.h"
#include "core/common/json_field.h"
#include "core/io/read_text_file.h"

namespace srs::quant {

namespace {
// "12", "-3", "0.5": what the relaxed form leaves unquoted.
bool isPlainNumber(const std::string& w) {
    std::size_t i = w.size() > 0 && w[0] == '-' ? 1 : 0;
    const std::size_t int_start = i;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i;
    if (i == int_start) return false;
    if (i == w.size()) return true;
    if (w[i] != '.') return false;
    const std::size_t frac_start = ++i;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i;
    return i > frac_start && i == w.size();
}
const char* kLayerConfigHint =
    "each key is a layer name, substring or regex; each value a scheme name (W4A16, W2A16G64, BF16) or "
    "{\"bits\": 2-8 (16 keeps full precision), \"group_size\": -1 or a positive size, \"sym\": true or false}";
}  // namespace

Result<nlohmann::json> parseLayerConfigText(const std::string& text) {
    if (text.empty()) return nlohmann::json::object();
    if (text.size() > io::kMaxConfigFileBytes)
        return makeError(ErrorCode::InvalidArgument, "layer_config is " + std::to_string(text.size()) + " bytes, more than the " +
                                                         std::to_string(io::kMaxConfigFileBytes) + " it may take", kLayerConfigHint);
    if (auto strict = json::parseJson(text, "layer_config", ErrorCode::InvalidArgument); strict.ok()) return strict;
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
            bool number = isPlainNumber(word);
            bool keyword = word == "true" || word == "false" || word == "null";
            out += (number || keyword) ? word : "\"" + word + "\"";
            i = i + word.size();
        }
    }
    auto relaxed = json::parseJson(out, "layer_config", ErrorCode::InvalidArgument);
    if (!relaxed) {
        Error e = relaxed.error();
        e.hint = "e.g. --layer_config '{\"k_proj\": {\"bits\": 8}, \"mlp.down_proj\": \"W8A16\"}'";
        return e;
    }
    return relaxed;
}

Result<std::optional<QuantScheme>> parsePreset(const std::string& raw) {
    std::string name = raw;
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (name == "BF16" || name == "FP16" || name == "W16A16") return std::optional<QuantScheme>();
    static const std::regex kPreset(R"(^W(\d)A16(?:G(\d{1,7}))?$)");  // at most 7 digits: stoi cannot overflow
    std::smatch m;
    if (name.size() > 32 || !std::regex_match(name, m, kPreset))
        return makeError(ErrorCode::InvalidArgument, "unknown scheme '" + (raw.size() > 40 ? raw.substr(0, 40) + "…" : raw) + "'", "use W2A16, W3A16, W4A16, W8A16, W2A16G64, W2A16G32 or BF16");
    QuantScheme s;
    s.bits = std::stoi(m[1].str());
    s.group_size = m[2].matched ? std::stoi(m[2].str()) : 128;
    s.sym = true;
    SRS_TRY(validateScheme(s));
    return std::optional<QuantScheme>(s);
}

namespace {
bool hasRegexChars(const std::string& s) { return s.find_first_of("*+?[](){}|^$\\") != std::string::npos; }

// The scheme one layer_config value asks for (nullopt: full precision); every field type- and
// range-checked, so a wrong type is an error naming the key, never an exception.
Result<std::optional<QuantScheme>> valueScheme(const nlohmann::json& v, const QuantScheme& def, const std::string& where) {
    if (v.is_string()) {
        auto p = parsePreset(v.get<std::string>());
        if (!p) return p.error().withContext(where);
        return *p;
    }
    const json::Fields f(v, where, "", ErrorCode::InvalidArgument, kLayerConfigHint);
    if (!v.is_object())
        return makeError(ErrorCode::InvalidArgument, where + " must be a scheme name or an object (found " + json::describe(v) + ")",
                         kLayerConfigHint);
    QuantScheme s = def;
    auto name = f.string("scheme", "");
    if (!name) return name.error();
    if (!name->empty()) {
        auto p = parsePreset(*name);
        if (!p) return p.error().withContext(where);
        if (!*p) return std::optional<QuantScheme>();
        s = **p;
    }
    auto bits = f.integer("bits", 2, 32, s.bits);
    if (!bits) return bits.error();
    auto group = f.integer("group_size", -1, 1 << 24, s.group_size);
    if (!group) return group.error();
    auto sym = f.boolean("sym", s.sym);
    if (!sym) return sym.error();
    auto data_type = f.string("data_type", "int");
    if (!data_type) return data_type.error();
    if (*data_type == "fp" || *bits >= 16) return std::optional<QuantScheme>();
    s.bits = static_cast<int>(*bits);
    s.group_size = static_cast<int>(*group);
    s.sym = *sym;
    auto ok = validateScheme(s);
    if (!ok) return ok.error().withContext(where);
    return std::optional<QuantScheme>(s);
}
}  // namespace

Result<std::map<std::string, std::optional<QuantScheme>>> resolveLayerSchemes(const std::vector<std::string>& names,
                                                                              const QuantScheme& def, const nlohmann::json& lc,
                                                                              const std::vector<std::string>& fp_layers, const std::string& source) {
    std::map<std::string, std::optional<QuantScheme>> out;
    for (const auto& n : names) out[n] = def;
    if (!lc.is_null() && !lc.is_object())
        return makeError(ErrorCode::InvalidArgument, source + " must be a JSON object (found " + json::describe(lc) + ")", kLayerConfigHint);
    if (lc.is_object()) {
        for (auto it = lc.begin(); it != lc.end(); ++it) {
            const std::string& key = it.key();
            if (key.size() > 1000)
                return makeError(ErrorCode::InvalidArgument, source + " has a key longer than 1000 characters", kLayerConfigHint);
            auto scheme = valueScheme(it.value(), def, source + "['" + key + "']");
            if (!scheme) return scheme.error();
            int matched = 0;
            if (out.count(key)) {
                out[key] = *scheme;
                matched = 1;
            } else {
                if (hasRegexChars(key)) {
                    // A regex, searched like Python's re.search, with bounded work per key.
                    auto re = BoundedRegex::compile(key, source + " key '" + key + "'");
                    if (!re) return re.error();
                    for (auto& [name, s] : out) {
                        auto hit = re->search(name);
                        if (!hit) return hit.error();
                        if (*hit) {
                            s = *scheme;
                            ++matched;
                        }
                    }
                } else {
                    // A substring of the layer names.
                    for (auto& [name, s] : out)
                        if (name.find(key) != std::string::npos) {
                            s = *scheme;
                            ++matched;
                        }
                }
            }
            if (matched == 0)
                return makeError(ErrorCode::InvalidArgument, source + " key '" + key + "' matches no quantizable layer",
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
