// Run-time choice of the qdq kernel variant (cpuid) and the split over ATen's threads.
#include "kernels/cpu/qdq.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <cstring>

namespace srs::kernels {

#define SRS_DECLARE_QDQ_VARIANT(NS)                                                                                         \
    namespace NS {                                                                                                          \
    void forwardRows(const QdqShape&, const QdqInputs&, float*, std::int64_t, std::int64_t);                                \
    void backwardRows(const QdqShape&, const QdqInputs&, const float*, float*, float*, float*, std::int64_t, std::int64_t); \
    void signSgd(float*, float*, std::int64_t, float, bool, float, float);                                                  \
    }
SRS_DECLARE_QDQ_VARIANT(isa_scalar)
SRS_DECLARE_QDQ_VARIANT(isa_avx2)
SRS_DECLARE_QDQ_VARIANT(isa_avx512)

namespace {

struct Variant {
    const char* name;
    decltype(&isa_scalar::forwardRows) forward;
    decltype(&isa_scalar::backwardRows) backward;
    decltype(&isa_scalar::signSgd) sgd;
};

Variant pick() {
    __builtin_cpu_init();
    const char* force = std::getenv("SRS_QDQ_ISA");
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                        __builtin_cpu_supports("avx512dq");
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    const bool allow512 = !force || std::strcmp(force, "avx512") == 0;
    const bool allow2 = !force || std::strcmp(force, "scalar") != 0;
    if (avx512 && allow512) return {"avx512", isa_avx512::forwardRows, isa_avx512::backwardRows, isa_avx512::signSgd};
    if (avx2 && allow2) return {"avx2", isa_avx2::forwardRows, isa_avx2::backwardRows, isa_avx2::signSgd};
    return {"scalar", isa_scalar::forwardRows, isa_scalar::backwardRows, isa_scalar::signSgd};
}

const Variant& variant() {
    static const Variant v = pick();
    return v;
}

// Group rows per task: about 64 K elements.
std::int64_t grainRows(const QdqShape& s) { return std::max<std::int64_t>(1, (64 << 10) / std::max(1, s.group_size)); }

}  // namespace

const char* qdqIsa() { return variant().name; }

void qdqForward(const QdqShape& s, const QdqInputs& in, float* deq) {
    const auto& v = variant();
    at::parallel_for(0, s.groupRows(), grainRows(s), [&](std::int64_t b, std::int64_t e) { v.forward(s, in, deq, b, e); });
}

void qdqBackward(const QdqShape& s, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha, float* grad_beta) {
    const auto& v = variant();
    at::parallel_for(0, s.groupRows(), grainRows(s),
                     [&](std::int64_t b, std::int64_t e) { v.backward(s, in, grad_deq, grad_v, grad_alpha, grad_beta, b, e); });
}

void signSgdStep(float* p, float* grad, std::int64_t n, float lr, bool clamp, float lo, float hi) {
    const auto& v = variant();
    at::parallel_for(0, n, 1 << 16, [&](std::int64_t b, std::int64_t e) { v.sgd(p + b, grad + b, e - b, lr, clamp, lo, hi); });
}

}  // namespace srs::kernels
