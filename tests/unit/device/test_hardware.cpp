// Hardware detection agrees with what the OS reports, and memory readings move with allocations.
#include <QtTest>

#include <fstream>
#include <thread>
#include <vector>

#include "core/device/hardware.h"

class TestHardware : public QObject {
    Q_OBJECT
private slots:
    void matchesTheOs() {
        auto hw = srs::device::detectHardware();
        QCOMPARE(hw.cpu.logical_cores, static_cast<int>(std::thread::hardware_concurrency()));
        QVERIFY(hw.cpu.physical_cores >= 1 && hw.cpu.physical_cores <= hw.cpu.logical_cores);
        QVERIFY(hw.total_ram_bytes > 0);
        QVERIFY(hw.available_ram_bytes <= hw.total_ram_bytes);
        // The ISA bits agree with the kernel's view in /proc/cpuinfo.
        std::ifstream in("/proc/cpuinfo");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        QCOMPARE(hw.cpu.avx2, text.find(" avx2") != std::string::npos);
        QCOMPARE(hw.cpu.avx512f, text.find(" avx512f") != std::string::npos);
        QCOMPARE(hw.cpu.avx512_bf16, text.find(" avx512_bf16") != std::string::npos);
        auto names = srs::device::deviceNames(hw);
        QCOMPARE(names.front(), std::string("cpu"));
        QCOMPARE(names.size(), hw.cuda_devices.size() + 1);
        if (hw.cuda_devices.empty()) QVERIFY(!hw.cuda_status.empty());
        QVERIFY(srs::device::formatHardware(hw).find("Cores:") != std::string::npos);
    }

    void rssFollowsAllocations() {
        std::uint64_t before = srs::device::currentRssBytes();
        QVERIFY(before > 0);
        std::vector<char> big(64 << 20, 1);  // touched, so resident
        std::uint64_t during = srs::device::currentRssBytes();
        QVERIFY2(during >= before + (48 << 20), "64 MiB touched shows up in RSS");
        QVERIFY(srs::device::peakRssBytes() >= during);
        QCOMPARE(big[12345], char(1));
    }
};

QTEST_GUILESS_MAIN(TestHardware)
#include "test_hardware.moc"
