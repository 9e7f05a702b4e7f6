#include "core/dist/collective.h"

#include <ATen/ATen.h>
#include <c10/util/Logging.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef SRS_DIST_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "core/common/log.h"

namespace srs::dist {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kHeartbeat = 500ms;
// A rank whose connection closed is taken for dead when its heartbeat stands still this long.
constexpr auto kDeadAfterClose = 2500ms;
// c10d's own limit on one collective. Liveness is the heartbeat's job (spec.timeout_s); this only
// ends a collective that a live rank never joins, and must outlast rank 0 writing a checkpoint.
constexpr auto kCollectiveLimit = std::chrono::minutes(30);
const char* const kFailureKey = "srs/failure";

std::string hbKey(int r) { return "srs/hb/" + std::to_string(r); }
std::string doneKey(int r) { return "srs/done/" + std::to_string(r); }

std::string text(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }
std::vector<std::uint8_t> bytes(const std::string& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }

// The first line of a c10d / Gloo message, without its source location.
std::string firstLine(const std::string& what) {
    std::string s = what.substr(0, what.find('\n'));
    if (!s.empty() && s.front() == '[') {
        const auto close = s.find("] ");
        if (close != std::string::npos) s = s.substr(close + 2);
    }
    return s;
}

bool isLoopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

// The rendezvous connection (rank 0 serves it and waits until every rank has joined) or, with
// join false, one more connection of a rank that already joined.
c10::intrusive_ptr<c10d::TCPStore> openStore(const DistSpec& spec, bool join) {
    c10d::TCPStoreOptions o;
    o.port = static_cast<std::uint16_t>(spec.master_port);
    o.isServer = join && spec.isMaster();
    o.numWorkers = join ? std::optional<std::size_t>(static_cast<std::size_t>(spec.world_size)) : std::nullopt;
    o.waitWorkers = join;
    o.timeout = std::chrono::seconds(spec.timeout_s);
    return c10::make_intrusive<c10d::TCPStore>(spec.master_addr, o);
}

// Counts one collective into the stats when it ends.
class Timed {
public:
    Timed(CommStats& stats, const at::Tensor& t) : stats_(stats), t0_(Clock::now()) {
        stats_.collectives += 1;
        stats_.bytes += static_cast<double>(t.nbytes());
    }
    ~Timed() { stats_.seconds += std::chrono::duration<double>(Clock::now() - t0_).count(); }
    Timed(const Timed&) = delete;
    Timed& operator=(const Timed&) = delete;

private:
    CommStats& stats_;
    Clock::time_point t0_;
};

class C10dCollective final : public Collective {
public:
    explicit C10dCollective(DistSpec spec) : spec_(std::move(spec)) {}

    ~C10dCollective() override {
        stopWatchdog();
        // A process group whose peers failed can block in its destructor (threads waiting on
        // sockets that never answer); the process is about to end, so it is left to the OS then.
        if (failed_) {
            (void)pg_.release();
            (void)store_.release();
        }
    }

    Status start(bool cuda) {
        try {
            store_ = openStore(spec_, true);
            // The watchdog's own connection, opened here and not in its thread: every rank holds
            // both before the process group's rendezvous lets any rank go on, so no rank can be
            // left dialling a master that already finished (a wait of the whole timeout).
            watchStore_ = openStore(spec_, false);
        } catch (const std::exception& e) {
            return makeError(ErrorCode::Network,
                             "rank " + std::to_string(spec_.rank) + " cannot reach the master (rank 0) at " + spec_.master_addr + ":" +
                                 std::to_string(spec_.master_port) + " within " + std::to_string(spec_.timeout_s) + " s: " + firstLine(e.what()),
                             spec_.isMaster() ? "another program may hold the port: choose another MASTER_PORT (signround launch --master_port)"
                                              : "check that rank 0 started, that MASTER_ADDR / MASTER_PORT are the same on every rank and that the port is open");
        }
        try {
            auto prefixed = c10::make_intrusive<c10d::PrefixStore>("pg", store_);
#ifdef SRS_DIST_NCCL
            if (cuda) {
                if (spec_.local_rank >= c10::cuda::device_count())
                    return makeError(ErrorCode::InvalidArgument,
                                     "rank " + std::to_string(spec_.rank) + " has LOCAL_RANK " + std::to_string(spec_.local_rank) + " but this host has " +
                                         std::to_string(c10::cuda::device_count()) + " CUDA device(s)",
                                     "start one rank per GPU on each host");
                c10::cuda::set_device(static_cast<c10::DeviceIndex>(spec_.local_rank));  // each local rank takes cuda:LOCAL_RANK
                auto o = c10d::ProcessGroupNCCL::Options::create();
                o->timeout = kCollectiveLimit;
                pg_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, spec_.rank, spec_.world_size, o);
            }
#else
            if (cuda)
                return makeError(ErrorCode::Unsupported, "this build has no NCCL backend", "build with -DSRS_WITH_CUDA=ON, or run on the CPU (gloo)");
#endif
            if (!pg_) {
                auto o = c10d::ProcessGroupGloo::Options::create(std::chrono::duration_cast<std::chrono::milliseconds>(kCollectiveLimit));
                const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
                if (ifname && *ifname) o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
                else if (isLoopback(spec_.master_addr)) o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
                else o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
                o->threads = 1;
                pg_ = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, spec_.rank, spec_.world_size, o);
            }
        } catch (const std::exception& e) {
            return makeError(ErrorCode::Network, "rank " + std::to_string(spec_.rank) + ": connecting the process group failed: " + firstLine(e.what()),
                             "every rank must be started with the same WORLD_SIZE, MASTER_ADDR and MASTER_PORT; GLOO_SOCKET_IFNAME picks the network interface");
        }
        watchdog_ = std::thread([this] { watch(); });
        return {};
    }

    int rank() const override { return spec_.rank; }
    int size() const override { return spec_.world_size; }

    Status allreduceSum(at::Tensor& t, const std::string& what) override {
        std::vector<at::Tensor> v{t};
        const Timed timed(stats_, t);
        return run([&] { return pg_->allreduce(v); }, what);
    }
    Status broadcast(at::Tensor& t, const std::string& what) override {
        std::vector<at::Tensor> v{t};
        const Timed timed(stats_, t);
        return run([&] { return pg_->broadcast(v); }, what);
    }
    Status send(at::Tensor& t, int dst, const std::string& what) override {
        std::vector<at::Tensor> v{t};
        const Timed timed(stats_, t);
        return runPointToPoint([&] { return pg_->send(v, dst, 0); }, what);
    }
    Status recv(at::Tensor& t, int src, const std::string& what) override {
        std::vector<at::Tensor> v{t};
        const Timed timed(stats_, t);
        return runPointToPoint([&] { return pg_->recv(v, src, 0); }, what);
    }
    CommStats stats() const override { return stats_; }

    void abandon(const Error& error) override {
        failed_ = true;
        const std::string mine = "rank " + std::to_string(spec_.rank) + ": " + error.message;
        try {
            store_->compareSet(kFailureKey, {}, bytes(mine));  // the first failure stays the cause
            store_->set(doneKey(spec_.rank), bytes("failed"));
        } catch (const std::exception&) {
        }
        if (spec_.isMaster()) waitForOthers(std::chrono::seconds(3));  // they read the failure key twice a second
        stopWatchdog();
    }

    void finish() override {
        try {
            store_->set(doneKey(spec_.rank), bytes("done"));
        } catch (const std::exception&) {
        }
        if (spec_.isMaster()) waitForOthers(std::chrono::seconds(spec_.timeout_s));
        stopWatchdog();
    }

private:
    template <typename Start>
    Status run(Start start, const std::string& what) {
        if (failed_) return failure(what);
        c10::intrusive_ptr<c10d::Work> work;
        try {
            work = start();
            // Polled, so that a failure the watchdog learns of ends the wait; the pause grows
            // from 20 µs to 2 ms, which keeps the spinning off cores that ranks share.
            for (auto pause = 20us; !work->isCompleted(); pause = std::min<std::chrono::microseconds>(pause * 2, 2ms)) {
                if (failed_) return failure(what);
                std::this_thread::sleep_for(pause);
            }
            work->wait();
        } catch (const std::exception& e) {
            return diagnose(firstLine(e.what()), what);
        }
        return {};
    }

    // c10d's send / receive works never say they completed until waited for: this waits, and the
    // watchdog aborts the wait when it learns of a failure.
    template <typename Start>
    Status runPointToPoint(Start start, const std::string& what) {
        if (failed_) return failure(what);
        bool done = false;
        try {
            c10::intrusive_ptr<c10d::Work> work = start();
            {
                std::lock_guard<std::mutex> lock(mu_);
                waiting_ = work;
            }
            if (!failed_) done = work->wait();
            std::lock_guard<std::mutex> lock(mu_);
            waiting_.reset();
        } catch (const std::exception& e) {
            {
                std::lock_guard<std::mutex> lock(mu_);
                waiting_.reset();
            }
            if (failed_) return failure(what);
            return diagnose(firstLine(e.what()), what);
        }
        if (!done || failed_) return failure(what);
        return {};
    }

    Error failure(const std::string& what) {
        std::lock_guard<std::mutex> lock(mu_);
        return makeError(ErrorCode::Network, "stopped " + what + ": " + failure_, hint());
    }

    std::string hint() const {
        return "the checkpoint keeps every finished block: start the same command again with --resume (every rank) to continue";
    }

    // A collective failed on this rank: find which rank caused it (another's recorded failure, a
    // rank whose heartbeat stopped, or the master gone), record it and return it.
    Error diagnose(const std::string& cause, const std::string& what) {
        std::string why;
        try {
            const auto t0 = Clock::now();
            std::map<int, std::string> before;
            for (int r = 0; r < spec_.world_size; ++r)
                if (r != spec_.rank && store_->check({hbKey(r)})) before[r] = text(store_->get(hbKey(r)));
            while (why.empty() && Clock::now() - t0 < kDeadAfterClose) {
                std::this_thread::sleep_for(100ms);
                if (store_->check({kFailureKey})) why = text(store_->get(kFailureKey));
            }
            for (const auto& [r, v] : before)
                if (why.empty() && !store_->check({doneKey(r)}) && text(store_->get(hbKey(r))) == v)
                    why = "rank " + std::to_string(r) + " stopped: its connection closed and it has sent no heartbeat for " +
                          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(kDeadAfterClose).count() / 1000.0).substr(0, 3) +
                          " s (killed, crashed or out of memory)";
            if (why.empty()) why = "rank " + std::to_string(spec_.rank) + ": the collective failed: " + cause;
            store_->compareSet(kFailureKey, {}, bytes(why));
        } catch (const std::exception& e) {
            why = masterGone(firstLine(e.what()));
        }
        setFailure(why);
        return makeError(ErrorCode::Network, "stopped " + what + ": " + why, hint());
    }

    std::string masterGone(const std::string& cause) const {
        return "rank 0 (the master, " + spec_.master_addr + ":" + std::to_string(spec_.master_port) +
               ") is unreachable: it stopped, or its host or network is down (" + cause + ")";
    }

    void setFailure(const std::string& why) {
        std::lock_guard<std::mutex> lock(mu_);
        if (failure_.empty()) failure_ = why;
        failed_ = true;
        if (waiting_) waiting_->abort();
    }

    void waitForOthers(std::chrono::seconds limit) {
        const auto t0 = Clock::now();
        try {
            for (int r = 1; r < spec_.world_size && Clock::now() - t0 < limit; ++r)
                while (!store_->check({doneKey(r)}) && Clock::now() - t0 < limit) std::this_thread::sleep_for(50ms);
        } catch (const std::exception&) {
        }
    }

    void stopWatchdog() {
        stop_ = true;
        if (watchdog_.joinable()) watchdog_.join();
    }

    // Once per heartbeat: count ours up, read the others' and the failure key, with a store
    // connection of its own.
    void watch() {
        c10d::TCPStore* const store = watchStore_.get();
        const auto limit = std::chrono::seconds(spec_.timeout_s);
        std::vector<std::pair<std::string, Clock::time_point>> seen(static_cast<std::size_t>(spec_.world_size), {std::string(), Clock::now()});
        while (!stop_) {
            try {
                store->add(hbKey(spec_.rank), 1);
                if (store->check({kFailureKey})) {
                    setFailure(text(store->get(kFailureKey)));
                    return;
                }
                for (int r = 0; r < spec_.world_size; ++r) {
                    if (r == spec_.rank || store->check({doneKey(r)})) continue;
                    auto& [value, since] = seen[static_cast<std::size_t>(r)];
                    const std::string now = store->check({hbKey(r)}) ? text(store->get(hbKey(r))) : std::string();
                    if (now != value) value = now, since = Clock::now();
                    else if (Clock::now() - since > limit) {
                        const std::string why = "rank " + std::to_string(r) + " has sent no heartbeat for " + std::to_string(spec_.timeout_s) +
                                                " s (hung, or its host or network is down)";
                        store->compareSet(kFailureKey, {}, bytes(why));
                        setFailure(text(store->get(kFailureKey)));
                        return;
                    }
                }
            } catch (const std::exception& e) {
                if (!stop_) setFailure(masterGone(firstLine(e.what())));
                return;
            }
            for (auto slept = 0ms; slept < kHeartbeat && !stop_; slept += 50ms) std::this_thread::sleep_for(50ms);
        }
    }

    DistSpec spec_;
    c10::intrusive_ptr<c10d::TCPStore> store_;
    c10::intrusive_ptr<c10d::TCPStore> watchStore_;  // the watchdog thread's only
    c10::intrusive_ptr<c10d::Backend> pg_;
    std::thread watchdog_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> failed_{false};
    CommStats stats_;  // the calling thread's only
    std::mutex mu_;    // failure_ and waiting_
    std::string failure_;
    c10::intrusive_ptr<c10d::Work> waiting_;
};

}  // namespace

Result<std::unique_ptr<Collective>> connect(const DistSpec& spec, bool cuda) {
    if (!spec.active()) return makeError(ErrorCode::Internal, "connect() needs a world of two ranks or more");
    if (spec.backend == "nccl" && !cuda)
        return makeError(ErrorCode::InvalidArgument, "the nccl backend needs CUDA devices", "use --dist_backend gloo (or auto) for a run on the CPU");
    if (spec.backend == "gloo" && cuda)
        return makeError(ErrorCode::InvalidArgument, "a run on CUDA devices uses the nccl backend", "use --dist_backend nccl (or auto)");
    // c10d warns with a stack trace about every connection a failed rank closes; our errors say
    // what happened. TORCH_CPP_LOG_LEVEL set by the user still decides.
    if (!std::getenv("TORCH_CPP_LOG_LEVEL") && FLAGS_caffe2_log_level < 2) FLAGS_caffe2_log_level = 2;
    auto c = std::make_unique<C10dCollective>(spec);
    SRS_TRY(c->start(cuda));
    log::debug("distributed: connected as " + spec.describe());
    return std::unique_ptr<Collective>(std::move(c));
}

Status allreduceSum(Collective& c, const std::vector<at::Tensor*>& tensors, const std::string& what) {
    if (tensors.empty()) return {};
    std::vector<at::Tensor> flat;
    flat.reserve(tensors.size());
    for (const at::Tensor* t : tensors) flat.push_back(t->reshape(-1).to(at::kFloat));
    at::Tensor packed = at::cat(flat).contiguous();
    SRS_TRY(c.allreduceSum(packed, what));
    std::int64_t off = 0;
    for (at::Tensor* t : tensors) {
        const std::int64_t n = t->numel();
        t->copy_(packed.narrow(0, off, n).view_as(*t));
        off += n;
    }
    return {};
}

}  // namespace srs::dist
