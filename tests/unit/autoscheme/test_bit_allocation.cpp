// The bit allocator against brute force on random instances (the known optimum), AutoRound's cost
// formula, target bounds and the layer_config it produces.
#include <QtTest>

#include <random>

#include "core/quant/autoscheme/bit_allocation.h"

using namespace srs::quant::autoscheme;

namespace {

struct Brute {
    double loss = 1e300;
    std::int64_t bits = 0;
    std::vector<int> choice;
};

void bruteForce(const std::vector<AllocationUnit>& units, const std::vector<SchemeOption>& opts, std::int64_t budget, std::size_t u,
                std::int64_t bits, double loss, std::vector<int>& choice, Brute& best) {
    if (bits > budget) return;
    if (u == units.size()) {
        if (loss < best.loss - 1e-12 || (std::abs(loss - best.loss) <= 1e-12 && bits < best.bits)) best = {loss, bits, choice};
        return;
    }
    for (std::size_t o = 0; o < opts.size(); ++o) {
        std::int64_t c = 0;
        for (const auto& l : units[u].layers) c += layerCostBits(l, opts[o], false);
        choice[u] = static_cast<int>(o);
        bruteForce(units, opts, budget, u + 1, bits + c, loss + units[u].loss[o], choice, best);
    }
}

}  // namespace

class TestBitAllocation : public QObject {
    Q_OBJECT
private slots:
    void costFormulaMatchesAutoRound() {
        LayerShape l{"x", 256, 1024};
        auto w4 = *parseSchemeOption("W4A16");
        // 4 bits + (16 scale + 4 zero) / 128 per weight = 4.15625
        QCOMPARE(static_cast<double>(layerCostBits(l, w4, false)) / l.params(), 4.15625);
        QCOMPARE(layerCostBits(l, w4, true), 4 * l.params());
        auto g64 = *parseSchemeOption("W2A16G64");
        QVERIFY(g64.scheme.has_value());
        QCOMPARE(g64.scheme->bits, 2);
        QCOMPARE(g64.scheme->group_size, 64);
        QCOMPARE(static_cast<double>(layerCostBits(l, g64, false)) / l.params(), 2.0 + 18.0 / 64);
        QCOMPARE(layerCostBits(l, *parseSchemeOption("BF16"), false), 16 * l.params());
        QVERIFY(!parseSchemeOption("W5A16").ok());
        QVERIFY(!parseSchemeOption("Q4").ok());
        auto list = parseSchemeOptions("W2A16G64, W4A16,W4A16G128,W8A16");
        QVERIFY(list.ok());
        QCOMPARE(list->size(), size_t(3));  // W4A16 and W4A16G128 are the same scheme
    }

    void matchesBruteForceOnRandomInstances() {
        std::mt19937 rng(1234);
        auto opts = *parseSchemeOptions("W2A16G64,W3A16,W4A16,W8A16,BF16");
        for (int trial = 0; trial < 40; ++trial) {
            std::vector<AllocationUnit> units;
            int n = 3 + trial % 5;
            for (int u = 0; u < n; ++u) {
                AllocationUnit unit;
                int out = 64 * (1 + rng() % 4), in = 128 * (1 + rng() % 3);
                unit.layers.push_back({"model.layers." + std::to_string(u) + ".mlp.up_proj", out, in});
                double s = std::uniform_real_distribution<double>(0.1, 5.0)(rng);
                for (const auto& o : opts) unit.loss.push_back(o.full_precision() ? 0.0 : s * std::pow(2.0, -1.7 * o.scheme->bits));
                units.push_back(unit);
            }
            double target = std::uniform_real_distribution<double>(2.6, 7.5)(rng);
            auto r = allocateBits(units, opts, target);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            QVERIFY(r->total_bits <= r->budget_bits);
            QVERIFY(r->avg_bits() <= target + 1e-12);
            Brute best;
            std::vector<int> choice(units.size());
            bruteForce(units, opts, r->budget_bits, 0, 0, 0.0, choice, best);
            QVERIFY(std::abs(best.loss - r->total_loss) <= 1e-9 * std::max(1.0, best.loss));
        }
    }

    void spendsTheBudgetWhereItHelpsMost() {
        // Two equal layers; one is 100x more sensitive. At 6 average bits with W4 and W8 options,
        // the sensitive layer gets 8 bits and the other 4.
        auto opts = *parseSchemeOptions("W4A16,W8A16");
        std::vector<AllocationUnit> units(2);
        units[0].layers = {{"a", 128, 128}};
        units[0].loss = {1.0, 0.06};
        units[1].layers = {{"b", 128, 128}};
        units[1].loss = {100.0, 6.0};
        auto r = allocateBits(units, opts, 6.3);
        QVERIFY(r.ok());
        QCOMPARE(r->choice, (std::vector<int>{0, 1}));
        auto lc = toLayerConfig(units, opts, *r);
        QCOMPARE(lc["a"]["bits"].get<int>(), 4);
        QCOMPARE(lc["b"]["bits"].get<int>(), 8);
        QCOMPARE(lc["b"]["group_size"].get<int>(), 128);
        // Tied units take one scheme together.
        std::vector<AllocationUnit> tied(1);
        tied[0].layers = {{"q", 128, 128}, {"k", 64, 128}};
        tied[0].loss = {3.0, 1.0};
        auto t = allocateBits(tied, opts, 8.1875);  // exactly W8A16 G128 with its scale and zero bits
        QVERIFY(t.ok());
        auto tlc = toLayerConfig(tied, opts, *t);
        QCOMPARE(tlc["q"]["bits"].get<int>(), 8);
        QCOMPARE(tlc["k"]["bits"].get<int>(), 8);
    }

    void targetsOutOfReachAreErrors() {
        auto opts = *parseSchemeOptions("W4A16,W8A16");
        std::vector<AllocationUnit> units(1);
        units[0].layers = {{"a", 128, 128}};
        units[0].loss = {1.0, 0.5};
        auto low = allocateBits(units, opts, 3.0);
        QVERIFY(!low.ok());
        QVERIFY(QString::fromStdString(low.error().message).contains("below"));
        auto high = allocateBits(units, opts, 12.0);
        QVERIFY(!high.ok());
        QVERIFY(QString::fromStdString(high.error().message).contains("above"));
        units[0].loss = {1.0};
        QVERIFY(!allocateBits(units, opts, 6.0).ok());
    }

    void scalesToAModelSizedProblem() {
        // 36 blocks x 7 layers, 4 options: the frontier stays small enough to be instant.
        auto opts = *parseSchemeOptions("W2A16G64,W4A16,W8A16,BF16");
        std::vector<AllocationUnit> units;
        std::mt19937 rng(5);
        for (int b = 0; b < 36; ++b)
            for (int l = 0; l < 7; ++l) {
                AllocationUnit u;
                u.layers = {{"l" + std::to_string(b * 7 + l), 1024 * (1 + l % 3), 1024}};
                double s = std::uniform_real_distribution<double>(0.5, 2.0)(rng);
                for (const auto& o : opts) u.loss.push_back(o.full_precision() ? 0 : s / (o.scheme->bits * o.scheme->bits));
                units.push_back(u);
            }
        QElapsedTimer t;
        t.start();
        auto r = allocateBits(units, opts, 3.0);
        QVERIFY(r.ok());
        QVERIFY(r->avg_bits() <= 3.0 && r->avg_bits() > 2.9);
        qInfo("252 units: %zu states explored in %lld ms", r->states_explored, static_cast<long long>(t.elapsed()));
    }
};

QTEST_GUILESS_MAIN(TestBitAllocation)
#include "test_bit_allocation.moc"
