#include "core/export/model_card.h"

#include <algorithm>

#include "core/common/text.h"
#include <cstdio>
#include <sstream>

namespace srs::exporter {
namespace {

using text::trim;

std::string unquote(std::string s) {
    s = trim(s);
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
    return s;
}

std::string yamlQuote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

void addUnique(std::vector<std::string>& v, const std::string& x) {
    if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

std::string format(const char* fmt, double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, fmt, value);
    return buf;
}

// The measured rows; the KL divergence columns only when some row has them (the exports of a run
// that measured them; the original's own cells are "—").
std::string perplexityTable(const std::vector<PerplexityRow>& rows) {
    const bool kld = std::any_of(rows.begin(), rows.end(), [](const PerplexityRow& r) { return r.kld.has_value(); });
    std::ostringstream o;
    o << "## Measured perplexity\n\nLower is better; measured by SignRound Studio on the same text for every row.";
    if (kld)
        o << " KLD: the KL divergence of this model's next-token distribution from the original's, in nats per token (mean and "
             "99th percentile over the scored tokens); top-1: how often its most likely next token is the original's.";
    o << "\n\n";
    o << (kld ? "| model | text | bits / weight | perplexity | KLD mean | KLD p99 | top-1 |\n|---|---|---:|---:|---:|---:|---:|\n"
              : "| model | text | bits / weight | perplexity |\n|---|---|---:|---:|\n");
    for (const auto& r : rows) {
        o << "| " << r.model << " | " << r.dataset << " | " << (r.bits_per_weight > 0 ? format("%.2f", r.bits_per_weight) : "—") << " | "
          << format("%.4f", r.ppl) << " |";
        if (kld && r.kld)
            o << " " << format("%.5f", r.kld->mean) << " | " << format("%.5f", r.kld->p99) << " | " << format("%.2f %%", 100.0 * r.kld->top1_agreement)
              << " |";
        else if (kld)
            o << " — | — | — |";
        o << "\n";
    }
    o << "\n";
    return o.str();
}

// What the run tuned and what the export took from it: the sentence, one bullet per reason why
// tensors do not come from the tuned scales, and the round-to-nearest warning when none do.
std::string tensorSourcesSection(const TensorSources& s) {
    if (s.reasons.empty() && !s.tuningUnused()) return {};
    std::ostringstream o;
    o << "## Where the weights come from\n\n";
    if (s.tuningUnused())
        o << "**SignRound's tuning is not used in this file.** The run tuned its layers as " << s.run_scheme << "; "
          << tuningUnusedWarning(s) << ".\n\n";
    o << "Of the " << s.quantized << " quantized tensors, " << s.tuned_scales << " are written from SignRound's tuned scales and integers";
    if (s.tuned_weights > 0) o << ", " << s.tuned_weights << " are the tuned weights rounded to nearest again onto another grid";
    if (s.original > 0) o << ", " << s.original << " are quantized from the original weights by round-to-nearest";
    o << (s.float_kept > 0 ? "; " + std::to_string(s.float_kept) + " tensors stay floats" : std::string()) << ".\n\n";
    for (const auto& line : tensorSourceReasonLines(s)) o << "- " << line << "\n";
    o << "\n";
    return o.str();
}

}  // namespace

FrontMatter parseFrontMatter(const std::string& readme) {
    FrontMatter fm;
    std::istringstream in(readme);
    std::string line;
    if (!std::getline(in, line) || trim(line) != "---") return fm;
    std::string list_key;
    while (std::getline(in, line)) {
        if (trim(line) == "---") break;
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        if (t[0] == '-' && !list_key.empty()) {
            std::string item = unquote(t.substr(1));
            if (list_key == "tags") fm.tags.push_back(item);
            if (list_key == "language") fm.languages.push_back(item);
            continue;
        }
        auto colon = t.find(':');
        if (colon == std::string::npos || line[0] == ' ') {
            list_key.clear();
            continue;
        }
        std::string key = trim(t.substr(0, colon)), value = trim(t.substr(colon + 1));
        list_key = value.empty() ? key : "";
        if (key == "license") fm.license = unquote(value);
        if (key == "pipeline_tag") fm.pipeline_tag = unquote(value);
        if (!value.empty() && value.front() == '[' && value.back() == ']') {  // inline list
            std::istringstream items(value.substr(1, value.size() - 2));
            std::string item;
            while (std::getline(items, item, ','))
                if (!unquote(item).empty()) (key == "tags" ? fm.tags : key == "language" ? fm.languages : fm.tags).push_back(unquote(item));
        } else if (key == "language" && !value.empty()) {
            fm.languages.push_back(unquote(value));
        }
    }
    return fm;
}

std::string renderModelCard(const ModelCardInfo& info) {
    FrontMatter src = parseFrontMatter(info.source_readme);
    const bool gguf = !info.gguf_file.empty();
    std::vector<std::string> tags = src.tags;
    addUnique(tags, "signround");
    addUnique(tags, "auto-round");
    addUnique(tags, gguf ? "gguf" : "quantized");
    if (info.format == "auto_gptq") addUnique(tags, "gptq");
    if (info.format == "auto_awq") addUnique(tags, "awq");

    std::ostringstream o;
    o << "---\n";
    if (!info.base_model.empty()) o << "base_model: " << yamlQuote(info.base_model) << "\n";
    if (!src.license.empty()) o << "license: " << yamlQuote(src.license) << "\n";
    if (!src.languages.empty()) {
        o << "language:\n";
        for (const auto& l : src.languages) o << "- " << yamlQuote(l) << "\n";
    }
    o << "pipeline_tag: " << yamlQuote(src.pipeline_tag.empty() ? "text-generation" : src.pipeline_tag) << "\n";
    o << "library_name: " << yamlQuote(gguf ? "gguf" : "transformers") << "\n";
    o << "tags:\n";
    for (const auto& t : tags) o << "- " << yamlQuote(t) << "\n";
    o << "---\n\n";

    std::string title = info.repo_id.empty() ? (info.base_model.empty() ? std::string("Quantized model") : info.base_model + " (" + info.scheme + ")")
                                             : info.repo_id.substr(info.repo_id.find('/') == std::string::npos ? 0 : info.repo_id.find('/') + 1);
    o << "# " << title << "\n\n";
    const std::string tool = "SignRound Studio" + (info.tool_version.empty() ? std::string() : " " + info.tool_version);
    if (info.tensor_sources && info.tensor_sources->tuningUnused())
        o << "This model was written by " << tool << " from a SignRound run, but none of its tensors uses the run's tuned scales: "
          << "it is a round-to-nearest quantization (see *Where the weights come from*).\n\n";
    else
        o << "This model was quantized with SignRound (AutoRound's algorithm) by " << tool << ".\n\n";
    o << "| | |\n|---|---|\n";
    if (!info.base_model.empty()) o << "| Base model | `" << info.base_model << "` |\n";
    o << "| Format | `" << info.format << "` |\n";
    o << "| Scheme | " << info.scheme << " |\n";
    o << "| Recipe | " << info.recipe << " |\n";
    if (!info.calibration.empty()) {
        o << "| Calibration data | ";
        for (std::size_t i = 0; i < info.calibration.size(); ++i) o << (i ? ", " : "") << "`" << info.calibration[i] << "`";
        o << " |\n";
    }
    if (const auto& ts = info.tensor_sources) {
        o << "| SignRound tuning | " << ts->tuned_layers << " layers tuned as " << ts->run_scheme << " |\n";
        o << "| Tensors | " << describeTensorSources(*ts) << " |\n";
    }
    o << "\n";
    if (info.tensor_sources) o << tensorSourcesSection(*info.tensor_sources);
    if (!info.perplexities.empty()) o << perplexityTable(info.perplexities);
    const std::string id = info.repo_id.empty() ? "path/to/this/folder" : info.repo_id;
    o << "## How to use\n\n";
    if (gguf) {
        std::string file = info.gguf_file.empty() ? "model.gguf" : info.gguf_file;
        o << "### llama.cpp\n\n```sh\nllama-cli -m " << file << " -p \"Once upon a time\"\n";
        if (!info.repo_id.empty()) o << "# or straight from the Hub\nllama-cli -hf " << info.repo_id << " -p \"Once upon a time\"\n";
        o << "```\n";
    } else {
        o << "### transformers\n\n```python\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
          << "model = AutoModelForCausalLM.from_pretrained(\"" << id << "\", device_map=\"auto\")\n"
          << "tokenizer = AutoTokenizer.from_pretrained(\"" << id << "\")\n"
          << "inputs = tokenizer(\"Once upon a time\", return_tensors=\"pt\").to(model.device)\n"
          << "print(tokenizer.decode(model.generate(**inputs, max_new_tokens=50)[0]))\n```\n\n";
        if (info.format == "auto_round") o << "Loading needs `pip install auto-round` (transformers dispatches the `auto-round` quant method to it).\n\n";
        if (info.format == "auto_gptq") o << "Loading needs a GPTQ kernel package such as `gptqmodel`.\n\n";
        if (info.format == "auto_awq") o << "Loading needs an AWQ kernel package such as `autoawq`.\n\n";
        o << "### vLLM\n\n```sh\nvllm serve " << id << "\n```\n";
    }
    return o.str();
}

}  // namespace srs::exporter
