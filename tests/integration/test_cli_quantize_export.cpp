// `signround quantize` and `signround export`: packed auto_round/auto_gptq/auto_awq exports read back to
// the perplexity of the fake-quant weights, a finished run re-exports from its checkpoint, and bad
// input is a clear error.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <csignal>

#include "cli_harness.h"

using namespace srs::test::cli;

class TestCliQuantizeExport : public QObject {
    Q_OBJECT
private slots:
    void packedExportReadsBackToTheSamePerplexity() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        for (const QString fmt : {"auto_round", "auto_gptq", "auto_awq"}) {
            QStringList args = baseArgs(model, calib, dir.path() + "/" + fmt) +
                               QStringList{"--bits", "4", "--group_size", "32", "--iters", "20", "--nsamples", "16", "--format", fmt + ",fake"};
            if (fmt == "auto_awq") args << "--asym";
            Run r = cli(args);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QString stem = dir.path() + "/" + fmt + "/stories260K-hf-w4g32" + (fmt == "auto_awq" ? "-asym" : "");
            double packed = ppl(stem + "-" + fmt, text), fake = ppl(stem + "-fake", text);
            qInfo("%s: packed %.6f, fake %.6f", qPrintable(fmt), packed, fake);
            QVERIFY(packed > 0);
            QVERIFY2(std::abs(packed - fake) <= 0.001 * fake, "round trip within 0.1 %");
            QVERIFY(QFileInfo::exists(stem + "-" + fmt + "/README.md"));
        }
    }

    void ggufExportScoresLikeTheTunedWeights() {
        // Q4_0 carries W4G32 sym exactly: the tuned layers are the same numbers in the GGUF as in
        // the fake export; only the tied embedding (Q8_0 in the GGUF, as llama.cpp writes it)
        // differs. Q4_K_M mixes Q5_0 / F16 for stories260K's short rows; it must stay close to FP.
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        Run q = cli(baseArgs(model, calib, dir.path()) + QStringList{"--iters", "20", "--nsamples", "16", "--bits", "4", "--group_size", "32",
                                                                      "--format", "gguf:q4_0,gguf:q4_k_m,fake"});
        QVERIFY2(q.code == 0, qPrintable(q.err));
        QVERIFY2(q.err.contains("sets each layer's scheme to its ggml type"), qPrintable(q.err));
        const QString stem = dir.path() + "/stories260K-hf";
        QVERIFY(QFileInfo::exists(stem + "-gguf-q4_0/stories260K-hf-Q4_0.gguf"));
        QVERIFY(QFileInfo::exists(stem + "-gguf-q4_0/README.md"));
        QVERIFY(QFileInfo::exists(stem + "-gguf-q4_k_m/stories260K-hf-Q4_K_M.gguf"));
        const double fp = ppl(model, text), fake = ppl(stem + "-w4g32-fake", text);
        const double q40 = ppl(stem + "-gguf-q4_0", text, {"--tokenizer", model});
        const double q4km = ppl(stem + "-gguf-q4_k_m", text, {"--tokenizer", model});
        qInfo("FP %.4f, fake W4G32 %.4f, GGUF Q4_0 %.4f, GGUF Q4_K_M %.4f", fp, fake, q40, q4km);
        QVERIFY(fake > 0 && q40 > 0 && q4km > 0);
        QVERIFY2(std::abs(q40 - fake) <= 0.01 * fake, "Q4_0 within 1 % of the tuned weights");
        QVERIFY2(q4km < 1.1 * fp, "Q4_K_M within 10 % of full precision");
        // Our own GGUF vocabulary scores within a hair of the folder's tokenizer (6 double spaces differ).
        QVERIFY(std::abs(ppl(stem + "-gguf-q4_0", text) - q40) < 0.02);
    }

    void reexportFromTheCheckpoint() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        Run q = cli(baseArgs(model, calib, dir.path() + "/q") + QStringList{"--iters", "10", "--nsamples", "8", "--group_size", "32", "--format", "auto_round"});
        QVERIFY2(q.code == 0, qPrintable(q.err));
        Run e = cli({"export", "--run_dir", dir.path() + "/q/.signround-run", "--format", "auto_gptq", "--output_dir", dir.path() + "/e"});
        QVERIFY2(e.code == 0, qPrintable(e.out + e.err));
        const QString gptq = dir.path() + "/e/stories260K-hf-w4g32-auto_gptq";
        QVERIFY(QFileInfo::exists(gptq + "/model.safetensors"));
        QCOMPARE(ppl(gptq, text), ppl(dir.path() + "/q/stories260K-hf-w4g32-auto_round", text));
        Run bad = cli({"export", "--run_dir", dir.path() + "/nowhere", "--format", "fake", "--output_dir", dir.path() + "/x"});
        QCOMPARE(bad.code, 1);
        QVERIFY(bad.err.contains("state.json"));
    }

    void badInputIsAClearError() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        Run no_data = cli({"quantize", "--model", model, "--output_dir", dir.path()});
        QCOMPARE(no_data.code, 1);
        QVERIFY(no_data.err.contains("no calibration data") && no_data.err.contains("--dataset"));
        Run bad_bits = cli({"quantize", "--model", model, "--output_dir", dir.path(), "--dataset", "x.txt", "--bits", "9"});
        QCOMPARE(bad_bits.code, 1);
        QVERIFY(bad_bits.err.contains("bits must be between 2 and 8"));
        Run gguf = cli({"quantize", "--model", model, "--output_dir", dir.path(), "--dataset", "x.txt", "--format", "gguf:q9_x"});
        QCOMPARE(gguf.code, 1);
        QVERIFY2(gguf.err.contains("unknown GGUF type 'q9_x'") && gguf.err.contains("q4_k_m"), qPrintable(gguf.err));
    }
};

QTEST_GUILESS_MAIN(TestCliQuantizeExport)
#include "test_cli_quantize_export.moc"
