// srs_chat_render: our chat template renderer (core/tokenizer/chat_template.h) on a batch of
// cases, so that check_chat_template.py can set each output beside transformers' for the same
// template and conversation.
//
//   srs_chat_render --cases FILE.json --out FILE.json
//
// FILE.json (in) is a list of cases:
//   {"id": "...", "folder": DIR | "template": TEXT, "bos_token": "...", "eos_token": "...",
//    "messages": [{"role": ..., "content": ...}, ...], "add_generation_prompt": bool,
//    "vars": {...extra template variables...}}
// "folder" loads the template and bos/eos with loadChatTemplate (then bos_token/eos_token are
// ignored); "template" uses the text given. The output is a list of
//   {"id", "ok": true, "text": ..., "bos_token", "eos_token", "end_of_turn_tokens": [...]} or
//   {"id", "ok": false, "error": ...}.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tokenizer/chat_template.h"

namespace {

using srs::tokenizer::ChatMessage;
using srs::tokenizer::ChatTemplate;

int usage(const std::string& why) {
    std::cerr << "srs_chat_render: " << why << "\nusage: srs_chat_render --cases FILE.json --out FILE.json\n";
    return 2;
}

nlohmann::ordered_json renderCase(const nlohmann::ordered_json& c) {
    nlohmann::ordered_json out = {{"id", c.value("id", "")}};
    ChatTemplate t;
    if (c.contains("folder")) {
        auto loaded = srs::tokenizer::loadChatTemplate(c["folder"].get<std::string>());
        if (!loaded) return out.update({{"ok", false}, {"error", loaded.error().toString()}}), out;
        if (!loaded->has_value()) return out.update({{"ok", false}, {"error", "no chat template"}}), out;
        t = **loaded;
    } else {
        t.source = c.value("template", "");
        t.bos_token = c.value("bos_token", "");
        t.eos_token = c.value("eos_token", "");
    }
    std::vector<ChatMessage> messages;
    for (const auto& m : c.value("messages", nlohmann::ordered_json::array()))
        messages.push_back({m.value("role", ""), m.value("content", "")});
    auto text = srs::tokenizer::renderChat(t, messages, c.value("add_generation_prompt", false), c.value("vars", nlohmann::ordered_json::object()));
    if (!text) return out.update({{"ok", false}, {"error", text.error().toString()}}), out;
    out["ok"] = true;
    out["text"] = *text;
    out["bos_token"] = t.bos_token;
    out["eos_token"] = t.eos_token;
    out["end_of_turn_tokens"] = t.end_of_turn_tokens;
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string cases_path, out_path;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--cases") cases_path = argv[i + 1];
        else if (flag == "--out") out_path = argv[i + 1];
        else return usage("unknown option " + flag);
    }
    if (cases_path.empty() || out_path.empty()) return usage("--cases and --out are required");
    std::ifstream in(cases_path);
    if (!in) return usage("cannot read " + cases_path);
    nlohmann::ordered_json cases;
    try {
        in >> cases;
    } catch (const std::exception& e) {
        return usage(cases_path + " is not valid JSON: " + e.what());
    }
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (const auto& c : cases) results.push_back(renderCase(c));
    std::ofstream out(out_path);
    out << results.dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    if (!out) return usage("cannot write " + out_path);
    return 0;
}
