// --device resolution: auto / cpu / cuda / cuda:N against what LibTorch and the driver offer,
// with the reason in words when a GPU cannot be used (every case built by hand: no GPU needed).
#include <QtTest>

#include "core/device/device_choice.h"

using srs::device::DeviceAvailability;
using srs::device::resolveDevice;

namespace {

DeviceAvailability withGpus(int n) {
    DeviceAvailability a;
    a.torch_cuda_built = true;
    a.torch_cuda_devices = n;
    for (int i = 0; i < n; ++i) a.gpus.push_back({i, "NVIDIA H200", 150ull << 30, 9, 0});
    return a;
}

}  // namespace

class TestDeviceChoice : public QObject {
    Q_OBJECT
private slots:
    void autoTakesTheFirstUsableGpuElseTheCpu() {
        QCOMPARE(resolveDevice("auto", withGpus(2))->name, std::string("cuda:0"));
        QVERIFY(resolveDevice("auto", withGpus(2))->cuda);
        QCOMPARE(resolveDevice("", withGpus(1))->name, std::string("cuda:0"));
        QCOMPARE(resolveDevice("auto", withGpus(0))->name, std::string("cpu"));
        QVERIFY(!resolveDevice("auto", withGpus(0))->cuda);
        // The driver lists a GPU but the LibTorch is CPU-only: auto stays on the CPU.
        DeviceAvailability cpu_torch = withGpus(1);
        cpu_torch.torch_cuda_built = false;
        QCOMPARE(resolveDevice("auto", cpu_torch)->name, std::string("cpu"));
    }

    void namedDevices() {
        QCOMPARE(resolveDevice("cpu", withGpus(2))->name, std::string("cpu"));
        QCOMPARE(resolveDevice("cuda", withGpus(2))->name, std::string("cuda:0"));
        const auto d = resolveDevice("cuda:1", withGpus(2));
        QVERIFY(d);
        QCOMPARE(d->index, 1);
        QCOMPARE(d->memory_bytes, 150ull << 30);
        QVERIFY2(d->label.find("cuda:1 (NVIDIA H200, ") == 0, d->label.c_str());
    }

    void unusableGpusSayWhy_data() {
        QTest::addColumn<QString>("requested");
        QTest::addColumn<int>("torch_devices");
        QTest::addColumn<bool>("torch_cuda");
        QTest::addColumn<int>("driver_gpus");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("hint");
        QTest::newRow("CPU-only LibTorch") << "cuda" << 0 << false << 1 << "device 'cuda' is not available: this build's LibTorch has no CUDA backend"
                                           << "--device cpu";
        QTest::newRow("no driver") << "cuda:0" << 0 << true << 0 << "device 'cuda:0' is not available: no NVIDIA driver (libcuda.so.1 not found)"
                                   << "--device cpu";
        QTest::newRow("driver sees, torch does not") << "cuda" << 0 << true << 2 << "the NVIDIA driver lists 2 GPU(s) but LibTorch can use none"
                                                     << "--device cpu";
        QTest::newRow("index past the last") << "cuda:2" << 2 << true << 2 << "LibTorch can use 2 CUDA devices (cuda:0 to cuda:1)" << "cuda:0 ... cuda:1";
        QTest::newRow("one device") << "cuda:1" << 1 << true << 1 << "LibTorch can use 1 CUDA device (cuda:0)" << "use --device cuda:0, or cpu";
        QTest::newRow("not a number") << "cuda:one" << 1 << true << 1 << "the device number must be a whole number" << "cuda:0, cuda:1";
        QTest::newRow("negative") << "cuda:-1" << 1 << true << 1 << "the device number must be a whole number" << "cuda:0";
        QTest::newRow("unknown") << "gpu" << 1 << true << 1 << "unknown device 'gpu'" << "auto, cpu, cuda or cuda:N";
        QTest::newRow("metal") << "mps" << 0 << false << 0 << "unknown device 'mps'" << "auto, cpu, cuda or cuda:N";
    }
    void unusableGpusSayWhy() {
        QFETCH(QString, requested);
        QFETCH(int, torch_devices);
        QFETCH(bool, torch_cuda);
        QFETCH(int, driver_gpus);
        QFETCH(QString, message);
        QFETCH(QString, hint);
        DeviceAvailability a = withGpus(driver_gpus);
        a.torch_cuda_built = torch_cuda;
        a.torch_cuda_devices = torch_devices;
        if (driver_gpus == 0) a.driver_status = "no NVIDIA driver (libcuda.so.1 not found)";
        const auto r = resolveDevice(requested.toStdString(), a);
        QVERIFY(!r);
        QVERIFY2(QString::fromStdString(r.error().message).contains(message), r.error().message.c_str());
        QVERIFY2(QString::fromStdString(r.error().hint).contains(hint), r.error().hint.c_str());
    }

    void pickerListsAutoCpuAndEveryUsableGpu() {
        auto list = srs::device::usableDevices(withGpus(2));
        QCOMPARE(list.size(), std::size_t(4));
        QCOMPARE(list[0].name, std::string("auto"));
        QVERIFY2(list[0].label.find("auto: cuda:0 (NVIDIA H200") == 0, list[0].label.c_str());
        QCOMPARE(list[1].name, std::string("cpu"));
        QCOMPARE(list[3].name, std::string("cuda:1"));
        list = srs::device::usableDevices(withGpus(0));
        QCOMPARE(list.size(), std::size_t(2));
        QCOMPARE(list[0].label, std::string("auto: cpu"));
    }
};

QTEST_GUILESS_MAIN(TestDeviceChoice)
#include "test_device_choice.moc"
