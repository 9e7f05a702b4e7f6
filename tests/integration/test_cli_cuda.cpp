// --device on the command line. `auto` (the default) runs where LibTorch can: the CPU on a machine
// without a usable GPU, cuda:0 where there is one; the run records the device it used. A CUDA
// device that cannot be used is refused before any work, saying why and what to pass, and nothing
// is written. On a machine with a GPU (label gpu: `ctest -L gpu`, tools/gpu/check.sh) the 5M model
// quantized on the GPU and on the CPU with the same seed gives perplexities within 0.5 %, evaluated
// on each device, and `bench tune --device cuda` prints its figures.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include "cli_harness.h"

using namespace srs::test::cli;

namespace {

// CUDA devices LibTorch can use in this build on this machine (`signround devices --json`).
int torchCudaDevices() {
    Run r = cli({"devices", "--json"});
    auto j = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
    if (r.code != 0 || !j.is_object()) qFatal("signround devices --json failed: %s", qPrintable(r.err));
    return j["compute"]["torch_cuda_devices"].get<int>();
}

// The device the `started` event of a --json run names.
QString startedDevice(const QString& json_lines) {
    for (const QString& line : json_lines.split('\n', Qt::SkipEmptyParts)) {
        auto j = nlohmann::json::parse(line.toStdString(), nullptr, false);
        if (j.is_object() && j.value("event", "") == "started") return QString::fromStdString(j.value("device", ""));
    }
    return {};
}

// The perplexity the `finished` event reports for one evaluated model ("original", "auto_round").
double finishedPpl(const QString& json_lines, const std::string& which) {
    for (const QString& line : json_lines.split('\n', Qt::SkipEmptyParts)) {
        auto j = nlohmann::json::parse(line.toStdString(), nullptr, false);
        if (!j.is_object() || j.value("event", "") != "finished" || !j.contains("evaluations")) continue;
        for (const auto& e : j["evaluations"])
            if (e.value("model", "") == which && e.contains("ppl")) return e["ppl"].get<double>();
    }
    return -1;
}

}  // namespace

class TestCliCuda : public QObject {
    Q_OBJECT
private slots:
    // A build without our CUDA kernels links LibTorch's CPU half and loads libtorch_cuda.so only
    // where the driver lists a GPU (kernels/torch_cuda_loader.h); loaded late, it registers
    // LibTorch's CUDA backend as linking it would (SRS_LOAD_TORCH_CUDA=1 forces the load here).
    void torchCudaIsLoadedWhereThereIsAGpu() {
        auto compute = [](const QString& env) {
            QProcess p;
            QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
            if (env.isEmpty()) e.remove("SRS_LOAD_TORCH_CUDA");
            else e.insert("SRS_LOAD_TORCH_CUDA", env);
            p.setProcessEnvironment(e);
            p.start(srs::test::executable("signround"), {"devices", "--json"});
            p.waitForFinished(60000);
            auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString(), nullptr, false);
            return j.is_object() ? j["compute"] : nlohmann::json();
        };
        const auto plain = compute({});
        QVERIFY2(plain.is_object(), "signround devices --json failed");
        const std::string detail = plain["torch_cuda_detail"].get<std::string>();
        if (!plain["torch_cuda_present"].get<bool>()) QSKIP(qPrintable("this LibTorch has no CUDA half: " + QString::fromStdString(detail)));
        const bool gpu = QFile::exists("/dev/nvidiactl");
        if (detail.rfind("libtorch_cuda.so linked in", 0) == 0) {
            QVERIFY(plain["torch_cuda"].get<bool>());  // a CUDA build: nothing to load
        } else if (gpu) {
            QVERIFY2(plain["torch_cuda"].get<bool>() && detail.rfind("libtorch_cuda.so loaded from ", 0) == 0, detail.c_str());
        } else {
            QVERIFY2(!plain["torch_cuda"].get<bool>() && detail.rfind("libtorch_cuda.so not loaded: ", 0) == 0, detail.c_str());
            const auto forced = compute("1");
            QVERIFY2(forced["torch_cuda"].get<bool>(), forced.dump().c_str());
            QVERIFY2(!forced["torch_cuda_version"].get<std::string>().empty(), forced.dump().c_str());
            QCOMPARE(forced["torch_cuda_devices"].get<int>(), 0);
        }
        const auto never = compute("0");
        if (detail.rfind("libtorch_cuda.so linked in", 0) != 0)
            QCOMPARE(never["torch_cuda_detail"].get<std::string>(), std::string("libtorch_cuda.so not loaded (SRS_LOAD_TORCH_CUDA=0)"));
    }

    void autoRunsWhereLibTorchCanAndRecordsIt() {
        SRS_REQUIRE_SHARED(model, "models/stories260K");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir out;
        Run r = cli({"quantize", "--model", model, "--dataset", calib, "--output_dir", out.path(), "--iters", "0", "--nsamples", "4", "--seqlen", "32",
                     "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(startedDevice(r.out), QString(torchCudaDevices() > 0 ? "cuda:0" : "cpu"));
        QVERIFY2(r.out.contains("\"message\":\"device: " + QString(torchCudaDevices() > 0 ? "cuda:0 (" : "cpu\"")), qPrintable(r.out.left(400)));
        // --device cpu is honoured whatever the machine has.
        QTemporaryDir out2;
        r = cli({"quantize", "--model", model, "--dataset", calib, "--output_dir", out2.path(), "--iters", "0", "--nsamples", "4", "--seqlen", "32",
                 "--json", "--device", "cpu"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(startedDevice(r.out), QString("cpu"));
    }

    void unusableDevicesAreRefusedBeforeAnyWork() {
        SRS_REQUIRE_SHARED(model, "models/stories260K");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        const int n = torchCudaDevices();
        const QString past = "cuda:" + QString::number(n);  // one past the last usable device
        const QString why = n == 0 ? "' is not available: " : QString("' is not available: LibTorch can use %1 CUDA device").arg(n);
        QTemporaryDir tmp;
        const QString out = tmp.path() + "/out";
        QList<QStringList> calls = {{"quantize", "--model", model, "--dataset", text, "--output_dir", out, "--device", past},
                                    {"eval", "--model", model, "--text", text, "--device", past},
                                    {"bench", "tune", "--hidden", "64", "--intermediate", "128", "--heads", "2", "--kv_heads", "1", "--head_dim", "32",
                                     "--seqlen", "16", "--batch", "1", "--device", past}};
        if (n == 0) calls.push_back({"quantize", "--model", model, "--dataset", text, "--output_dir", out, "--device", "cuda"});
        for (const QStringList& args : calls) {
            Run r = cli(args);
            QVERIFY2(r.code == 1, qPrintable(args.join(' ') + "\n" + r.err));
            const QString asked = args.last();
            QVERIFY2(r.err.contains("error: device '" + asked + why), qPrintable(r.err));
            QVERIFY2(r.err.contains("hint: use --device "), qPrintable(r.err));
            QVERIFY2(!QDir(out).exists(), "nothing is written for a refused device");
        }
        Run r = cli({"quantize", "--model", model, "--dataset", text, "--output_dir", out, "--device", "gpu0"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("unknown device 'gpu0'") && r.err.contains("auto, cpu, cuda or cuda:N"), qPrintable(r.err));
    }

    // With a GPU: the same run on cuda:0 and on the CPU, same seed, agree within 0.5 % in
    // perplexity (bf16 on both; the GPU's matmuls sum in another order). Without one, the CPU run
    // alone, against the perplexity printed by `signround eval` of its export (the in-run
    // evaluation is the one a GPU run uses).
    void gpuAndCpuRunsAgree() {
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        const bool gpu = torchCudaDevices() > 0;
        QStringList devices = {"cpu"};
        if (gpu) devices.prepend("cuda");
        std::map<QString, double> ppl;
        QTemporaryDir tmp;
        for (const QString& d : devices) {
            const QString out = tmp.path() + "/" + d;
            Run r = cli({"quantize", "--model", model, "--dataset", calib, "--output_dir", out, "--bits", "4", "--group_size", "32", "--iters", "8",
                         "--nsamples", "8", "--seqlen", "128", "--eval_text", text, "--eval_window", "256", "--json", "--device", d});
            QVERIFY2(r.code == 0, qPrintable(d + ": " + r.err));
            ppl[d] = finishedPpl(r.out, "auto_round");
            QVERIFY2(ppl[d] > 1.0, qPrintable(r.out.right(1500)));
            qInfo("%s: PPL %.4f", qPrintable(d), ppl[d]);
            if (d == "cpu") {  // the in-run evaluation is the one `signround eval` prints
                QDir od(out);
                const QStringList exports = od.entryList({"*auto_round"}, QDir::Dirs);
                QCOMPARE(exports.size(), 1);
                Run e = cli({"eval", "--model", od.filePath(exports.front()), "--text", text, "--window", "256", "--batch_size", "8", "--device", "cpu"});
                QVERIFY2(e.code == 0, qPrintable(e.err));
                QVERIFY2(e.out.contains(QString("PPL %1").arg(ppl[d], 0, 'f', 4)), qPrintable(e.out + QString(" vs %1").arg(ppl[d])));
            }
        }
        if (gpu) {
            const double rel = std::abs(ppl["cuda"] - ppl["cpu"]) / ppl["cpu"];
            qInfo("GPU vs CPU perplexity: %.4f vs %.4f, %.3f %% apart", ppl["cuda"], ppl["cpu"], 100.0 * rel);
            QVERIFY2(rel <= 0.005, qPrintable(QString("%1 vs %2").arg(ppl["cuda"]).arg(ppl["cpu"])));
            Run b = cli({"bench", "tune", "--device", "cuda", "--iters", "3"});
            QVERIFY2(b.code == 0, qPrintable(b.err));
            QVERIFY2(b.out.contains(QRegularExpression("qdq 4096 x 4096 group 128: forward [0-9.]+ us \\([0-9.]+ GB/s\\)")), qPrintable(b.out));
            qInfo("%s", qPrintable(b.out));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliCuda)
#include "test_cli_cuda.moc"
