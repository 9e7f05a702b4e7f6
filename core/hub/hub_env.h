// Where the Hub is and who we are on it, resolved the way huggingface_hub resolves it so that a
// machine set up for the Python tools works unchanged: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE (and the
// legacy HUGGINGFACE_HUB_CACHE), HF_HUB_OFFLINE, timeouts, and the token lookup order
// HF_TOKEN → HUGGING_FACE_HUB_TOKEN → token file ($HF_TOKEN_PATH or $HF_HOME/token) → the app's
// own setting. Proxies are read by libcurl itself from http_proxy / https_proxy / no_proxy.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/common/result.h"

namespace srs::hub {

// Reads one environment variable; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup systemEnv();

struct HubEnv {
    std::string endpoint = "https://huggingface.co";  // no trailing slash
    std::string datasets_server = "https://datasets-server.huggingface.co";
    std::string hf_home;
    std::string hub_cache;
    std::string token_path;
    bool offline = false;
    bool implicit_token = true;  // false when HF_HUB_DISABLE_IMPLICIT_TOKEN is set
    int etag_timeout_s = 10;
    int download_timeout_s = 10;
};

// Our own override for the dataset viewer is SRS_DATASETS_SERVER (huggingface_hub has none).
HubEnv hubEnvFromEnvironment(const EnvLookup& env = systemEnv());

enum class TokenSource { None = 0, Explicit, EnvHfToken, EnvLegacy, TokenFile, AppSetting };
const char* tokenSourceName(TokenSource source);

struct ResolvedToken {
    std::string token;
    TokenSource source = TokenSource::None;
    std::string where;  // "HF_TOKEN", the token file path, "app settings"; never the token itself
    bool empty() const { return token.empty(); }
};

// explicit_token (from --token or a dialog) wins; then the environment, the token file, and last
// the token the app stored itself.
ResolvedToken resolveToken(const HubEnv& hub_env, const std::string& explicit_token = {},
                           const std::string& app_setting = {}, const EnvLookup& env = systemEnv());

// "hf_…wxyz" style: enough to tell tokens apart in the GUI, never enough to use one.
std::string maskToken(const std::string& token);
// Replaces every occurrence of token in text with a mask; a guard for messages built from
// server responses that might echo a header back.
std::string redact(const std::string& text, const std::string& token);

// Writes the token file the Python tools read ($HF_TOKEN_PATH or $HF_HOME/token), atomically,
// owner-readable only. Only ever called when the user asks for it.
Status writeTokenFile(const HubEnv& hub_env, const std::string& token);

bool envTruthy(const std::optional<std::string>& value);

}  // namespace srs::hub
