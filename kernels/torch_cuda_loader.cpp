#include "kernels/torch_cuda_loader.h"

#include <dlfcn.h>
#include <link.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "core/device/hardware.h"

namespace srs::kernels {
namespace {

// The folder of the loaded libtorch_cpu.so, "" when it is not found.
int findTorchCpu(struct dl_phdr_info* info, size_t, void* data) {
    const std::string name = info->dlpi_name ? info->dlpi_name : "";
    const std::filesystem::path p(name);
    if (p.filename() == "libtorch_cpu.so") {
        *static_cast<std::string*>(data) = p.parent_path().string();
        return 1;
    }
    return 0;
}

TorchCudaLoad load() {
    TorchCudaLoad r;
    if (void* h = dlopen("libtorch_cuda.so", RTLD_NOW | RTLD_NOLOAD)) {
        dlclose(h);  // drops the reference NOLOAD took; the library stays
        r.linked = r.present = true;
        r.detail = "libtorch_cuda.so linked in";
        return r;
    }
    std::string dir;
    dl_iterate_phdr(findTorchCpu, &dir);
    const std::string path = (std::filesystem::path(dir) / "libtorch_cuda.so").string();
    std::error_code ec;
    r.present = !dir.empty() && std::filesystem::exists(path, ec);
    if (!r.present) {
        r.detail = "this LibTorch has no libtorch_cuda.so (CPU-only)";
        return r;
    }
    const char* env = std::getenv("SRS_LOAD_TORCH_CUDA");
    const std::string want = env ? env : "";
    if (want == "0") {
        r.detail = "libtorch_cuda.so not loaded (SRS_LOAD_TORCH_CUDA=0)";
        return r;
    }
    if (want != "1") {
        const auto hw = device::detectHardware();
        if (hw.cuda_devices.empty()) {
            r.detail = "libtorch_cuda.so not loaded: " + hw.cuda_status;
            return r;
        }
    }
    if (!dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
        const char* e = dlerror();
        r.detail = "libtorch_cuda.so could not be loaded: " + std::string(e ? e : "unknown error");
        return r;
    }
    r.loaded = true;
    r.detail = "libtorch_cuda.so loaded from " + dir;
    return r;
}

}  // namespace

const TorchCudaLoad& loadTorchCuda() {
    static std::once_flag once;
    static TorchCudaLoad result;
    std::call_once(once, [] { result = load(); });
    return result;
}

}  // namespace srs::kernels
