#include "core/hub/hub_env.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "core/common/text.h"
#include "core/io/atomic_file.h"

namespace fs = std::filesystem;

namespace srs::hub {

EnvLookup systemEnv() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

bool envTruthy(const std::optional<std::string>& value) {
    if (!value) return false;
    std::string v = text::trim(*value);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    return v == "1" || v == "on" || v == "yes" || v == "true";
}

namespace {
std::optional<std::string> nonEmpty(const EnvLookup& env, const std::string& name) {
    auto v = env(name);
    if (!v || text::trim(*v).empty()) return std::nullopt;
    return v;
}

std::string expandUser(const std::string& path, const EnvLookup& env) {
    if (path.size() >= 1 && path[0] == '~' && (path.size() == 1 || path[1] == '/')) {
        auto home = nonEmpty(env, "HOME");
        if (home) return *home + path.substr(1);
    }
    return path;
}

int intOr(const EnvLookup& env, const std::string& name, int fallback) {
    auto v = nonEmpty(env, name);
    if (!v) return fallback;
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (end == v->c_str() || n <= 0 || n > 3600) return fallback;
    return static_cast<int>(n);
}

std::string stripSlash(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}
}  // namespace

HubEnv hubEnvFromEnvironment(const EnvLookup& env) {
    HubEnv e;
    if (auto v = nonEmpty(env, "HF_ENDPOINT")) e.endpoint = stripSlash(text::trim(*v));
    if (auto v = nonEmpty(env, "SRS_DATASETS_SERVER")) e.datasets_server = stripSlash(text::trim(*v));
    if (auto v = nonEmpty(env, "HF_HOME")) {
        e.hf_home = expandUser(*v, env);
    } else {
        std::string xdg = nonEmpty(env, "XDG_CACHE_HOME").value_or("~/.cache");
        e.hf_home = expandUser(xdg, env) + "/huggingface";
    }
    if (auto v = nonEmpty(env, "HF_HUB_CACHE")) e.hub_cache = expandUser(*v, env);
    else if (auto legacy = nonEmpty(env, "HUGGINGFACE_HUB_CACHE")) e.hub_cache = expandUser(*legacy, env);
    else e.hub_cache = e.hf_home + "/hub";
    if (auto v = nonEmpty(env, "HF_TOKEN_PATH")) e.token_path = expandUser(*v, env);
    else e.token_path = e.hf_home + "/token";
    e.offline = envTruthy(env("HF_HUB_OFFLINE"));
    e.implicit_token = !envTruthy(env("HF_HUB_DISABLE_IMPLICIT_TOKEN"));
    e.etag_timeout_s = intOr(env, "HF_HUB_ETAG_TIMEOUT", 10);
    e.download_timeout_s = intOr(env, "HF_HUB_DOWNLOAD_TIMEOUT", 10);
    return e;
}

const char* tokenSourceName(TokenSource source) {
    switch (source) {
    case TokenSource::None: return "none";
    case TokenSource::Explicit: return "--token";
    case TokenSource::EnvHfToken: return "HF_TOKEN";
    case TokenSource::EnvLegacy: return "HUGGING_FACE_HUB_TOKEN";
    case TokenSource::TokenFile: return "token file";
    case TokenSource::AppSetting: return "app settings";
    }
    return "?";
}

ResolvedToken resolveToken(const HubEnv& hub_env, const std::string& explicit_token, const std::string& app_setting,
                           const EnvLookup& env) {
    ResolvedToken r;
    auto take = [&](const std::string& value, TokenSource source, std::string where) {
        std::string t = text::trim(value);
        if (t.empty()) return false;
        r.token = t;
        r.source = source;
        r.where = std::move(where);
        return true;
    };
    if (take(explicit_token, TokenSource::Explicit, "--token")) return r;
    if (auto v = env("HF_TOKEN"); v && take(*v, TokenSource::EnvHfToken, "HF_TOKEN")) return r;
    if (auto v = env("HUGGING_FACE_HUB_TOKEN"); v && take(*v, TokenSource::EnvLegacy, "HUGGING_FACE_HUB_TOKEN")) return r;
    if (!hub_env.token_path.empty()) {
        auto contents = io::readFile(hub_env.token_path);
        if (contents && take(*contents, TokenSource::TokenFile, hub_env.token_path)) return r;
    }
    take(app_setting, TokenSource::AppSetting, "app settings");
    return r;
}

std::string maskToken(const std::string& token) {
    if (token.empty()) return "(none)";
    if (token.size() < 12) return "****";
    std::string prefix = token.rfind("hf_", 0) == 0 ? "hf_" : "";
    return prefix + "…" + token.substr(token.size() - 4);
}

std::string redact(const std::string& text, const std::string& token) {
    if (token.empty()) return text;
    std::string out = text;
    std::size_t pos = 0;
    while ((pos = out.find(token, pos)) != std::string::npos) {
        out.replace(pos, token.size(), "[token]");
        pos += 7;
    }
    return out;
}

Status writeTokenFile(const HubEnv& hub_env, const std::string& token) {
    std::string t = text::trim(token);
    if (t.empty()) return makeError(ErrorCode::InvalidArgument, "refusing to write an empty token");
    if (hub_env.token_path.empty()) return makeError(ErrorCode::InvalidArgument, "no token file path (HF_HOME unset)");
    std::error_code ec;
    fs::create_directories(fs::path(hub_env.token_path).parent_path(), ec);
    auto file = io::AtomicFile::create(hub_env.token_path);
    if (!file) return file.error();
    // Tighten permissions before the secret is written, so it is never world-readable.
    ::chmod(file->tempPath().c_str(), 0600);
    SRS_TRY(file->write(t));
    return file->commit();
}

}  // namespace srs::hub
