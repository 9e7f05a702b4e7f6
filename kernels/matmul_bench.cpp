#include "kernels/matmul_bench.h"

#include <ATen/ATen.h>

#include <chrono>

namespace srs::kernels {

MatmulRate measureMatmul(int n, const std::string& dtype, double seconds) {
    at::NoGradGuard ng;
    const at::ScalarType st = dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
    at::Tensor a = at::randn({n, n}).to(st), b = at::randn({n, n}).to(st);
    at::Tensor c = at::mm(a, b);  // warm-up: first-call dispatch and page faults
    int reps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        at::mm_out(c, a, b);
        ++reps;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < seconds);
    return {dtype, n, 2.0 * n * n * static_cast<double>(n) * reps / elapsed / 1e9};
}

}  // namespace srs::kernels
