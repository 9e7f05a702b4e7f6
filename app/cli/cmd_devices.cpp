// signround devices: the hardware a run can use.
#include <cstdio>

#include "app/cli/command.h"
#include "core/device/hardware.h"
#include "kernels/compute_runtime.h"

namespace {

int runDevices(const std::vector<std::string>& argv);

const srs::cli::Command kDevices{"devices", "List the CPU (cores, ISA), RAM and CUDA devices a run can use",
                                 "signround devices [--json]", runDevices};
SRS_CLI_COMMAND(kDevices);

int runDevices(const std::vector<std::string>& argv) {
    srs::cli::Args args;
    std::string error;
    if (!args.parse(argv, {}, {"json"}, &error)) return srs::cli::usageError(kDevices, error);
    if (!args.positional().empty()) return srs::cli::usageError(kDevices, "unexpected argument '" + args.positional().front() + "'");
    auto hw = srs::device::detectHardware();
    auto compute = srs::kernels::configureComputeRuntime();
    if (args.flag("json")) {
        auto j = srs::device::hardwareToJson(hw);
        j["compute"] = {{"threads", compute.threads}, {"blas", compute.blas_name}, {"blas_path", compute.blas_path},
                        {"torch", compute.torch_version}, {"onednn", compute.onednn_version}, {"cuda_kernels_built", compute.cuda_built},
                        {"torch_cuda", compute.torch_cuda_built}, {"torch_cuda_version", compute.torch_cuda_version},
                        {"torch_cuda_devices", compute.torch_cuda_devices}, {"torch_cuda_present", compute.torch_cuda_present},
                        {"torch_cuda_detail", compute.torch_cuda_detail}};
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::printf("%s%s\n", srs::device::formatHardware(hw).c_str(), srs::kernels::describe(compute).c_str());
    }
    return 0;
}

}  // namespace
