// Which device a run computes on: `--device auto|cpu|cuda|cuda:N` resolved against what this
// build's LibTorch and the NVIDIA driver can use. Plain C++ (no torch): the facts come from
// kernels::ComputeRuntimeInfo and detectHardware(), so the rules are tested without a GPU.
#pragma once

#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/device/hardware.h"

namespace srs::device {

struct DeviceAvailability {
    bool torch_cuda_built = false;  // this LibTorch's CUDA backend is loaded (kernels/torch_cuda_loader.h)
    bool torch_cuda_present = false;  // it has one (libtorch_cuda.so), loaded only where a GPU is
    int torch_cuda_devices = 0;     // devices LibTorch can use now
    std::vector<CudaDevice> gpus;   // what the driver lists (names, memory), possibly more or fewer
    std::string driver_status;      // why the driver lists none, when it lists none
};

struct ResolvedDevice {
    bool cuda = false;
    int index = 0;         // CUDA device index (0 for the CPU)
    std::string name;      // "cpu" or "cuda:N": what the run records and the checkpoint keeps
    std::string label;     // "cuda:0 (NVIDIA H200, 139.8 GiB)" / "cpu" for logs and pickers
    std::uint64_t memory_bytes = 0;  // the GPU's memory when the driver says (0: unknown / CPU)
};

// "auto" (or empty): the first CUDA device LibTorch can use, else the CPU. "cpu". "cuda" is
// "cuda:0". "cuda:N": device N. A CUDA device that cannot be used is an error saying why (a
// CPU-only LibTorch, no driver, no device, fewer devices than N+1) and what to pass instead.
Result<ResolvedDevice> resolveDevice(const std::string& requested, const DeviceAvailability& available);

// The picker's entries: "auto", "cpu", then every CUDA device LibTorch can use.
std::vector<ResolvedDevice> usableDevices(const DeviceAvailability& available);

}  // namespace srs::device
