// GPTQ / AWQ bit packing: hand-checked words, and unpack(pack(x)) == x for every bit width.
#include <QtTest>

#include <random>

#include "core/io/packing.h"

using namespace srs::io;

class TestPacking : public QObject {
    Q_OBJECT
private slots:
    void gptq4BitWordsByHand() {
        // One column, 8 input rows 0..7: the first row sits in the lowest nibble.
        std::vector<std::uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
        auto p = packRowsGptq(v, 8, 1, 4);
        QVERIFY(p.ok());
        QCOMPARE(p->size(), size_t(1));
        QCOMPARE(static_cast<std::uint32_t>((*p)[0]), 0x76543210u);
        // Sym 4-bit zero 8 stored as 7 in every nibble: the constant word of FORMATS.md.
        std::vector<std::uint32_t> z(8, 7);
        QCOMPARE(static_cast<std::uint32_t>((*packColsGptq(z, 1, 8, 4))[0]), 0x77777777u);
        std::vector<std::uint32_t> z2(16, 1);
        QCOMPARE(static_cast<std::uint32_t>((*packColsGptq(z2, 1, 16, 2))[0]), 0x55555555u);
        std::vector<std::uint32_t> z8(4, 127);
        QCOMPARE(static_cast<std::uint32_t>((*packColsGptq(z8, 1, 4, 8))[0]), 0x7F7F7F7Fu);
    }

    void gptq3BitLayout() {
        // Value 10 straddles words 0 and 1, value 21 straddles words 1 and 2.
        std::vector<std::uint32_t> v(32, 0);
        v[10] = 0b111;
        auto p = packRowsGptq(v, 32, 1, 3);
        QVERIFY(p.ok());
        QCOMPARE(p->size(), size_t(3));
        QCOMPARE(static_cast<std::uint32_t>((*p)[0]), 0xC0000000u);  // bits 0-1 of value 10 at bits 30-31
        QCOMPARE(static_cast<std::uint32_t>((*p)[1]), 0x00000001u);  // bit 2 of value 10 at bit 0
        std::fill(v.begin(), v.end(), 0);
        v[21] = 0b111;
        p = packRowsGptq(v, 32, 1, 3);
        QCOMPARE(static_cast<std::uint32_t>((*p)[1]), 0x80000000u);  // bit 0 of value 21 at bit 31
        QCOMPARE(static_cast<std::uint32_t>((*p)[2]), 0x00000003u);  // bits 1-2 of value 21 at bits 0-1
        std::fill(v.begin(), v.end(), 0);
        v[22] = 0b101;
        p = packRowsGptq(v, 32, 1, 3);
        QCOMPARE(static_cast<std::uint32_t>((*p)[2]), 0b101u << 2);  // values 22.. at bits 3j+2
    }

    void awqInterleave() {
        // Columns 0..7 with values 0..7 land at nibbles 0,4,1,5,2,6,3,7.
        std::vector<std::uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
        auto p = packColsAwq(v, 1, 8);
        QVERIFY(p.ok());
        QCOMPARE(static_cast<std::uint32_t>((*p)[0]), 0x75316420u);
        QVERIFY(!packColsAwq(std::vector<std::uint32_t>(6), 1, 6).ok());
    }

    void roundTripsEveryWidth() {
        std::mt19937 rng(7);
        for (int bits : {2, 3, 4, 8}) {
            const std::int64_t rows = 64, cols = 96;
            std::vector<std::uint32_t> v(rows * cols);
            for (auto& x : v) x = rng() & ((1u << bits) - 1);
            auto pr = packRowsGptq(v, rows, cols, bits);
            QVERIFY(pr.ok());
            QCOMPARE(pr->size(), size_t(rows * bits / 32 * cols));
            QCOMPARE(unpackRowsGptq(*pr, rows, cols, bits), v);
            auto pc = packColsGptq(v, rows, cols, bits);
            QVERIFY(pc.ok());
            QCOMPARE(unpackColsGptq(*pc, rows, cols, bits), v);
        }
        std::vector<std::uint32_t> v(32 * 64);
        for (auto& x : v) x = rng() & 15u;
        QCOMPARE(unpackColsAwq(*packColsAwq(v, 32, 64), 32, 64), v);
    }

    void refusesWhatCannotBePacked() {
        auto p = packRowsGptq(std::vector<std::uint32_t>(172), 172, 1, 4);
        QVERIFY(!p.ok());
        QVERIFY(QString::fromStdString(p.error().message).contains("multiple of 8"));
        QVERIFY(!packRowsGptq(std::vector<std::uint32_t>(64), 64, 1, 5).ok());
    }
};

QTEST_GUILESS_MAIN(TestPacking)
#include "test_packing.moc"
