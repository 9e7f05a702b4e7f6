// What the machine offers for quantization: CPU model, cores, instruction sets that the kernels
// and oneDNN dispatch on, RAM, and CUDA devices. CUDA is probed through the driver library at run
// time (dlopen of libcuda.so.1), so a CPU-only build still lists GPUs and says what it cannot use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace srs::device {

struct CpuInfo {
    std::string model;
    int logical_cores = 0;
    int physical_cores = 0;
    bool avx2 = false, fma = false, f16c = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512_vnni = false, avx512_bf16 = false;
    bool avx_vnni = false;
    bool amx_tile = false, amx_bf16 = false, amx_int8 = false;
    std::string bestIsa() const;  // "AVX-512 (VNNI, BF16)", "AVX2", "baseline x86-64"
};

struct CudaDevice {
    int index = 0;
    std::string name;
    std::uint64_t total_memory_bytes = 0;
    int compute_major = 0, compute_minor = 0;
};

struct HardwareInfo {
    CpuInfo cpu;
    std::uint64_t total_ram_bytes = 0;
    std::uint64_t available_ram_bytes = 0;
    std::vector<CudaDevice> cuda_devices;
    std::string cuda_status;  // why no CUDA device is listed, when none is
};

HardwareInfo detectHardware();
std::string formatHardware(const HardwareInfo& info);
nlohmann::json hardwareToJson(const HardwareInfo& info);
// Device names for pickers: "cpu", then "cuda:0", ...
std::vector<std::string> deviceNames(const HardwareInfo& info);

// Current and peak resident memory of this process (from /proc/self/status).
std::uint64_t currentRssBytes();
std::uint64_t peakRssBytes();

}  // namespace srs::device
