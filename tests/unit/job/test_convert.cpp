// `signround convert`'s core (core/job/convert.h): a Hugging Face folder written as GGUF f16 and
// q8_0 without calibration, carrying the vocabulary, the chat template and a model card that says
// it was converted; formats that need quantizing are refused before anything is written.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "core/io/gguf.h"
#include "core/io/model_summary.h"
#include "core/io/weight_source.h"
#include "core/tokenizer/load_tokenizer.h"
#include "core/job/convert.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;
using namespace srs;

namespace {

class Recorder : public job::JobObserver {
public:
    void onPhase(const job::PhaseChanged& e) override { phases.push_back(e.phase); }
    std::vector<std::string> phases;
};

}  // namespace

class TestConvert : public QObject {
    Q_OBJECT
private slots:
    void writesFloatAndQ8GgufWithVocabularyAndTemplate() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        // A copy of the model whose tokenizer_config.json carries a chat template.
        const fs::path src = fs::path(dir.path().toStdString()) / "stories260K-chat";
        fs::create_directories(src);
        for (const auto& e : fs::directory_iterator(model.toStdString())) fs::copy_file(e.path(), src / e.path().filename());
        auto tc = nlohmann::json::parse(std::ifstream(src / "tokenizer_config.json"));
        tc["chat_template"] = "{% for m in messages %}{{ m['content'] }}{% endfor %}";
        std::ofstream(src / "tokenizer_config.json", std::ios::trunc) << tc.dump(2);

        job::JobConfig c;
        c.model = src.string();
        c.formats = {"gguf:f16", "gguf:q8_0"};
        c.output_dir = (fs::path(dir.path().toStdString()) / "out").string();
        Recorder obs;
        auto fin = job::convertModel(c, obs, {});
        QVERIFY2(fin.state == job::JobState::Finished, fin.message.c_str());
        QCOMPARE(fin.files.size(), std::size_t(2));
        QCOMPARE(obs.phases, std::vector<std::string>{"exporting"});
        for (const auto& [type, label] : std::vector<std::pair<std::string, std::string>>{{"f16", "F16"}, {"q8_0", "Q8_0"}}) {
            const fs::path folder = fs::path(c.output_dir) / ("stories260K-chat-gguf-" + type);
            const fs::path file = folder / ("stories260K-chat-" + label + ".gguf");
            QVERIFY2(fs::exists(file), file.c_str());
            auto g = io::GgufFile::open(file.string());
            QVERIFY(g.ok());
            const auto* tokens = (*g)->meta("tokenizer.ggml.tokens");
            QVERIFY(tokens && tokens->is_array() && tokens->size() == 512);
            const auto* tmpl = (*g)->meta("tokenizer.chat_template");
            QVERIFY(tmpl && tmpl->get<std::string>() == tc["chat_template"].get<std::string>());
            auto s = io::inspectModel(file.string());
            QVERIFY(s.ok());
            QCOMPARE(s->param_count, std::uint64_t(260032));
            QVERIFY(s->params_by_dtype.count(label));
            std::ifstream card(folder / "README.md");
            const std::string text((std::istreambuf_iterator<char>(card)), std::istreambuf_iterator<char>());
            QVERIFY2(text.find("converted without calibration or tuning") != std::string::npos, text.c_str());
            QVERIFY(text.find("iters") == std::string::npos);
        }
    }

    void formatsThatNeedQuantizingAreRefusedFirst() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        for (const char* f : {"gguf:q4_k_m", "auto_round", "fake"}) {
            job::JobConfig c;
            c.model = model.toStdString();
            c.formats = {"gguf:f16", f};
            c.output_dir = dir.path().toStdString();
            job::JobObserver quiet;
            auto fin = job::convertModel(c, quiet, {});
            QCOMPARE(fin.state, job::JobState::Failed);
            QVERIFY2(fin.message.find("not a conversion format") != std::string::npos, fin.message.c_str());
            QVERIFY(fin.hint.find("signround quantize") != std::string::npos);
            QVERIFY(QDir(dir.path()).isEmpty());  // nothing written, not even the f16 before it
        }
    }

    void ggufWrittenAsHuggingFaceFolder() {
        // A model the user has only as a GGUF: convert --format hf gives the folder transformers
        // reads, with the same tensors, the embedded vocabulary written out and nothing quantized.
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        QTemporaryDir dir;
        job::JobConfig c;
        c.model = gguf.toStdString();
        c.formats = {"hf"};
        c.output_dir = dir.path().toStdString();
        job::JobObserver quiet;
        auto fin = job::convertModel(c, quiet, {});
        QVERIFY2(fin.state == job::JobState::Finished, fin.message.c_str());
        const fs::path folder = fs::path(c.output_dir) / "stories260K-hf";
        QCOMPARE(fin.files.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(fin.files[0].format), QString("hf"));
        QCOMPARE(fs::path(fin.files[0].path), folder);
        for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json", "README.md"})
            QVERIFY2(fs::exists(folder / f), f);
        std::ifstream cfg(folder / "config.json");
        const std::string config((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
        QVERIFY(config.find("quantization_config") == std::string::npos);
        std::ifstream card(folder / "README.md");
        const std::string readme((std::istreambuf_iterator<char>(card)), std::istreambuf_iterator<char>());
        QVERIFY2(readme.find("not quantized") != std::string::npos, readme.c_str());

        auto a = io::openWeightSource(gguf.toStdString());
        auto b = io::openWeightSource(folder.string());
        QVERIFY(a.ok() && b.ok());
        QCOMPARE((*b)->tensorNames(), (*a)->tensorNames());
        for (const auto& n : (*a)->tensorNames()) {
            auto x = (*a)->loadFloat(n);
            auto y = (*b)->loadFloat(n);
            QVERIFY(x.ok() && y.ok());
            QVERIFY2(x->data == y->data, n.c_str());
        }
        auto ta = tokenizer::loadTokenizerFor(**a);
        auto tb = tokenizer::loadTokenizerFor(**b);
        QVERIFY(ta.ok() && tb.ok());
        const std::string text = "Once upon a time, a little girl named Lily found 3 shiny stones.";
        QCOMPARE((*tb)->encode(text, true), (*ta)->encode(text, true));
    }

    void cancelledLeavesNoFolder() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        job::JobConfig c;
        c.model = model.toStdString();
        c.formats = {"gguf:f32"};
        c.output_dir = dir.path().toStdString();
        CancelToken cancel;
        cancel.cancel();
        job::JobObserver quiet;
        auto fin = job::convertModel(c, quiet, cancel);
        QCOMPARE(fin.state, job::JobState::Cancelled);
        QVERIFY(!fs::exists(fs::path(c.output_dir) / "stories260K-hf-gguf-f32"));
    }
};

QTEST_GUILESS_MAIN(TestConvert)
#include "test_convert.moc"
