// `signround devices` against what the operating system says (/proc/cpuinfo, /proc/meminfo,
// sysconf), in --json and in text; and `signround bench quantize`'s streaming promise: eight
// times the layers (eight times the weights) must not grow the peak memory of a run by more
// than 15 %, a bound a run holding its weights in memory would break several times over.
#include <QFile>
#include <QTemporaryDir>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_harness.h"

using namespace srs::test::cli;

namespace {

QString procFile(const char* path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QString::fromUtf8(f.readAll());
}

// The value of the first "key<tab>: value" line of /proc/cpuinfo.
QString cpuinfo(const QString& key) {
    auto m = QRegularExpression("^" + QRegularExpression::escape(key) + "\\s*: (.*)$", QRegularExpression::MultilineOption)
                 .match(procFile("/proc/cpuinfo"));
    return m.hasMatch() ? m.captured(1).trimmed() : QString();
}

double mib(const QString& size) {  // "525.4 MiB" / "1.2 GiB"
    auto m = QRegularExpression("([0-9.]+) (KiB|MiB|GiB)").match(size);
    if (!m.hasMatch()) return -1;
    const double v = m.captured(1).toDouble();
    return m.captured(2) == "GiB" ? v * 1024 : m.captured(2) == "KiB" ? v / 1024 : v;
}

}  // namespace

class TestCliDevicesBench : public QObject {
    Q_OBJECT
private slots:
    void devicesSaysWhatTheSystemSays() {
        Run r = cli({"devices", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto j = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
        QVERIFY2(j.is_object(), qPrintable(r.out));
        const long online = sysconf(_SC_NPROCESSORS_ONLN);
        QCOMPARE(j["cpu"]["logical_cores"].get<long>(), online);
        QCOMPARE(QString::fromStdString(j["cpu"]["model"].get<std::string>()), cpuinfo("model name"));
        const QStringList flags = cpuinfo("flags").split(' ');
        QCOMPARE(j["cpu"]["avx2"].get<bool>(), flags.contains("avx2"));
        QCOMPARE(j["cpu"]["avx512f"].get<bool>(), flags.contains("avx512f"));
        auto mem = QRegularExpression("^MemTotal:\\s+(\\d+) kB$", QRegularExpression::MultilineOption).match(procFile("/proc/meminfo"));
        QVERIFY(mem.hasMatch());
        QCOMPARE(j["ram_total_bytes"].get<std::uint64_t>(), mem.captured(1).toULongLong() * 1024);
        const bool nvidia = QFile::exists("/dev/nvidiactl");
        if (!nvidia) {
            QVERIFY(j["cuda_devices"].empty());
            QVERIFY(!j["cuda_status"].get<std::string>().empty());
        }
        QCOMPARE(j["compute"]["threads"].get<long>(), online);

        Run t = cli({"devices"});
        QVERIFY2(t.code == 0, qPrintable(t.err));
        QVERIFY2(t.out.contains("CPU:     " + cpuinfo("model name")), qPrintable(t.out));
        QVERIFY2(t.out.contains(QString("Cores:   %1 logical").arg(online)), qPrintable(t.out));
        QVERIFY2(t.out.contains(nvidia ? "CUDA:    " : "CUDA:    none"), qPrintable(t.out));
    }

    void benchQuantizeMemoryIsFlat() {
        SRS_REQUIRE_SHARED(tok, "models/tinystories-llama-5M-hf/tokenizer.model");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir work;
        Run r = cli({"bench", "quantize", "--tokenizer", tok, "--dataset", calib, "--iters", "2", "--nsamples", "8", "--seqlen", "32",
                     "--layers", "2,16", "--workdir", work.path()});
        QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
        qInfo("%s", qPrintable(r.out));
        QRegularExpression line("^ ?(\\d+) layers: (.+) of weights, peak RSS (.+), .* per block", QRegularExpression::MultilineOption);
        std::map<int, std::pair<double, double>> seen;  // layers -> (weights MiB, peak MiB)
        for (auto it = line.globalMatch(r.out); it.hasNext();) {
            auto m = it.next();
            seen[m.captured(1).toInt()] = {mib(m.captured(2)), mib(m.captured(3))};
        }
        QVERIFY2(seen.count(2) && seen.count(16), qPrintable(r.out));
        const double extra_weights = seen[16].first - seen[2].first;  // what a non-streaming run would add
        const double peak_ratio = seen[16].second / seen[2].second;
        auto printed = QRegularExpression("peak RSS ratio 16/2 layers: ([0-9.]+)").match(r.out);
        QVERIFY2(printed.hasMatch(), qPrintable(r.out));
        QVERIFY(std::abs(printed.captured(1).toDouble() - peak_ratio) < 0.01);
        // The bound can fail: holding the extra weights once would already exceed it.
        QVERIFY2(extra_weights / seen[2].second > 0.15,
                 qPrintable(QString("the model is too small to tell (%1 MiB more weights)").arg(extra_weights)));
        QVERIFY2(peak_ratio < 1.15, qPrintable(QString("peak RSS grew %1x with 8x the layers").arg(peak_ratio)));
    }
};

QTEST_GUILESS_MAIN(TestCliDevicesBench)
#include "test_cli_devices_bench.moc"
