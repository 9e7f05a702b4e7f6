#include "core/device/device_choice.h"

#include <cctype>

#include "core/common/units.h"

namespace srs::device {
namespace {

const char* const kDeviceHint = "use --device cpu, or --device auto to take a GPU only when one is usable";

ResolvedDevice cpuDevice() {
    ResolvedDevice d;
    d.name = "cpu";
    d.label = "cpu";
    return d;
}

ResolvedDevice cudaDevice(int index, const DeviceAvailability& a) {
    ResolvedDevice d;
    d.cuda = true;
    d.index = index;
    d.name = "cuda:" + std::to_string(index);
    d.label = d.name;
    for (const auto& g : a.gpus)
        if (g.index == index) {
            d.label += " (" + g.name + ", " + units::formatBytes(g.total_memory_bytes) + ")";
            d.memory_bytes = g.total_memory_bytes;
        }
    return d;
}

// Why no CUDA device can be used, in words.
std::string whyNoCuda(const DeviceAvailability& a) {
    if (!a.torch_cuda_built && !a.torch_cuda_present) return "this build's LibTorch has no CUDA backend (a CPU-only LibTorch)";
    if (a.gpus.empty()) return a.driver_status.empty() ? std::string("no CUDA device was found") : a.driver_status;
    if (!a.torch_cuda_built) return "LibTorch's CUDA backend (libtorch_cuda.so) could not be loaded: run `signround devices` for the reason";
    return "the NVIDIA driver lists " + std::to_string(a.gpus.size()) + " GPU(s) but LibTorch can use none (check CUDA_VISIBLE_DEVICES "
           "and that the driver supports this LibTorch's CUDA version)";
}

// "7" -> 7; anything but plain decimal digits (at most 4) -> -1.
int parseIndex(const std::string& s) {
    if (s.empty() || s.size() > 4) return -1;
    int v = 0;
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

Result<ResolvedDevice> resolveDevice(const std::string& requested, const DeviceAvailability& a) {
    const int usable = a.torch_cuda_built ? a.torch_cuda_devices : 0;
    if (requested.empty() || requested == "auto") return usable > 0 ? cudaDevice(0, a) : cpuDevice();
    if (requested == "cpu") return cpuDevice();
    int index = -1;
    if (requested == "cuda") index = 0;
    else if (requested.rfind("cuda:", 0) == 0) index = parseIndex(requested.substr(5));
    else return makeError(ErrorCode::InvalidArgument, "unknown device '" + requested + "'", "use --device auto, cpu, cuda or cuda:N");
    if (index < 0)
        return makeError(ErrorCode::InvalidArgument, "unknown device '" + requested + "': the device number must be a whole number",
                         "use --device cuda:0, cuda:1, ...");
    if (usable == 0) return makeError(ErrorCode::Unsupported, "device '" + requested + "' is not available: " + whyNoCuda(a), kDeviceHint);
    if (index >= usable)
        return makeError(ErrorCode::Unsupported,
                         "device '" + requested + "' is not available: LibTorch can use " + std::to_string(usable) + " CUDA device" +
                             (usable == 1 ? " (cuda:0)" : "s (cuda:0 to cuda:" + std::to_string(usable - 1) + ")"),
                         "use --device cuda:0" + std::string(usable > 1 ? " ... cuda:" + std::to_string(usable - 1) : "") + ", or cpu");
    return cudaDevice(index, a);
}

std::vector<ResolvedDevice> usableDevices(const DeviceAvailability& a) {
    std::vector<ResolvedDevice> out;
    ResolvedDevice automatic = *resolveDevice("auto", a);
    automatic.label = "auto: " + automatic.label;
    automatic.name = "auto";
    out.push_back(automatic);
    out.push_back(cpuDevice());
    const int usable = a.torch_cuda_built ? a.torch_cuda_devices : 0;
    for (int i = 0; i < usable; ++i) out.push_back(cudaDevice(i, a));
    return out;
}

}  // namespace srs::device
