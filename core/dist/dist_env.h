// Who this process is in a distributed run, read from the environment the way PyTorch's
// launchers set it: torchrun / `signround launch` (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT) or Slurm's srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, the first host of
// SLURM_STEP_NODELIST / SLURM_JOB_NODELIST, MASTER_PORT or 29500). Plain C++, no torch.
#pragma once

#include <functional>
#include <string>

#include "core/common/result.h"

namespace srs::dist {

inline constexpr int kDefaultMasterPort = 29500;
inline constexpr int kDefaultTimeoutSeconds = 60;

struct DistSpec {
    int rank = 0;
    int world_size = 1;
    int local_rank = 0;
    std::string master_addr;
    int master_port = 0;
    // A rank that fails, stops answering or cannot reach the master ends every other rank within
    // about this many seconds.
    int timeout_s = kDefaultTimeoutSeconds;
    std::string backend = "auto";  // auto (gloo on the CPU, nccl on CUDA devices) | gloo | nccl
    std::string source;            // "torchrun", "slurm" or empty (one process)

    bool active() const { return world_size > 1; }
    bool isMaster() const { return rank == 0; }
    // "rank 1 of 3 (master 127.0.0.1:29500, gloo)"
    std::string describe() const;
};

using GetEnv = std::function<const char*(const char*)>;

// The spec the environment describes; world size 1 when no launcher set it. Errors name the
// variable and what it holds (a rank outside [0, WORLD_SIZE), a missing MASTER_ADDR, ...).
Result<DistSpec> detectDistEnv(const GetEnv& getenv);
Result<DistSpec> detectDistEnv();

// The first host of a Slurm node list: "gpu[03-06,09],cpu1" -> "gpu03", "node7" -> "node7".
Result<std::string> firstSlurmHost(const std::string& nodelist);

// The samples [first, first + count) that rank `rank` of `world` holds of `n`: contiguous, the
// sizes differing by one at most, in rank order.
struct Shard {
    long long first = 0, count = 0;
};
Shard shardOf(long long n, int rank, int world);

// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice; 0 when none), for a
// master started on this machine.
int freeLoopbackPort();

}  // namespace srs::dist
