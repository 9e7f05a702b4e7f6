// The machine's plain matrix-multiply throughput, measured with LibTorch: the yardstick that
// tuning and evaluation speeds are reported against ("fraction of the plain matmul FLOP/s").
#pragma once

#include <string>

namespace srs::kernels {

struct MatmulRate {
    std::string dtype;  // "float32", "bfloat16" or "int8" (oneDNN uint8 · int8 → int32)
    int n = 0;          // square n×n×n
    double gflops = 0.0;
};

// Repeats an n×n×n multiply for about `seconds` (after one warm-up) and reports GFLOP/s.
MatmulRate measureMatmul(int n, const std::string& dtype, double seconds = 1.0);

}  // namespace srs::kernels
