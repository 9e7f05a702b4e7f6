#include "core/common/result.h"

namespace srs {

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
