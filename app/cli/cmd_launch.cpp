// signround launch: starts N local ranks of `signround quantize` for a data-parallel run, as
// torchrun does (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT in each rank's
// environment), waits for them and exits with the first failing rank's status. Rank 0 prints
// the run's output; the others print only why they stopped.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "app/cli/command.h"
#include "core/dist/dist_env.h"

extern char** environ;

namespace {

int runLaunch(const std::vector<std::string>& argv);

const srs::cli::Command kLaunch{
    "launch", "Start several local ranks of a distributed quantize run (data-parallel tuning over Gloo)",
    "signround launch --nproc N [--master_addr 127.0.0.1] [--master_port PORT] [--dist_timeout 60] quantize --model PATH ... \n"
    "  Starts N processes of `signround quantize ...` with the torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,\n"
    "  MASTER_PORT; OMP_NUM_THREADS = cores / N unless set). --nproc 1 to 1024; --master_port 1 to 65535, default a free port.\n"
    "  Ranks on other machines are started by torchrun or srun instead (see the README's page on several GPUs and nodes).\n"
    "  Exits 0 when every rank finished, else with the first failing rank's exit status.",
    runLaunch};
SRS_CLI_COMMAND(kLaunch);

std::atomic<int> g_signal{0};
void onSignal(int s) { g_signal = s; }

std::string describeStatus(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    return "stopped";
}

int exitCodeOf(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

pid_t startRank(const std::string& self, const std::vector<std::string>& command, int rank, int world, const std::string& addr, int port,
                int threads) {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    // A process group of its own: a Ctrl-C reaches launch alone, which passes it on once to each
    // rank (the terminal's copy and ours would count as two, and the second one ends a rank at once).
    ::setpgid(0, 0);
    ::setenv("RANK", std::to_string(rank).c_str(), 1);
    ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
    ::setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
    ::setenv("LOCAL_WORLD_SIZE", std::to_string(world).c_str(), 1);
    ::setenv("MASTER_ADDR", addr.c_str(), 1);
    ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
    if (threads > 0) ::setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
    std::vector<std::string> args{"signround"};
    if (rank != 0) args.push_back("-q");  // rank 0 reports the run
    args.insert(args.end(), command.begin(), command.end());
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    ::execve(self.c_str(), cargs.data(), environ);
    std::fprintf(stderr, "launch: cannot start rank %d (%s): %s\n", rank, self.c_str(), std::strerror(errno));
    std::_Exit(127);
}

int runLaunch(const std::vector<std::string>& argv) {
    // Our flags come first; the command to run starts at the first word that is not one of them.
    std::size_t split = 0;
    while (split < argv.size() && argv[split].rfind("--", 0) == 0) split += argv[split].find('=') == std::string::npos ? 2 : 1;
    if (split > argv.size()) split = argv.size();
    const std::vector<std::string> own(argv.begin(), argv.begin() + static_cast<long>(split));
    const std::vector<std::string> command(argv.begin() + static_cast<long>(split), argv.end());
    srs::cli::Args a;
    std::string err;
    if (!a.parse(own, {"nproc", "master_addr", "master_port", "dist_timeout"}, {}, &err)) return srs::cli::usageError(kLaunch, err);
    if (!a.get("nproc")) return srs::cli::usageError(kLaunch, "--nproc is required");
    if (command.empty()) return srs::cli::usageError(kLaunch, "no command to launch: give `quantize` and its flags after launch's own");
    if (command.front() != "quantize")
        return srs::cli::usageError(kLaunch, "'" + command.front() + "' does not run distributed: only quantize does");
    int nproc = 1, port = 0, timeout = srs::dist::kDefaultTimeoutSeconds;
    if (!a.getInt("nproc", srs::cli::IntRange{1, 1024}, &nproc, &err) || !a.getInt("master_port", srs::cli::IntRange{1, 65535}, &port, &err) ||
        !a.getInt("dist_timeout", srs::cli::IntRange{5, 86400}, &timeout, &err))
        return srs::cli::usageError(kLaunch, err);
    const std::string addr = a.getOr("master_addr", "127.0.0.1");
    if (port == 0 && (port = srs::dist::freeLoopbackPort()) == 0) return srs::cli::fail("no free TCP port on this machine for the master", "give --master_port PORT");
    std::vector<std::string> cmd = command;
    if (a.get("dist_timeout")) cmd.insert(cmd.end(), {"--dist_timeout", std::to_string(timeout)});

    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return srs::cli::fail("cannot find this program's own path (/proc/self/exe)");
    self[n] = '\0';
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const int threads = std::getenv("OMP_NUM_THREADS") ? 0 : static_cast<int>(std::max(1u, cores / static_cast<unsigned>(nproc)));
    std::fprintf(stderr, "launch: %d rank(s), master 127.0.0.1:%d%s\n", nproc, port,
                 threads ? (", " + std::to_string(threads) + " thread(s) each").c_str() : "");

    // Ctrl-C and SIGTERM to launch are passed on to every rank, which stops at its next safe point.
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    std::map<pid_t, int> ranks;
    int start_failure = 0;
    for (int r = 0; r < nproc; ++r) {
        const pid_t pid = startRank(self, cmd, r, nproc, addr, port, threads);
        if (pid < 0) {
            std::fprintf(stderr, "launch: cannot start rank %d: %s\n", r, std::strerror(errno));
            for (auto& [p, rr] : ranks) ::kill(p, SIGTERM);
            start_failure = 1;
            break;
        }
        ranks[pid] = r;
    }

    using Clock = std::chrono::steady_clock;
    int first_failure = start_failure;  // the ranks already started were told to stop
    bool forwarded = false;
    Clock::time_point failed_at = Clock::now();
    int escalation = 0;  // 1: SIGTERM sent to the stragglers, 2: SIGKILL
    while (!ranks.empty()) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0 && ranks.count(pid)) {
            const int r = ranks[pid];
            ranks.erase(pid);
            if (status != 0) {
                std::fprintf(stderr, "launch: rank %d %s\n", r, describeStatus(status).c_str());
                if (first_failure == 0) first_failure = exitCodeOf(status), failed_at = Clock::now();
            }
            continue;
        }
        if (g_signal != 0 && !forwarded) {
            for (auto& [p, rr] : ranks) ::kill(p, g_signal);
            forwarded = true;
        }
        // After a failure the others stop by themselves within the timeout; then they are ended.
        if (first_failure != 0) {
            const auto waited = Clock::now() - failed_at;
            if (escalation == 0 && waited > std::chrono::seconds(timeout + 15)) {
                for (auto& [p, r] : ranks) std::fprintf(stderr, "launch: rank %d did not stop by itself: terminating it\n", r), ::kill(p, SIGTERM);
                escalation = 1;
            } else if (escalation == 1 && waited > std::chrono::seconds(timeout + 25)) {
                for (auto& [p, r] : ranks) ::kill(p, SIGKILL);
                escalation = 2;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return first_failure;
}

}  // namespace
