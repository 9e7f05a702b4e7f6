// A cancellation token shared between whoever starts long work and the work itself.
// Copies share one flag; checking it is a relaxed atomic load, cheap enough for inner loops.
#pragma once

#include <atomic>
#include <memory>

#include "core/common/result.h"

namespace srs {

class CancelToken {
public:
    CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}

    void cancel() { flag_->store(true); }
    void reset() { flag_->store(false); }
    bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

    // For `SRS_TRY(token.check("tuning block 3"))` at points where stopping is safe.
    Status check(const char* what = nullptr) const {
        if (!cancelled()) return {};
        return makeError(ErrorCode::Cancelled, what ? std::string("cancelled while ") + what : "cancelled");
    }

private:
    std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace srs
