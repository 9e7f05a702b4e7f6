// core/common/numeric_cast.h: the explicit conversions that replace implicit narrowing. Range
// checks at each edge of each type pair, clamping, and reals saturating (NaN, ±inf, 2^63) instead
// of the undefined behaviour of a plain cast.
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <limits>

#include "core/common/numeric_cast.h"

using namespace srs::num;

class TestNumericCast : public QObject {
    Q_OBJECT
private slots:
    void integerRanges() {
        const std::int64_t big = std::int64_t(1) << 40;
        QVERIFY(!inRange<int>(big));
        QVERIFY(!inRange<int>(-big));
        QVERIFY(inRange<int>(std::int64_t(2147483647)));
        QVERIFY(!inRange<int>(std::int64_t(2147483648LL)));
        QVERIFY(inRange<int>(std::int64_t(-2147483648LL)));
        QVERIFY(!inRange<int>(std::int64_t(-2147483649LL)));
        QVERIFY(!inRange<int>(4294967300ULL));  // the --bits 4294967300 of issue 20: not 4
        QVERIFY(!inRange<unsigned>(-1));
        QVERIFY(inRange<std::uint8_t>(255));
        QVERIFY(!inRange<std::uint8_t>(256));
        QVERIFY(!inRange<std::int64_t>(std::numeric_limits<std::uint64_t>::max()));
        QVERIFY(inRange<std::uint64_t>(std::int64_t(7)));
        QVERIFY(!inRange<std::uint64_t>(std::int64_t(-7)));
        QCOMPARE(fitsIn<int>(std::int64_t(42)), std::optional<int>(42));
        QVERIFY(!fitsIn<int>(big).has_value());
    }
    void clamping() {
        QCOMPARE(clampTo<int>(std::int64_t(1) << 40), std::numeric_limits<int>::max());
        QCOMPARE(clampTo<int>(-(std::int64_t(1) << 40)), std::numeric_limits<int>::min());
        QCOMPARE(clampTo<unsigned>(-3), 0u);
        QCOMPARE(clampTo<int>(qsizetype(17)), 17);
    }
    void realsSaturate() {
        const double inf = std::numeric_limits<double>::infinity();
        QCOMPARE(saturate<std::int64_t>(1e30), std::numeric_limits<std::int64_t>::max());
        QCOMPARE(saturate<std::int64_t>(-1e30), std::numeric_limits<std::int64_t>::min());
        QCOMPARE(saturate<std::int64_t>(inf), std::numeric_limits<std::int64_t>::max());
        QCOMPARE(saturate<std::int64_t>(-inf), std::numeric_limits<std::int64_t>::min());
        QCOMPARE(saturate<std::int64_t>(std::nan("")), std::int64_t(0));
        QCOMPARE(saturate<std::int64_t>(9223372036854775808.0), std::numeric_limits<std::int64_t>::max());  // 2^63
        QCOMPARE(saturate<int>(2147483647.9), 2147483647);
        QCOMPARE(saturate<int>(-2.9), -2);  // toward zero, as a cast
        QCOMPARE(saturate<std::uint32_t>(-1.0), 0u);
        QCOMPARE(real(std::int64_t(1) << 53), 9007199254740992.0);
    }
};

QTEST_GUILESS_MAIN(TestNumericCast)
#include "test_numeric_cast.moc"
