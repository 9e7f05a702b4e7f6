#include "app/cli/signal_cancel.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace srs::cli {

namespace {

std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free atomic");

// The self-pipe, made once and kept for the process's life, so no handler can ever write to a
// descriptor that has been closed (or reused) in the meantime. Both ends are non-blocking.
int g_pipe[2] = {-1, -1};

constexpr char kSignalByte = 'S';
constexpr char kStopByte = 'Q';

void makePipe() {
    if (::pipe(g_pipe) != 0) {
        std::perror("signround: cannot create the signal pipe");
        std::abort();
    }
    for (int fd : g_pipe) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
}

void writeByte(char b) {
    while (::write(g_pipe[1], &b, 1) < 0 && errno == EINTR) {
    }
}

void setAction(int sig, void (*handler)(int)) {
    struct sigaction a {};
    a.sa_handler = handler;
    sigemptyset(&a.sa_mask);
    ::sigaction(sig, &a, nullptr);
}

extern "C" void onCancelSignal(int sig) {
    const int saved_errno = errno;
    g_signal.store(sig, std::memory_order_relaxed);
    // The next SIGINT or SIGTERM takes the default action: a second Ctrl-C kills at once.
    setAction(SIGINT, SIG_DFL);
    setAction(SIGTERM, SIG_DFL);
    writeByte(kSignalByte);
    errno = saved_errno;
}

}  // namespace

SignalCancel::SignalCancel(CancelToken token) : token_(std::move(token)) {
    static std::once_flag once;
    std::call_once(once, makePipe);
    char drain[64];
    while (::read(g_pipe[0], drain, sizeof drain) > 0) {
    }
    g_signal.store(0);
    watcher_ = std::thread([this] { watch(); });
    struct sigaction a {};
    a.sa_handler = onCancelSignal;
    sigemptyset(&a.sa_mask);
    ::sigaction(SIGINT, &a, &old_int_);
    ::sigaction(SIGTERM, &a, &old_term_);
}

SignalCancel::~SignalCancel() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    writeByte(kStopByte);
    watcher_.join();
}

int SignalCancel::received() { return g_signal.load(); }

void SignalCancel::watch() {
    for (;;) {
        pollfd p{g_pipe[0], POLLIN, 0};
        if (::poll(&p, 1, -1) < 0 && errno != EINTR) return;
        char buf[64];
        ssize_t n;
        bool stop = false;
        while ((n = ::read(g_pipe[0], buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < n; ++i) stop = stop || buf[i] == kStopByte;
        if (g_signal.load() != 0 && !token_.cancelled()) token_.cancel();
        if (stop) return;
    }
}

}  // namespace srs::cli
