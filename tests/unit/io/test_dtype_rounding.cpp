// float16 / bfloat16 conversions (core/io/dtype.h) checked exhaustively against IEEE 754 worked
// out independently here: every one of the 65536 bit patterns of each type decodes to the value
// its fields give, comes back unchanged through the float, and the float exactly halfway
// between two neighbours rounds to the even one (on both sides of zero, subnormals, the largest
// finite value and overflow included) while the floats one ulp either side of it round to the
// nearer. A rounding that sends ties down or away, or an exponent off by one in some range, fails
// here (tools/mutants.txt: io-bf16-ties-down, io-fp16-ties-away, io-fp16-subnormal-exponent);
// test_safetensors' edge cases alone let a bfloat16 tie-to-zero through.
#include <QtTest>

#include <cmath>
#include <cstring>

#include "core/io/dtype.h"

using namespace srs::io;

namespace {

std::uint32_t bitsOf(float f) {
    std::uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}
float floatOf(std::uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}

// The value of a float16 bit pattern from its fields (NaN for a NaN).
double halfValue(std::uint16_t h) {
    const int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    const double sign = (h & 0x8000) ? -1.0 : 1.0;
    if (exp == 31) return mant ? std::nan("") : sign * INFINITY;
    return sign * (exp == 0 ? std::ldexp(mant, -24) : std::ldexp(1024 + mant, exp - 25));
}

// Collects the first few mismatches of a sweep, so one QVERIFY reports them all.
struct Mismatches {
    int count = 0;
    QString first;
    void add(const QString& what) {
        if (count++ < 5) first += what + "\n";
    }
    QString report() const { return QString("%1 mismatches, the first:\n%2").arg(count).arg(first); }
};

QString hex(std::uint32_t v) { return QString("0x%1").arg(v, 4, 16, QChar('0')); }

}  // namespace

class TestDtypeRounding : public QObject {
    Q_OBJECT
private slots:
    void halfDecodesAndRoundTripsEveryPattern() {
        Mismatches bad;
        for (std::uint32_t h = 0; h <= 0xffff; ++h) {
            const double want = halfValue(static_cast<std::uint16_t>(h));
            const float got = halfToFloat(static_cast<std::uint16_t>(h));
            if (std::isnan(want)) {
                if (!std::isnan(got)) bad.add("halfToFloat(" + hex(h) + ") is not NaN");
                if (!std::isnan(halfValue(floatToHalf(got)))) bad.add("floatToHalf(NaN from " + hex(h) + ") is not a NaN");
                continue;
            }
            if (static_cast<double>(got) != want || std::signbit(got) != static_cast<bool>(h & 0x8000))
                bad.add("halfToFloat(" + hex(h) + ") = " + QString::number(got, 'g', 10) + ", expected " + QString::number(want, 'g', 10));
            if (floatToHalf(got) != h) bad.add("floatToHalf(halfToFloat(" + hex(h) + ")) = " + hex(floatToHalf(got)));
        }
        QVERIFY2(bad.count == 0, qPrintable(bad.report()));
    }

    void halfRoundsToNearestEven() {
        Mismatches bad;
        // h and h + 1 are neighbours for every finite positive h, 0x7bff (65504) and infinity included.
        for (std::uint32_t h = 0; h < 0x7c00; ++h) {
            const std::uint16_t lo = static_cast<std::uint16_t>(h), hi = static_cast<std::uint16_t>(h + 1);
            const double a = halfValue(lo), b = hi == 0x7c00 ? 65536.0 : halfValue(hi);  // the overflow tie is 65520
            const float mid = static_cast<float>((a + b) / 2);  // exact: 12 significant bits
            QCOMPARE(static_cast<double>(mid), (a + b) / 2);
            const std::uint16_t even = (lo & 1) ? hi : lo;
            for (const float sign : {1.0f, -1.0f}) {
                const std::uint16_t s = sign < 0 ? 0x8000 : 0;
                auto check = [&](float x, std::uint16_t want, const char* what) {
                    if (floatToHalf(x) != (want | s))
                        bad.add(QString("floatToHalf(%1) (%2) = %3, expected %4").arg(x, 0, 'g', 10).arg(what).arg(hex(floatToHalf(x))).arg(hex(want | s)));
                };
                check(sign * mid, even, "tie");
                check(sign * std::nextafter(mid, INFINITY), hi, "just above the tie");
                check(sign * std::nextafter(mid, 0.0f), lo, "just below the tie");
            }
        }
        QVERIFY2(bad.count == 0, qPrintable(bad.report()));
        QCOMPARE(floatToHalf(1e-10f), std::uint16_t(0));  // below half the smallest subnormal
        QCOMPARE(floatToHalf(1e6f), std::uint16_t(0x7c00));
        QCOMPARE(floatToHalf(-INFINITY), std::uint16_t(0xfc00));
        QVERIFY(std::isnan(halfValue(floatToHalf(std::nanf("")))));
    }

    void bf16DecodesAndRoundTripsEveryPattern() {
        Mismatches bad;
        for (std::uint32_t b = 0; b <= 0xffff; ++b) {
            const float got = bf16ToFloat(static_cast<std::uint16_t>(b));
            if (bitsOf(got) != b << 16) bad.add("bf16ToFloat(" + hex(b) + ") has bits " + hex(bitsOf(got)));
            const bool nan = ((b >> 7) & 0xff) == 0xff && (b & 0x7f);
            if (nan) {
                if (!std::isnan(bf16ToFloat(floatToBf16(got)))) bad.add("floatToBf16(NaN " + hex(b) + ") is not a NaN");
            } else if (floatToBf16(got) != b) {
                bad.add("floatToBf16(bf16ToFloat(" + hex(b) + ")) = " + hex(floatToBf16(got)));
            }
        }
        QVERIFY2(bad.count == 0, qPrintable(bad.report()));
    }

    void bf16RoundsToNearestEven() {
        Mismatches bad;
        // Neighbours b, b + 1 for every finite positive b, 0x7f7f (the largest) to infinity included.
        for (std::uint32_t b = 0; b < 0x7f80; ++b) {
            const std::uint16_t lo = static_cast<std::uint16_t>(b), hi = static_cast<std::uint16_t>(b + 1);
            const float mid = floatOf((b << 16) | 0x8000);  // exactly halfway: the dropped half is 1000…0
            const std::uint16_t even = (lo & 1) ? hi : lo;
            for (const float sign : {1.0f, -1.0f}) {
                const std::uint16_t s = sign < 0 ? 0x8000 : 0;
                auto check = [&](float x, std::uint16_t want, const char* what) {
                    if (floatToBf16(x) != (want | s))
                        bad.add(QString("floatToBf16(%1) (%2) = %3, expected %4").arg(x, 0, 'g', 10).arg(what).arg(hex(floatToBf16(x))).arg(hex(want | s)));
                };
                check(sign * mid, even, "tie");
                check(sign * floatOf(bitsOf(mid) + 1), hi, "just above the tie");
                check(sign * floatOf(bitsOf(mid) - 1), lo, "just below the tie");
            }
        }
        QVERIFY2(bad.count == 0, qPrintable(bad.report()));
        QCOMPARE(floatToBf16(1.01171875f), std::uint16_t(0x3f82));  // 0x3f818000: a tie above an odd value goes up
        QCOMPARE(floatToBf16(1.00390625f), std::uint16_t(0x3f80));  // 0x3f808000: a tie above an even value stays
        QVERIFY(std::isnan(bf16ToFloat(floatToBf16(std::nanf("")))));
    }
};

QTEST_GUILESS_MAIN(TestDtypeRounding)
#include "test_dtype_rounding.moc"
