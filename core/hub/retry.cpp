#include "core/hub/retry.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/common/log.h"

namespace srs::hub {

int RetryPolicy::attempts() const { return std::max(1, max_attempts); }

int RetryPolicy::backoffMs(int attempt) const {
    return std::min(max_delay_ms, base_delay_ms << std::clamp(attempt - 1, 0, 10));
}

int RetryPolicy::delayMs(int attempt, const std::string& retry_after) const {
    int seconds = retry_after.empty() ? -1 : retryAfterSeconds(retry_after, -1);
    if (seconds < 0) return backoffMs(attempt);
    return std::min(max_delay_ms, seconds * 1000);
}

bool isRetryableStatus(long status) { return status == 408 || status == 429 || (status >= 500 && status <= 599); }

bool isRetryableError(const Error& error) { return error.code == ErrorCode::Network; }

bool sleepCancellable(int ms, const CancelToken& cancel) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        if (cancel.cancelled()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 50)));
    }
    return !cancel.cancelled();
}

Result<HttpResponse> sendWithRetry(const HttpRequest& request, const RetryPolicy& policy, const RetryCall& call) {
    const int attempts = policy.attempts();
    for (int attempt = 1;; ++attempt) {
        if (call.attempts_out) *call.attempts_out = attempt;
        auto r = httpSend(request);
        int delay_ms = 0;
        if (!r) {
            if (!isRetryableError(r.error()) || attempt >= attempts)
                return call.fail ? call.fail(r.error()) : r.error().withContext(call.what);
            delay_ms = policy.delayMs(attempt);
            log::warn(call.what + ": " + r.error().message + "; retrying in " + std::to_string(delay_ms) + " ms");
        } else {
            const long s = r->status;
            if (call.accept ? call.accept(*r) : (s >= 200 && s < 300)) return r;
            if (!isRetryableStatus(s) || attempt >= attempts)
                return call.refuse ? call.refuse(*r) : hubHttpError(*r, call.what);
            delay_ms = policy.delayMs(attempt, r->header("retry-after"));
            log::warn(call.what + ": HTTP " + std::to_string(s) + "; retrying in " + std::to_string(delay_ms) + " ms (attempt " +
                      std::to_string(attempt + 1) + " of " + std::to_string(attempts) + ")");
        }
        if (!sleepCancellable(delay_ms, request.cancel)) return makeError(ErrorCode::Cancelled, "cancelled: " + call.what);
    }
}

}  // namespace srs::hub
