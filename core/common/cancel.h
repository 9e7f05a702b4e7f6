// A cancellation (and pause) token shared between whoever starts long work and the work itself.
// Copies share one state; checking it is a relaxed atomic load, cheap enough for inner loops.
//
// Pause: while paused, check() waits at the caller's safe point without burning CPU (a condition
// variable) until resume() or cancel(); cancel() wakes a paused waiter at once. pausedMs() is the
// total time spent paused so far (including a pause still in progress), so work can keep paused
// time out of its elapsed time and ETA.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "core/common/result.h"

namespace srs {

class CancelToken {
public:
    CancelToken() : s_(std::make_shared<State>()) {}

    void cancel() {
        {
            std::lock_guard<std::mutex> lock(s_->mutex);
            s_->cancelled.store(true);
        }
        s_->cv.notify_all();
    }
    void reset() {
        std::lock_guard<std::mutex> lock(s_->mutex);
        s_->cancelled.store(false);
    }
    bool cancelled() const { return s_->cancelled.load(std::memory_order_relaxed); }

    void pause() {
        std::lock_guard<std::mutex> lock(s_->mutex);
        if (s_->paused.load()) return;
        s_->paused_since = Clock::now();
        s_->paused.store(true);
    }
    void resume() {
        {
            std::lock_guard<std::mutex> lock(s_->mutex);
            if (!s_->paused.load()) return;
            s_->paused_total_ms += msBetween(s_->paused_since, Clock::now());
            s_->paused.store(false);
        }
        s_->cv.notify_all();
    }
    bool paused() const { return s_->paused.load(std::memory_order_relaxed); }
    // Milliseconds spent paused since the token was made, a pause in progress included.
    std::int64_t pausedMs() const {
        std::lock_guard<std::mutex> lock(s_->mutex);
        return s_->paused_total_ms + (s_->paused.load() ? msBetween(s_->paused_since, Clock::now()) : 0);
    }
    // Blocks while paused and not cancelled; returns true if it waited.
    bool waitWhilePaused() const {
        if (!paused()) return false;
        std::unique_lock<std::mutex> lock(s_->mutex);
        bool waited = false;
        while (s_->paused.load() && !s_->cancelled.load()) {
            waited = true;
            s_->cv.wait_for(lock, std::chrono::milliseconds(250));
        }
        return waited;
    }

    // For `SRS_TRY(token.check("tuning block 3"))` at points where stopping is safe; waits there
    // while paused.
    Status check(const char* what = nullptr) const {
        if (paused()) waitWhilePaused();
        if (!cancelled()) return {};
        return makeError(ErrorCode::Cancelled, what ? std::string("cancelled while ") + what : "cancelled");
    }

private:
    using Clock = std::chrono::steady_clock;
    static std::int64_t msBetween(Clock::time_point a, Clock::time_point b) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
    }
    struct State {
        std::atomic<bool> cancelled{false};
        std::atomic<bool> paused{false};
        mutable std::mutex mutex;
        std::condition_variable cv;
        Clock::time_point paused_since;
        std::int64_t paused_total_ms = 0;
    };
    std::shared_ptr<State> s_;
};

}  // namespace srs
