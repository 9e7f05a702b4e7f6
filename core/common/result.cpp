#include "core/common/result.h"

namespace srs {

const char* errorCodeName(ErrorCode code) {
    switch (code) {
    case ErrorCode::None: return "none";
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::IoError: return "I/O error";
    case ErrorCode::CorruptFile: return "corrupt file";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::DiskFull: return "disk full";
    case ErrorCode::Network: return "network error";
    case ErrorCode::Unauthorized: return "unauthorized";
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::RateLimited: return "rate limited";
    case ErrorCode::Internal: return "internal error";
    }
    return "unknown";
}

std::string Error::toString() const {
    if (hint.empty()) return message;
    return message + " (" + hint + ")";
}

Error Error::withContext(const std::string& context) const {
    Error e = *this;
    e.message = context + ": " + message;
    return e;
}

}  // namespace srs
