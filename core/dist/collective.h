// The collectives a distributed run needs, over LibTorch's c10d (ProcessGroupGloo on CPUs,
// ProcessGroupNCCL on CUDA devices in CUDA builds), with rendezvous through c10d's TCPStore at
// MASTER_ADDR:MASTER_PORT (rank 0 hosts it).
//
// Failure handling: every rank heartbeats into the store once a second from a watchdog thread.
// A rank that fails records why under one store key (the first failure wins) before it leaves;
// a rank that dies (killed, crashed) closes its connections, and the rank that notices names it by
// its stopped heartbeat; a rank that hangs or loses its network is named when its heartbeat is
// older than the timeout; an unreachable store means rank 0 (the master) is gone. Every wait in
// here watches for that, so each rank ends within about the timeout with an error that names the
// rank and the cause. Internal to the pipeline (LibTorch).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/dist/dist_env.h"

namespace srs::dist {

// What a rank's collectives cost so far: how many, the bytes of the tensors reduced or moved,
// and the wall time spent in them (waiting for slower ranks included).
struct CommStats {
    std::int64_t collectives = 0;
    double bytes = 0.0;
    double seconds = 0.0;
};

class Collective {
public:
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;

    // Sums `t` (a contiguous tensor) over all ranks, in place; every rank ends with the same bits.
    // `what` names the step for messages ("block 3, iteration 17").
    virtual Status allreduceSum(at::Tensor& t, const std::string& what) = 0;
    // Rank 0's `t` into every other rank's `t` (same shape and dtype there).
    virtual Status broadcast(at::Tensor& t, const std::string& what) = 0;
    // Point to point; shapes and dtypes agreed beforehand.
    virtual Status send(at::Tensor& t, int dst, const std::string& what) = 0;
    virtual Status recv(at::Tensor& t, int src, const std::string& what) = 0;

    // This rank stops with `error`: tells the others (they stop too, naming this rank) and, on the
    // master, keeps the store up a few seconds so they can read why.
    virtual void abandon(const Error& error) = 0;
    // A finished run: the master waits (bounded) until every rank has said it is done, so that no
    // rank loses the store while it still needs it.
    virtual void finish() = 0;
    virtual CommStats stats() const = 0;
};

// Connects to the others (rendezvous within spec.timeout_s). cuda: the run's tensors live on
// cuda:LOCAL_RANK (backend nccl); else gloo.
Result<std::unique_ptr<Collective>> connect(const DistSpec& spec, bool cuda);

// Sums several tensors in one collective (packed into one buffer, then copied back).
Status allreduceSum(Collective& c, const std::vector<at::Tensor*>& tensors, const std::string& what);

}  // namespace srs::dist
