// The fused CPU kernels against the plain LibTorch reference (core/quant/quant_math.cpp):
// dequantized weights equal bit for bit and the gradients of V, α and β to float tolerance, on
// random shapes with ragged last groups, bits 2, 3, 4, 8, sym and asym, groups −1 / 32 / 128,
// fp16 and fp32 scales, for every instruction-set variant this CPU runs; the fused SignSGD step
// equals the reference update; the oneDNN matmul and the measured-backend linear equal LibTorch's.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <cstdlib>
#include <random>

#include "core/quant/qdq_fused.h"
#include "core/quant/quant_math.h"
#include "kernels/cpu/onednn_matmul.h"
#include "kernels/cpu/qdq.h"
#include "kernels/linear.h"

#include <QProcess>
#include <QtTest>

using namespace srs::quant;

namespace {

struct Case {
    std::int64_t out, in;
    QuantScheme scheme;
    bool minmax;
};

struct Grads {
    at::Tensor deq, gv, ga, gb;
};

// Random tuned state as it looks mid-run: V in ±0.5, α / β in [0.5, 1].
struct State {
    at::Tensor w, v, a, b, gout;
};

State makeState(const Case& c, std::uint64_t seed) {
    at::manual_seed(seed);
    State s;
    s.w = at::randn({c.out, c.in}) * 0.02;
    // A few rows with a dominant positive or negative weight, and one all-zero group row.
    s.w.select(0, 0).fill_(0.0f);
    if (c.out > 2) s.w.select(0, 1).select(0, 0).fill_(0.5f);
    if (c.out > 3) s.w.select(0, 2).select(0, 0).fill_(-0.5f);
    const int gs = c.scheme.effectiveGroupSize(c.in);
    const std::int64_t R = c.out * c.scheme.groups(c.in);
    s.v = (at::rand({R, gs}) - 0.5);
    s.a = 0.5 + 0.5 * at::rand({R});
    s.b = 0.5 + 0.5 * at::rand({R});
    s.gout = at::randn({c.out, c.in});
    return s;
}

Grads run(const Case& c, const State& st, bool fused) {
    at::Tensor v = st.v.clone().requires_grad_(true);
    at::Tensor a = c.minmax ? st.a.clone().requires_grad_(true) : at::Tensor();
    at::Tensor b = c.minmax ? st.b.clone().requires_grad_(true) : at::Tensor();
    GroupRange range = groupRange(st.w, c.scheme);
    at::Tensor deq = fused ? quantDequantFused(st.w, c.scheme, range, v, a, b) : quantDequant(st.w, c.scheme, range, v, a, b).weight;
    (deq * st.gout).sum().backward();
    return {deq.detach(), v.grad(), c.minmax ? a.grad() : at::Tensor(), c.minmax ? b.grad() : at::Tensor()};
}

// |x − y| ≤ atol + rtol·|y| everywhere; reports the worst element.
bool close(const at::Tensor& x, const at::Tensor& y, double rtol, double atol, QString* why) {
    at::Tensor d = (x - y).abs(), lim = atol + rtol * y.abs();
    at::Tensor bad = d > lim;
    if (!bad.any().item<bool>()) return true;
    const std::int64_t i = bad.reshape(-1).nonzero().select(1, 0).select(0, 0).item<std::int64_t>();
    *why = QString("element %1: %2 vs %3 (%4 of %5 elements off)")
               .arg(i)
               .arg(x.reshape(-1)[i].item<double>(), 0, 'g', 9)
               .arg(y.reshape(-1)[i].item<double>(), 0, 'g', 9)
               .arg(bad.sum().item<std::int64_t>())
               .arg(x.numel());
    return false;
}

std::vector<Case> cases() {
    std::vector<Case> cs;
    std::mt19937 rng(7);
    const std::vector<std::pair<std::int64_t, std::int64_t>> shapes = {{8, 256}, {5, 300}, {16, 96}, {3, 33}, {12, 1000}};
    for (int bits : {2, 3, 4, 8})
        for (bool sym : {true, false})
            for (int gs : {-1, 32, 128}) {
                auto sh = shapes[rng() % shapes.size()];
                QuantScheme s;
                s.bits = bits;
                s.sym = sym;
                s.group_size = gs;
                s.fp16_scale = (rng() % 4) != 0;
                cs.push_back({sh.first, sh.second, s, (rng() % 5) != 0});
            }
    return cs;
}

QString label(const Case& c) {
    return QString("%1x%2 %3%4%5").arg(c.out).arg(c.in).arg(QString::fromStdString(c.scheme.name())).arg(c.scheme.fp16_scale ? "" : " fp32-scale").arg(c.minmax ? "" : " no-minmax");
}

}  // namespace

class TestQdqKernels : public QObject {
    Q_OBJECT
private:
    void compareAll() {
        int n = 0;
        for (const Case& c : cases()) {
            for (std::uint64_t seed : {1u, 2u}) {
                State st = makeState(c, seed + 100 * n);
                Grads ref = run(c, st, false), fused = run(c, st, true);
                QString why;
                // Forward: bit for bit.
                QVERIFY2(at::equal(fused.deq, ref.deq), qPrintable(label(c) + " forward differs"));
                // ∂V: the same products, no sums: exact.
                QVERIFY2(close(fused.gv, ref.gv, 0, 0, &why), qPrintable(label(c) + " dV " + why));
                if (c.minmax) {
                    // α / β: per-group sums in another order, relative to the group's gradient scale.
                    const double scale = (st.gout.abs().max().item<double>() + 1e-6) * 1e-5 * c.scheme.effectiveGroupSize(c.in);
                    QVERIFY2(close(fused.ga, ref.ga, 1e-3, scale, &why), qPrintable(label(c) + " dalpha " + why));
                    QVERIFY2(close(fused.gb, ref.gb, 1e-3, scale, &why), qPrintable(label(c) + " dbeta " + why));
                    // Where the reference gradient is clearly non-zero the sign (all SignSGD uses) agrees.
                    at::Tensor clear = ref.ga.abs() > 10 * scale;
                    QVERIFY(at::equal(fused.ga.sign().masked_select(clear), ref.ga.sign().masked_select(clear)));
                }
                ++n;
            }
        }
        QVERIFY(n >= 48);
    }

private slots:
    void isaIsReported() {
        const QString isa = srs::kernels::qdqIsa();
        QVERIFY2(isa == "avx512" || isa == "avx2" || isa == "scalar", qPrintable(isa));
        qInfo("qdq kernels: %s", qPrintable(isa));
    }

    void fusedEqualsReference() { compareAll(); }

    void everyVariantOnThisCpuAgrees() {
        // The variant is picked once per process, so the lower ones run in child processes.
        if (qEnvironmentVariableIsSet("SRS_QDQ_ISA")) QSKIP("already a forced-variant child");
        for (const char* isa : {"scalar", "avx2"}) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("SRS_QDQ_ISA", isa);
            p.setProcessEnvironment(env);
            p.start(QCoreApplication::applicationFilePath(), {"fusedEqualsReference", "isaIsReported"});
            QVERIFY(p.waitForFinished(240000));
            const QString out = QString::fromUtf8(p.readAllStandardOutput());
            QVERIFY2(p.exitCode() == 0, qPrintable(QString(isa) + ":\n" + out));
            const bool have = QString(isa) == "scalar" || __builtin_cpu_supports("avx2");
            if (have) QVERIFY2(out.contains(QString("qdq kernels: ") + isa), qPrintable(out));
        }
    }

    void hugeScaleGradientsSaturateInsteadOfOverflowing() {
        // A scale gradient beyond fp16's range (a real model's massive activations give them: the
        // first block of SmolLM2-135M) must cross the fp16 cast saturated at ±65504, keeping its
        // sign for SignSGD, in both paths: never ±inf, which the run takes for an overflow.
        for (bool sym : {true, false}) {
            QuantScheme sc;
            sc.bits = 8;
            sc.sym = sym;
            sc.group_size = 32;
            sc.fp16_scale = true;
            const Case c{4, 64, sc, true};
            State st = makeState(c, 11);
            st.gout = st.gout * 1e9;
            Grads ref = run(c, st, false), fused = run(c, st, true);
            for (const Grads* g : {&ref, &fused}) {
                QVERIFY2(at::isfinite(g->ga).all().item<bool>() && at::isfinite(g->gb).all().item<bool>(), sym ? "sym" : "asym");
                QVERIFY(g->ga.abs().max().item<double>() > 0.0);
            }
            QVERIFY(at::equal(fused.ga.sign(), ref.ga.sign()));
            QVERIFY(at::equal(fused.gb.sign(), ref.gb.sign()));
        }
    }

    void withoutParametersIsRtn() {
        QuantScheme s{4, 32, false};
        at::manual_seed(3);
        at::Tensor w = at::randn({6, 70});
        GroupRange r = groupRange(w, s);
        QVERIFY(at::equal(quantDequantFused(w, s, r), quantDequant(w, s, r).weight));
    }

    void signSgdStepEqualsReference() {
        at::manual_seed(4);
        for (bool clamp : {false, true}) {
            at::Tensor p = at::rand({5000}) * 1.2 - 0.1, g = at::randn({5000});
            g.narrow(0, 0, 10).zero_();
            at::Tensor expect = p - g.sign() * 0.0125;
            if (clamp) expect = expect.clamp(0.0, 1.0);
            at::Tensor leaf = p.clone().requires_grad_(true);
            leaf.mutable_grad() = g.clone();
            signSgdStepFused(leaf, 0.0125, clamp);
            QVERIFY(at::equal(leaf.detach(), expect));
            QVERIFY(leaf.grad().eq(0).all().item<bool>());
        }
    }

    void onednnMatmulEqualsLibTorch() {
        at::manual_seed(5);
        for (auto dt : {at::kFloat, at::kBFloat16}) {
            at::Tensor a = at::randn({37, 64}).to(dt), b = at::randn({50, 64}).to(dt), c = at::randn({37, 50}).to(dt);
            const double tol = dt == at::kFloat ? 1e-4 : 5e-2;
            QVERIFY(at::allclose(srs::kernels::onednnMatmul(a, b.t()).to(at::kFloat), at::mm(a, b.t()).to(at::kFloat), tol, tol));
            QVERIFY(at::allclose(srs::kernels::onednnMatmul(c, b).to(at::kFloat), at::mm(c, b).to(at::kFloat), tol, tol));
            QVERIFY(at::allclose(srs::kernels::onednnMatmul(c.t(), a).to(at::kFloat), at::mm(c.t(), a).to(at::kFloat), tol, tol));
        }
    }

    void onednnInt8MatmulIsExact() {
        at::manual_seed(7);
        at::Tensor a = at::randint(0, 256, {33, 70}, at::kByte), b = at::randint(-128, 128, {70, 45}, at::kChar);
        at::Tensor c = srs::kernels::onednnMatmul(a, b);
        QCOMPARE(c.scalar_type(), at::kInt);
        QVERIFY(c.to(at::kDouble).equal(at::mm(a.to(at::kDouble), b.to(at::kDouble))));
        QVERIFY(srs::kernels::onednnMatmul(a, b.t().contiguous().t()).equal(c));  // column-major B
        QVERIFY_EXCEPTION_THROWN(srs::kernels::onednnMatmul(a, b.to(at::kFloat)), std::invalid_argument);
        QVERIFY_EXCEPTION_THROWN(srs::kernels::onednnMatmul(a, b.to(at::kByte)), std::invalid_argument);
    }

    void measuredLinearEqualsAtLinear() {
        at::manual_seed(6);
        for (auto dt : {at::kFloat, at::kBFloat16}) {
            at::Tensor x0 = at::randn({2, 9, 48}).to(dt), w0 = at::randn({40, 48}).to(dt), b0 = at::randn({40}).to(dt);
            at::Tensor gy = at::randn({2, 9, 40}).to(dt);
            auto grads = [&](bool fast) {
                at::Tensor x = x0.clone().requires_grad_(true), w = w0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
                srs::kernels::FastLinearScope scope(fast);
                at::Tensor y = srs::kernels::linear(x, w, b);
                y.backward(gy);
                return std::vector<at::Tensor>{y.detach().to(at::kFloat), x.grad().to(at::kFloat), w.grad().to(at::kFloat), b.grad().to(at::kFloat)};
            };
            auto ref = grads(false), fast = grads(true);
            const double tol = dt == at::kFloat ? 1e-4 : 6e-2;
            for (int i = 0; i < 4; ++i) QVERIFY2(at::allclose(fast[i], ref[i], tol, tol), qPrintable(QString("output/grad %1").arg(i)));
        }
        const auto choices = srs::kernels::linearChoices();
        QVERIFY(choices.size() >= 2);
        QVERIFY2(QString::fromStdString(choices.front().describe()).startsWith("linear 18x48->40 float32: forward "),
                 qPrintable(QString::fromStdString(choices.front().describe())));
    }
};

QTEST_GUILESS_MAIN(TestQdqKernels)
#include "test_qdq_kernels.moc"
