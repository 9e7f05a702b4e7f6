// kernels/cpu/fast_math.h: fastExp against std::exp over its whole range (relative error below
// 7.2e-8·(1 + |x|) as documented), its limits (0 below −87.3, +inf above 88.7) and its special values: NaN
// stays NaN (before, NaN went through an undefined float-to-int conversion and a left shift of a
// negative number, which UndefinedBehaviorSanitizer reported), ±inf give +inf and 0.
#include <QtTest>

#include <cmath>
#include <limits>

#include "kernels/cpu/fast_math.h"

using srs::kernels::fastExp;

class TestFastMath : public QObject {
    Q_OBJECT
private slots:
    void matchesExpOverItsRange() {
        double worst = 0;
        float worst_at = 0;
        for (float x = -87.0f; x <= 88.3f; x += 0.00137f) {
            const double want = std::exp(static_cast<double>(x));
            const double rel = std::abs(static_cast<double>(fastExp(x)) - want) / want / (1.0 + std::abs(static_cast<double>(x)));
            if (rel > worst) {
                worst = rel;
                worst_at = x;
            }
        }
        QVERIFY2(worst < 7.2e-8, qPrintable(QString("relative error %1·(1 + |x|) at x = %2").arg(worst).arg(worst_at)));
    }
    void limitsAndSpecialValues() {
        const float inf = std::numeric_limits<float>::infinity();
        QCOMPARE(fastExp(-88.0f), 0.0f);
        QCOMPARE(fastExp(-inf), 0.0f);
        QCOMPARE(fastExp(89.0f), inf);
        QCOMPARE(fastExp(inf), inf);
        QCOMPARE(fastExp(0.0f), 1.0f);
        QVERIFY(std::isnan(fastExp(std::numeric_limits<float>::quiet_NaN())));
        QVERIFY(std::isnan(fastExp(-std::numeric_limits<float>::quiet_NaN())));
    }
};

QTEST_GUILESS_MAIN(TestFastMath)
#include "test_fast_math.moc"
