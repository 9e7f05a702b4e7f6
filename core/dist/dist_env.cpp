#include "core/dist/dist_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <limits>

namespace srs::dist {
namespace {

const char* const kLauncherHint =
    "start the ranks with `signround launch --nproc N quantize ...`, torchrun, or srun; each sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and "
    "MASTER_PORT (or Slurm's SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID)";

// A whole number in [lo, hi] from variable `name`, or an error naming it and its value.
Result<int> readInt(const GetEnv& getenv, const char* name, long long lo, long long hi) {
    const char* v = getenv(name);
    if (!v || !*v) return makeError(ErrorCode::InvalidArgument, std::string(name) + " is not set", kLauncherHint);
    char* end = nullptr;
    errno = 0;
    const long long x = std::strtoll(v, &end, 10);
    if (errno != 0 || !end || *end != '\0' || x < lo || x > hi)
        return makeError(ErrorCode::InvalidArgument,
                         std::string(name) + "='" + v + "' is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi),
                         kLauncherHint);
    return static_cast<int>(x);
}

bool isSet(const GetEnv& getenv, const char* name) {
    const char* v = getenv(name);
    return v && *v;
}

Result<DistSpec> fromTorchrun(const GetEnv& getenv) {
    DistSpec s;
    s.source = "torchrun";
    auto world = readInt(getenv, "WORLD_SIZE", 1, 1 << 20);
    if (!world) return world.error();
    s.world_size = *world;
    auto rank = readInt(getenv, "RANK", 0, s.world_size - 1);
    if (!rank) return rank.error();
    s.rank = *rank;
    if (isSet(getenv, "LOCAL_RANK")) {
        auto lr = readInt(getenv, "LOCAL_RANK", 0, s.world_size - 1);
        if (!lr) return lr.error();
        s.local_rank = *lr;
    }
    if (s.world_size == 1) return s;
    if (!isSet(getenv, "MASTER_ADDR")) return makeError(ErrorCode::InvalidArgument, "MASTER_ADDR is not set (WORLD_SIZE is " + std::to_string(s.world_size) + ")", kLauncherHint);
    s.master_addr = getenv("MASTER_ADDR");
    auto port = readInt(getenv, "MASTER_PORT", 1, 65535);
    if (!port) return port.error();
    s.master_port = *port;
    return s;
}

Result<DistSpec> fromSlurm(const GetEnv& getenv) {
    DistSpec s;
    s.source = "slurm";
    auto world = readInt(getenv, "SLURM_NTASKS", 1, 1 << 20);
    if (!world) return world.error();
    s.world_size = *world;
    auto rank = readInt(getenv, "SLURM_PROCID", 0, s.world_size - 1);
    if (!rank) return rank.error();
    s.rank = *rank;
    if (isSet(getenv, "SLURM_LOCALID")) {
        auto lr = readInt(getenv, "SLURM_LOCALID", 0, s.world_size - 1);
        if (!lr) return lr.error();
        s.local_rank = *lr;
    }
    if (s.world_size == 1) return s;
    if (isSet(getenv, "MASTER_ADDR")) {
        s.master_addr = getenv("MASTER_ADDR");
    } else {
        const char* list = isSet(getenv, "SLURM_STEP_NODELIST") ? getenv("SLURM_STEP_NODELIST") : getenv("SLURM_JOB_NODELIST");
        if (!list || !*list) return makeError(ErrorCode::InvalidArgument, "neither MASTER_ADDR nor SLURM_STEP_NODELIST / SLURM_JOB_NODELIST is set", kLauncherHint);
        auto host = firstSlurmHost(list);
        if (!host) return host.error();
        s.master_addr = *host;
    }
    s.master_port = kDefaultMasterPort;
    if (isSet(getenv, "MASTER_PORT")) {
        auto port = readInt(getenv, "MASTER_PORT", 1, 65535);
        if (!port) return port.error();
        s.master_port = *port;
    }
    return s;
}

}  // namespace

std::string DistSpec::describe() const {
    return "rank " + std::to_string(rank) + " of " + std::to_string(world_size) + " (master " + master_addr + ":" + std::to_string(master_port) +
           (source.empty() ? std::string() : ", from " + source) + ")";
}

Result<DistSpec> detectDistEnv(const GetEnv& getenv) {
    // torchrun's variables win: a torchrun inside a Slurm allocation sets both.
    if (isSet(getenv, "WORLD_SIZE") || isSet(getenv, "RANK")) return fromTorchrun(getenv);
    if (isSet(getenv, "SLURM_PROCID") && isSet(getenv, "SLURM_NTASKS")) return fromSlurm(getenv);
    return DistSpec{};
}

Result<DistSpec> detectDistEnv() {
    return detectDistEnv([](const char* n) { return static_cast<const char*>(std::getenv(n)); });
}

Result<std::string> firstSlurmHost(const std::string& nodelist) {
    const auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidArgument, "cannot read the Slurm node list '" + nodelist + "': " + why, "set MASTER_ADDR to the first node's host name");
    };
    // The first entry ends at a comma outside brackets.
    std::size_t end = 0;
    int depth = 0;
    for (; end < nodelist.size(); ++end) {
        const char c = nodelist[end];
        if (c == '[') ++depth;
        else if (c == ']') --depth;
        else if (c == ',' && depth == 0) break;
        if (depth < 0 || depth > 1) return bad("unbalanced brackets");
    }
    if (depth != 0) return bad("unbalanced brackets");
    const std::string first = nodelist.substr(0, end);
    const std::size_t open = first.find('[');
    if (first.empty() || open == 0) return bad("no host name");
    if (open == std::string::npos) return first;
    const std::size_t close = first.find(']', open);
    if (close == std::string::npos || close + 1 != first.size()) return bad("text after a bracket range");
    // "03-06,09" -> "03" (the first number keeps its leading zeros).
    std::string range = first.substr(open + 1, close - open - 1);
    std::size_t stop = range.find_first_of("-,");
    std::string lowest = range.substr(0, stop);
    if (lowest.empty() || lowest.find_first_not_of("0123456789") != std::string::npos) return bad("a bracket range that does not start with a number");
    return first.substr(0, open) + lowest;
}

Shard shardOf(long long n, int rank, int world) {
    if (world < 1) world = 1;
    const long long lo = n * rank / world, hi = n * (rank + 1) / world;
    return {lo, hi - lo};
}

int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

}  // namespace srs::dist
