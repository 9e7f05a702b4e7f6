// The fused block ops (kernels/block_ops.h) against the plain LibTorch composition they replace,
// in float32 and bfloat16: RMS norm (residual rows and q/k head rows), rope alone and after the
// norm, SwiGLU; values and gradients. Then a whole decoder block (llama with grouped heads and
// biases, qwen3 with q/k norms) forward and backward with the kernels path on and off.
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/io/weight_source.h"
#include "core/model/llama_model.h"
#include "kernels/attention_choice.h"
#include "kernels/block_ops.h"
#include "kernels/linear.h"
#include "tests/support/tiny_model.h"

namespace {

at::Tensor refNorm(const at::Tensor& x, const at::Tensor& w, double eps) { return srs::model::rmsNorm(x, w, eps); }

at::Tensor refRope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
    auto h = x.chunk(2, -1);
    at::Tensor rot = at::cat({-h[1], h[0]}, -1);
    return x * cos.to(x.scalar_type()) + rot * sin.to(x.scalar_type());
}

double relErr(const at::Tensor& a, const at::Tensor& ref) {
    return (a.to(at::kFloat) - ref.to(at::kFloat)).abs().max().item<double>() / std::max(1e-12, ref.to(at::kFloat).abs().max().item<double>());
}

// Output and input gradient of f on a fresh leaf copy of x0 with upstream gradient g.
std::pair<at::Tensor, at::Tensor> outAndGrad(const at::Tensor& x0, const at::Tensor& g, const std::function<at::Tensor(const at::Tensor&)>& f) {
    at::Tensor x = x0.clone().requires_grad_(true);
    at::Tensor y = f(x);
    y.backward(g);
    return {y.detach(), x.grad()};
}

std::pair<at::Tensor, at::Tensor> cosSin(std::int64_t T, std::int64_t D) {
    at::Tensor pos = at::arange(T, at::kFloat).unsqueeze(1);
    at::Tensor inv = 1.0 / at::pow(10000.0, at::arange(0, D, 2, at::kFloat) / static_cast<double>(D));
    at::Tensor f = pos * inv;
    at::Tensor e = at::cat({f, f}, -1);
    return {e.cos(), e.sin()};
}

}  // namespace

class TestBlockOps : public QObject {
    Q_OBJECT
private slots:
    void normAndRopeEqualTheComposition_data() {
        QTest::addColumn<bool>("bf16");
        QTest::addColumn<bool>("norm");
        QTest::addColumn<bool>("rope");
        for (bool bf16 : {false, true}) {
            const char* dt = bf16 ? "bf16" : "f32";
            QTest::addRow("norm %s", dt) << bf16 << true << false;
            QTest::addRow("rope %s", dt) << bf16 << false << true;
            QTest::addRow("norm then rope %s", dt) << bf16 << true << true;
        }
    }

    void normAndRopeEqualTheComposition() {
        QFETCH(bool, bf16);
        QFETCH(bool, norm);
        QFETCH(bool, rope);
        const at::ScalarType dt = bf16 ? at::kBFloat16 : at::kFloat;
        const std::int64_t B = 2, T = 9, heads = 3, D = 16;
        at::manual_seed(3);
        // Head rows [B, T, heads·D] when rope is on; residual rows [B, T, 40] otherwise.
        const std::int64_t width = rope ? heads * D : 40, row = rope ? D : width;
        at::Tensor x0 = (at::randn({B, T, width}) * 3).to(dt), g = at::randn({B, T, width}).to(dt);
        at::Tensor w = norm ? 0.5 + at::rand({row}) : at::Tensor();
        auto [cos, sin] = cosSin(T, D);
        const double eps = 1e-6;
        auto fused = outAndGrad(x0, g, [&](const at::Tensor& x) {
            return rope ? srs::kernels::rmsNormRope(x, w, eps, cos, sin) : srs::kernels::rmsNormRope(x, w, eps);
        });
        auto ref = outAndGrad(x0, g, [&](const at::Tensor& x) {
            if (!rope) return refNorm(x, w, eps);
            // As the block: heads as their own dimension, [B, heads, T, D].
            at::Tensor h = x.view({B, T, heads, D}).transpose(1, 2);
            if (norm) h = refNorm(h, w, eps);
            return refRope(h, cos, sin).transpose(1, 2).reshape({B, T, heads * D});
        });
        const double vtol = bf16 ? 1e-2 : 1e-6, gtol = bf16 ? 2e-2 : 1e-5;
        const double ev = relErr(fused.first, ref.first), eg = relErr(fused.second, ref.second);
        QVERIFY2(ev < vtol, qPrintable(QString("values: relative error %1").arg(ev)));
        QVERIFY2(eg < gtol, qPrintable(QString("gradient: relative error %1").arg(eg)));
        // In bfloat16 the forward rounds where the reference rounds: nearly every element is
        // bit-identical (float32 differs in the last bits through the norm's summation order).
        if (!bf16) return;
        const double same = fused.first.eq(ref.first).to(at::kFloat).mean().item<double>();
        QVERIFY2(same > 0.95, qPrintable(QString("identical elements: %1").arg(same)));
    }

    void swigluEqualsTheComposition() {
        for (auto dt : {at::kFloat, at::kBFloat16}) {
            at::manual_seed(4);
            at::Tensor g0 = (at::randn({3, 5, 70}) * 4).to(dt), u0 = at::randn({3, 5, 70}).to(dt), gy = at::randn({3, 5, 70}).to(dt);
            auto run = [&](bool fused) {
                at::Tensor g = g0.clone().requires_grad_(true), u = u0.clone().requires_grad_(true);
                at::Tensor y = fused ? srs::kernels::swiglu(g, u) : at::silu(g) * u;
                y.backward(gy);
                return std::vector<at::Tensor>{y.detach(), g.grad(), u.grad()};
            };
            auto a = run(true), r = run(false);
            const double tol = dt == at::kFloat ? 1e-5 : 2e-2;
            for (int i = 0; i < 3; ++i) {
                const double e = relErr(a[i], r[i]);
                QVERIFY2(e < tol, qPrintable(QString("%1 tensor %2: relative error %3").arg(dt == at::kFloat ? "f32" : "bf16").arg(i).arg(e)));
            }
        }
    }

    void badArgumentsAreRefused() {
        at::Tensor x = at::randn({2, 3, 10});
        QVERIFY_EXCEPTION_THROWN(srs::kernels::rmsNormRope(x, at::ones({4}), 1e-6), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(srs::kernels::rmsNormRope(x, at::Tensor(), 1e-6), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(srs::kernels::swiglu(x, at::randn({2, 3, 9})), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(srs::kernels::swiglu(x.to(at::kDouble), x.to(at::kDouble)), std::invalid_argument);
    }

    // The whole block as tuning runs it: forward, loss, backward into the (float32) weights.
    void decoderBlockAgreesWithKernelsOnAndOff_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("bf16");
        for (bool bf16 : {false, true}) {
            QTest::addRow("llama %s", bf16 ? "bf16" : "f32") << "llama" << bf16;
            QTest::addRow("qwen2 %s", bf16 ? "bf16" : "f32") << "qwen2" << bf16;
            QTest::addRow("qwen3 %s", bf16 ? "bf16" : "f32") << "qwen3" << bf16;
        }
    }

    void decoderBlockAgreesWithKernelsOnAndOff() {
        QFETCH(QString, type);
        QFETCH(bool, bf16);
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.hidden = 64;
        spec.intermediate = 96;
        spec.heads = 4;
        spec.kv_heads = 2;
        spec.model_type = type;
        spec.qkv_bias = type == "qwen2";
        spec.qk_norm = type == "qwen3";
        srs::test::writeTinyModel(dir.path(), spec);
        auto src = srs::io::openWeightSource(dir.path().toStdString());
        QVERIFY2(src.ok(), src ? "" : src.error().message.c_str());
        const at::ScalarType dt = bf16 ? at::kBFloat16 : at::kFloat;
        auto block = srs::model::DecoderBlock::load(**src, 0, dt);
        QVERIFY(block.ok());
        const std::int64_t T = 300;  // two attention tiles, the second ragged
        srs::model::Rope rope((*src)->config());
        auto [cos, sin] = rope.cosSin(at::arange(T, at::kLong));
        at::manual_seed(9);
        at::Tensor x = at::randn({2, T, spec.hidden}).to(dt), target = at::randn({2, T, spec.hidden});
        auto run = [&](bool fast) {
            srs::kernels::FastLinearScope scope(fast);
            std::map<std::string, at::Tensor> ws;
            for (const auto& n : srs::model::blockLinearNames()) ws[n] = (*block)->weight(n).to(at::kFloat).detach().requires_grad_(true);
            std::map<std::string, at::Tensor> over;
            for (auto& [n, w] : ws) over[n] = w.to(dt);
            at::Tensor y = (*block)->forward(x, cos, sin, &over);
            (y.to(at::kFloat) - target).pow(2).mean().backward();
            std::vector<at::Tensor> out{y.detach().to(at::kFloat)};
            for (auto& [n, w] : ws) out.push_back(w.grad());
            return out;
        };
        auto off = run(false);
        const double tol = bf16 ? 3e-2 : 1e-5;
        // The kernels path with each attention backend the measured choice can take.
        for (auto backend : {srs::kernels::AttentionBackend::Tiled, srs::kernels::AttentionBackend::Sdpa}) {
            srs::kernels::setAttentionBackend(backend);
            auto on = run(true);
            srs::kernels::setAttentionBackend(srs::kernels::AttentionBackend::Measured);
            const char* name = backend == srs::kernels::AttentionBackend::Tiled ? "tiled" : "SDPA";
            for (std::size_t i = 0; i < on.size(); ++i) {
                const double e = relErr(on[i], off[i]);
                QVERIFY2(e < tol, qPrintable(QString("%1 attention, %2 %3: relative error %4")
                                                 .arg(name, i == 0 ? "output" : "weight gradient")
                                                 .arg(i)
                                                 .arg(e)));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestBlockOps)
#include "test_block_ops.moc"
