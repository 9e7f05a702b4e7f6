// CUDA version of kernels/cpu/qdq_impl.h: each group row (a group of one output row) is worked by
// up to a warp of threads striding over its elements, several groups to a thread block; the
// backward reduces the per-group sums with warp shuffles. The group-level arithmetic is the CPU
// kernel's, line for line (so the forward and ∂V equal it bit for bit).
#include "kernels/cuda/qdq_cuda.h"

#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

namespace srs::kernels::cuda {
namespace {

constexpr int kThreads = 128;

__device__ float roundToHalf(float f) {
    const unsigned x = __float_as_uint(f);
    const unsigned sign = x & 0x80000000u, ax = x & 0x7fffffffu;
    unsigned out;
    if (ax >= 0x7f800000u) {
        out = x;
    } else if (ax >= 0x477ff000u) {
        out = sign | 0x7f800000u;
    } else if (ax < 0x38800000u) {
        const float m = rintf(fabsf(f) * 16777216.0f);
        out = __float_as_uint(m / 16777216.0f) | sign;
    } else {
        const unsigned rem = ax & 0x1fffu;
        unsigned kept = ax & ~0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (kept & 0x2000u))) kept += 0x2000u;
        out = sign | kept;
    }
    return __uint_as_float(out);
}

// The gradient across the fp16 cast of a scale: rounded to fp16 as autograd rounds it, but
// saturating at ±65504 instead of overflowing to ±inf. SignSGD takes only its sign, which a
// saturated value keeps; an inf would be taken for an overflow of the backward pass (and two of
// opposite signs, summed over micro-batches or ranks, make a NaN). Real models reach it: the
// o_proj of SmolLM2-135M's first block, whose outputs feed its massive activations.
__device__ float gradThroughHalf(float g) { return roundToHalf(g > 65504.0f ? 65504.0f : (g < -65504.0f ? -65504.0f : g)); }

struct Group {
    float s1, s, zr, zero, y;
    bool take_min;
};

__device__ Group makeGroup(const QdqShape& p, const QdqInputs& in, std::int64_t r) {
    Group g{};
    const float wmin = in.alpha ? in.wmin[r] * in.alpha[r] : in.wmin[r];
    const float wmax = in.beta ? in.wmax[r] * in.beta[r] : in.wmax[r];
    const float thr = p.fp16_scale ? 1e-5f : 1e-8f;
    if (p.sym) {
        const float maxq = static_cast<float>(1 << (p.bits - 1));
        const float a = -wmin, c = wmax;
        g.take_min = c < a;
        const float s0 = (g.take_min ? a : -c) / maxq;
        g.s1 = p.fp16_scale ? roundToHalf(s0) : s0;
        g.s = g.s1 >= 0 ? (g.s1 < thr ? thr : g.s1) : (g.s1 > -thr ? -thr : g.s1);
    } else {
        const float maxq = static_cast<float>((1 << p.bits) - 1);
        const float s0 = (wmax - wmin) / maxq;
        g.s1 = p.fp16_scale ? roundToHalf(s0) : s0;
        g.s = g.s1 < thr ? thr : g.s1;
        g.y = -wmin / g.s;
        g.zr = rintf(g.y);
        g.zero = g.zr < 0.0f ? 0.0f : (g.zr > maxq ? maxq : g.zr);
    }
    return g;
}

__device__ float clampf(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }

// Threads per group: the group's size rounded up to a power of two, at most a warp (32), at least
// 1; a block of kThreads threads holds kThreads / tpg groups. A group never spans warps, so its
// backward sums are reduced with warp shuffles (width tpg): no shared memory and no block-wide
// barrier, and small groups keep every thread of the block busy (at group 32, four groups a block
// instead of one group with three quarters of the threads idle). Every lane computes its group's
// scale itself (a few loads of the group's four floats, cached): no broadcast through shared memory.
int threadsPerGroup(int group_size) {
    int t = 1;
    while (t < group_size && t < 32) t *= 2;
    return t;
}

// Which group row this thread works on, and its lane within the group; active: the row exists
// (the last block may hold fewer groups).
struct Slot {
    std::int64_t r;
    int lane;
    bool active;
};

__device__ Slot slotOf(int tpg, std::int64_t rows) {
    const int per_block = blockDim.x / tpg;
    Slot s;
    s.r = static_cast<std::int64_t>(blockIdx.x) * per_block + threadIdx.x / tpg;
    s.lane = static_cast<int>(threadIdx.x % tpg);
    s.active = s.r < rows;
    return s;
}

__global__ void forwardKernel(QdqShape p, QdqInputs in, float* deq, int tpg, std::int64_t rows) {
    const Slot sl = slotOf(tpg, rows);
    if (!sl.active) return;
    const std::int64_t r = sl.r, G = (p.in + p.group_size - 1) / p.group_size;
    const int gs = p.group_size;
    const std::int64_t o = r / G, c0 = (r % G) * gs;
    const std::int64_t n = p.in - c0 < gs ? p.in - c0 : gs;
    const Group g = makeGroup(p, in, r);
    const float s = g.s;
    for (std::int64_t j = sl.lane; j < n; j += tpg) {
        const float w = in.weight[o * p.in + c0 + j];
        float x = w / s;
        if (in.v) x = x + in.v[r * gs + j];
        float d;
        if (p.sym) {
            const float lo = -static_cast<float>(1 << (p.bits - 1)), hi = static_cast<float>((1 << (p.bits - 1)) - 1);
            d = clampf(rintf(x), lo, hi) * s;
        } else {
            const float hi = static_cast<float>((1 << p.bits) - 1);
            d = (clampf(rintf(x) + g.zero, 0.0f, hi) - g.zero) * s;
        }
        deq[o * p.in + c0 + j] = d;
    }
}

// The sum over the tpg lanes of a group (all lanes of the warp take part in every shuffle).
__device__ float groupSum(float v, int tpg) {
    for (int off = tpg / 2; off > 0; off /= 2) v += __shfl_xor_sync(0xffffffffu, v, off, tpg);
    return v;
}

__global__ void backwardKernel(QdqShape p, QdqInputs in, const float* grad_deq, float* grad_v, float* grad_alpha, float* grad_beta, int tpg,
                               std::int64_t rows) {
    const Slot sl = slotOf(tpg, rows);
    const std::int64_t r = sl.r, G = (p.in + p.group_size - 1) / p.group_size;
    const int gs = p.group_size;
    const std::int64_t o = r / G, c0 = (r % G) * gs;
    const std::int64_t n = p.in - c0 < gs ? p.in - c0 : gs;
    Group g{};
    float acc_s = 0, acc_ds = 0, acc_z = 0;
    if (sl.active) {
        g = makeGroup(p, in, r);
        const float s = g.s;
        for (std::int64_t j = sl.lane; j < gs; j += tpg) {
            if (j >= n) {
                if (grad_v) grad_v[r * gs + j] = 0.0f;
                continue;
            }
            const float w = in.weight[o * p.in + c0 + j], gd = grad_deq[o * p.in + c0 + j];
            const float xd = w / s;
            const float x = in.v ? xd + in.v[r * gs + j] : xd;
            float gx;
            if (p.sym) {
                const float lo = -static_cast<float>(1 << (p.bits - 1)), hi = static_cast<float>((1 << (p.bits - 1)) - 1);
                const float rq = rintf(x);
                const float q = clampf(rq, lo, hi);
                const float gq = gd * s;
                gx = (rq >= lo && rq <= hi) ? gq : 0.0f;
                acc_s += gd * q;
            } else {
                const float hi = static_cast<float>((1 << p.bits) - 1);
                const float qp = rintf(x) + g.zero;
                const float qa = clampf(qp, 0.0f, hi);
                const float gsub = gd * s;
                gx = (qp >= 0.0f && qp <= hi) ? gsub : 0.0f;
                acc_s += gd * (qa - g.zero);
                acc_z += gx - gsub;
            }
            acc_ds += -gx * (xd / s);
            if (grad_v) grad_v[r * gs + j] = gx;
        }
    }
    if (!grad_alpha && !grad_beta) return;  // the same for every thread of the grid
    const float sum_s = groupSum(acc_s, tpg), sum_ds = groupSum(acc_ds, tpg), sum_z = groupSum(acc_z, tpg);
    if (!sl.active || sl.lane != 0) return;
    const float s = g.s;
    const float thr = p.fp16_scale ? 1e-5f : 1e-8f;
    float g_s = sum_s + sum_ds;
    float g_wmin = 0, g_wmax = 0;
    if (p.sym) {
        const float maxq = static_cast<float>(1 << (p.bits - 1));
        const bool pass = g.s1 >= 0 ? g.s1 >= thr : g.s1 <= -thr;
        float g_s1 = pass ? g_s : 0.0f;
        if (p.fp16_scale) g_s1 = gradThroughHalf(g_s1);
        const float g_max = g_s1 / maxq;
        if (g.take_min)
            g_wmin = -g_max;
        else
            g_wmax = -g_max;
    } else {
        const float maxq = static_cast<float>((1 << p.bits) - 1);
        const float g_zr = (g.zr >= 0.0f && g.zr <= maxq) ? sum_z : 0.0f;
        g_wmin += -(g_zr / s);
        g_s += -g_zr * (g.y / s);
        float g_s1 = g.s1 >= thr ? g_s : 0.0f;
        if (p.fp16_scale) g_s1 = gradThroughHalf(g_s1);
        const float g_d = g_s1 / maxq;
        g_wmax += g_d;
        g_wmin += -g_d;
    }
    if (grad_alpha) grad_alpha[r] = g_wmin * in.wmin[r];
    if (grad_beta) grad_beta[r] = g_wmax * in.wmax[r];
}

std::string check(cudaError_t e) { return e == cudaSuccess ? std::string() : std::string(cudaGetErrorString(e)); }

// Device copies of host buffers, freed on scope exit.
struct DeviceBuffers {
    std::vector<void*> ptrs;
    std::string err;
    ~DeviceBuffers() {
        for (void* p : ptrs) cudaFree(p);
    }
    float* upload(const float* host, std::int64_t n) {
        if (!host || !err.empty()) return nullptr;
        void* d = nullptr;
        err = check(cudaMalloc(&d, static_cast<std::size_t>(n) * sizeof(float)));
        if (!err.empty()) return nullptr;
        ptrs.push_back(d);
        err = check(cudaMemcpy(d, host, static_cast<std::size_t>(n) * sizeof(float), cudaMemcpyHostToDevice));
        return static_cast<float*>(d);
    }
    float* alloc(bool want, std::int64_t n) {
        if (!want || !err.empty()) return nullptr;
        void* d = nullptr;
        err = check(cudaMalloc(&d, static_cast<std::size_t>(n) * sizeof(float)));
        if (!err.empty()) return nullptr;
        ptrs.push_back(d);
        return static_cast<float*>(d);
    }
    void download(float* host, const float* dev, std::int64_t n) {
        if (!host || !dev || !err.empty()) return;
        err = check(cudaMemcpy(host, dev, static_cast<std::size_t>(n) * sizeof(float), cudaMemcpyDeviceToHost));
    }
};

QdqInputs uploadInputs(DeviceBuffers& b, const QdqShape& s, const QdqInputs& in) {
    const std::int64_t R = s.groupRows();
    QdqInputs d;
    d.weight = b.upload(in.weight, s.out * s.in);
    d.v = b.upload(in.v, R * s.group_size);
    d.alpha = b.upload(in.alpha, R);
    d.beta = b.upload(in.beta, R);
    d.wmin = b.upload(in.wmin, R);
    d.wmax = b.upload(in.wmax, R);
    return d;
}

}  // namespace

int deviceCount(std::string* why) {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        if (why) *why = cudaGetErrorString(e);
        return 0;
    }
    if (n == 0 && why) *why = "the CUDA runtime reports no device";
    return n;
}

namespace {

// Queues the forward / backward on `stream` (cudaStreamLegacy: LibTorch's default stream) and,
// when `wait`, waits for it. Returns "" or the CUDA error text.
std::string launchForward(const QdqShape& s, const QdqInputs& in, float* deq, cudaStream_t stream, bool wait) {
    const std::int64_t rows = s.groupRows();
    if (rows == 0) return {};
    const int tpg = threadsPerGroup(s.group_size), per_block = kThreads / tpg;
    const auto blocks = static_cast<unsigned>((rows + per_block - 1) / per_block);
    forwardKernel<<<blocks, kThreads, 0, stream>>>(s, in, deq, tpg, rows);
    std::string e = check(cudaGetLastError());
    return e.empty() && wait ? check(cudaStreamSynchronize(stream)) : e;
}

std::string launchBackward(const QdqShape& s, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha, float* grad_beta,
                           cudaStream_t stream, bool wait) {
    const std::int64_t rows = s.groupRows();
    if (rows == 0) return {};
    const int tpg = threadsPerGroup(s.group_size), per_block = kThreads / tpg;
    const auto blocks = static_cast<unsigned>((rows + per_block - 1) / per_block);
    backwardKernel<<<blocks, kThreads, 0, stream>>>(s, in, grad_deq, grad_v, grad_alpha, grad_beta, tpg, rows);
    std::string e = check(cudaGetLastError());
    return e.empty() && wait ? check(cudaStreamSynchronize(stream)) : e;
}

}  // namespace

std::string qdqForwardDevice(const QdqShape& s, const QdqInputs& in, float* deq) { return launchForward(s, in, deq, cudaStreamLegacy, true); }

std::string qdqBackwardDevice(const QdqShape& s, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha, float* grad_beta) {
    return launchBackward(s, in, grad_deq, grad_v, grad_alpha, grad_beta, cudaStreamLegacy, true);
}

std::string qdqForwardAsync(const QdqShape& s, const QdqInputs& in, float* deq) { return launchForward(s, in, deq, cudaStreamLegacy, false); }

std::string qdqBackwardAsync(const QdqShape& s, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha, float* grad_beta) {
    return launchBackward(s, in, grad_deq, grad_v, grad_alpha, grad_beta, cudaStreamLegacy, false);
}

std::string qdqForwardHost(const QdqShape& s, const QdqInputs& in, float* deq) {
    DeviceBuffers b;
    QdqInputs d = uploadInputs(b, s, in);
    float* dd = b.alloc(true, s.out * s.in);
    if (!b.err.empty()) return b.err;
    std::string e = qdqForwardDevice(s, d, dd);
    if (!e.empty()) return e;
    b.download(deq, dd, s.out * s.in);
    return b.err;
}

std::string qdqBackwardHost(const QdqShape& s, const QdqInputs& in, const float* grad_deq, float* grad_v, float* grad_alpha, float* grad_beta) {
    DeviceBuffers b;
    const std::int64_t R = s.groupRows();
    QdqInputs d = uploadInputs(b, s, in);
    const float* dg = b.upload(grad_deq, s.out * s.in);
    float* gv = b.alloc(grad_v != nullptr, R * s.group_size);
    float* ga = b.alloc(grad_alpha != nullptr, R);
    float* gb = b.alloc(grad_beta != nullptr, R);
    if (!b.err.empty()) return b.err;
    std::string e = qdqBackwardDevice(s, d, dg, gv, ga, gb);
    if (!e.empty()) return e;
    b.download(grad_v, gv, R * s.group_size);
    b.download(grad_alpha, ga, R);
    b.download(grad_beta, gb, R);
    return b.err;
}

}  // namespace srs::kernels::cuda
