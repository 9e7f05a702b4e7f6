// The tuner on its reference path (`--kernels reference`: the quant-dequant through autograd and
// SignSGD in ATen ops), which test_signround does not take (TuneOptions defaults to the fused
// kernels): it beats round-to-nearest by the same margin, its losses fall from the RTN loss, it
// starts where the fused path starts (the same sample order, the same RTN forward) and ends within
// 5 % of where the fused path ends. A step in the wrong direction (p += lr·sign(g)) or a step that does
// not move V / α / β fails here (tools/mutants.txt: quant-signsgd-ascent).
#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>

#include "core/quant/signround.h"
#include "mlp_block.h"

#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace srs::quant;

namespace {

using srs::test::Mlp;
using srs::test::makeMlp;

double meanOf(const std::vector<double>& v, std::size_t from, std::size_t to) {
    return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to), 0.0) /
           static_cast<double>(to - from);
}

}  // namespace

class TestSignRoundReference : public QObject {
    Q_OBJECT
private slots:
    void referencePathTunes_data() {
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("sym");
        QTest::addColumn<bool>("minmax");
        QTest::newRow("W2G32 sym") << 2 << true << true;
        QTest::newRow("W4G32 sym, V only") << 4 << true << false;
        QTest::newRow("W3G32 asym") << 3 << false << true;
    }
    void referencePathTunes() {
        QFETCH(int, bits);
        QFETCH(bool, sym);
        QFETCH(bool, minmax);
        Mlp m = makeMlp(64, 128, 3);
        at::Tensor x = at::randn({32, 12, 64});
        at::Tensor y;
        {
            at::NoGradGuard ng;
            y = m.forward()(x, {});
        }
        const std::vector<LayerPlan> plan = {{"up", {bits, 32, sym}}, {"down", {bits, 32, sym}}};
        TuneOptions opt;
        opt.iters = 100;
        opt.enable_minmax_tuning = minmax;
        opt.kernels = KernelPath::Reference;
        auto ref = tuneBlock(m.forward(), m.w, x, y, plan, opt, {}, {});
        QVERIFY2(ref.ok(), ref.ok() ? "" : ref.error().message.c_str());
        opt.kernels = KernelPath::Fused;
        auto fused = tuneBlock(m.forward(), m.w, x, y, plan, opt, {}, {});
        QVERIFY2(fused.ok(), fused.ok() ? "" : fused.error().message.c_str());

        const auto& losses = ref->minibatch_losses;
        QCOMPARE(losses.size(), std::size_t(100));
        const QString figures = QString("rtn %1, reference best %2 (iteration %3), fused best %4, reference first / last-10 mean %5 / %6")
                                    .arg(ref->rtn_loss)
                                    .arg(ref->best_loss)
                                    .arg(ref->best_iter)
                                    .arg(fused->best_loss)
                                    .arg(losses.front())
                                    .arg(meanOf(losses, 90, 100));
        qInfo().noquote() << figures;
        // The same RTN start and the same first mini-batch on both paths.
        QCOMPARE(ref->rtn_loss, fused->rtn_loss);
        QVERIFY2(std::abs(losses.front() - fused->minibatch_losses.front()) <= 1e-6 * losses.front(), qPrintable(figures));
        // Tuning lowers the loss: the kept result beats RTN by 5 %, as the fused path must, and the
        // last iterations are well below the first (which is RTN itself: V = 0, α = β = 1).
        QVERIFY2(ref->best_loss < ref->rtn_loss * 0.95, qPrintable(figures));
        QVERIFY2(ref->best_iter > 0, qPrintable(figures));
        QVERIFY2(meanOf(losses, 90, 100) < losses.front() * 0.95, qPrintable(figures));
        // Both paths reach the same loss within 5 % (equal on the machine this was written on; their
        // gradients agree to float tolerance, not bit for bit, so sign steps may part where a
        // gradient is nearly zero).
        QVERIFY2(ref->best_loss < fused->best_loss * 1.05 && fused->best_loss < ref->best_loss * 1.05, qPrintable(figures));
        for (const auto& l : ref->layers) {
            QVERIFY(l.stats.flipped_fraction > 0.0);
            QVERIFY(l.stats.flipped_fraction < 0.5);
        }
    }
};

QTEST_GUILESS_MAIN(TestSignRoundReference)
#include "test_signround_reference.moc"
