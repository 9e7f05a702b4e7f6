// Start-up configuration of the compute libraries, shared by the GUI and the CLI.
// Debian's LibTorch starts with one thread and calls whatever libblas.so.3 the alternatives
// system selects; with the reference BLAS fp32 matmuls run >10x slower than with OpenBLAS
// (shared/docs/BUILD.md P5). This sets the thread count and reports which BLAS is loaded, so the
// log says plainly when the slow one is in use.
#pragma once

#include <string>

namespace srs::kernels {

struct ComputeRuntimeInfo {
    int threads = 0;
    std::string blas_path;  // resolved path of the loaded libblas.so.3
    std::string blas_name;  // "OpenBLAS (pthread)", "reference BLAS", ...
    bool blas_is_slow = false;
    std::string torch_version;
    std::string onednn_version;
    bool cuda_built = false;
};

// threads <= 0: all hardware threads. Safe to call more than once.
ComputeRuntimeInfo configureComputeRuntime(int threads = 0);
// One line for the log: "compute: 2 threads, BLAS OpenBLAS (pthread) [/usr/lib/...], LibTorch 1.13.1, oneDNN 2.6.3".
std::string describe(const ComputeRuntimeInfo& info);

}  // namespace srs::kernels
