// core/dist/collective.h exercised by real ranks: the test binary starts copies of itself as the
// ranks of a world (SRS_COLLECTIVE_RANK etc. in their environment), each of which runs one
// scenario against the real c10d backend and exits 0 when every value it checked was right.
// Shared by dist_collective (Gloo, CPU tensors) and dist_collective_nccl (NCCL, cuda:LOCAL_RANK).
#pragma once

#include <ATen/ATen.h>

#include <QCoreApplication>
#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/dist/collective.h"

namespace srs::test::dist {

// Fails the rank: prints what was wrong and exits 1.
#define SRS_RANK_CHECK(cond, ...)                                \
    do {                                                         \
        if (!(cond)) {                                           \
            std::fprintf(stderr, "rank check failed: " #cond " "); \
            std::fprintf(stderr, __VA_ARGS__);                   \
            std::fprintf(stderr, "\n");                          \
            return 1;                                            \
        }                                                        \
    } while (0)

// The scenarios a rank runs. "ops": every collective with values whose sums are known;
// "abandon": rank 1 gives up with an error and the others must report it.
inline int runRank(int rank, int world, int port, const std::string& backend, const std::string& scenario) {
    srs::dist::DistSpec spec;
    spec.rank = rank;
    spec.world_size = world;
    spec.local_rank = rank;
    spec.master_addr = "127.0.0.1";
    spec.master_port = port;
    spec.timeout_s = 20;
    spec.backend = backend;
    const bool cuda = backend == "nccl";
    auto c = srs::dist::connect(spec, cuda);
    SRS_RANK_CHECK(c.ok(), "%s", c.ok() ? "" : c.error().message.c_str());
    const at::TensorOptions on = at::TensorOptions().device(cuda ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(rank)) : at::Device(at::kCPU));
    auto& coll = **c;
    SRS_RANK_CHECK(coll.rank() == rank && coll.size() == world, "rank %d size %d", coll.rank(), coll.size());
    if (scenario == "abandon") {
        if (rank == 1) {
            coll.abandon(makeError(ErrorCode::InvalidArgument, "injected failure at block 3"));
            return 3;
        }
        at::Tensor t = at::ones({16}, on);
        Status s = coll.allreduceSum(t, "the first collective");
        SRS_RANK_CHECK(!s.ok(), "the collective succeeded without rank 1");
        SRS_RANK_CHECK(s.error().message.find("stopped the first collective: rank 1: injected failure at block 3") != std::string::npos, "%s",
                       s.error().message.c_str());
        coll.abandon(s.error());
        return 0;
    }
    const double n = world;
    // All-reduce: rank r contributes r + 1 everywhere, so every element is n(n+1)/2.
    at::Tensor f = at::full({1000}, static_cast<double>(rank + 1), on.dtype(at::kFloat));
    SRS_RANK_CHECK(coll.allreduceSum(f, "float sum").ok(), "float sum");
    SRS_RANK_CHECK(f.eq(n * (n + 1) / 2).all().item<bool>(), "float sum %f", f[0].item<double>());
    at::Tensor d = at::full({1}, 0.1 * (rank + 1), on.dtype(at::kDouble));
    SRS_RANK_CHECK(coll.allreduceSum(d, "double sum").ok(), "double sum");
    SRS_RANK_CHECK(std::abs(d.item<double>() - 0.1 * n * (n + 1) / 2) < 1e-12, "double sum %.17g", d.item<double>());
    // Several tensors of other shapes in one collective, written back in place.
    at::Tensor a = at::full({3, 4}, static_cast<double>(rank), on.dtype(at::kFloat));
    at::Tensor b = at::arange(5, on.dtype(at::kFloat)) * (rank + 1);
    SRS_RANK_CHECK(srs::dist::allreduceSum(coll, {&a, &b}, "packed").ok(), "packed");
    SRS_RANK_CHECK(a.sizes() == at::IntArrayRef({3, 4}) && a.eq(n * (n - 1) / 2).all().item<bool>(), "packed a %f", a[0][0].item<double>());
    SRS_RANK_CHECK(b.equal(at::arange(5, on.dtype(at::kFloat)) * (n * (n + 1) / 2)), "packed b");
    // Broadcast from rank 0.
    at::Tensor bc = rank == 0 ? at::arange(10, on.dtype(at::kLong)) : at::zeros({10}, on.dtype(at::kLong));
    SRS_RANK_CHECK(coll.broadcast(bc, "broadcast").ok(), "broadcast");
    SRS_RANK_CHECK(bc.equal(at::arange(10, on.dtype(at::kLong))), "broadcast");
    // Point to point: every rank sends rank 0 a tensor of its own size and value.
    if (rank == 0) {
        for (int r = 1; r < world; ++r) {
            at::Tensor in = at::empty({r + 1, 2}, on.dtype(at::kFloat));
            SRS_RANK_CHECK(coll.recv(in, r, "receive").ok(), "receive from %d", r);
            SRS_RANK_CHECK(in.eq(static_cast<double>(r)).all().item<bool>(), "received from %d: %f", r, in[0][0].item<double>());
        }
    } else {
        at::Tensor out = at::full({rank + 1, 2}, static_cast<double>(rank), on.dtype(at::kFloat));
        SRS_RANK_CHECK(coll.send(out, 0, "send").ok(), "send");
    }
    const auto st = coll.stats();
    const std::int64_t p2p = rank == 0 ? world - 1 : 1;
    SRS_RANK_CHECK(st.collectives == 4 + p2p, "%lld collectives", static_cast<long long>(st.collectives));
    SRS_RANK_CHECK(st.seconds > 0 && st.bytes > 0, "stats");
    coll.finish();
    return 0;
}

// In a rank's process: runs its scenario and exits; otherwise returns.
inline void runIfRank() {
    const char* r = std::getenv("SRS_COLLECTIVE_RANK");
    if (!r) return;
    const int code = runRank(std::atoi(r), std::atoi(std::getenv("SRS_COLLECTIVE_WORLD")), std::atoi(std::getenv("SRS_COLLECTIVE_PORT")),
                             std::getenv("SRS_COLLECTIVE_BACKEND"), std::getenv("SRS_COLLECTIVE_SCENARIO"));
    std::fflush(stderr);
    std::_Exit(code);
}

struct WorldResult {
    std::vector<int> codes;
    QStringList errors;
    qint64 ms = 0;
};

// Starts `world` ranks of this program running `scenario` and waits for all of them.
inline WorldResult runWorld(int world, const QString& backend, const QString& scenario) {
    WorldResult out;
    const int port = srs::dist::freeLoopbackPort();
    std::vector<std::unique_ptr<QProcess>> ranks;
    QElapsedTimer t;
    t.start();
    for (int r = 0; r < world; ++r) {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SRS_COLLECTIVE_RANK", QString::number(r));
        env.insert("SRS_COLLECTIVE_WORLD", QString::number(world));
        env.insert("SRS_COLLECTIVE_PORT", QString::number(port));
        env.insert("SRS_COLLECTIVE_BACKEND", backend);
        env.insert("SRS_COLLECTIVE_SCENARIO", scenario);
        env.insert("OMP_NUM_THREADS", "1");
        p->setProcessEnvironment(env);
        p->start(QCoreApplication::applicationFilePath(), {});
        ranks.push_back(std::move(p));
    }
    for (auto& p : ranks) {
        if (!p->waitForFinished(120000)) p->kill();
        out.codes.push_back(p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1);
        out.errors << QString::fromUtf8(p->readAllStandardError());
    }
    out.ms = t.elapsed();
    return out;
}

}  // namespace srs::test::dist
