// GGUF block formats: hand-checked bytes (Q4_0, Q8_0, Q4_K scale packing), error bounds of the
// reference quantizer per type, parameter round trips, SignRound-style group scales, and bad input.
// Byte equality with llama.cpp itself is checked by the interop tests (tests/interop).
#include <QtTest>

#include <cmath>
#include <random>

#include "core/io/ggml_quants.h"
#include "core/io/dtype.h"

using namespace srs::io::ggml;
using srs::io::GgmlType;

namespace {

const GgmlType kQuantTypes[] = {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0,
                                GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};

std::vector<float> gaussian(std::size_t n, std::uint32_t seed, float std = 1.f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.f, std);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

double relRms(const std::vector<float>& a, const std::vector<float>& b) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num += double(a[i] - b[i]) * (a[i] - b[i]);
        den += double(a[i]) * a[i];
    }
    return std::sqrt(num / den);
}

std::vector<float> roundTrip(GgmlType t, const std::vector<float>& x, std::int64_t n_per_row) {
    auto bytes = quantizeRowsRef(t, x, n_per_row);
    std::vector<float> y(x.size());
    if (bytes.empty() || !dequantizeRows(t, bytes.data(), std::int64_t(x.size()) / n_per_row, n_per_row, y.data())) return {};
    return y;
}

}  // namespace

class TestGgmlQuants : public QObject {
    Q_OBJECT
private slots:
    void layoutsMatchTheFormatTable() {
        const std::pair<GgmlType, int> sizes[] = {{GgmlType::Q4_0, 18}, {GgmlType::Q4_1, 20}, {GgmlType::Q5_0, 22}, {GgmlType::Q5_1, 24},
                                                  {GgmlType::Q8_0, 34}, {GgmlType::Q2_K, 84},  {GgmlType::Q3_K, 110}, {GgmlType::Q4_K, 144},
                                                  {GgmlType::Q5_K, 176}, {GgmlType::Q6_K, 210}};
        for (auto [t, bytes] : sizes) {
            QCOMPARE(int(blockBytes(t)), bytes);
            // Agrees with the GGUF reader's table.
            std::uint64_t be = 0, bb = 0;
            QVERIFY(srs::io::ggmlBlockLayout(static_cast<std::uint32_t>(t), &be, &bb));
            QCOMPARE(std::int64_t(be), blockElements(t));
            QCOMPARE(std::int64_t(bb), blockBytes(t));
        }
        QCOMPARE(rowBytes(GgmlType::Q4_K, 512), std::int64_t(288));
        QCOMPARE(*parseTypeName("q4_k"), GgmlType::Q4_K);
        QVERIFY(!parseTypeName("q7_k").ok());
    }

    void q8_0BytesByHand() {
        // amax 127 gives d = 1.0 (fp16 0x3C00), so the int8 values are the inputs themselves.
        std::vector<float> x(32);
        x[0] = -127.f;
        for (int j = 1; j < 32; ++j) x[j] = float(j - 1);
        auto b = quantizeRowsRef(GgmlType::Q8_0, x, 32);
        QCOMPARE(b.size(), size_t(34));
        QCOMPARE(int(b[0]), 0x00);
        QCOMPARE(int(b[1]), 0x3C);
        QCOMPARE(int(b[2]), 0x81);  // −127 as int8
        for (int j = 1; j < 32; ++j) QCOMPARE(int(b[2 + j]), j - 1);
        // Rounding: 0.5 · 127/127 rounds away from zero (roundf), as llama.cpp does.
        x[1] = 0.5f;
        x[2] = -0.5f;
        b = quantizeRowsRef(GgmlType::Q8_0, x, 32);
        QCOMPARE(int(b[3]), 1);
        QCOMPARE(int(b[4]), 0xFF);
    }

    void q4_0BytesByHand() {
        // The max-magnitude value −8 gives d = max/−8 = 1.0; q = x + 8; byte j = q[j] | q[j+16] << 4.
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j) x[j] = float(j % 16 - 8);
        auto b = quantizeRowsRef(GgmlType::Q4_0, x, 32);
        QCOMPARE(b.size(), size_t(18));
        QCOMPARE(int(b[0]), 0x00);
        QCOMPARE(int(b[1]), 0x3C);
        for (int j = 0; j < 16; ++j) QCOMPARE(int(b[2 + j]), j | (j << 4));
        // A positive max flips the sign of d: max 8 → d = −1 (0xBC00), x = 8 → q = 0.
        x[0] = 8.f;
        x[16] = 3.f;
        b = quantizeRowsRef(GgmlType::Q4_0, x, 32);
        QCOMPARE(int(b[1]), 0xBC);
        QCOMPARE(int(b[2]) & 0x0F, 0);       // 8·(−1) + 8.5 → 0
        QCOMPARE(int(b[2]) >> 4, 5);         // 3·(−1) + 8.5 → 5
        std::vector<float> y(32);
        QVERIFY(dequantizeRows(GgmlType::Q4_0, b.data(), 1, 32, y.data()));
        QCOMPARE(y[0], 8.f);
        QCOMPARE(y[16], 3.f);
    }

    void q4_kScalePackingByHand() {
        // Sub-scales 0..7 = 1, 2, .., 63 mixed with mins; check llama.cpp's 12-byte layout bit by bit.
        BlockParams p;
        p.d = {1.f};
        p.m = {0.5f};
        p.sc = {1, 2, 3, 4, 40, 50, 60, 63};
        p.mn = {5, 6, 7, 8, 33, 17, 48, 62};
        p.q.assign(256, 0);
        auto b = encodeBlocks(GgmlType::Q4_K, p, 256);
        QVERIFY(b.ok());
        const std::uint8_t* s = b->data() + 4;
        // bytes 0-3: scale j | high 2 bits of scale j+4 at bits 6-7
        QCOMPARE(int(s[0]), 1 | ((40 >> 4) << 6));
        QCOMPARE(int(s[3]), 4 | ((63 >> 4) << 6));
        // bytes 4-7: min j | high bits of min j+4
        QCOMPARE(int(s[4]), 5 | ((33 >> 4) << 6));
        QCOMPARE(int(s[6]), 7 | ((48 >> 4) << 6));
        // bytes 8-11: low nibble of scale j+4, low nibble of min j+4 on top
        QCOMPARE(int(s[8]), (40 & 0xF) | ((33 & 0xF) << 4));
        QCOMPARE(int(s[11]), (63 & 0xF) | ((62 & 0xF) << 4));
        auto back = decodeBlocks(GgmlType::Q4_K, b->data(), 256);
        QVERIFY(back.ok());
        QCOMPARE(back->sc, p.sc);
        QCOMPARE(back->mn, p.mn);
    }

    void errorBoundsPerType() {
        // Gaussian rows of 512: relative RMS error of dequantize(quantize(x)); bounds are about 1.3×
        // the values llama.cpp's reference gives on such data (ours is byte-exact with it, see
        // tests/interop), ordered by bits.
        const std::pair<GgmlType, double> bounds[] = {{GgmlType::Q8_0, 0.006}, {GgmlType::Q6_K, 0.023}, {GgmlType::Q5_0, 0.05},
                                                      {GgmlType::Q5_1, 0.045}, {GgmlType::Q5_K, 0.04},  {GgmlType::Q4_0, 0.10},
                                                      {GgmlType::Q4_1, 0.09},  {GgmlType::Q4_K, 0.08},  {GgmlType::Q3_K, 0.19},
                                                      {GgmlType::Q2_K, 0.42}};
        const auto x = gaussian(512 * 16, 11);
        double prev = 0;
        for (auto [t, bound] : bounds) {
            auto y = roundTrip(t, x, 512);
            QVERIFY2(!y.empty(), qPrintable(QString::fromStdString(typeName(t))));
            const double e = relRms(x, y);
            qInfo("%s rel RMS error %.5f (bound %.3f)", typeName(t).c_str(), e, bound);
            QVERIFY2(e < bound, qPrintable(QString("%1: %2").arg(QString::fromStdString(typeName(t))).arg(e)));
            QVERIFY(e > 0);
            if (t == GgmlType::Q8_0 || t == GgmlType::Q6_K) QVERIFY(e >= prev);
            prev = e;
        }
        // Per-element bound of the _0 types: at most one step d (the clamped edge), elsewhere d/2.
        for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q5_0, GgmlType::Q8_0}) {
            auto bytes = quantizeRowsRef(t, x, 512);
            auto p = decodeBlocks(t, bytes.data(), std::int64_t(x.size()));
            QVERIFY(p.ok());
            auto y = roundTrip(t, x, 512);
            for (std::size_t i = 0; i < x.size(); ++i) {
                const float d = std::fabs(p->d[i / 32]);
                QVERIFY2(std::fabs(x[i] - y[i]) <= d * 1.0001f + 1e-7f, qPrintable(QString::number(i)));
            }
        }
    }

    void floatTypes() {
        const auto x = gaussian(64, 3);
        QCOMPARE(roundTrip(GgmlType::F32, x, 64), x);
        auto h = roundTrip(GgmlType::F16, x, 64);
        auto b = roundTrip(GgmlType::BF16, x, 64);
        QVERIFY(relRms(x, h) < 1e-3);
        QVERIFY(relRms(x, b) < 8e-3);
        QCOMPARE(rowBytes(GgmlType::F16, 64), std::int64_t(128));
    }

    void zeroAndConstantBlocks() {
        for (GgmlType t : kQuantTypes) {
            std::vector<float> zeros(256, 0.f);
            auto y = roundTrip(t, zeros, 256);
            QCOMPARE(y.size(), zeros.size());
            for (float v : y) QCOMPARE(v, 0.f);
            std::vector<float> c(256, 0.25f);
            y = roundTrip(t, c, 256);
            for (float v : y) QVERIFY2(std::isfinite(v) && std::fabs(v - 0.25f) < 0.05f, qPrintable(QString::fromStdString(typeName(t))));
        }
    }

    void parameterRoundTrips() {
        // decode(quantize(x)) re-encoded gives the same bytes, and dequantizing the parameters
        // equals dequantizing the bytes.
        const auto x = gaussian(1024, 5, 0.02f);
        for (GgmlType t : kQuantTypes) {
            auto bytes = quantizeRowsRef(t, x, 1024);
            auto p = decodeBlocks(t, bytes.data(), 1024);
            QVERIFY(p.ok());
            auto again = encodeBlocks(t, *p, 1024);
            QVERIFY(again.ok());
            QVERIFY2(*again == bytes, qPrintable(QString::fromStdString(typeName(t))));
            auto y1 = dequantizeParams(t, *p, 1024);
            std::vector<float> y2(1024);
            QVERIFY(dequantizeRows(t, bytes.data(), 1, 1024, y2.data()));
            QVERIFY(y1.ok());
            QCOMPARE(*y1, y2);
        }
    }

    void explicitParametersDequantizeAsDocumented() {
        std::mt19937 rng(9);
        for (GgmlType t : kQuantTypes) {
            const int n = 256;
            BlockParams p;
            const int nb = int(n / blockElements(t)), nsub = n / subBlockSize(t);
            for (int b = 0; b < nb; ++b) p.d.push_back(0.0625f * float(b + 1));  // fp16-exact
            const bool has_m = t == GgmlType::Q4_1 || t == GgmlType::Q5_1 || t == GgmlType::Q2_K || t == GgmlType::Q4_K || t == GgmlType::Q5_K;
            const bool ksub = blockElements(t) == 256;
            if (has_m)
                for (int b = 0; b < nb; ++b) p.m.push_back(ksub ? 0.125f : -0.5f);
            if (ksub) {
                const int lo = t == GgmlType::Q3_K ? -32 : t == GgmlType::Q6_K ? -128 : 0;
                const int hi = t == GgmlType::Q2_K ? 15 : t == GgmlType::Q3_K ? 31 : t == GgmlType::Q6_K ? 127 : 63;
                for (int j = 0; j < nsub; ++j) p.sc.push_back(lo + int(rng() % unsigned(hi - lo + 1)));
                if (has_m)
                    for (int j = 0; j < nsub; ++j) p.mn.push_back(int(rng() % unsigned(hi + 1)));
            }
            for (int i = 0; i < n; ++i) p.q.push_back(std::uint8_t(rng() % unsigned(maxStoredQ(t) + 1)));
            auto y = dequantizeParams(t, p, n);
            QVERIFY2(y.ok(), qPrintable(QString::fromStdString(typeName(t))));
            for (int i = 0; i < n; ++i) {
                const int q = p.q[i];
                double want = 0;
                switch (t) {
                    case GgmlType::Q4_0: want = p.d[i / 32] * (q - 8); break;
                    case GgmlType::Q5_0: want = p.d[i / 32] * (q - 16); break;
                    case GgmlType::Q8_0: want = p.d[i / 32] * (q - 128); break;
                    case GgmlType::Q4_1: case GgmlType::Q5_1: want = p.d[i / 32] * q + p.m[i / 32]; break;
                    case GgmlType::Q2_K: case GgmlType::Q4_K: case GgmlType::Q5_K: {
                        const int j = i / subBlockSize(t);
                        want = double(p.d[0]) * p.sc[j] * q - double(p.m[0]) * p.mn[j];
                        break;
                    }
                    case GgmlType::Q3_K: want = double(p.d[0]) * p.sc[i / 16] * (q - 4); break;
                    case GgmlType::Q6_K: want = double(p.d[0]) * p.sc[i / 16] * (q - 32); break;
                    default: break;
                }
                QVERIFY2(std::fabs((*y)[i] - want) <= 1e-5 * (1 + std::fabs(want)),
                         qPrintable(QString("%1 [%2]: %3 vs %4").arg(QString::fromStdString(typeName(t))).arg(i).arg((*y)[i]).arg(want)));
            }
            auto back = encodeBlocks(t, p, n);
            auto dec = decodeBlocks(t, back->data(), n);
            QCOMPARE(dec->q, p.q);
            QCOMPARE(dec->sc, p.sc);
            QCOMPARE(dec->mn, p.mn);
        }
    }

    void groupScalesFromATuner() {
        // Weights that are exactly representable, w = scale·(q − zero) (sym) or scale·q − min
        // (asym), with scales on the double-quantization grid (the first group of each
        // super-block sets the super-scale): the export must give them back exactly.
        std::mt19937 rng(21);
        for (GgmlType t : kQuantTypes) {
            const int n = 512, gs = subBlockSize(t), ng = n / gs, per_super = 256 / gs;
            const bool asym = t == GgmlType::Q4_1 || t == GgmlType::Q5_1 || t == GgmlType::Q2_K || t == GgmlType::Q4_K || t == GgmlType::Q5_K;
            const bool k = blockElements(t) == 256;
            const bool ksym = t == GgmlType::Q3_K || t == GgmlType::Q6_K;
            const int qmax = maxStoredQ(t);
            const int zero = t == GgmlType::Q4_0 ? 8 : t == GgmlType::Q5_0 ? 16 : t == GgmlType::Q8_0 ? 128 : t == GgmlType::Q3_K ? 4
                           : t == GgmlType::Q6_K ? 32 : 0;
            std::vector<float> scales(ng), mins(ng, 0.f), w(n);
            const float dsup = 1.f / 1024;  // fp16-exact super-scale
            for (int g = 0; g < ng; ++g) {
                const bool first = g % per_super == 0;
                if (k && ksym) {
                    const int lo = t == GgmlType::Q3_K ? 32 : 128;
                    const int s = first ? -lo : int(rng() % unsigned(2 * lo - 1)) - (lo - 1);
                    scales[g] = dsup * float(s);
                } else if (k) {
                    const int smax = t == GgmlType::Q2_K ? 15 : 63;
                    scales[g] = dsup * float(first ? smax : 1 + int(rng() % unsigned(smax - 1)));
                    mins[g] = 2.f * dsup * float(first ? smax : int(rng() % unsigned(smax)));
                } else {
                    scales[g] = 0.0078125f * float(1 + rng() % 16);
                    if (asym) mins[g] = 0.25f * float(rng() % 8);
                }
                for (int i = 0; i < gs; ++i) {
                    const int q = int(rng() % unsigned(qmax + 1));
                    w[g * gs + i] = asym ? scales[g] * float(q) - mins[g] : scales[g] * float(q - zero);
                }
            }
            auto bytes = quantizeWithGroupScales(t, w.data(), n, scales.data(), asym ? mins.data() : nullptr);
            QVERIFY2(bytes.ok(), qPrintable(QString::fromStdString(typeName(t) + ": " + (bytes.ok() ? "" : bytes.error().message))));
            std::vector<float> y(n);
            QVERIFY(dequantizeRows(t, bytes->data(), 1, n, y.data()));
            for (int i = 0; i < n; ++i)
                QVERIFY2(y[i] == w[i], qPrintable(QString("%1 [%2]: %3 vs %4").arg(QString::fromStdString(typeName(t))).arg(i).arg(y[i]).arg(w[i])));
        }
    }

    void badInputIsAnError() {
        std::vector<float> x(100, 1.f);
        std::vector<std::uint8_t> out(4096);
        QVERIFY(!quantizeRows(GgmlType::Q4_K, x.data(), 1, 100, out.data()).ok());  // not a multiple of 256
        QVERIFY(!quantizeRows(GgmlType::Q4_0, x.data(), 1, 100, out.data()).ok());  // not a multiple of 32
        QVERIFY(!quantizeRows(GgmlType::Q8_1, x.data(), 1, 96, out.data()).ok());   // a type we do not write
        BlockParams p;
        p.d = {1.f};
        p.q.assign(32, 16);  // 16 does not fit in 4 bits
        QVERIFY(!encodeBlocks(GgmlType::Q4_0, p, 32).ok());
        p.q.assign(31, 0);
        QVERIFY(!encodeBlocks(GgmlType::Q4_0, p, 32).ok());
        BlockParams k;
        k.d = {1.f};
        k.sc.assign(16, 40);  // Q3_K sub-scales are −32..31
        k.q.assign(256, 0);
        QVERIFY(!encodeBlocks(GgmlType::Q3_K, k, 256).ok());
        std::vector<float> s(8, std::nanf(""));
        QVERIFY(!quantizeWithGroupScales(GgmlType::Q4_0, x.data(), 32, s.data(), nullptr).ok());
        QVERIFY(!quantizeWithGroupScales(GgmlType::Q4_1, x.data(), 32, s.data(), nullptr).ok());
    }
};

QTEST_GUILESS_MAIN(TestGgmlQuants)
#include "test_ggml_quants.moc"
