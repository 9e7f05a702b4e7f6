#include "core/io/model_summary.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>

#include "core/common/numeric_cast.h"
#include "core/common/units.h"
#include "core/io/checkpoint.h"
#include "core/io/ggml_quants.h"
#include "core/io/gguf.h"
#include "core/io/gguf_source.h"
#include "core/io/model_check.h"
#include "core/io/read_text_file.h"
#include "core/io/weight_source.h"

namespace fs = std::filesystem;

namespace srs::io {
namespace {

struct TensorEntry {
    std::string name;
    std::string dtype;  // "F32", "BF16", "Q4_K", ...
    std::vector<std::int64_t> shape;
    std::uint64_t numel() const {
        std::uint64_t n = 1;
        for (auto d : shape) n *= static_cast<std::uint64_t>(d);
        return n;
    }
};

// Bits per weight a stored type takes: safetensors dtypes, our packed exports' "INT<n>", and
// ggml block types (scales included); 0 when unknown.
double storedBits(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 64;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 32;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 16;
    if (dtype == "I8" || dtype == "U8" || dtype.rfind("F8", 0) == 0) return 8;
    if (dtype.rfind("INT", 0) == 0) return std::atof(dtype.c_str() + 3);
    auto t = ggml::parseTypeName(dtype);
    std::uint64_t elems = 0, bytes = 0;
    if (t && ggmlBlockLayout(static_cast<std::uint32_t>(*t), &elems, &bytes) && elems > 0) return 8.0 * num::real(bytes) / num::real(elems);
    return 0;
}

// The block linears in forward order, block by block.
void sortLinears(std::vector<LinearLayerInfo>& v) {
    static const std::vector<std::string> kOrder = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
    auto rank = [](const LinearLayerInfo& l) {
        for (std::size_t i = 0; i < kOrder.size(); ++i)
            if (l.name.size() >= kOrder[i].size() && l.name.compare(l.name.size() - kOrder[i].size(), kOrder[i].size(), kOrder[i]) == 0)
                return static_cast<int>(i);
        return static_cast<int>(kOrder.size());
    };
    std::stable_sort(v.begin(), v.end(), [&](const LinearLayerInfo& a, const LinearLayerInfo& b) {
        return a.block != b.block ? a.block < b.block : rank(a) < rank(b);
    });
}

// Parameter counts, stored types, the quantizable linears and the storage of their weights.
Status summarizeTensors(const std::vector<TensorEntry>& tensors, ModelSummary& s) {
    // Ranks, shapes and the block count against config.json, before any shape is indexed below.
    std::vector<TensorShape> shapes;
    for (const auto& t : tensors) shapes.push_back({t.name, t.shape});
    SRS_TRY(checkTensorsAgainstConfig(s.config, shapes, false));
    static const std::regex kBlockTensor(R"(^model\.layers\.(\d+)\.(.+)\.(weight|bias)$)");
    std::map<std::string, LinearLayerInfo> linears;
    std::map<std::string, std::uint64_t> linear_params_by_dtype;
    double linear_bits = 0, linear_params = 0;
    const TensorEntry* emb = nullptr;
    bool has_lm_head = false;
    for (const auto& t : tensors) {
        s.param_count += t.numel();
        s.params_by_dtype[t.dtype] += t.numel();
        if (t.name == "model.embed_tokens.weight") emb = &t;
        if (t.name == "lm_head.weight") has_lm_head = true;
        std::smatch m;
        if (!std::regex_match(t.name, m, kBlockTensor)) {
            s.kept_full_precision.push_back(t.name);
            continue;
        }
        const int block = std::stoi(m[1].str());
        const std::string module = m[2].str(), module_name = "model.layers." + m[1].str() + "." + module;
        if (m[3] == "weight" && t.shape.size() == 2) {
            auto& li = linears[module_name];
            li.name = module_name;
            li.block = block;
            li.out_features = t.shape[0];
            li.in_features = t.shape[1];
            if (module.find("proj") != std::string::npos) {
                linear_params_by_dtype[t.dtype] += t.numel();
                linear_bits += storedBits(t.dtype) * static_cast<double>(t.numel());
                linear_params += static_cast<double>(t.numel());
            }
        } else if (m[3] == "bias") {
            linears[module_name].has_bias = true;
        }
    }
    if (!emb) s.warnings.push_back("no model.embed_tokens.weight: not a Llama-family layout");
    if (!s.config.tie_word_embeddings && !has_lm_head) s.warnings.push_back("tie_word_embeddings is false but there is no lm_head.weight");
    for (auto& [name, li] : linears) {
        if (li.out_features == 0) continue;  // a bias without weight: ignore
        li.packable = li.in_features % 32 == 0 && li.out_features % 32 == 0;
        s.quantizable_params += static_cast<std::uint64_t>(li.in_features * li.out_features);
        s.quantizable.push_back(li);
    }
    sortLinears(s.quantizable);
    if (linear_params > 0) s.linear_bits_per_weight = linear_bits / linear_params;
    std::uint64_t most = 0;
    for (const auto& [dtype, n] : linear_params_by_dtype)
        if (n > most) {
            most = n;
            s.linear_storage = dtype;
            s.linear_storage_bits = storedBits(dtype);
        }
    if (s.quantized_source()) {
        char bits[16];
        std::snprintf(bits, sizeof bits, "%.2f", s.linear_bits_per_weight);
        s.warnings.push_back("the weights are already quantized (" + s.linear_storage + ", " + bits +
                             " bits per weight in the blocks): quantizing them again starts from their rounding error, so the "
                             "result is worse than the source itself and than a quantization of the full-precision model; use an "
                             "F32, F16, BF16 or Q8_0 file of this model as the source when there is one");
    }
    return {};
}

std::uint64_t folderBytes(const fs::path& folder) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec))
        if (e.is_regular_file(ec)) total += e.file_size(ec);
    return total;
}

// tokenizer.json / tokenizer.model and a chat template in tokenizer_config.json or chat_template.jinja.
void describeTokenizerFiles(const fs::path& folder, ModelSummary& s) {
    std::error_code ec;
    for (const char* f : {"tokenizer.json", "tokenizer.model", "vocab.json"})
        if (fs::exists(folder / f, ec)) {
            s.tokenizer = f;
            break;
        }
    if (fs::exists(folder / "chat_template.jinja", ec) || fs::exists(folder / "chat_template.json", ec)) s.has_chat_template = true;
    // An unreadable tokenizer_config.json (not a plain file, too large, not JSON) only means no template is seen here.
    if (auto j = readJsonFile((folder / "tokenizer_config.json").string(), kMaxConfigFileBytes); j.ok() && j->is_object()) {
        auto t = j->find("chat_template");
        if (t != j->end() && !t->is_null()) s.has_chat_template = true;
    }
}

Result<ModelSummary> inspectHfFolder(const std::string& folder) {
    ModelSummary s;
    s.path = folder;
    auto config = loadModelConfig(folder);
    if (!config) return config.error();
    s.config = *config;
    auto cp = Checkpoint::open(folder);
    if (!cp) return cp.error();
    s.shard_count = static_cast<int>((*cp)->shards().size());
    s.weights_size_bytes = (*cp)->totalSizeBytes();
    s.folder_size_bytes = folderBytes(folder);
    if (!s.config.isSupported()) s.warnings.push_back("not supported for quantization yet: " + s.config.unsupportedReason());
    std::vector<TensorEntry> tensors;
    for (const auto& name : (*cp)->tensorNames()) {
        const TensorInfo* t = (*cp)->find(name);
        tensors.push_back({name, dtypeName(t->dtype), t->shape});
    }
    SRS_TRY(summarizeTensors(tensors, s));
    describeTokenizerFiles(folder, s);
    return s;
}

bool outputIsEmbeddingCopy(const GgufFile& g) {
    const GgufTensorInfo* emb = g.find("token_embd.weight");
    const GgufTensorInfo* out = g.find("output.weight");
    return emb && out && emb->type == out->type && emb->ne == out->ne && emb->size_bytes == out->size_bytes &&
           std::memcmp(g.tensorData(*emb), g.tensorData(*out), emb->size_bytes) == 0;
}

Result<ModelSummary> inspectGgufFile(const std::string& given_path, const std::string& file) {
    ModelSummary s;
    s.path = given_path;
    s.format = ModelFormat::Gguf;
    s.weights_file = file;
    auto source = openGgufModel(file);
    if (!source) return source.error();
    s.config = (*source)->config();
    std::error_code ec;
    s.shard_count = 1;
    s.weights_size_bytes = fs::file_size(file, ec);
    s.folder_size_bytes = fs::is_directory(given_path, ec) ? folderBytes(given_path) : s.weights_size_bytes;
    if (!s.config.isSupported()) s.warnings.push_back("not supported for quantization yet: " + s.config.unsupportedReason());
    auto g = GgufFile::open(file);
    if (!g) return g.error();
    // Converters write a tied output matrix out as a copy of the embedding: the same model as its
    // Hugging Face folder, whose parameters count it once.
    const bool tied_copy = outputIsEmbeddingCopy(**g);
    if (tied_copy) s.config.tie_word_embeddings = true;
    std::vector<TensorEntry> tensors;
    for (const auto& name : (*source)->tensorNames()) {
        if (tied_copy && name == "lm_head.weight") continue;
        auto shape = (*source)->shape(name);
        if (!shape) return shape.error();
        tensors.push_back({name, (*source)->storedDtype(name), *shape});
    }
    SRS_TRY(summarizeTensors(tensors, s));
    {
        const nlohmann::json* model = (*g)->meta("tokenizer.ggml.model");
        if (model && model->is_string()) s.tokenizer = "embedded (" + model->get<std::string>() + ")";
        const nlohmann::json* tmpl = (*g)->meta("tokenizer.chat_template");
        s.has_chat_template = tmpl && tmpl->is_string() && !tmpl->get<std::string>().empty();
    }
    return s;
}

}  // namespace

const char* modelFormatName(ModelFormat format) { return format == ModelFormat::Gguf ? "gguf" : "safetensors"; }

Result<ModelSummary> inspectModel(const std::string& path) {
    auto where = locateModel(path);
    if (!where) return where.error();
    if (where->kind == ModelLocation::Kind::GgufFile) return inspectGgufFile(path, where->file);
    return inspectHfFolder(where->file);
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
    if (s.format == ModelFormat::Gguf)
        o << "Size on disk:  " << units::formatBytes(s.weights_size_bytes) << " in " << fs::path(s.weights_file).filename().string() << " (GGUF)\n";
    else
        o << "Size on disk:  " << units::formatBytes(s.weights_size_bytes) << " in " << s.shard_count << " safetensors file"
          << (s.shard_count == 1 ? "" : "s") << " (" << units::formatBytes(s.folder_size_bytes) << " folder)\n";
    if (s.linear_bits_per_weight > 0) {
        char bits[16];
        std::snprintf(bits, sizeof bits, "%.2f", s.linear_bits_per_weight);
        o << "Block weights: " << s.linear_storage << " (" << bits << " bits per weight)\n";
    }
    o << "Tokenizer:     " << (s.tokenizer.empty() ? std::string("none found") : s.tokenizer)
      << (s.has_chat_template ? ", with a chat template" : ", no chat template") << "\n";
    std::size_t unpackable = 0;
    for (const auto& l : s.quantizable) unpackable += l.packable ? 0 : 1;
    o << "Quantizable:   " << s.quantizable.size() << " linear layers in blocks, " << units::formatCount(s.quantizable_params)
      << " parameters (" << (s.param_count ? 100.0 * num::real(s.quantizable_params) / num::real(s.param_count) : 0.0) << " %)\n";
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
            {"format", modelFormatName(s.format)},
            {"weights_file", s.weights_file},
            {"tokenizer", s.tokenizer},
            {"chat_template", s.has_chat_template},
            {"linear_bits_per_weight", s.linear_bits_per_weight},
            {"linear_storage", s.linear_storage},
            {"quantized_source", s.quantized_source()},
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
