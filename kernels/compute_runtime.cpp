#include "kernels/compute_runtime.h"
#include "kernels/torch_cuda_loader.h"

#include <link.h>
#include <malloc.h>
#include <oneapi/dnnl/dnnl.h>

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <climits>
#include <cstdlib>
#include <string>
#include <thread>

namespace srs::kernels {
namespace {

int collectBlas(struct dl_phdr_info* info, size_t, void* data) {
    auto* out = static_cast<std::string*>(data);
    std::string name = info->dlpi_name ? info->dlpi_name : "";
    auto slash = name.rfind('/');
    std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    if (base.rfind("libblas.so", 0) == 0 || base.rfind("libopenblas", 0) == 0 || base.rfind("libmkl_rt", 0) == 0) {
        char resolved[PATH_MAX];
        *out = realpath(name.c_str(), resolved) ? std::string(resolved) : name;
        return 1;
    }
    return 0;
}

}  // namespace

ComputeRuntimeInfo configureComputeRuntime(int threads) {
    ComputeRuntimeInfo info;
    const TorchCudaLoad& cuda = loadTorchCuda();  // before LibTorch is asked about CUDA
    info.torch_cuda_present = cuda.present;
    info.torch_cuda_detail = cuda.detail;
    if (threads <= 0) {
        unsigned hw = std::thread::hardware_concurrency();
        threads = hw > 0 ? static_cast<int>(hw) : 1;
        // SRS_NUM_THREADS, else OMP_NUM_THREADS (what torchrun and `signround launch` set for
        // each rank, so that ranks sharing a machine do not crowd its cores).
        for (const char* name : {"OMP_NUM_THREADS", "SRS_NUM_THREADS"})
            if (const char* env = std::getenv(name)) {
                int v = std::atoi(env);
                if (v > 0) threads = v;
            }
    }
    at::set_num_threads(threads);
    // Keep freed blocks up to 32 MiB (glibc's ceiling) in the heap instead of returning them to
    // the OS, so per-step tensors are not page-faulted in again on every iteration.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    info.threads = at::get_num_threads();

    dl_iterate_phdr(collectBlas, &info.blas_path);
    const std::string& p = info.blas_path;
    if (p.empty() && at::hasMKL()) {
        info.blas_name = "Intel MKL (in LibTorch)";
    } else if (p.empty()) {
        info.blas_name = "none found";
    } else if (p.find("openblas") != std::string::npos) {
        info.blas_name = p.find("pthread") != std::string::npos ? "OpenBLAS (pthread)"
                         : p.find("openmp") != std::string::npos ? "OpenBLAS (OpenMP)" : "OpenBLAS";
    } else if (p.find("mkl") != std::string::npos) {
        info.blas_name = "Intel MKL";
    } else if (p.find("blis") != std::string::npos) {
        info.blas_name = "BLIS";
    } else if (p.find("atlas") != std::string::npos) {
        info.blas_name = "ATLAS";
    } else {
        info.blas_name = "reference BLAS";
        info.blas_is_slow = true;
    }

    info.torch_version = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                         std::to_string(TORCH_VERSION_PATCH);
    const dnnl_version_t* v = dnnl_version();
    info.onednn_version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
#ifdef SRS_HAVE_CUDA
    info.cuda_built = true;
#endif
    // The CUDA hooks are registered by libtorch_cuda.so when this LibTorch has it; without a GPU
    // or driver they report no devices and nothing fails.
    const auto& hooks = at::detail::getCUDAHooks();
    if (hooks.hasCUDART()) {
        info.torch_cuda_built = true;
        const long v = hooks.versionCUDART();  // e.g. 13000
        if (v > 0) info.torch_cuda_version = std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
        try {
            info.torch_cuda_devices = hooks.deviceCount();
        } catch (const std::exception&) {
            info.torch_cuda_devices = 0;
        }
    }
    return info;
}

std::string describe(const ComputeRuntimeInfo& info) {
    std::string s = "compute: " + std::to_string(info.threads) + " thread" + (info.threads == 1 ? "" : "s") + ", BLAS " +
                    info.blas_name;
    if (!info.blas_path.empty()) s += " [" + info.blas_path + "]";
    s += ", LibTorch " + info.torch_version + " (" + describeTorchCuda(info) + "), oneDNN " + info.onednn_version;
    if (info.cuda_built) s += ", CUDA kernels built";
    if (info.blas_is_slow)
        s += " — WARNING: the reference BLAS is >10x slower; use a LibTorch with its own BLAS (installer/install-deps.sh installs PyPI's torch) or install libopenblas0-pthread";
    return s;
}

std::string describeTorchCuda(const ComputeRuntimeInfo& info) {
    if (!info.torch_cuda_built && info.torch_cuda_present) {
        // "libtorch_cuda.so not loaded: no NVIDIA driver (...)" -> "CUDA not loaded: no NVIDIA driver (...)"
        const std::string& d = info.torch_cuda_detail;
        const std::string prefix = "libtorch_cuda.so ";
        return "CUDA " + (d.rfind(prefix, 0) == 0 ? d.substr(prefix.size()) : d);
    }
    if (!info.torch_cuda_built) return "CPU only";
    std::string s = "CUDA " + (info.torch_cuda_version.empty() ? std::string("(version unknown)") : info.torch_cuda_version) + ", ";
    if (info.torch_cuda_devices == 0) return s + "no device visible";
    return s + std::to_string(info.torch_cuda_devices) + " device" + (info.torch_cuda_devices == 1 ? "" : "s");
}

}  // namespace srs::kernels
