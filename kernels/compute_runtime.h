// Start-up configuration of the compute libraries, shared by the GUI and the CLI: sets the thread
// count and reports what the process computes with — the LibTorch version, its BLAS (the PyPI
// wheel carries Intel MKL inside libtorch_cpu; a LibTorch that calls the system's libblas.so.3
// would be >10x slower on the reference BLAS, and the log says so), oneDNN, and whether this
// LibTorch was built with CUDA and which CUDA devices it sees.
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
    bool cuda_built = false;        // our kernels/cuda were compiled in (SRS_WITH_CUDA)
    bool torch_cuda_built = false;  // this LibTorch has its CUDA backend (the PyPI wheel does)
    std::string torch_cuda_version; // CUDA runtime LibTorch was built against, "13.0"
    int torch_cuda_devices = 0;     // devices LibTorch can use now (0 without a GPU or driver)
    bool torch_cuda_present = false;  // libtorch_cuda.so is there, loaded or not (kernels/torch_cuda_loader.h)
    std::string torch_cuda_detail;    // whether and why it was loaded
};

// threads <= 0: all hardware threads. Safe to call more than once.
ComputeRuntimeInfo configureComputeRuntime(int threads = 0);
// One line for the log: "compute: 2 threads, BLAS Intel MKL (in LibTorch), LibTorch 2.11.0 (CUDA 13.0, 0 devices), oneDNN 2.6.3".
std::string describe(const ComputeRuntimeInfo& info);
// LibTorch's CUDA in a few words: "CUDA 13.0, 1 device" / "CUDA 13.0, no device visible" /
// "CUDA not loaded: no NVIDIA driver (libcuda.so.1 not found)" / "CPU only".
std::string describeTorchCuda(const ComputeRuntimeInfo& info);

}  // namespace srs::kernels
