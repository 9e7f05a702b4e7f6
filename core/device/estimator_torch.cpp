// The measured half of the estimator: the machine's matmul rate and the rate of a real tuning
// step (forward and backward of a decoder block), each measured once and cached.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include <c10/core/impl/DeviceGuardImplInterface.h>

#include "core/device/device_choice_torch.h"
#include "core/device/estimator.h"
#include "core/model/llama_model.h"
#include "core/quant/quant_scheme.h"
#include "kernels/linear.h"
#include "kernels/matmul_bench.h"

namespace srs::device {

double measureMatmulGflops(int n, const std::string& dtype) {
    static std::mutex mutex;
    static std::map<std::pair<int, std::string>, double> cache;
    std::lock_guard<std::mutex> lock(mutex);
    const auto key = std::make_pair(n, dtype);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    const double rate = kernels::measureMatmul(n, dtype, 0.5).gflops;
    cache[key] = rate;
    return rate;
}

double measureTuningGflops(const job::JobConfig& config) {
    static std::mutex mutex;
    static std::map<std::tuple<std::string, int, int, std::string, bool, std::string>, double> cache;
    std::lock_guard<std::mutex> lock(mutex);
    // At most 2048 tokens a step (sequences of at most 512): a probe of a few seconds at most,
    // whatever the settings; the FLOP count scales the rate to the run's shape.
    const int seqlen = std::min(config.effectiveSeqlen(), 512);
    const int batch = std::max(1, std::min(std::max(1, config.batch_size), 2048 / seqlen));
    // The run's own path: the kernels (fused ops, tiled attention) unless it asks for the reference.
    const auto path = quant::parseKernelPath(config.kernels);
    const bool fast = !path || *path != quant::KernelPath::Reference;
    // On the run's device: a GPU's rate for a GPU run.
    const auto chosen = resolveDevice(config.device, currentDeviceAvailability());
    if (!chosen) return 0.0;
    const c10::Device device = chosen->cuda ? c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(chosen->index)) : c10::Device(c10::kCPU);
    const auto key = std::make_tuple(config.model, batch, seqlen, config.amp_dtype, fast, chosen->name);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    double rate = 0.0;
    try {
        auto source = io::openWeightSource(config.model);
        auto dtype = model::parseComputeDtype(config.amp_dtype);
        if (!source || !dtype || (*source)->config().num_hidden_layers < 1) return 0.0;
        const auto& mc = (*source)->config();
        auto block = model::DecoderBlock::load(**source, 0, *dtype);
        if (!block) return 0.0;
        (*block)->to(device);
        auto [cos, sin] = model::Rope(mc).cosSin(at::arange(seqlen, at::kLong));
        cos = cos.to(device);
        sin = sin.to(device);
        std::map<std::string, at::Tensor> weights;
        double params = 0;
        for (const auto& l : model::blockLinearNames()) {
            weights[l] = (*block)->weight(l).to(at::kFloat).detach().requires_grad_(true);
            params += static_cast<double>(weights[l].numel());
        }
        at::Tensor x = at::randn({batch, seqlen, mc.hidden_size}).to(*dtype).to(device);
        auto step = [&] {
            kernels::FastLinearScope scope(fast);
            at::Tensor out = (*block)->forward(x, cos, sin, &weights);
            out.to(at::kFloat).pow(2).mean().backward();
            if (device.is_cuda()) c10::impl::getDeviceGuardImpl(device.type())->synchronizeDevice(device.index());
        };
        step();  // warm-up: first-call dispatch, allocations
        // The median of three short windows: the speed a step has on this machine as it is
        // now, busy or not (a run started now shares the CPU the same way).
        const double per_step = 3.0 * batch * seqlen * blockForwardFlopsPerToken(mc, params, seqlen);
        std::vector<double> rates;
        for (int window = 0; window < 3; ++window) {
            int steps = 0;
            const auto t0 = std::chrono::steady_clock::now();
            double elapsed = 0;
            do {
                step();
                ++steps;
                elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            } while (elapsed < 0.15);
            rates.push_back(per_step * steps / elapsed / 1e9);
        }
        std::sort(rates.begin(), rates.end());
        rate = rates[1];
    } catch (const std::exception&) {
        rate = 0.0;
    }
    cache[key] = rate;
    return rate;
}

}  // namespace srs::device
