// The tiled causal attention (kernels/attention.h) against the plain composition it replaces:
// full T×T scores, an upper-triangular mask, a float32 softmax, grouped-query heads expanded with
// repeat_interleave. Outputs and the gradients of q, k and v agree, in float32 and bfloat16, for
// lengths below, at and across the tile height (a ragged last tile), grouped and plain heads, and
// q / k / v laid out as the block makes them ([B, T, heads, D] viewed as [B, heads, T, D]);
// both the parallel and the one-pair-at-a-time branch; under InferenceMode as evaluation runs it.
#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <limits>

#include "kernels/attention.h"
#include "kernels/attention_choice.h"

#include <QtTest>

namespace {

struct Shape {
    std::int64_t B, H, KV, T, D;
};

at::Tensor referenceAttention(const at::Tensor& q, at::Tensor k, at::Tensor v, double scale) {
    const std::int64_t H = q.size(1), KV = k.size(1), T = q.size(2);
    if (KV != H) {
        k = k.repeat_interleave(H / KV, 1);
        v = v.repeat_interleave(H / KV, 1);
    }
    at::Tensor mask = at::ones({T, T}, q.options().dtype(at::kBool)).triu(1);
    at::Tensor s = at::matmul(q, k.transpose(-2, -1)).to(at::kFloat) * scale;
    s = s.masked_fill(mask, -std::numeric_limits<float>::infinity());
    return at::matmul(at::softmax(s, -1).to(q.scalar_type()), v).transpose(1, 2).contiguous();  // [B, T, H, D]
}

struct Outcome {
    at::Tensor out, dq, dk, dv;
};

Outcome run(const Shape& s, at::ScalarType dt, bool tiled, std::uint64_t seed) {
    at::manual_seed(seed);
    // As the block lays them out: projections [B, T, heads, D], viewed head-major.
    at::Tensor q0 = at::randn({s.B, s.T, s.H, s.D}), k0 = at::randn({s.B, s.T, s.KV, s.D}), v0 = at::randn({s.B, s.T, s.KV, s.D});
    at::Tensor g = at::randn({s.B, s.T, s.H, s.D});
    at::Tensor q = q0.to(dt).requires_grad_(true), k = k0.to(dt).requires_grad_(true), v = v0.to(dt).requires_grad_(true);
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.D));
    at::Tensor qh = q.transpose(1, 2), kh = k.transpose(1, 2), vh = v.transpose(1, 2);
    at::Tensor out = tiled ? srs::kernels::causalAttention(qh, kh, vh, scale) : referenceAttention(qh, kh, vh, scale);
    out.backward(g.to(dt));
    return {out.detach().to(at::kFloat), q.grad().to(at::kFloat), k.grad().to(at::kFloat), v.grad().to(at::kFloat)};
}

// Largest difference relative to the reference's largest magnitude.
double relErr(const at::Tensor& a, const at::Tensor& ref) {
    return (a - ref).abs().max().item<double>() / std::max(1e-12, ref.abs().max().item<double>());
}

}  // namespace

class TestAttention : public QObject {
    Q_OBJECT
private slots:
    // Two threads: shapes with at least 4 (sample, kv head) pairs take the op's parallel branch,
    // the others its one-pair-at-a-time branch, on any machine.
    void initTestCase() { at::set_num_threads(2); }

    void tiledEqualsTheFullComposition_data() {
        QTest::addColumn<int>("b");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("kv");
        QTest::addColumn<int>("t");
        QTest::addColumn<int>("d");
        QTest::addColumn<bool>("bf16");
        for (bool bf16 : {false, true}) {
            const char* dt = bf16 ? "bf16" : "f32";
            QTest::addRow("short, grouped %s", dt) << 2 << 4 << 2 << 7 << 8 << bf16;
            QTest::addRow("one full tile %s", dt) << 1 << 2 << 2 << 256 << 16 << bf16;
            QTest::addRow("ragged last tile, grouped %s", dt) << 2 << 4 << 2 << 300 << 16 << bf16;
            QTest::addRow("three tiles, one kv head %s", dt) << 1 << 3 << 1 << 600 << 32 << bf16;
        }
    }

    void tiledEqualsTheFullComposition() {
        QFETCH(int, b);
        QFETCH(int, h);
        QFETCH(int, kv);
        QFETCH(int, t);
        QFETCH(int, d);
        QFETCH(bool, bf16);
        const Shape s{b, h, kv, t, d};
        const at::ScalarType dt = bf16 ? at::kBFloat16 : at::kFloat;
        const Outcome ref = run(s, dt, false, 11), got = run(s, dt, true, 11);
        QCOMPARE(got.out.sizes().vec(), ref.out.sizes().vec());
        QCOMPARE(got.dk.sizes().vec(), ref.dk.sizes().vec());
        // float32: summation order only. bfloat16: the products round to 8 bits either way, and the
        // tiled op sums the shared key/value heads' gradients in float32 where the reference sums in bfloat16.
        const double tol = bf16 ? 2e-2 : 1e-5;
        const char* names[] = {"output", "dq", "dk", "dv"};
        const at::Tensor* a[] = {&got.out, &got.dq, &got.dk, &got.dv};
        const at::Tensor* r[] = {&ref.out, &ref.dq, &ref.dk, &ref.dv};
        for (int i = 0; i < 4; ++i) {
            const double e = relErr(*a[i], *r[i]);
            QVERIFY2(e < tol, qPrintable(QString("%1: relative error %2 (tolerance %3)").arg(names[i]).arg(e).arg(tol)));
        }
    }

    void noGradForwardKeepsNothing() {
        // Under no-grad (the tuner's forward passes) it is a plain function of its inputs.
        at::NoGradGuard ng;
        at::Tensor q = at::randn({1, 2, 5, 4}), k = at::randn({1, 1, 5, 4}), v = at::randn({1, 1, 5, 4});
        at::Tensor out = srs::kernels::causalAttention(q, k, v, 0.5);
        QVERIFY(!out.requires_grad());
        // The first position attends only to itself: its output is v's first row.
        QVERIFY(at::allclose(out.select(1, 0).select(1, 0), v.select(2, 0).select(1, 0)));
    }

    void inferenceModeOnWorkerThreads() {
        // Evaluation runs under InferenceMode; the parallel branch's workers must run in it too
        // (else writing into the output is refused as an in-place update of an inference tensor).
        at::manual_seed(12);
        at::Tensor q = at::randn({4, 4, 40, 8}), k = at::randn({4, 2, 40, 8}), v = at::randn({4, 2, 40, 8});
        at::Tensor ref = referenceAttention(q, k, v, 0.3);
        c10::InferenceMode guard;
        at::Tensor out = srs::kernels::causalAttention(q, k, v, 0.3);
        QVERIFY(relErr(out, ref) < 1e-5);
    }

    // LibTorch's SDPA in our layout equals the reference (values and gradients, f32 and bf16), and
    // the measured choice times both once per shape and direction, logs it and runs the winner.
    void sdpaAndTheMeasuredChoice() {
        const Shape s{2, 4, 2, 300, 16};
        for (auto dt : {at::kFloat, at::kBFloat16}) {
            auto runWith = [&](srs::kernels::AttentionBackend b) {
                srs::kernels::setAttentionBackend(b);
                at::manual_seed(5);
                at::Tensor q = at::randn({s.B, s.H, s.T, s.D}).to(dt).requires_grad_(true);
                at::Tensor k = at::randn({s.B, s.KV, s.T, s.D}).to(dt).requires_grad_(true);
                at::Tensor v = at::randn({s.B, s.KV, s.T, s.D}).to(dt).requires_grad_(true);
                at::Tensor out = srs::kernels::measuredCausalAttention(q, k, v, 0.25);
                out.to(at::kFloat).pow(2).sum().backward();
                srs::kernels::setAttentionBackend(srs::kernels::AttentionBackend::Measured);
                return Outcome{out.detach().to(at::kFloat), q.grad().to(at::kFloat), k.grad().to(at::kFloat), v.grad().to(at::kFloat)};
            };
            at::manual_seed(5);
            at::Tensor q = at::randn({s.B, s.H, s.T, s.D}).to(dt), k = at::randn({s.B, s.KV, s.T, s.D}).to(dt),
                       v = at::randn({s.B, s.KV, s.T, s.D}).to(dt);
            const at::Tensor ref = referenceAttention(q, k, v, 0.25).to(at::kFloat);
            const Outcome tiled = runWith(srs::kernels::AttentionBackend::Tiled), sdpa = runWith(srs::kernels::AttentionBackend::Sdpa);
            const double tol = dt == at::kFloat ? 1e-5 : 2e-2;
            QVERIFY2(relErr(sdpa.out, ref) < tol, qPrintable(QString::number(relErr(sdpa.out, ref))));
            QVERIFY2(relErr(tiled.out, ref) < tol, qPrintable(QString::number(relErr(tiled.out, ref))));
            for (auto [a, b] : {std::pair{sdpa.dq, tiled.dq}, {sdpa.dk, tiled.dk}, {sdpa.dv, tiled.dv}})
                QVERIFY2(relErr(a, b) < tol, qPrintable(QString::number(relErr(a, b))));

            // Below kMeasureAttentionPairs the tiled op is taken without measuring.
            const std::size_t before = srs::kernels::attentionChoices().size();
            const Outcome small = runWith(srs::kernels::AttentionBackend::Measured);
            QCOMPARE(srs::kernels::attentionChoices().size(), before);
            QVERIFY(at::equal(small.out, tiled.out));
        }
        // Above it (here a no-grad forward of 8 heads × 2900 tokens): both timed once, the winner
        // run and remembered.
        at::NoGradGuard ng;
        const std::int64_t T = 2900;
        QVERIFY(8.0 * T * T >= srs::kernels::kMeasureAttentionPairs);
        at::Tensor q = at::randn({1, 8, T, 16}), k = at::randn({1, 4, T, 16}), v = at::randn({1, 4, T, 16});
        const std::size_t before = srs::kernels::attentionChoices().size();
        at::Tensor out = srs::kernels::measuredCausalAttention(q, k, v, 0.25);
        const auto choices = srs::kernels::attentionChoices();
        QCOMPARE(choices.size(), before + 1);
        const auto& c = choices.back();
        QVERIFY(!c.backward && c.tiled_ms > 0 && c.sdpa_ms > 0);
        QCOMPARE(c.sdpa, c.sdpa_ms < (1.0 - srs::kernels::kSdpaMargin) * c.tiled_ms);
        QVERIFY(QString::fromStdString(c.describe()).contains(c.sdpa ? "SDPA" : "tiled"));
        const at::Tensor want = c.sdpa ? srs::kernels::sdpaCausalAttention(q, k, v, 0.25) : srs::kernels::causalAttention(q, k, v, 0.25);
        QVERIFY(at::equal(out, want));
        srs::kernels::measuredCausalAttention(q, k, v, 0.25);
        QCOMPARE(srs::kernels::attentionChoices().size(), before + 1);  // the same shape again: no new measurement
    }

    void badShapesAreRefused() {
        at::Tensor q = at::randn({1, 3, 5, 4}), k = at::randn({1, 2, 5, 4});
        QVERIFY_EXCEPTION_THROWN(srs::kernels::causalAttention(q, k, k, 1.0), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(srs::kernels::causalAttention(q.select(0, 0), k, k, 1.0), std::invalid_argument);
    }
};

QTEST_GUILESS_MAIN(TestAttention)
#include "test_attention.moc"
