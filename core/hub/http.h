// A small blocking HTTP client over libcurl for the Hub code: one request at a time per thread,
// streaming bodies to a sink, cancellable, with the token kept out of everything that is logged.
// Transport failures (no route, reset, timeout, cancel) come back as Errors; HTTP error statuses
// come back as responses, and hubHttpError() turns them into Errors with hints.
// Proxies: libcurl reads http_proxy / https_proxy / HTTPS_PROXY / all_proxy itself; loopback is
// always direct (no_proxy plus 127.0.0.1, localhost, ::1).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"

namespace srs::hub {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    HeaderList headers;        // never an Authorization header; use bearer_token
    std::string bearer_token;  // sent as "authorization: Bearer …"; never logged, never in a URL
    std::string body;          // request body for POST/PUT
    // Request body read from a file slice instead of `body` (LFS uploads of large files).
    std::string body_file;
    std::uint64_t body_offset = 0;
    std::uint64_t body_size = 0;
    bool follow_redirects = true;
    int connect_timeout_s = 10;
    // The transfer fails when less than one byte arrives for this long (a dead connection).
    int stall_timeout_s = 30;
    // Receives the body of a 2xx response in chunks instead of HttpResponse::body; return false to
    // abort (bounding what it accepts is the sink's job). Error responses are always collected
    // into HttpResponse::body (first 64 KiB).
    std::function<bool(const char* data, std::size_t size)> on_body;
    // Without on_body, the most bytes of a 2xx body kept in HttpResponse::body: a longer body
    // stops the transfer and fails the request (CorruptFile), so a server cannot fill the memory.
    // Hub API answers (listings of 100k files included) are a few tens of MB at most.
    std::uint64_t max_body_bytes = std::uint64_t(256) << 20;
    // Called once, before the first body byte of a 2xx response (or at the end when it has none),
    // with the status and headers; return false to abort (e.g. a 200 where 206 was asked for
    // needs the sink reset first, which the callback does and then returns true).
    std::function<bool(long status, const HeaderList& headers)> on_response;
    // Upload progress (bytes sent so far); called from the transfer loop.
    std::function<void(std::uint64_t sent)> on_upload_progress;
    CancelToken cancel;
};

struct HttpResponse {
    long status = 0;
    HeaderList headers;  // of the final response; names lower-case
    std::string body;
    std::string effective_url;
    // First header with this (lower-case) name, or "".
    std::string header(const std::string& name) const;
};

Result<HttpResponse> httpSend(const HttpRequest& request);

// Percent-encodes one query value or path segment (RFC 3986 unreserved characters pass).
std::string urlEncode(const std::string& s, bool keep_slash = false);
// The rel="next" target of an RFC 5988 Link header, or "".
std::string linkNext(const std::string& link_header);
// Seconds from a Retry-After header (delta-seconds form); fallback when absent or a date.
int retryAfterSeconds(const std::string& value, int fallback);
// Strips a weak prefix and quotes from an ETag, as huggingface_hub does.
std::string normalizeEtag(const std::string& etag);

// An HTTP error status as an Error, with what the user can do about it. `what` names the
// operation ("downloading model.safetensors from org/name"), repo_id the repository if any.
// Reads the Hub's X-Error-Code / X-Error-Message headers (GatedRepo, RepoNotFound,
// EntryNotFound, RevisionNotFound) and a JSON {"error": …} body.
Error hubHttpError(const HttpResponse& response, const std::string& what, const std::string& repo_id = {},
                   const std::string& endpoint = {});

}  // namespace srs::hub
