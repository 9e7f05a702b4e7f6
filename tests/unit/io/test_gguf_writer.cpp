// GgufWriter: the written bytes parsed back by a small independent parser in this test (every
// value type, string arrays, tensor infos, 32-byte alignment and padding), read by our GGUF
// reader, and stories260K.gguf rebuilt key by key and tensor by tensor to identical bytes.
#include <QtTest>

#include <QTemporaryDir>
#include <cstring>
#include <fstream>

#include "core/io/atomic_file.h"
#include "core/io/gguf.h"
#include "core/io/gguf_writer.h"
#include "support/test_paths.h"

using namespace srs::io;

namespace {

// A minimal GGUF parser kept independent of core/io/gguf.cpp: values are kept as raw typed bytes.
struct Parsed {
    std::uint32_t version = 0;
    struct Kv {
        std::string key;
        std::uint32_t type;
        std::vector<std::uint8_t> raw;  // the value bytes after the type
    };
    std::vector<Kv> kv;
    struct Ti {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::uint64_t offset;
    };
    std::vector<Ti> tensors;
    std::uint64_t data_offset = 0;
};

struct Reader {
    const std::vector<std::uint8_t>& b;
    std::size_t p = 0;
    bool ok = true;
    template <typename T>
    T get() {
        T v{};
        if (p + sizeof(T) > b.size()) {
            ok = false;
            return v;
        }
        std::memcpy(&v, b.data() + p, sizeof(T));
        p += sizeof(T);
        return v;
    }
    std::string str() {
        auto n = get<std::uint64_t>();
        if (!ok || p + n > b.size()) {
            ok = false;
            return {};
        }
        std::string s(reinterpret_cast<const char*>(b.data() + p), n);
        p += n;
        return s;
    }
    std::size_t scalarSize(std::uint32_t t) {
        switch (t) {
            case 0: case 1: case 7: return 1;
            case 2: case 3: return 2;
            case 4: case 5: case 6: return 4;
            case 10: case 11: case 12: return 8;
            default: return 0;
        }
    }
    void skipValue(std::uint32_t t) {
        if (t == 8) {
            str();
        } else if (t == 9) {
            auto et = get<std::uint32_t>();
            auto n = get<std::uint64_t>();
            for (std::uint64_t i = 0; i < n && ok; ++i) skipValue(et);
        } else {
            auto s = scalarSize(t);
            if (!s || p + s > b.size()) ok = false;
            p += s;
        }
    }
};

bool parse(const std::vector<std::uint8_t>& bytes, Parsed* out) {
    Reader r{bytes};
    if (bytes.size() < 4 || std::memcmp(bytes.data(), "GGUF", 4) != 0) return false;
    r.p = 4;
    out->version = r.get<std::uint32_t>();
    auto nt = r.get<std::uint64_t>();
    auto nkv = r.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < nkv && r.ok; ++i) {
        Parsed::Kv kv;
        kv.key = r.str();
        kv.type = r.get<std::uint32_t>();
        const std::size_t start = r.p;
        r.skipValue(kv.type);
        if (r.ok) kv.raw.assign(bytes.begin() + start, bytes.begin() + r.p);
        out->kv.push_back(kv);
    }
    for (std::uint64_t i = 0; i < nt && r.ok; ++i) {
        Parsed::Ti t;
        t.name = r.str();
        auto nd = r.get<std::uint32_t>();
        for (std::uint32_t d = 0; d < nd; ++d) t.ne.push_back(r.get<std::uint64_t>());
        t.type = r.get<std::uint32_t>();
        t.offset = r.get<std::uint64_t>();
        out->tensors.push_back(t);
    }
    out->data_offset = (r.p + 31) / 32 * 32;
    return r.ok;
}

std::vector<std::uint8_t> readAll(const QString& path) {
    std::ifstream f(path.toStdString(), std::ios::binary);
    return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

template <typename T>
T rawAs(const Parsed::Kv& kv) {
    T v{};
    std::memcpy(&v, kv.raw.data(), sizeof(T));
    return v;
}

}  // namespace

class TestGgufWriter : public QObject {
    Q_OBJECT
private slots:
    void everyValueTypeParsesBack() {
        QTemporaryDir dir;
        GgufWriter w;
        w.setString("general.architecture", "llama");
        w.setU32("general.alignment", 32);
        w.setU8("t.u8", 200);
        w.setI8("t.i8", -5);
        w.setU16("t.u16", 60000);
        w.setI16("t.i16", -30000);
        w.setU32("t.u32", 4000000000u);
        w.setI32("t.i32", -2000000000);
        w.setU64("t.u64", 1ull << 40);
        w.setI64("t.i64", -(1ll << 40));
        w.setF32("t.f32", 1.5f);
        w.setF64("t.f64", -2.25);
        w.setBool("t.bool", true);
        w.setStringArray("t.strs", {"a", "", "\xe2\x96\x81hello"});
        w.setF32Array("t.f32s", {0.5f, -1.f});
        w.setI32Array("t.i32s", {1, -2, 3});
        w.setU32Array("t.u32s", {7});
        w.setU32("t.u32", 5);  // replaced in place, not appended
        QCOMPARE(int(w.keyCount()), 17);

        // Sizes chosen so every tensor needs padding: 3 floats = 12 bytes, 18-byte Q4_0 block, 5 halves.
        QVERIFY(w.addTensor("a", {3}, 0, 12).ok());
        QVERIFY(w.addTensor("b", {32, 1}, 2, 18).ok());
        QVERIFY(w.addTensor("c", {5}, 1, 10).ok());
        const QString path = dir.filePath("t.gguf");
        auto n = w.write(path.toStdString(), [](std::size_t i) -> srs::Result<std::vector<std::uint8_t>> {
            const std::size_t sizes[] = {12, 18, 10};
            return std::vector<std::uint8_t>(sizes[i], std::uint8_t(0xA0 + i));
        });
        QVERIFY2(n.ok(), n.ok() ? "" : n.error().message.c_str());
        const auto bytes = readAll(path);
        QCOMPARE(std::uint64_t(bytes.size()), *n);
        Parsed p;
        QVERIFY(parse(bytes, &p));
        QCOMPARE(p.version, 3u);
        QCOMPARE(int(p.kv.size()), 17);
        QCOMPARE(p.kv[0].key, std::string("general.architecture"));
        QCOMPARE(p.kv[6].key, std::string("t.u32"));
        QCOMPARE(rawAs<std::uint32_t>(p.kv[6]), 5u);
        QCOMPARE(p.kv[6].type, 4u);
        QCOMPARE(rawAs<std::int8_t>(p.kv[3]), std::int8_t(-5));
        QCOMPARE(rawAs<std::int64_t>(p.kv[9]), -(1ll << 40));
        QCOMPARE(rawAs<double>(p.kv[11]), -2.25);
        QCOMPARE(p.kv[12].type, 7u);
        QCOMPARE(int(p.kv[12].raw[0]), 1);
        // string array: element type 8, count 3, then u64-length strings
        QCOMPARE(p.kv[13].type, 9u);
        QCOMPARE(rawAs<std::uint32_t>(p.kv[13]), 8u);
        QCOMPARE(p.tensors.size(), size_t(3));
        QCOMPARE(p.tensors[0].offset, 0ull);
        QCOMPARE(p.tensors[1].offset, 32ull);
        QCOMPARE(p.tensors[2].offset, 64ull);
        QCOMPARE(p.tensors[1].ne, (std::vector<std::uint64_t>{32, 1}));
        QCOMPARE(p.data_offset % 32, 0ull);
        QCOMPARE(bytes.size(), size_t(p.data_offset + 96));  // last tensor padded too
        QCOMPARE(int(bytes[p.data_offset + 32]), 0xA1);
        QCOMPARE(int(bytes[p.data_offset + 31]), 0);  // padding after tensor a
        QCOMPARE(int(bytes[p.data_offset + 64 + 9]), 0xA2);

        // Our reader agrees.
        auto g = GgufFile::open(path.toStdString());
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE((*g)->meta("t.strs")->at(2).get<std::string>(), std::string("\xe2\x96\x81hello"));
        QCOMPARE((*g)->meta("t.f64")->get<double>(), -2.25);
        QCOMPARE((*g)->meta("t.i32s")->at(1).get<int>(), -2);
        QCOMPARE((*g)->find("c")->size_bytes, 10ull);
        QCOMPARE((*g)->dataOffset(), p.data_offset);
    }

    void refusesBadTensorsAndLeavesNothingOnFailure() {
        QTemporaryDir dir;
        GgufWriter w;
        QVERIFY(!w.addTensor("q", {33, 2}, 2, 36).ok());  // row not a multiple of 32 for Q4_0
        QVERIFY(!w.addTensor("q", {32, 2}, 2, 30).ok());  // wrong byte size
        QVERIFY(!w.addTensor(std::string(64, 'x'), {4}, 0, 16).ok());
        QVERIFY(!w.addTensor("z", {0}, 0, 0).ok());
        QVERIFY(!w.addTensor("u", {4}, 99, 16).ok());
        QVERIFY(w.addTensor("ok", {4}, 0, 16).ok());
        QVERIFY(!w.addTensor("ok", {4}, 0, 16).ok());
        QVERIFY(w.addTensor("second", {4}, 0, 16).ok());
        const std::string path = dir.filePath("fail.gguf").toStdString();
        // The data callback fails on the second tensor: no file under the final name, no temp left.
        auto r = w.write(path, [](std::size_t i) -> srs::Result<std::vector<std::uint8_t>> {
            if (i == 1) return srs::makeError(srs::ErrorCode::IoError, "disk on fire");
            return std::vector<std::uint8_t>(16, 1);
        });
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("second") != std::string::npos);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
        // Wrong size from the callback, and a cancel, likewise.
        r = w.write(path, [](std::size_t) -> srs::Result<std::vector<std::uint8_t>> { return std::vector<std::uint8_t>(8, 1); });
        QVERIFY(!r.ok());
        srs::CancelToken cancel;
        cancel.cancel();
        r = w.write(path, [](std::size_t) -> srs::Result<std::vector<std::uint8_t>> { return std::vector<std::uint8_t>(16, 1); }, {}, cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, srs::ErrorCode::Cancelled);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
        GgufWriter bad;
        bad.setU32("general.alignment", 64);
        QVERIFY(!bad.write(path, [](std::size_t) -> srs::Result<std::vector<std::uint8_t>> { return std::vector<std::uint8_t>(); }).ok());
    }

    void rebuildsStories260KByteForByte() {
        SRS_REQUIRE_SHARED(src, "models/stories260K/stories260K.gguf");
        const auto orig = readAll(src);
        Parsed p;
        QVERIFY(parse(orig, &p));
        QCOMPARE(p.version, 3u);
        QCOMPARE(int(p.tensors.size()), 48);
        QCOMPARE(int(p.kv.size()), 19);
        QCOMPARE(p.data_offset, 14176ull);
        // Every key through the typed setters (arrays decoded element by element).
        GgufWriter w;
        for (const auto& kv : p.kv) {
            Reader r{kv.raw};
            switch (kv.type) {
                case 4: w.setU32(kv.key, r.get<std::uint32_t>()); break;
                case 5: w.setI32(kv.key, r.get<std::int32_t>()); break;
                case 6: w.setF32(kv.key, r.get<float>()); break;
                case 7: w.setBool(kv.key, r.get<std::uint8_t>() != 0); break;
                case 8: w.setString(kv.key, r.str()); break;
                case 9: {
                    auto et = r.get<std::uint32_t>();
                    auto n = r.get<std::uint64_t>();
                    if (et == 8) {
                        std::vector<std::string> v;
                        for (std::uint64_t i = 0; i < n; ++i) v.push_back(r.str());
                        w.setStringArray(kv.key, v);
                    } else if (et == 6) {
                        std::vector<float> v;
                        for (std::uint64_t i = 0; i < n; ++i) v.push_back(r.get<float>());
                        w.setF32Array(kv.key, v);
                    } else if (et == 5) {
                        std::vector<std::int32_t> v;
                        for (std::uint64_t i = 0; i < n; ++i) v.push_back(r.get<std::int32_t>());
                        w.setI32Array(kv.key, v);
                    } else {
                        QFAIL(qPrintable(QString("unexpected array type %1 in %2").arg(et).arg(QString::fromStdString(kv.key))));
                    }
                    break;
                }
                default: QFAIL(qPrintable(QString("unexpected type %1 in %2").arg(kv.type).arg(QString::fromStdString(kv.key))));
            }
        }
        for (const auto& t : p.tensors) {
            std::uint64_t n = 1;
            for (auto d : t.ne) n *= d;
            QCOMPARE(t.type, 0u);
            QVERIFY(w.addTensor(t.name, t.ne, t.type, n * 4).ok());
        }
        QTemporaryDir dir;
        const QString out = dir.filePath("rebuilt.gguf");
        auto r = w.write(out.toStdString(), [&](std::size_t i) -> srs::Result<std::vector<std::uint8_t>> {
            const auto& t = p.tensors[i];
            std::uint64_t n = 1;
            for (auto d : t.ne) n *= d;
            const auto* b = orig.data() + p.data_offset + t.offset;
            return std::vector<std::uint8_t>(b, b + n * 4);
        });
        QVERIFY(r.ok());
        const auto rebuilt = readAll(out);
        QCOMPARE(rebuilt.size(), orig.size());
        QVERIFY(rebuilt == orig);
    }
};

QTEST_GUILESS_MAIN(TestGgufWriter)
#include "test_gguf_writer.moc"
