// Ctrl-C for every command: while a SignalCancel lives, the first SIGINT or SIGTERM cancels its
// CancelToken, so the work stops at its next safe point and the command exits 130 (partial files
// and checkpoints kept); the same signal also puts both back to their default action, so a second
// Ctrl-C ends the process at once. On destruction the handlers that were there before return.
//
// The handler is async-signal-safe: it only stores the signal in a lock-free atomic, resets the
// two dispositions and writes one byte to a self-pipe. A watcher thread blocked on that pipe
// does what a handler may not (CancelToken::cancel takes a mutex). One SignalCancel at a time.
#pragma once

#include <signal.h>

#include <thread>
#include <utility>

#include "core/common/cancel.h"

namespace srs::cli {

class SignalCancel {
public:
    explicit SignalCancel(CancelToken token);
    ~SignalCancel();
    SignalCancel(const SignalCancel&) = delete;
    SignalCancel& operator=(const SignalCancel&) = delete;

    // The signal that cancelled the token (SIGINT, SIGTERM), or 0.
    static int received();

private:
    void watch();

    CancelToken token_;
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
    std::thread watcher_;
};

// fn() with SIGINT / SIGTERM cancelling `cancel` while it runs (and only then).
template <class Fn>
auto cancelOnSignal(const CancelToken& cancel, Fn&& fn) {
    SignalCancel guard(cancel);
    return std::forward<Fn>(fn)();
}

}  // namespace srs::cli
