#include "kernels/matmul_bench.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>

#include <chrono>

#include "kernels/cpu/onednn_matmul.h"

namespace srs::kernels {

MatmulRate measureMatmul(int n, const std::string& dtype, double seconds) {
    at::NoGradGuard ng;
    if (dtype == "int8") {  // oneDNN uint8 · int8 → int32, the product an int8 path would use
        at::Tensor a = at::randint(0, 256, {n, n}, at::kByte), b = at::randint(-128, 128, {n, n}, at::kChar);
        onednnMatmul(a, b);
        int reps = 0;
        const auto t0 = std::chrono::steady_clock::now();
        double elapsed = 0;
        do {
            onednnMatmul(a, b);
            ++reps;
            elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        } while (elapsed < seconds);
        return {dtype, n, 2.0 * n * n * static_cast<double>(n) * reps / elapsed / 1e9};
    }
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
