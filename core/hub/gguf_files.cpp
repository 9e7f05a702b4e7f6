#include "core/hub/gguf_files.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <regex>

namespace srs::hub {
namespace {

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string baseName(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "-00001-of-00003" at the end of an (upper-case, extension-less) name.
const std::regex& splitSuffix() {
    static const std::regex re("-([0-9]{5})-OF-([0-9]{5})$");
    return re;
}

// A type between separators (anything but a letter or digit); upper-case input.
const std::regex& typePattern() {
    static const std::regex re(
        "(^|[^A-Z0-9])(BF16|FP16|FP32|F16|F32|MXFP4|[IT]?Q[1-8](?:_(?:[0-9]+|K|XXS|XS|S|M|L|NL|XL))+)(?=$|[^A-Z0-9])");
    return re;
}

// The last type in one name (a file name without .gguf and split suffix, or a folder name).
std::string lastTypeIn(const std::string& name) {
    const std::string u = upper(name);
    std::string found;
    for (std::sregex_iterator it(u.begin(), u.end(), typePattern()), end; it != end; ++it) found = (*it)[2].str();
    if (found == "FP16") return "F16";
    if (found == "FP32") return "F32";
    return found;
}

std::string stem(const std::string& file_name) {
    std::string u = upper(file_name);
    if (u.size() >= 5 && u.compare(u.size() - 5, 5, ".GGUF") == 0) u.resize(u.size() - 5);
    return std::regex_replace(u, splitSuffix(), "");
}

}  // namespace

bool isGgufPath(const std::string& path) {
    return path.size() >= 5 && upper(path.substr(path.size() - 5)) == ".GGUF";
}

std::string ggufQuantType(const std::string& path) {
    std::string type = lastTypeIn(stem(baseName(path)));
    // Then the folders, innermost first: "Q8_0/Model-00001-of-00002.gguf".
    std::string dir = path.substr(0, path.size() - baseName(path).size());
    while (type.empty() && !dir.empty()) {
        if (dir.back() == '/') dir.pop_back();
        type = lastTypeIn(baseName(dir));
        dir.resize(dir.size() - baseName(dir).size());
    }
    return type;
}

double ggufTypeBits(const std::string& type) {
    // Bits per weight of the ggml types, and of llama.cpp's mixes (llama-quantize's list).
    static const std::map<std::string, double> kBits = {
        {"F32", 32},      {"F16", 16},      {"BF16", 16},    {"Q8_0", 8.5},    {"Q8_K", 8.5},   {"Q6_K", 6.56},
        {"Q5_1", 6.0},    {"Q5_K_M", 5.69}, {"Q5_K", 5.69},  {"Q5_0", 5.5},    {"Q5_K_S", 5.54}, {"Q4_1", 5.0},
        {"Q4_K_M", 4.89}, {"Q4_K", 4.89},   {"Q4_K_S", 4.58}, {"Q4_0", 4.5},   {"IQ4_NL", 4.5}, {"Q4_0_4_4", 4.5},
        {"Q4_0_4_8", 4.5}, {"Q4_0_8_8", 4.5}, {"IQ4_XS", 4.25}, {"MXFP4", 4.25}, {"Q3_K_L", 4.27}, {"Q3_K_M", 3.91},
        {"Q3_K", 3.91},   {"IQ3_M", 3.66},  {"Q3_K_S", 3.5}, {"IQ3_S", 3.44},  {"IQ3_XS", 3.3},  {"IQ3_XXS", 3.06},
        {"Q2_K", 3.0},    {"Q2_K_S", 2.96}, {"IQ2_M", 2.7},  {"IQ2_S", 2.5},   {"IQ2_XS", 2.31}, {"TQ2_0", 2.06},
        {"IQ2_XXS", 2.06}, {"IQ1_M", 1.75}, {"TQ1_0", 1.69}, {"IQ1_S", 1.56},
    };
    auto it = kBits.find(type);
    return it != kBits.end() ? it->second : 0.0;  // a mix llama.cpp's list does not name (Q4_K_XL, …): not known
}

bool ggufSplitPart(const std::string& path, int* part, int* parts) {
    std::smatch m;
    std::string name = upper(baseName(path));
    if (name.size() >= 5 && name.compare(name.size() - 5, 5, ".GGUF") == 0) name.resize(name.size() - 5);
    if (!std::regex_search(name, m, splitSuffix())) return false;
    if (part) *part = std::stoi(m[1].str());
    if (parts) *parts = std::stoi(m[2].str());
    return true;
}

std::vector<GgufGroup> groupGgufFiles(const std::vector<RepoFile>& files) {
    std::map<std::string, GgufGroup> by_type;
    for (const auto& f : files) {
        if (f.is_dir || !isGgufPath(f.path)) continue;
        std::string type = ggufQuantType(f.path);
        if (type.empty()) type = "other";
        auto& g = by_type[type];
        g.type = type;
        g.files.push_back(f.path);
        g.size_bytes += f.size_bytes;
    }
    std::vector<GgufGroup> out;
    for (auto& [type, g] : by_type) {
        std::sort(g.files.begin(), g.files.end());
        g.bits_per_weight = type == "other" ? 0 : ggufTypeBits(type);
        char bits[32];
        std::snprintf(bits, sizeof bits, "%.1f", g.bits_per_weight);
        if (type == "F32") {
            g.good_source = true;
            g.reason_kind = GgufSourceReason::FullPrecision;
            g.reason = "32-bit float, the full-precision weights: the best source for a quantization";
        } else if (type == "F16") {
            g.good_source = true;
            g.reason_kind = GgufSourceReason::HalfPrecision;
            g.reason = "16-bit float, practically lossless: a good source for a quantization";
        } else if (type == "BF16") {
            g.good_source = true;
            g.reason_kind = GgufSourceReason::BFloat16;
            g.reason = "bfloat16, the precision most models are trained in: a good source for a quantization";
        } else if (type == "Q8_0") {
            g.good_source = true;
            g.reason_kind = GgufSourceReason::EightBit;
            g.reason = "8-bit with very little loss: a good source when no F16 or BF16 file is offered";
        } else if (type == "other") {
            g.reason_kind = GgufSourceReason::Unknown;
            g.reason = "The quantization type is not recognised from the file name";
        } else {
            g.reason_kind = GgufSourceReason::AlreadyQuantized;
            g.reason = g.bits_per_weight > 0
                           ? std::string("Already quantized to about ") + bits + " bits per weight: quantizing it again loses quality; prefer F16, BF16 or Q8_0"
                           : "Already quantized (" + type + "): quantizing it again loses quality; prefer F16, BF16 or Q8_0";
        }
        // The file to open: the first part of a split file (or a whole one), a model rather than
        // a vision projector (mmproj-…) when the group holds both.
        auto first_part = [](const std::string& p) {
            int part = 0;
            return !ggufSplitPart(p, &part, nullptr) || part == 1;
        };
        auto projector = [](const std::string& p) { return upper(baseName(p)).find("MMPROJ") != std::string::npos; };
        for (int pass = 0; pass < 2 && g.open_file.empty(); ++pass)
            for (const auto& p : g.files)
                if (first_part(p) && (pass == 1 || !projector(p))) {
                    g.open_file = p;
                    break;
                }
        if (g.open_file.empty()) g.open_file = g.files.front();
        out.push_back(std::move(g));
    }
    std::sort(out.begin(), out.end(), [](const GgufGroup& a, const GgufGroup& b) {
        if (a.good_source != b.good_source) return a.good_source;
        if (a.bits_per_weight != b.bits_per_weight) return a.bits_per_weight > b.bits_per_weight;
        return a.type < b.type;
    });
    return out;
}

}  // namespace srs::hub
