// The safetensors reader and writer: round trips, and every way a file can be damaged gives a
// clear CorruptFile error naming the problem, never a crash.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <sys/stat.h>
#include <QtTest>

#include <cstring>
#include <fstream>

#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"

using namespace srs::io;

namespace {

// Writes "8-byte length + header + data" exactly as given, so tests can corrupt any part.
std::string writeRaw(const QString& dir, const std::string& name, const std::string& header, const std::string& data,
                     long long length_override = -1) {
    std::string path = (dir + "/").toStdString() + name;
    std::ofstream out(path, std::ios::binary);
    std::uint64_t n = length_override >= 0 ? static_cast<std::uint64_t>(length_override) : header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
    out << header << data;
    return path;
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private slots:
    // A FIFO in place of a weights file is refused at once (opening it must not wait for a writer).
    void fifoIsRefusedWithoutWaiting() {
        QTemporaryDir dir;
        const std::string fifo = (dir.path() + "/model.safetensors").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        QElapsedTimer t;
        t.start();
        auto f = srs::io::SafetensorsFile::open(fifo);
        QVERIFY(!f.ok());
        QVERIFY2(QString::fromStdString(f.error().message).contains("not a regular file"), f.error().message.c_str());
        QVERIFY(t.elapsed() < 10000);
    }

    void roundTripAllFloatTypes() {
        QTemporaryDir dir;
        std::vector<float> f32 = {1.0f, -2.5f, 3.25f, 0.0f, 0.125f, -7.0f};
        std::vector<std::uint16_t> f16, bf16;
        for (float x : f32) {
            f16.push_back(floatToHalf(x));
            bf16.push_back(floatToBf16(x));
        }
        std::vector<std::int32_t> i32 = {7, -8, 9};
        std::string path = (dir.path() + "/t.safetensors").toStdString();
        auto w = writeSafetensors(path,
                                  {{"a", DType::F32, {2, 3}, f32.data()},
                                   {"b", DType::F16, {6}, f16.data()},
                                   {"c", DType::BF16, {3, 2}, bf16.data()},
                                   {"d", DType::I32, {3}, i32.data()}},
                                  {{"format", "pt"}});
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().message.c_str());
        auto st = SafetensorsFile::open(path);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        QCOMPARE((*st)->tensors().size(), size_t(4));
        QCOMPARE((*st)->metadata().at("format"), std::string("pt"));
        auto a = (*st)->tensor("a");
        QVERIFY(a.ok());
        QCOMPARE(a->info->shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(a->toFloat(), f32);
        QCOMPARE((*st)->tensor("b")->toFloat(), f32);  // all values exact in fp16
        auto c = (*st)->tensor("c")->toFloat();
        for (size_t i = 0; i < f32.size(); ++i) QVERIFY(std::abs(c[i] - f32[i]) <= std::abs(f32[i]) * 1e-2f);
        QCOMPARE((*st)->tensor("d")->toFloat(), (std::vector<float>{7, -8, 9}));
        // Every tensor is 8-byte aligned in the file.
        for (const auto& t : (*st)->tensors()) QCOMPARE(t.offset_begin % 8, std::uint64_t(0));
        QVERIFY(!(*st)->tensor("missing").ok());
    }

    void halfConversionEdgeCases() {
        QCOMPARE(halfToFloat(floatToHalf(65504.0f)), 65504.0f);
        QVERIFY(std::isinf(halfToFloat(floatToHalf(1e6f))));
        QCOMPARE(halfToFloat(floatToHalf(5.960464477539063e-08f)), 5.960464477539063e-08f);  // smallest subnormal
        QCOMPARE(halfToFloat(floatToHalf(-0.0f)), -0.0f);
        QCOMPARE(floatToHalf(1.0009765625f), std::uint16_t(0x3c01));
        QCOMPARE(floatToHalf(1.00048828125f), std::uint16_t(0x3c00));  // tie rounds to even
        QCOMPARE(floatToBf16(1.00390625f), std::uint16_t(0x3f80));     // tie rounds to even
        QCOMPARE(bf16ToFloat(floatToBf16(-3.0f)), -3.0f);
    }

    void corruptFiles_data() {
        QTest::addColumn<QString>("header");
        QTest::addColumn<int>("data_bytes");
        QTest::addColumn<long long>("length_override");
        QTest::addColumn<QString>("expect");
        QTest::newRow("header length past EOF") << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})" << 4 << 100000LL << "runs past the end of the file";
        QTest::newRow("offset out of range") << R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})" << 8 << -1LL << "past the end of the data";
        QTest::newRow("overlapping") << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})" << 12 << -1LL << "overlap";
        QTest::newRow("unknown dtype") << R"({"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}})" << 4 << -1LL << "unknown dtype 'F12'";
        QTest::newRow("shape/size mismatch") << R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})" << 8 << -1LL << "needs 12 bytes";
        QTest::newRow("not json") << "{this is not json" << 0 << -1LL << "not valid JSON";
        QTest::newRow("not an object") << "[1,2,3]" << 0 << -1LL << "not a JSON object";
        QTest::newRow("negative dim") << R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})" << 4 << -1LL << "negative";
        QTest::newRow("end before begin") << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})" << 8 << -1LL << "end before they begin";
        QTest::newRow("huge dim beside a 0") << R"({"a":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}})" << 0 << -1LL
                                             << "a dimension of 18446744073709551615";
        QTest::newRow("rank 9") << R"({"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}})" << 4 << -1LL << "9 dimensions";
        QTest::newRow("nested 100 deep") << QString(100, '[') + QString(100, ']') << 0 << -1LL << "deeper than 64";
        QTest::newRow("missing offsets") << R"({"a":{"dtype":"F32","shape":[1]}})" << 4 << -1LL << "data_offsets";
    }
    void corruptFiles() {
        QFETCH(QString, header);
        QFETCH(int, data_bytes);
        QFETCH(long long, length_override);
        QFETCH(QString, expect);
        QTemporaryDir dir;
        std::string path = writeRaw(dir.path(), "bad.safetensors", header.toStdString(), std::string(data_bytes, '\0'), length_override);
        auto st = SafetensorsFile::open(path);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, srs::ErrorCode::CorruptFile);
        QVERIFY2(QString::fromStdString(st.error().message).contains(expect), st.error().message.c_str());
        QVERIFY2(QString::fromStdString(st.error().message).contains("bad.safetensors"), "the error names the file");
        QVERIFY2(!QString::fromStdString(st.error().message).contains("json.exception"), st.error().message.c_str());
    }

    void tooShortAndMissing() {
        QTemporaryDir dir;
        std::string path = (dir.path() + "/short.safetensors").toStdString();
        std::ofstream(path) << "abc";
        auto st = SafetensorsFile::open(path);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, srs::ErrorCode::CorruptFile);
        auto missing = SafetensorsFile::open((dir.path() + "/nope.safetensors").toStdString());
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, srs::ErrorCode::NotFound);
    }

    void truncatedRealWriterOutput() {
        // A download cut short: a valid file with its tail missing must be refused, not read past.
        QTemporaryDir dir;
        std::vector<float> v(1000, 1.0f);
        std::string path = (dir.path() + "/t.safetensors").toStdString();
        QVERIFY(writeSafetensors(path, {{"w", DType::F32, {1000}, v.data()}}).ok());
        std::filesystem::resize_file(path, std::filesystem::file_size(path) - 100);
        auto st = SafetensorsFile::open(path);
        QVERIFY(!st.ok());
        QVERIFY(QString::fromStdString(st.error().message).contains("truncated"));
    }

    void writerRejectsDuplicatesAndLeavesNoFile() {
        QTemporaryDir dir;
        float x = 1.0f;
        std::string path = (dir.path() + "/dup.safetensors").toStdString();
        auto w = writeSafetensors(path, {{"a", DType::F32, {1}, &x}, {"a", DType::F32, {1}, &x}});
        QVERIFY(!w.ok());
        QVERIFY(!std::filesystem::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
