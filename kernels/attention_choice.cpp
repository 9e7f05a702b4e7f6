#include "kernels/attention_choice.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <ATen/record_function.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>

#include "core/common/numeric_cast.h"
#include "core/common/log.h"
#include "kernels/attention.h"
#include "kernels/measured_choices.h"

namespace srs::kernels {
namespace {

std::atomic<int> g_backend{static_cast<int>(AttentionBackend::Measured)};

using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, int, bool>;

MeasuredChoices<Key, AttentionChoice>& choices() {
    static MeasuredChoices<Key, AttentionChoice> c;
    return c;
}

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Both backends on random inputs of the shape, one warm-up each, then the best of a few runs.
AttentionChoice measure(const at::Tensor& q, const at::Tensor& k, bool backward, double scale) {
    AttentionChoice c;
    c.batch = q.size(0);
    c.heads = q.size(1);
    c.kv_heads = k.size(1);
    c.tokens = q.size(2);
    c.head_dim = q.size(3);
    c.dtype = q.scalar_type() == at::kBFloat16 ? "bfloat16" : q.scalar_type() == at::kFloat ? "float32" : std::string(c10::toString(q.scalar_type()));
    c.backward = backward;
    const auto opts = q.options().requires_grad(false);
    const at::Tensor q0 = at::randn(q.sizes(), opts), k0 = at::randn(k.sizes(), opts), v0 = at::randn(k.sizes(), opts);
    const at::Tensor dy = at::randn({c.batch, c.tokens, c.heads, c.head_dim}, opts);
    auto once = [&](bool sdpa) {
        at::AutoGradMode grad(backward);
        at::Tensor qq = q0, kk = k0, vv = v0;
        if (backward) {
            qq = q0.detach().requires_grad_(true);
            kk = k0.detach().requires_grad_(true);
            vv = v0.detach().requires_grad_(true);
        }
        at::Tensor out = sdpa ? sdpaCausalAttention(qq, kk, vv, scale) : causalAttention(qq, kk, vv, scale);
        if (backward) out.backward(dy);
    };
    // Big shapes get one timed run: the choice must not cost more than a few tuning iterations.
    const double pairs = num::real(c.batch) * num::real(c.heads) * num::real(c.tokens) * num::real(c.tokens);
    const int trials = pairs > 1e8 ? 1 : 3;
    for (bool sdpa : {false, true}) {
        once(sdpa);
        double best = 1e300;
        for (int i = 0; i < trials; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            once(sdpa);
            best = std::min(best, msSince(t0));
        }
        (sdpa ? c.sdpa_ms : c.tiled_ms) = best;
    }
    c.sdpa = c.sdpa_ms < (1.0 - kSdpaMargin) * c.tiled_ms;
    return c;
}

bool chooseSdpa(const at::Tensor& q, const at::Tensor& k, double scale) {
    const auto b = static_cast<AttentionBackend>(g_backend.load());
    if (b != AttentionBackend::Measured) return b == AttentionBackend::Sdpa;
    if (num::real(q.size(0)) * num::real(q.size(1)) * num::real(q.size(2)) * num::real(q.size(2)) < kMeasureAttentionPairs) return false;
    const bool backward = at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad());
    const Key key{q.size(0), q.size(1), k.size(1), q.size(2), q.size(3), static_cast<int>(q.scalar_type()), backward};
    return choices().get(key, [&] { return measure(q, k, backward, scale); }).sdpa;
}

}  // namespace

at::Tensor sdpaCausalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
    RECORD_FUNCTION("srs::attention_sdpa", std::vector<c10::IValue>{});
    const bool grouped = q.size(1) != k.size(1);
    return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true, scale, /*enable_gqa=*/grouped)
        .transpose(1, 2)
        .contiguous();
}

at::Tensor measuredCausalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
    return chooseSdpa(q, k, scale) ? sdpaCausalAttention(q, k, v, scale) : causalAttention(q, k, v, scale);
}

void setAttentionBackend(AttentionBackend backend) { g_backend.store(static_cast<int>(backend)); }
AttentionBackend attentionBackend() { return static_cast<AttentionBackend>(g_backend.load()); }

std::vector<AttentionChoice> attentionChoices() { return choices().all(); }

std::string AttentionChoice::describe() const {
    char buf[256];
    std::snprintf(buf, sizeof buf, "attention %lldx%lld/%lldx%lldx%lld %s %s: %s %.2f ms (%s %.2f ms)", static_cast<long long>(batch),
                  static_cast<long long>(heads), static_cast<long long>(kv_heads), static_cast<long long>(tokens),
                  static_cast<long long>(head_dim), dtype.c_str(), backward ? "fwd+bwd" : "fwd", sdpa ? "SDPA" : "tiled",
                  sdpa ? sdpa_ms : tiled_ms, sdpa ? "tiled" : "SDPA", sdpa ? tiled_ms : sdpa_ms);
    return buf;
}

}  // namespace srs::kernels
