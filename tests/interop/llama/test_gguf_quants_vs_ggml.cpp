// Our GGUF block quantizers and dequantizers against llama.cpp's own: libggml-base.so, built from
// the llama.cpp source that PyPI's llama-cpp-python vendors (fixture interop_llama_setup,
// setup.sh), is loaded with dlopen, and ggml_quantize_chunk (without an importance matrix, as llama-quantize
// runs by default) must give the same bytes as ours for every type, on random rows of several
// scales, rows with outliers, zeros and constants, and the real weights of the 5M TinyStories model;
// ggml's dequantize_row_* and ours must give the same floats, bit for bit.
// It also keeps the fixed vectors of tests/data/ggml_vectors/ (checked by the unit test
// io_ggml_vectors without llama.cpp) equal to what this ggml makes of their input; with
// SRS_WRITE_GGML_VECTORS=1 it writes them anew (see that folder's PROVENANCE.md).
#include <QtTest>

#include <dlfcn.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "core/io/ggml_quants.h"
#include "core/io/safetensors.h"
#include "interop/llama/llama_fixture.h"
#include "support/test_paths.h"

using namespace srs::io::ggml;
using srs::io::GgmlType;

namespace {

using QuantizeChunkFn = std::size_t (*)(int type, const float* src, void* dst, std::int64_t start, std::int64_t nrows,
                                        std::int64_t n_per_row, const float* imatrix);
using DequantizeRowFn = void (*)(const void* x, float* y, std::int64_t k);

struct Ggml {
    void* handle = nullptr;
    QuantizeChunkFn quantize = nullptr;
    QString path;
};

const GgmlType kTypes[] = {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0,
                           GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};

const char* dequantName(GgmlType t) {
    switch (t) {
        case GgmlType::Q4_0: return "dequantize_row_q4_0";
        case GgmlType::Q4_1: return "dequantize_row_q4_1";
        case GgmlType::Q5_0: return "dequantize_row_q5_0";
        case GgmlType::Q5_1: return "dequantize_row_q5_1";
        case GgmlType::Q8_0: return "dequantize_row_q8_0";
        case GgmlType::Q2_K: return "dequantize_row_q2_K";
        case GgmlType::Q3_K: return "dequantize_row_q3_K";
        case GgmlType::Q4_K: return "dequantize_row_q4_K";
        case GgmlType::Q5_K: return "dequantize_row_q5_K";
        case GgmlType::Q6_K: return "dequantize_row_q6_K";
        default: return "";
    }
}

// Rows of 512 (two super-blocks) in a variety that exercises every branch of the searches.
std::vector<float> testRows(int nrows, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.f, 1.f);
    std::vector<float> x(std::size_t(nrows) * 512);
    for (int r = 0; r < nrows; ++r) {
        float* row = x.data() + std::size_t(r) * 512;
        const float scale = std::pow(10.f, float(r % 7) - 4.f);  // 1e-4 .. 1e2
        for (int i = 0; i < 512; ++i) row[i] = g(rng) * scale;
        if (r % 5 == 1) row[r % 512] = 40.f * scale;                       // an outlier
        if (r % 5 == 2) for (int i = 0; i < 512; ++i) row[i] = std::abs(row[i]);  // all positive
        if (r % 5 == 3) for (int i = 0; i < 64; ++i) row[i] = 0.f;           // a zero stretch
        if (r % 5 == 4) for (int i = 256; i < 288; ++i) row[i] = 0.25f;      // a constant block
    }
    return x;
}

}  // namespace

class TestGgufQuantsVsGgml : public QObject {
    Q_OBJECT
    Ggml ggml_;
    std::map<std::string, std::size_t> blocks_;  // blocks compared per type

    void compareBytes(const std::vector<float>& x, std::int64_t n_per_row, const QString& what) {
        const std::int64_t nrows = std::int64_t(x.size()) / n_per_row;
        for (GgmlType t : kTypes) {
            if (n_per_row % blockElements(t) != 0) continue;
            const std::size_t bytes = std::size_t(nrows * rowBytes(t, n_per_row));
            std::vector<std::uint8_t> theirs(bytes, 0xAA), ours(bytes, 0x55);
            const std::size_t written = ggml_.quantize(int(t), x.data(), theirs.data(), 0, nrows, n_per_row, nullptr);
            QCOMPARE(written, bytes);
            QVERIFY(quantizeRows(t, x.data(), nrows, n_per_row, ours.data()).ok());
            std::size_t bad_blocks = 0;
            const std::size_t bb = std::size_t(blockBytes(t));
            for (std::size_t b = 0; b < bytes / bb; ++b)
                if (std::memcmp(theirs.data() + b * bb, ours.data() + b * bb, bb) != 0) ++bad_blocks;
            QVERIFY2(bad_blocks == 0, qPrintable(QString("%1 %2: %3 of %4 blocks differ from ggml")
                                                     .arg(what, QString::fromStdString(typeName(t))).arg(bad_blocks).arg(bytes / bb)));
            blocks_[typeName(t)] += bytes / bb;
            // Dequantizing: ours equals ggml's, float for float.
            auto deq = reinterpret_cast<DequantizeRowFn>(dlsym(ggml_.handle, dequantName(t)));
            QVERIFY(deq);
            std::vector<float> a(x.size()), b(x.size());
            deq(theirs.data(), a.data(), std::int64_t(x.size()));
            QVERIFY(dequantizeRows(t, theirs.data(), nrows, n_per_row, b.data()).ok());
            QVERIFY2(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0,
                     qPrintable(what + " " + QString::fromStdString(typeName(t)) + ": dequantized values differ"));
        }
    }

    // The fixed vectors: input.f32 (testRows(5, 7): five rows of 512, one per kind of row) and per
    // type <type>.bin (ggml_quantize_chunk) and <type>.dequant.f32 (dequantize_row_* of those bytes).
    static QString vectorsDir() { return srs::test::sourceDir() + "/tests/data/ggml_vectors"; }

    static QByteArray bytesOf(const void* data, std::size_t n) {
        return QByteArray(static_cast<const char*>(data), qsizetype(n));
    }

    void checkOrWrite(const QString& name, const QByteArray& made, bool write) {
        QFile f(vectorsDir() + "/" + name);
        if (write) {
            QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(f.fileName()));
            QCOMPARE(f.write(made), made.size());
            return;
        }
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName() + " is missing (SRS_WRITE_GGML_VECTORS=1 writes it)"));
        QVERIFY2(f.readAll() == made, qPrintable(name + " differs from what this ggml makes of input.f32: the fixed vectors are stale"));
    }

private slots:
    void initTestCase() {
        SRS_REQUIRE_LLAMA_BUILD();
        ggml_.path = srs::test::llama::libDir() + "/libggml-base.so";
        QVERIFY2(QFileInfo::exists(ggml_.path), qPrintable(ggml_.path + " is missing"));
        ggml_.handle = dlopen(ggml_.path.toUtf8().constData(), RTLD_NOW | RTLD_LOCAL);
        QVERIFY2(ggml_.handle, dlerror());
        ggml_.quantize = reinterpret_cast<QuantizeChunkFn>(dlsym(ggml_.handle, "ggml_quantize_chunk"));
        QVERIFY(ggml_.quantize);
        auto version = reinterpret_cast<const char* (*)()>(dlsym(ggml_.handle, "ggml_version"));
        QVERIFY(version);
        qInfo("ggml %s: %s", version(), qPrintable(ggml_.path));
    }

    void cleanupTestCase() {
        for (const auto& [type, n] : blocks_) qInfo("%s: %zu blocks byte-exact (quantize) and float-exact (dequantize)", type.c_str(), n);
    }

    void syntheticRowsAreByteExact() {
        compareBytes(testRows(70, 1), 512, "synthetic");
        compareBytes(testRows(35, 2), 256, "synthetic-256");
    }

    void fixedVectorsAreGgmls() {
        const bool write = qEnvironmentVariable("SRS_WRITE_GGML_VECTORS") == "1";
        const std::vector<float> x = testRows(5, 7);
        const std::int64_t n_per_row = 512, nrows = 5;
        checkOrWrite("input.f32", bytesOf(x.data(), x.size() * sizeof(float)), write);
        for (GgmlType t : kTypes) {
            const std::size_t bytes = std::size_t(nrows * rowBytes(t, n_per_row));
            std::vector<std::uint8_t> q(bytes);
            QCOMPARE(ggml_.quantize(int(t), x.data(), q.data(), 0, nrows, n_per_row, nullptr), bytes);
            auto deq = reinterpret_cast<DequantizeRowFn>(dlsym(ggml_.handle, dequantName(t)));
            QVERIFY(deq);
            std::vector<float> d(x.size());
            deq(q.data(), d.data(), std::int64_t(x.size()));
            const QString name = QString::fromStdString(typeName(t)).toLower();
            checkOrWrite(name + ".bin", bytesOf(q.data(), q.size()), write);
            checkOrWrite(name + ".dequant.f32", bytesOf(d.data(), d.size() * sizeof(float)), write);
        }
        if (write) qInfo("fixed vectors written to %s", qPrintable(vectorsDir()));
    }

    void realWeightsAreByteExact() {
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf/model.safetensors");
        auto file = srs::io::SafetensorsFile::open(model.toStdString());
        QVERIFY(file.ok());
        int checked = 0;
        for (const auto& info : (*file)->tensors()) {
            if (info.name.find("layers.0.") == std::string::npos && info.name.find("layers.7.") == std::string::npos) continue;
            if (info.shape.size() != 2) continue;
            auto view = (*file)->tensor(info.name);
            QVERIFY(view.ok());
            compareBytes(view->toFloat(), std::int64_t(info.shape[1]), QString::fromStdString(info.name));
            ++checked;
        }
        QVERIFY(checked >= 7);
        qInfo("%d weight matrices, every type byte-exact", checked);
    }
};

QTEST_GUILESS_MAIN(TestGgufQuantsVsGgml)
#include "test_gguf_quants_vs_ggml.moc"
