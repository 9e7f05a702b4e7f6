#include "core/device/device_choice_torch.h"

#include <ATen/detail/CUDAHooksInterface.h>

#include "kernels/torch_cuda_loader.h"

namespace srs::device {

DeviceAvailability currentDeviceAvailability() {
    DeviceAvailability a;
    const auto& load = kernels::loadTorchCuda();  // before LibTorch is asked about CUDA
    a.torch_cuda_present = load.present;
    const HardwareInfo hw = detectHardware();
    a.gpus = hw.cuda_devices;
    a.driver_status = hw.cuda_status;
    // libtorch_cuda registers the hooks when this LibTorch has CUDA; without a GPU or driver they
    // report no devices.
    const auto& hooks = at::detail::getCUDAHooks();
    if (hooks.hasCUDART()) {
        a.torch_cuda_built = true;
        try {
            a.torch_cuda_devices = hooks.deviceCount();
        } catch (const std::exception&) {
            a.torch_cuda_devices = 0;
        }
    }
    return a;
}

}  // namespace srs::device
