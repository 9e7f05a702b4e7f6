#include "kernels/cpu/onednn_matmul.h"

#include <ATen/ATen.h>
#include <oneapi/dnnl/dnnl.hpp>

// Written for the oneDNN 2.x API that Debian ships and we link (op descriptors); the torch wheel's
// include folder carries 3.x headers, which kernels/CMakeLists.txt keeps behind the system's.
#if DNNL_VERSION_MAJOR != 2
#error "kernels/cpu/onednn_matmul.cpp needs the oneDNN 2.x headers of the library it links (Debian libdnnl-dev)"
#endif

#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

namespace srs::kernels {
namespace {

using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, int, int>;

struct Engine {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    std::mutex mu;
    struct Prim {
        dnnl::matmul prim;
        dnnl::memory::desc a, b, c, scratch;
    };
    std::map<Key, Prim> prims;
};

Engine& engine() {
    static Engine e;
    return e;
}

dnnl::memory::data_type dnnlType(at::ScalarType t) {
    if (t == at::kFloat) return dnnl::memory::data_type::f32;
    if (t == at::kBFloat16) return dnnl::memory::data_type::bf16;
    if (t == at::kByte) return dnnl::memory::data_type::u8;
    if (t == at::kChar) return dnnl::memory::data_type::s8;
    if (t == at::kInt) return dnnl::memory::data_type::s32;
    throw std::invalid_argument("onednnMatmul: only float32, bfloat16 and uint8 · int8 → int32 are supported");
}

at::Tensor plain2d(const at::Tensor& t) {
    if (t.dim() != 2) throw std::invalid_argument("onednnMatmul: 2-D tensors expected");
    if (t.stride(1) == 1 || t.stride(0) == 1) return t;
    return t.contiguous();
}

}  // namespace

at::Tensor onednnMatmul(const at::Tensor& a_in, const at::Tensor& b_in, c10::optional<at::ScalarType> out_dtype) {
    at::Tensor a = plain2d(a_in), b = plain2d(b_in);
    const bool int8 = a.scalar_type() == at::kByte && b.scalar_type() == at::kChar;
    const bool floating = a.scalar_type() == b.scalar_type() && (a.scalar_type() == at::kFloat || a.scalar_type() == at::kBFloat16);
    // (The primitive cache keys on A's dtype: B's follows from it in these two cases.)
    if (!floating && !int8) throw std::invalid_argument("onednnMatmul: float32 · float32, bfloat16 · bfloat16 or uint8 · int8 only");
    if (a.size(1) != b.size(0)) throw std::invalid_argument("onednnMatmul: inner dimensions differ");
    const std::int64_t M = a.size(0), K = a.size(1), N = b.size(1);
    const at::ScalarType ct = out_dtype.value_or(int8 ? at::kInt : a.scalar_type());
    at::Tensor c = at::empty({M, N}, a.options().dtype(ct));
    if (M == 0 || N == 0) return c;
    if (K == 0) return c.zero_();
    // A size-1 dimension's stride is arbitrary in ATen; give oneDNN a consistent one.
    auto strides = [](const at::Tensor& t) {
        std::int64_t s0 = t.stride(0), s1 = t.stride(1);
        if (t.size(0) == 1) s0 = t.stride(1) == 1 ? t.size(1) : 1;
        if (t.size(1) == 1) s1 = t.stride(0) == 1 ? t.size(0) : 1;
        return std::make_pair(s0, s1);
    };
    auto [as0, as1] = strides(a);
    auto [bs0, bs1] = strides(b);
    Engine& e = engine();
    const Key key{M, K, N, as0, as1, bs0, bs1, static_cast<int>(a.scalar_type()), static_cast<int>(ct)};
    Engine::Prim prim;
    {
        std::lock_guard<std::mutex> lock(e.mu);
        auto it = e.prims.find(key);
        if (it == e.prims.end()) {
            using md = dnnl::memory::desc;
            md a_md({M, K}, dnnlType(a.scalar_type()), dnnl::memory::dims{as0, as1});
            md b_md({K, N}, dnnlType(b.scalar_type()), dnnl::memory::dims{bs0, bs1});
            md c_md({M, N}, dnnlType(ct), dnnl::memory::dims{N, 1});
            dnnl::matmul::desc d(a_md, b_md, c_md);
            // A scratchpad per call: with the library's own (shared, per creating thread) a cached
            // primitive must not run on another thread, and ours run on the tuner's, the
            // estimator's and the attention's worker threads.
            dnnl::primitive_attr attr;
            attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
            dnnl::matmul::primitive_desc pd(d, attr, e.engine);
            it = e.prims.emplace(key, Engine::Prim{dnnl::matmul(pd), a_md, b_md, c_md, pd.scratchpad_desc()}).first;
        }
        prim = it->second;
    }
    dnnl::memory am(prim.a, e.engine, a.data_ptr());
    dnnl::memory bm(prim.b, e.engine, b.data_ptr());
    dnnl::memory cm(prim.c, e.engine, c.data_ptr());
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
    at::Tensor scratch;
    if (prim.scratch.get_size() > 0) {
        scratch = at::empty({static_cast<std::int64_t>(prim.scratch.get_size())}, a.options().dtype(at::kByte));
        args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(prim.scratch, e.engine, scratch.data_ptr()));
    }
    dnnl::stream s(e.engine);
    prim.prim.execute(s, args);
    s.wait();
    return c;
}

}  // namespace srs::kernels
