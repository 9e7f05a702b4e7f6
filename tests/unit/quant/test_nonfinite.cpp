// Issue 20 (hostile input): NaN or infinity never passes through the SignRound tuner. A weight,
// input or target holding one is refused before tuning; a loss, a gradient of V / α / β or a
// scale that becomes one stops the block with an error naming the block, the layer where one is to
// blame, and what was not finite — on both kernel paths, with and without iterations; no
// non-finite loss ever reaches the per-iteration callback.
#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>

#include <cmath>
#include <limits>

#include "core/quant/nonfinite.h"
#include "core/quant/signround.h"

#include <QtTest>

using namespace srs::quant;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// Two linears with SiLU between, named as the block's layers would be.
struct Mlp {
    std::map<std::string, at::Tensor> w;
    at::Tensor x, y;
    BlockForward forward() const {
        auto weights = w;
        return [weights](const at::Tensor& x, const std::map<std::string, at::Tensor>& o) {
            auto pick = [&](const char* n) { return o.count(n) ? o.at(n) : weights.at(n); };
            return at::linear(at::silu(at::linear(x, pick("mlp.up_proj"))), pick("mlp.down_proj"));
        };
    }
};

Mlp makeMlp() {
    at::manual_seed(21);
    Mlp m;
    m.w["mlp.up_proj"] = at::randn({64, 32}) / std::sqrt(32.0);
    m.w["mlp.down_proj"] = at::randn({32, 64}) / 8.0;
    m.x = at::randn({8, 6, 32});
    at::NoGradGuard ng;
    m.y = m.forward()(m.x, {});
    return m;
}

const std::vector<LayerPlan> kPlan = {{"mlp.up_proj", {4, 32, true}}, {"mlp.down_proj", {4, 32, true}}};

// As the run's tune step names block 4.
TuneOptions options(int iters, KernelPath kernels = KernelPath::Fused) {
    TuneOptions opt;
    opt.iters = iters;
    opt.batch_size = 8;  // one micro-batch per iteration: training forward n is iteration n
    opt.kernels = kernels;
    opt.block_number = 4;
    opt.module_prefix = "model.layers.3.";
    return opt;
}

QString messageOf(const srs::Result<BlockTuneResult>& r) { return r.ok() ? QString("(no error)") : QString::fromStdString(r.error().message); }

}  // namespace

class TestNonFinite : public QObject {
    Q_OBJECT
private slots:
    void describesWhatIsNotFinite() {
        at::Tensor t = at::zeros({3, 4});
        QVERIFY(allFinite(t));
        QVERIFY(describeNonFinite(t).empty());
        t[1][2] = kNaN;
        t[2][0] = -kInf;
        QVERIFY(!allFinite(t));
        QCOMPARE(QString::fromStdString(describeNonFinite(t)), QString("1 NaN and 1 infinite value among 12 (the first at [1, 2])"));
        QVERIFY(!allFinite(t.to(at::kBFloat16)));
        at::Tensor only_inf = at::zeros({5});
        only_inf[3] = kInf;
        QCOMPARE(QString::fromStdString(describeNonFinite(only_inf)), QString("1 infinite value among 5 (the first at [3])"));
        QVERIFY(allFinite(at::Tensor()));
        QVERIFY(allFinite(at::full({2}, 3.0e38)));  // large is not infinite
        QCOMPARE(QString::fromStdString(formatValue(kNaN)), QString("NaN"));
        QCOMPARE(QString::fromStdString(formatValue(-kInf)), QString("-inf"));
    }

    void refusesANonFiniteWeight_data() {
        QTest::addColumn<int>("iters");
        QTest::addColumn<double>("value");
        QTest::newRow("NaN, SignRound") << 5 << kNaN;
        QTest::newRow("+inf, RTN (iters 0)") << 0 << kInf;
    }
    void refusesANonFiniteWeight() {
        QFETCH(int, iters);
        QFETCH(double, value);
        Mlp m = makeMlp();
        m.w["mlp.down_proj"][2][7] = value;
        int calls = 0;
        auto r = tuneBlock(m.forward(), m.w, m.x, m.y, kPlan, options(iters), [&](int, double, double) { ++calls; }, {});
        QVERIFY(!r.ok());
        const QString msg = messageOf(r);
        qInfo("%s", qPrintable(msg));
        QVERIFY2(msg.startsWith("block 4, layer model.layers.3.mlp.down_proj: its weight holds 1 "), qPrintable(msg));
        QVERIFY2(msg.contains(std::isnan(value) ? "NaN value" : "infinite value") && msg.contains("[2, 7]"), qPrintable(msg));
        QCOMPARE(calls, 0);  // refused before the first iteration
    }

    void refusesNonFiniteInputsAndTargets() {
        Mlp m = makeMlp();
        at::Tensor x = m.x.clone();
        x[3][1][0] = kInf;
        auto r = tuneBlock(m.forward(), m.w, x, m.y, kPlan, options(5), {}, {});
        QVERIFY2(messageOf(r).startsWith("block 4 (model.layers.3): the block's inputs hold 1 infinite value"), qPrintable(messageOf(r)));
        at::Tensor y = m.y.clone();
        y[0][0][5] = kNaN;
        r = tuneBlock(m.forward(), m.w, m.x, y, kPlan, options(0), {}, {});
        QVERIFY2(messageOf(r).contains("the tuning targets) hold 1 NaN value"), qPrintable(messageOf(r)));
    }

    // The loss of iteration 3 is NaN (the forward poisons its output from then on): the block
    // stops there, naming the iteration, and the callback saw only the two finite losses.
    void lossBecomingNanStopsTheBlock_data() {
        QTest::addColumn<int>("kernels");
        QTest::newRow("fused") << static_cast<int>(KernelPath::Fused);
        QTest::newRow("reference") << static_cast<int>(KernelPath::Reference);
    }
    void lossBecomingNanStopsTheBlock() {
        QFETCH(int, kernels);
        Mlp m = makeMlp();
        auto training_calls = std::make_shared<int>(0);
        BlockForward inner = m.forward();
        BlockForward poisoned = [inner, training_calls](const at::Tensor& x, const std::map<std::string, at::Tensor>& o) {
            at::Tensor out = inner(x, o);
            if (!at::GradMode::is_enabled()) return out;  // blockLoss (RTN, kept weights) runs without gradients
            return ++*training_calls >= 3 ? out * kNaN : out;
        };
        std::vector<double> seen;
        auto r = tuneBlock(poisoned, m.w, m.x, m.y, kPlan, options(10, static_cast<KernelPath>(kernels)),
                           [&](int, double loss, double) { seen.push_back(loss); }, {});
        QVERIFY(!r.ok());
        const QString msg = messageOf(r);
        qInfo("%s", qPrintable(msg));
        QVERIFY2(msg.startsWith("block 4 (model.layers.3): the loss became NaN at iteration 3 of 10"), qPrintable(msg));
        QVERIFY2(msg.contains("largest quantized weight magnitude") && msg.contains("layer model.layers.3.mlp."), qPrintable(msg));
        QCOMPARE(seen.size(), std::size_t(2));
        for (double l : seen) QVERIFY(std::isfinite(l));
    }

    // A forward whose value is unchanged but whose backward is infinite (d√u/du at u = 0): the
    // loss stays finite, the gradient of V does not, and the first step is refused.
    void infiniteGradientStopsTheBlock_data() { lossBecomingNanStopsTheBlock_data(); }
    void infiniteGradientStopsTheBlock() {
        QFETCH(int, kernels);
        Mlp m = makeMlp();
        BlockForward inner = m.forward();
        BlockForward steep = [inner](const at::Tensor& x, const std::map<std::string, at::Tensor>& o) {
            at::Tensor out = inner(x, o);
            auto it = o.find("mlp.up_proj");
            if (it == o.end() || !at::GradMode::is_enabled()) return out;
            const at::Tensor& w = it->second;
            return out + at::sqrt(w - w.detach()).sum();  // adds exactly 0
        };
        int calls = 0;
        auto r = tuneBlock(steep, m.w, m.x, m.y, kPlan, options(5, static_cast<KernelPath>(kernels)), [&](int, double, double) { ++calls; }, {});
        QVERIFY(!r.ok());
        const QString msg = messageOf(r);
        qInfo("%s", qPrintable(msg));
        QVERIFY2(msg.startsWith("block 4, layer model.layers.3.mlp.up_proj: the gradient of its rounding offsets V became non-finite at iteration 1 of 5"),
                 qPrintable(msg));
        QVERIFY2(msg.contains("infinite value") && msg.contains("the loss is finite"), qPrintable(msg));
        QCOMPARE(calls, 0);
    }

    // A finite weight too large for the float16 scales: round-to-nearest already gives an
    // infinite scale, refused before tuning, whichever the iterations.
    void scaleBeyondFloat16IsRefused_data() {
        QTest::addColumn<int>("iters");
        QTest::newRow("SignRound") << 5;
        QTest::newRow("RTN") << 0;
    }
    void scaleBeyondFloat16IsRefused() {
        QFETCH(int, iters);
        Mlp m = makeMlp();
        m.w["mlp.up_proj"][10][3] = 1.0e6;
        at::NoGradGuard ng;
        at::Tensor y = m.forward()(m.x, {});
        QVERIFY(allFinite(y));  // the full-precision block itself is fine
        auto r = tuneBlock(m.forward(), m.w, m.x, y, kPlan, options(iters), {}, {});
        QVERIFY(!r.ok());
        const QString msg = messageOf(r);
        qInfo("%s", qPrintable(msg));
        QVERIFY2(msg.startsWith("block 4, layer model.layers.3.mlp.up_proj: round-to-nearest gives a scale holding 1 infinite value among 64 (the first at [10, 0])"),
                 qPrintable(msg));
        QVERIFY2(msg.contains("float16"), qPrintable(msg));
    }

    // The same finite weights tune normally: the checks add no false alarm.
    void finiteBlockStillTunes() {
        Mlp m = makeMlp();
        for (KernelPath k : {KernelPath::Fused, KernelPath::Reference}) {
            auto r = tuneBlock(m.forward(), m.w, m.x, m.y, kPlan, options(20, k), {}, {});
            QVERIFY2(r.ok(), qPrintable(messageOf(r)));
            QVERIFY(std::isfinite(r->best_loss) && r->best_loss <= r->rtn_loss);
        }
    }
};

QTEST_GUILESS_MAIN(TestNonFinite)
#include "test_nonfinite.moc"
