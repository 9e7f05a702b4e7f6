// The packed formats' bytes worked out by hand: one 32×32 layer with integers, scales and zero
// points chosen so every word can be written down from FORMATS.md §5.2–5.4 alone, exported in
// each format and read back as raw tensor bytes (no unpacker of ours). The words below are
// computed by hand in the comments; a nibble order, a zero-point convention, a transposition or an
// off-by-one in g_idx that pack and unpack share shows up here.
//
// The layer (out = 32, in = 32, group size 16, so two groups and g_idx = i / 16):
//   q[o][i]     = (o + i) mod 2^bits
//   scale[o][g] = 0.5 for g = 0, 0.25 for g = 1        (fp16 0x3800, 0x3400)
//   zero[o][g]  = sym: 2^(bits−1); asym 4-bit: 1 + (o mod 8) + g; asym 2-bit: (o + g) mod 4
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/export/packed_export.h"
#include "core/io/safetensors.h"
#include "core/io/weight_source.h"
#include "support/tiny_model.h"

using namespace srs::exporter;

namespace {

const char* kLayer = "model.layers.0.self_attn.q_proj";

QuantizedLayer handLayer(int bits, bool sym) {
    QuantizedLayer l;
    l.name = kLayer;
    l.scheme = {bits, 16, sym};
    l.out_features = 32;
    l.in_features = 32;
    const int levels = 1 << bits;
    for (int o = 0; o < 32; ++o) {
        for (int i = 0; i < 32; ++i) l.q.push_back(std::uint8_t((o + i) % levels));
        for (int g = 0; g < 2; ++g) {
            l.scales.push_back(g == 0 ? 0.5f : 0.25f);
            l.zeros.push_back(sym ? levels / 2 : bits == 4 ? 1 + (o % 8) + g : (o + g) % 4);
        }
    }
    return l;
}

struct Exported {
    std::shared_ptr<srs::io::SafetensorsFile> file;
    nlohmann::json qc;
};

Exported exportHand(const QString& dir, PackedFormat format, int bits, bool sym) {
    Exported e;
    srs::test::TinyModelSpec spec;  // hidden 32: q_proj is 32×32
    spec.layers = 1;
    srs::test::writeTinyModel(dir + "/src", spec);
    auto src = srs::io::openWeightSource((dir + "/src").toStdString());
    if (!src.ok()) return e;
    QuantizedModel m;
    m.source = *src;
    m.scheme = {bits, 16, sym};
    m.layers[kLayer] = handLayer(bits, sym);
    const std::string out = (dir + "/out").toStdString();
    PackedExportOptions opt;
    opt.format = format;
    if (!exportPacked(m, out, opt).ok()) return e;
    auto f = srs::io::SafetensorsFile::open(out + "/model.safetensors");
    if (!f.ok()) return e;
    e.file = *f;
    std::ifstream cfg(out + "/config.json");
    e.qc = nlohmann::json::parse(cfg)["quantization_config"];
    return e;
}

// The raw little-endian values of an int32 / fp16 tensor, with its shape.
template <typename T>
std::vector<T> raw(const Exported& e, const std::string& suffix, std::vector<std::int64_t> shape) {
    auto v = e.file->tensor(std::string(kLayer) + "." + suffix);
    if (!v.ok() || v->info->shape != shape) return {};
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<T> out(static_cast<std::size_t>(n));
    std::memcpy(out.data(), v->data, out.size() * sizeof(T));
    return out;
}

std::uint32_t u(std::int32_t w) { return std::uint32_t(w); }

}  // namespace

class TestPackedLayout : public QObject {
    Q_OBJECT

    // fp16 scales, transposed to [groups, out]: 0.5 = 0x3800 in row 0, 0.25 = 0x3400 in row 1.
    static void checkScales(const Exported& e) {
        auto s = raw<std::uint16_t>(e, "scales", {2, 32});
        QCOMPARE(s.size(), std::size_t(64));
        for (int o = 0; o < 32; ++o) {
            QCOMPARE(s[std::size_t(o)], std::uint16_t(0x3800));
            QCOMPARE(s[std::size_t(32 + o)], std::uint16_t(0x3400));
        }
    }

    // GPTQ rows, 4-bit: qweight[r][o] holds inputs 8r … 8r+7 of output o, the first in the low
    // nibble. Output 0: inputs 0..7 → 0x76543210, 8..15 → 0xFEDCBA98; output 1, inputs 8..15 hold
    // 9..15, 0 → 0x0FEDCBA9; output 9, inputs 0..7 hold 9..15, 0 → 0x0FEDCBA9; output 31, inputs
    // 24..31 hold (55..62) mod 16 = 7..14 → 0xEDCBA987.
    static void checkGptqQweight4(const Exported& e) {
        auto q = raw<std::int32_t>(e, "qweight", {4, 32});
        QCOMPARE(q.size(), std::size_t(128));
        QCOMPARE(u(q[0 * 32 + 0]), 0x76543210u);
        QCOMPARE(u(q[1 * 32 + 0]), 0xFEDCBA98u);
        QCOMPARE(u(q[1 * 32 + 1]), 0x0FEDCBA9u);
        QCOMPARE(u(q[0 * 32 + 9]), 0x0FEDCBA9u);
        QCOMPARE(u(q[3 * 32 + 31]), 0xEDCBA987u);
    }

private slots:
    // auto_round, sym 4-bit: GPTQ packing, zeros stored minus one (8 − 1 = 7 in every nibble), no g_idx.
    void autoRoundSym4() {
        QTemporaryDir dir;
        auto e = exportHand(dir.path(), PackedFormat::AutoRound, 4, true);
        QVERIFY(e.file);
        QCOMPARE(e.qc["packing_format"].get<std::string>(), std::string("auto_round:auto_gptq"));
        checkGptqQweight4(e);
        auto z = raw<std::int32_t>(e, "qzeros", {2, 4});
        QCOMPARE(z.size(), std::size_t(8));
        for (auto w : z) QCOMPARE(u(w), 0x77777777u);
        checkScales(e);
        QVERIFY(!e.file->find(std::string(kLayer) + ".g_idx"));
    }

    // auto_gptq, asym 4-bit: zeros 1 + (o mod 8) + g stored minus one along out: group 0, outputs
    // 0..7 → 0,1,…,7 → 0x76543210; group 1 → 1..8 → 0x87654321 (the same for every word of a row,
    // since o mod 8 repeats). g_idx = i / 16: sixteen 0s, then sixteen 1s.
    void autoGptqAsym4() {
        QTemporaryDir dir;
        auto e = exportHand(dir.path(), PackedFormat::AutoGptq, 4, false);
        QVERIFY(e.file);
        checkGptqQweight4(e);
        auto z = raw<std::int32_t>(e, "qzeros", {2, 4});
        QCOMPARE(z.size(), std::size_t(8));
        for (int c = 0; c < 4; ++c) {
            QCOMPARE(u(z[std::size_t(c)]), 0x76543210u);
            QCOMPARE(u(z[std::size_t(4 + c)]), 0x87654321u);
        }
        checkScales(e);
        auto g = raw<std::int32_t>(e, "g_idx", {32});
        QCOMPARE(g.size(), std::size_t(32));
        for (int i = 0; i < 32; ++i) QCOMPARE(g[std::size_t(i)], i < 16 ? 0 : 1);
    }

    // AWQ packing (auto_round asym 4-bit and auto_awq): qweight [in, out/8]; nibble k (from the low
    // end) of a word holds column 0, 2, 4, 6, 1, 3, 5, 7 of its eight (AWQ's order; readers undo it
    // with 0, 4, 1, 5, 2, 6, 3, 7). Input 0, columns 0..7 hold 0..7 → nibbles 0,2,4,6,1,3,5,7 →
    // 0x75316420; input 1 holds 1..8 → 1,3,5,7,2,4,6,8 → 0x86427531. Zeros stored as they are:
    // group 0, outputs 0..7 are 1..8 → 0x86427531; group 1 are 2..9 → 2,4,6,8,3,5,7,9 → 0x97538642.
    void awqAsym4_data() {
        QTest::addColumn<int>("format");
        QTest::newRow("auto_round") << int(PackedFormat::AutoRound);
        QTest::newRow("auto_awq") << int(PackedFormat::AutoAwq);
    }
    void awqAsym4() {
        QFETCH(int, format);
        QTemporaryDir dir;
        auto e = exportHand(dir.path(), PackedFormat(format), 4, false);
        QVERIFY(e.file);
        if (PackedFormat(format) == PackedFormat::AutoRound)
            QCOMPARE(e.qc["packing_format"].get<std::string>(), std::string("auto_round:auto_awq"));
        auto q = raw<std::int32_t>(e, "qweight", {32, 4});
        QCOMPARE(q.size(), std::size_t(128));
        QCOMPARE(u(q[0 * 4 + 0]), 0x75316420u);
        QCOMPARE(u(q[1 * 4 + 0]), 0x86427531u);
        auto z = raw<std::int32_t>(e, "qzeros", {2, 4});
        QCOMPARE(z.size(), std::size_t(8));
        QCOMPARE(u(z[0]), 0x86427531u);
        QCOMPARE(u(z[4]), 0x97538642u);
        checkScales(e);
    }

    // Plain auto_round packing, asym 2-bit: GPTQ rows with sixteen 2-bit values a word, zeros as
    // they are. Output 0, inputs 0..15 hold 0,1,2,3 repeated → byte 0b11100100 = 0xE4 → 0xE4E4E4E4;
    // output 1 holds 1,2,3,0 … → 0b00111001 = 0x39 → 0x39393939. Zeros (o + g) mod 4 along out:
    // group 0 → 0xE4E4E4E4, group 1 → 0x39393939.
    void autoRoundAsym2() {
        QTemporaryDir dir;
        auto e = exportHand(dir.path(), PackedFormat::AutoRound, 2, false);
        QVERIFY(e.file);
        QCOMPARE(e.qc["packing_format"].get<std::string>(), std::string("auto_round"));
        auto q = raw<std::int32_t>(e, "qweight", {2, 32});
        QCOMPARE(q.size(), std::size_t(64));
        QCOMPARE(u(q[0]), 0xE4E4E4E4u);
        QCOMPARE(u(q[1]), 0x39393939u);
        QCOMPARE(u(q[32 + 0]), 0xE4E4E4E4u);
        auto z = raw<std::int32_t>(e, "qzeros", {2, 2});
        QCOMPARE(z.size(), std::size_t(4));
        QCOMPARE(u(z[0]), 0xE4E4E4E4u);
        QCOMPARE(u(z[2]), 0x39393939u);
        checkScales(e);
    }
};

QTEST_GUILESS_MAIN(TestPackedLayout)
#include "test_packed_layout.moc"
