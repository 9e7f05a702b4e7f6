// The measured half of the estimator: the machine's matmul rate, once per size and dtype.
#include <map>
#include <mutex>

#include "core/device/estimator.h"
#include "kernels/matmul_bench.h"

namespace srs::device {

double measureMatmulGflops(int n, const std::string& dtype) {
    static std::mutex mutex;
    static std::map<std::pair<int, std::string>, double> cache;
    std::lock_guard<std::mutex> lock(mutex);
    const auto key = std::make_pair(n, dtype);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    const double rate = kernels::measureMatmul(n, dtype, 0.5).gflops;
    cache[key] = rate;
    return rate;
}

}  // namespace srs::device
