// LibTorch's CUDA half on demand. A build without our CUDA kernels links only LibTorch's CPU half
// (libtorch_cpu, libc10: cmake/SrsDependencies.cmake): a program then starts without
// libtorch_cuda.so and the CUDA libraries it pulls in (about 235 MB less resident memory on a
// machine without a GPU). This loads libtorch_cuda.so from beside libtorch_cpu.so when the NVIDIA
// driver lists a GPU, which registers LibTorch's CUDA backend as linking it would. It must run
// before anything asks LibTorch about CUDA (configureComputeRuntime and the device queries call it
// first). SRS_LOAD_TORCH_CUDA=1 loads it even without a GPU, =0 never.
#pragma once

#include <string>

namespace srs::kernels {

struct TorchCudaLoad {
    bool linked = false;   // libtorch_cuda.so was part of the program already (a CUDA build)
    bool present = false;  // this LibTorch has libtorch_cuda.so (the PyPI wheel does)
    bool loaded = false;   // loaded now by this function
    std::string detail;    // what happened, in words, for logs and `signround devices`
};

// Once per process; later calls return the first answer.
const TorchCudaLoad& loadTorchCuda();

}  // namespace srs::kernels
