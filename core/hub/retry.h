// One retry policy for every HTTP call of the hub code (the Hugging Face and ModelScope clients,
// uploads to presigned storage, file downloads):
//   what retries   transport failures that are ErrorCode::Network (no route, reset, stall) and
//                  the statuses 408, 429 and 5xx; nothing else (4xx are answers, cancel is final)
//   how long       base_delay_ms doubled per failed attempt, capped at max_delay_ms; a
//                  Retry-After in seconds replaces it (capped likewise), a date form does not
//   how often      max_attempts in all (at least 1)
//   cancel         the pause between attempts wakes at once on the request's CancelToken, and the
//                  call then fails with ErrorCode::Cancelled ("cancelled: <what>")
#pragma once

#include <functional>
#include <string>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/hub/http.h"

namespace srs::hub {

struct RetryPolicy {
    int max_attempts = 4;
    int base_delay_ms = 1000;
    int max_delay_ms = 30000;

    // max_attempts, but at least one.
    int attempts() const;
    // The pause after failed attempt `attempt` (1-based): base_delay_ms << (attempt - 1), capped.
    int backoffMs(int attempt) const;
    // backoffMs(attempt), or the server's Retry-After header value when it gives seconds.
    int delayMs(int attempt, const std::string& retry_after = {}) const;
};

// True for statuses worth retrying after a pause: 408, 429, 5xx.
bool isRetryableStatus(long status);
// True for transport failures worth retrying (ErrorCode::Network).
bool isRetryableError(const Error& error);

// Sleeps up to ms milliseconds, waking early on cancel; false when cancelled.
bool sleepCancellable(int ms, const CancelToken& cancel);

// What a retried call adds to its request: a name for logs and errors, and how its outcomes read.
struct RetryCall {
    std::string what;  // "listing files of org/name"; logs, errors and the cancel message name it
    // Responses that answer the call; default: 2xx.
    std::function<bool(const HttpResponse&)> accept;
    // The Error for a response that is neither accepted nor retried (or the last attempt's);
    // default: hubHttpError(response, what).
    std::function<Error(const HttpResponse&)> refuse;
    // The Error for a transport failure that is not retried (or the last attempt's); default:
    // the failure with `what` as context.
    std::function<Error(const Error&)> fail;
    int* attempts_out = nullptr;  // when set: the number of the attempt being made
};

// Sends request, retrying per policy; logs each retry (what, why, the pause, the attempt).
Result<HttpResponse> sendWithRetry(const HttpRequest& request, const RetryPolicy& policy, const RetryCall& call);

}  // namespace srs::hub
