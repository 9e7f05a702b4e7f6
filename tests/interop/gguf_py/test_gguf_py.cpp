// Our GGUF files read by llama.cpp's own Python package `gguf` (from the test venv, fixture
// interop_pyenv). The built CLI quantizes tinystories-llama-5M-hf (hidden 256, so every k-quant
// row fits) into every GGUF file type that, together, uses all the block types we write
// (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K). Here each file is
// opened with our reader, every tensor dequantized by our ggml::dequantizeRows into a float32
// dump, and the planner's type for every tensor (planGgufTypes on the model's own tensors) is
// written into a manifest; gguf_check.py then opens the files with gguf.GGUFReader and checks the
// intended metadata (from config.json, the tokenizer.model via sentencepiece, gguf.LlamaFileType),
// that every metadata key reads the same in both readers, the tensor types and shapes, and that
// gguf.quants.dequantize of every tensor equals ours bit for bit.
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "core/export/gguf_export.h"
#include "core/export/gguf_plan.h"
#include "core/io/atomic_file.h"
#include "core/io/ggml_quants.h"
#include "core/io/gguf.h"
#include "core/io/weight_source.h"
#include "support/test_paths.h"

namespace {

// Each file type once; together they hold every block type (the k-quant mixes add Q5_0/Q8_0/Q6_K
// where llama.cpp's recipe raises a tensor). The first GGUF format sets the scheme SignRound tunes
// in (a float one would leave nothing to quantize), so a k-quant mix leads: its tensors are written
// from the tuned scales and integers, the other files' from the reference quantizer.
const QStringList kFileTypes = {"q4_k_m", "f32",  "f16",    "bf16",   "q4_0",   "q4_1", "q5_0",
                                "q5_1",   "q8_0", "q2_k_s", "q3_k_m", "q5_k_m", "q6_k"};
const std::set<std::string> kAllBlockTypes = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
                                              "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"};

struct Out {
    int code = -1;
    QString out;
};

Out run(const QString& program, const QStringList& args, int timeout_ms) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(timeout_ms)) p.kill();
    p.waitForFinished(5000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

}  // namespace

class TestGgufPy : public QObject {
    Q_OBJECT
    QString python_, model_, calib_;
    QTemporaryDir dir_;
    nlohmann::json result_;

    QString ggufPath(const QString& type) const {
        return dir_.path() + "/out/tinystories-llama-5M-hf-gguf-" + type + "/tinystories-llama-5M-hf-" + type.toUpper() + ".gguf";
    }

private slots:
    void initTestCase() {
        python_ = qEnvironmentVariable("SRS_INTEROP_PYTHON", srs::test::binaryDir() + "/interop-venv/bin/python");
        // The only skip for want of the venv: the fixture interop_pyenv_setup skipped (PyPI unreachable).
        // setup.sh writes the stamp last and removes it first, so no stamp means no usable venv.
        if (!QFileInfo(python_).isExecutable() || !QFileInfo::exists(QFileInfo(python_).absolutePath() + "/../.srs-pyenv-stamp"))
            QSKIP(qPrintable(QStringLiteral("the interop test venv is not there (%1): the fixture test interop_pyenv_setup "
                                            "skipped because PyPI cannot be reached")
                                 .arg(python_)));
        model_ = srs::test::sharedPath("models/tinystories-llama-5M-hf");
        calib_ = srs::test::sharedPath("text/tinystories/TinyStories-train.first2MiB.txt");
        if (model_.isEmpty() || calib_.isEmpty())
            QSKIP(qPrintable("shared data not present: models/tinystories-llama-5M-hf and the TinyStories text (under " +
                             srs::test::sharedData() + ")"));
        QVERIFY(dir_.isValid());

        QStringList formats;
        for (const auto& t : kFileTypes) formats << "gguf:" + t;
        QElapsedTimer timer;
        timer.start();
        Out q = run(srs::test::executable("signround"),
                    {"quantize", "--model", model_, "--dataset", calib_, "--output_dir", dir_.path() + "/out", "--iters", "2", "--nsamples",
                     "4", "--seqlen", "64", "--device", "cpu", "--format", formats.join(',')},
                    600000);
        QVERIFY2(q.code == 0, qPrintable(q.out));
        qInfo("signround quantize wrote %lld GGUF file types in %lld ms", static_cast<long long>(kFileTypes.size()),
              static_cast<long long>(timer.elapsed()));
    }

    void ourDumpsAndPlanReadByGguf() {
        auto source = srs::io::openHfFolder(model_.toStdString());
        QVERIFY2(source.ok(), source.ok() ? "" : source.error().toString().c_str());
        std::vector<srs::exporter::GgufPlanInput> inputs;
        for (const auto& name : (*source)->tensorNames()) {
            auto shape = (*source)->shape(name);
            QVERIFY(shape.ok());
            inputs.push_back({name, *shape});
        }

        nlohmann::json manifest = {{"model_folder", model_.toStdString()}, {"files", nlohmann::json::array()}};
        QElapsedTimer timer;
        timer.start();
        std::uint64_t dumped = 0;
        for (const auto& type : kFileTypes) {
            auto ft = srs::exporter::parseGgufFileType(type.toStdString());
            QVERIFY(ft.ok());
            // The planner's choice, under llama.cpp's tensor names.
            std::map<std::string, std::string> planned;
            for (const auto& [hf, t] : srs::exporter::planGgufTypes(*ft, (*source)->config(), inputs)) {
                const std::string g = srs::exporter::ggufTensorName(hf);
                if (!g.empty()) planned[g] = srs::io::ggmlTypeName(static_cast<std::uint32_t>(t));
            }
            auto file = srs::io::GgufFile::open(ggufPath(type).toStdString());
            QVERIFY2(file.ok(), file.ok() ? qPrintable(type) : file.error().toString().c_str());
            const QString dump = dir_.path() + "/dump-" + type + ".f32";
            std::ofstream out(dump.toStdString(), std::ios::binary);
            nlohmann::json entry = {{"path", ggufPath(type).toStdString()}, {"file_type", type.toStdString()},
                                    {"dump", dump.toStdString()}, {"metadata", nlohmann::json::object()},
                                    {"tensors", nlohmann::json::array()}};
            for (const auto& [k, v] : (*file)->metadata()) entry["metadata"][k] = v;
            std::uint64_t offset = 0;
            for (const auto& t : (*file)->tensors()) {
                auto it = planned.find(t.name);
                QVERIFY2(it != planned.end(), qPrintable(type + ": " + QString::fromStdString(t.name) + " is not a planned tensor"));
                const auto gt = static_cast<srs::io::GgmlType>(t.type);
                const auto n_per_row = static_cast<std::int64_t>(t.ne.at(0));
                const auto nrows = static_cast<std::int64_t>(t.numel()) / n_per_row;
                std::vector<float> values(t.numel());
                auto st = srs::io::ggml::dequantizeRows(gt, (*file)->tensorData(t), nrows, n_per_row, values.data());
                QVERIFY2(st.ok(), st.ok() ? "" : st.error().toString().c_str());
                out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
                entry["tensors"].push_back({{"name", t.name}, {"ne", t.ne}, {"planned_type", it->second},
                                            {"our_type", srs::io::ggmlTypeName(t.type)}, {"offset", offset}, {"numel", t.numel()}});
                offset += t.numel();
            }
            QVERIFY(out.good());
            QCOMPARE(entry["tensors"].size(), planned.size());  // nothing planned is missing from the file
            dumped += offset;
            manifest["files"].push_back(entry);
        }
        qInfo("our dequantization of %zu files, %llu values, dumped in %lld ms", static_cast<std::size_t>(kFileTypes.size()),
              static_cast<unsigned long long>(dumped), static_cast<long long>(timer.elapsed()));
        const QString manifest_path = dir_.filePath("manifest.json"), result_path = dir_.filePath("result.json");
        QVERIFY(srs::io::writeFileAtomic(manifest_path.toStdString(), manifest.dump()).ok());

        timer.restart();
        Out check = run(python_, {srs::test::sourceDir() + "/tests/interop/gguf_py/gguf_check.py", manifest_path, result_path}, 600000);
        qInfo("gguf_check.py (%lld ms):\n%s", static_cast<long long>(timer.elapsed()), qPrintable(check.out));
        QVERIFY2(check.code == 0, qPrintable(check.out));
        auto text = srs::io::readFile(result_path.toStdString());
        QVERIFY(text.ok());
        result_ = nlohmann::json::parse(*text);

        std::set<std::string> seen;
        std::size_t problems = 0, tensors = 0, identical = 0;
        std::uint64_t values = 0;
        for (const auto& f : result_["files"]) {
            for (const auto& [t, n] : f["types"].items()) seen.insert(t);
            problems += f["problems"].size();
            tensors += f["tensors"].get<std::size_t>();
            identical += f["bit_identical_tensors"].get<std::size_t>();
            values += f["elements"].get<std::uint64_t>();
            QVERIFY2(f["intended_keys_checked"].get<int>() >= 17, f["path"].get<std::string>().c_str());
        }
        std::string seen_list;
        for (const auto& s : seen) seen_list += s + " ";
        qInfo("gguf %s read %zu files: %zu tensors, %zu dequantized bit-identical to ours (%llu values), %zu problems; types seen: %s",
              result_["gguf"].get<std::string>().c_str(), static_cast<std::size_t>(result_["files"].size()), tensors, identical,
              static_cast<unsigned long long>(values), problems, seen_list.c_str());
        QCOMPARE(result_["files"].size(), static_cast<std::size_t>(kFileTypes.size()));
        QCOMPARE(values, dumped);
        QCOMPARE(problems, std::size_t(0));
        QCOMPARE(identical, tensors);
        for (const auto& t : kAllBlockTypes) QVERIFY2(seen.count(t), ("no tensor of type " + t + " in any file").c_str());
    }
};

QTEST_GUILESS_MAIN(TestGgufPy)
#include "test_gguf_py.moc"
