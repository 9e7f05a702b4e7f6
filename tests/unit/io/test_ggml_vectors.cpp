// Our GGUF block quantizers and dequantizers against fixed vectors that ggml itself produced
// (tests/data/ggml_vectors, see its PROVENANCE.md): for each block type we write, quantizing
// input.f32 must give ggml's bytes, and dequantizing ggml's bytes must give ggml's floats, bit
// for bit. Unlike a round trip through our own code, a layout error made the same way in pack and
// unpack (a nibble order, a scale's place in the block) fails here, without llama.cpp at hand.
#include <QtTest>

#include <cstring>

#include "core/io/ggml_quants.h"
#include "support/test_paths.h"

using namespace srs::io::ggml;
using srs::io::GgmlType;

namespace {

QByteArray readVector(const QString& name) {
    QFile f(srs::test::sourceDir() + "/tests/data/ggml_vectors/" + name);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}

}  // namespace

class TestGgmlVectors : public QObject {
    Q_OBJECT
    std::vector<float> input_;
    static constexpr std::int64_t kRow = 512;

private slots:
    void initTestCase() {
        const QByteArray in = readVector("input.f32");
        QVERIFY2(in.size() > 0 && in.size() % (kRow * 4) == 0,
                 qPrintable("tests/data/ggml_vectors/input.f32 is missing or not whole rows of 512 floats"));
        input_.resize(std::size_t(in.size()) / sizeof(float));
        std::memcpy(input_.data(), in.constData(), std::size_t(in.size()));
    }

    void matchesGgml_data() {
        QTest::addColumn<int>("type");
        for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q2_K,
                           GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K})
            QTest::newRow(typeName(t).c_str()) << int(t);
    }

    void matchesGgml() {
        QFETCH(int, type);
        const auto t = GgmlType(type);
        const QString name = QString::fromStdString(typeName(t)).toLower();
        const std::int64_t nrows = std::int64_t(input_.size()) / kRow;
        const QByteArray theirs = readVector(name + ".bin");
        const QByteArray their_floats = readVector(name + ".dequant.f32");
        QCOMPARE(qint64(theirs.size()), qint64(nrows * rowBytes(t, kRow)));
        QCOMPARE(qint64(their_floats.size()), qint64(input_.size() * sizeof(float)));

        std::vector<std::uint8_t> ours(std::size_t(theirs.size()));
        QVERIFY(quantizeRows(t, input_.data(), nrows, kRow, ours.data()).ok());
        const std::size_t bb = std::size_t(blockBytes(t));
        for (std::size_t b = 0; b < ours.size() / bb; ++b)
            QVERIFY2(std::memcmp(ours.data() + b * bb, theirs.constData() + b * bb, bb) == 0,
                     qPrintable(QString("%1: block %2 (row %3) differs from ggml's bytes").arg(name).arg(b).arg(b * bb / std::size_t(rowBytes(t, kRow)))));

        std::vector<float> floats(input_.size());
        QVERIFY(dequantizeRows(t, reinterpret_cast<const std::uint8_t*>(theirs.constData()), nrows, kRow, floats.data()).ok());
        const auto* expect = reinterpret_cast<const float*>(their_floats.constData());
        for (std::size_t i = 0; i < floats.size(); ++i)
            if (std::memcmp(&floats[i], &expect[i], sizeof(float)) != 0)
                QFAIL(qPrintable(QString("%1: element %2 dequantizes to %3, ggml gives %4").arg(name).arg(i).arg(floats[i]).arg(expect[i])));
    }
};

QTEST_GUILESS_MAIN(TestGgmlVectors)
#include "test_ggml_vectors.moc"
