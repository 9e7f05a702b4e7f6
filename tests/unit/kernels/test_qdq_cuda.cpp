// The CUDA quant-dequant kernels against the CPU kernels (which tests/unit/kernels/test_qdq_kernels
// checks against LibTorch): forward bit for bit, ∂V exactly, ∂α / ∂β to float tolerance, on random
// shapes with ragged groups, bits 2, 3, 4, 8, sym and asym. Skips, saying why, in a build without
// CUDA (-DSRS_WITH_CUDA=ON) or on a machine without a CUDA device.
#include <QtTest>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/qdq.h"
#ifdef SRS_HAVE_CUDA
#include "kernels/cuda/qdq_cuda.h"
#endif

using srs::kernels::QdqInputs;
using srs::kernels::QdqShape;

class TestQdqCuda : public QObject {
    Q_OBJECT
private slots:
    void cudaEqualsCpu() {
#ifndef SRS_HAVE_CUDA
        QSKIP("built without CUDA: configure with -DSRS_WITH_CUDA=ON (nvcc needed) to build kernels/cuda");
#else
        std::string why;
        if (srs::kernels::cuda::deviceCount(&why) == 0) QSKIP(qPrintable("no CUDA device here: " + QString::fromStdString(why)));
        std::mt19937 rng(11);
        std::normal_distribution<float> normal(0.0f, 0.02f);
        std::uniform_real_distribution<float> uni(0.0f, 1.0f);
        int cases = 0;
        for (int bits : {2, 3, 4, 8})
            for (bool sym : {true, false})
                for (int gs_req : {-1, 16, 32, 64, 128}) {
                    QdqShape s;
                    s.out = 3 + static_cast<std::int64_t>(rng() % 20);
                    s.in = 33 + static_cast<std::int64_t>(rng() % 500);
                    s.group_size = gs_req < 0 || gs_req > s.in ? static_cast<int>(s.in) : gs_req;
                    s.bits = bits;
                    s.sym = sym;
                    s.fp16_scale = rng() % 4 != 0;
                    const std::int64_t R = s.groupRows(), G = s.groups();
                    std::vector<float> w(s.out * s.in), v(R * s.group_size), a(R), b(R), wmin(R), wmax(R), gout(s.out * s.in);
                    for (auto& x : w) x = normal(rng);
                    for (auto& x : v) x = uni(rng) - 0.5f;
                    for (auto& x : a) x = 0.5f + 0.5f * uni(rng);
                    for (auto& x : b) x = 0.5f + 0.5f * uni(rng);
                    for (auto& x : gout) x = normal(rng) * 50;
                    for (std::int64_t r = 0; r < R; ++r) {
                        const std::int64_t o = r / G, c0 = (r % G) * s.group_size, n = std::min<std::int64_t>(s.group_size, s.in - c0);
                        float lo = 0, hi = 0;
                        for (std::int64_t j = 0; j < n; ++j) {
                            lo = std::min(lo, w[o * s.in + c0 + j]);
                            hi = std::max(hi, w[o * s.in + c0 + j]);
                        }
                        wmin[r] = lo;
                        wmax[r] = hi;
                    }
                    QdqInputs in{w.data(), v.data(), a.data(), b.data(), wmin.data(), wmax.data()};
                    std::vector<float> d_cpu(w.size()), d_gpu(w.size()), gv_cpu(v.size()), gv_gpu(v.size()), ga_cpu(R), ga_gpu(R), gb_cpu(R), gb_gpu(R);
                    srs::kernels::qdqForward(s, in, d_cpu.data());
                    QCOMPARE(QString::fromStdString(srs::kernels::cuda::qdqForwardHost(s, in, d_gpu.data())), QString());
                    QVERIFY2(d_cpu == d_gpu, "forward differs");
                    srs::kernels::qdqBackward(s, in, gout.data(), gv_cpu.data(), ga_cpu.data(), gb_cpu.data());
                    QCOMPARE(QString::fromStdString(srs::kernels::cuda::qdqBackwardHost(s, in, gout.data(), gv_gpu.data(), ga_gpu.data(), gb_gpu.data())),
                             QString());
                    QVERIFY2(gv_cpu == gv_gpu, "dV differs");
                    for (std::int64_t r = 0; r < R; ++r) {
                        const float tol = 1e-5f * s.group_size * 50 + 1e-3f * std::fabs(ga_cpu[r]);
                        QVERIFY2(std::fabs(ga_cpu[r] - ga_gpu[r]) <= tol, qPrintable(QString("dalpha %1 vs %2").arg(ga_cpu[r]).arg(ga_gpu[r])));
                        QVERIFY2(std::fabs(gb_cpu[r] - gb_gpu[r]) <= 1e-5f * s.group_size * 50 + 1e-3f * std::fabs(gb_cpu[r]),
                                 qPrintable(QString("dbeta %1 vs %2").arg(gb_cpu[r]).arg(gb_gpu[r])));
                    }
                    ++cases;
                }
        QCOMPARE(cases, 40);
#endif
    }
};

QTEST_GUILESS_MAIN(TestQdqCuda)
#include "test_qdq_cuda.moc"
