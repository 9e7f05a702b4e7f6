// `signround quantize` and `signround export`: packed auto_round/auto_gptq/auto_awq exports read back to
// the perplexity of the fake-quant weights, a finished run re-exports from its checkpoint (saying
// before writing how many tensors come from the tuned scales, and warning when a format can use
// none of them), the model cards state those counts, and bad input is a clear error.
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

    // tinystories-llama-5M (rows of 256 and 768: real Q4_K / Q6_K). A W4G128 sym run re-exported as
    // Q4_K_M uses none of its tuned scales (Q4_K stores W4G32 asym, Q6_K is finer): the export says
    // so before writing, warns that the result is round-to-nearest, and the card says the same. A
    // run tuned for Q4_K_M writes all but the never-tuned embedding from its tuned scales.
    void reexportSaysWhatComesFromTheTuning() {
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        Run q = cli(baseArgs(model, calib, dir.path() + "/q") + QStringList{"--iters", "2", "--nsamples", "2", "--format", "auto_round"});
        QVERIFY2(q.code == 0, qPrintable(q.err));
        const QString run_dir = dir.path() + "/q/.signround-run";

        Run e = cli({"export", "--run_dir", run_dir, "--format", "gguf:q4_k_m", "--output_dir", dir.path() + "/e"});
        QVERIFY2(e.code == 0, qPrintable(e.out + e.err));
        const QString plan = "gguf:q4_k_m: 0 of 43 tensors from SignRound's tuned scales, 38 rounded to nearest again from the tuned weights, "
                             "5 quantized from the original weights (round-to-nearest), 13 kept as floats";
        QVERIFY2(e.err.contains(plan), qPrintable(e.err));
        QVERIFY(e.err.contains("38 tensors: tuned as W4G128 sym, but Q4_K stores W4G32 asym: rounded to nearest again from the tuned weights"));
        QVERIFY(e.err.contains("4 tensors: tuned as W4G128 sym, but Q6_K (W6G16 sym) is finer: quantized from the original weights"));
        QVERIFY(e.err.contains("[warning] no tensor of gguf:q4_k_m uses SignRound's tuned scales"));
        QVERIFY(e.err.contains("quantize again with --format gguf:q4_k_m"));
        // Said before the file is written.
        QVERIFY(e.err.indexOf(plan) < e.err.indexOf("wrote gguf:q4_k_m"));
        QFile card(dir.path() + "/e/tinystories-llama-5M-hf-gguf-q4_k_m/README.md");
        QVERIFY(card.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(card.readAll());
        QVERIFY2(text.contains("none of its tensors uses the run's tuned scales"), qPrintable(text));
        QVERIFY(text.contains("| SignRound tuning | 42 layers tuned as W4G128 sym |"));
        QVERIFY(text.contains("| Tensors | 0 of 43 tensors from SignRound's tuned scales"));
        QVERIFY(text.contains("**SignRound's tuning is not used in this file.**"));
        QVERIFY(!text.contains("each layer tuned in its ggml type"));
        QVERIFY(!text.contains("This model was quantized with SignRound"));

        // A packed format carries every tuned layer: no warning.
        Run g = cli({"export", "--run_dir", run_dir, "--format", "auto_gptq", "--output_dir", dir.path() + "/e"});
        QVERIFY2(g.code == 0, qPrintable(g.err));
        QVERIFY2(g.err.contains("auto_gptq: 42 of 42 tensors from SignRound's tuned scales"), qPrintable(g.err));
        QVERIFY(!g.err.contains("[warning]"));

        // Tuned for Q4_K_M: every block linear in the scheme its type carries.
        Run t = cli(baseArgs(model, calib, dir.path() + "/t") + QStringList{"--iters", "2", "--nsamples", "2", "--format", "gguf:q4_k_m"});
        QVERIFY2(t.code == 0, qPrintable(t.err));
        QVERIFY2(t.err.contains("gguf:q4_k_m: 42 of 43 tensors from SignRound's tuned scales, 1 quantized from the original weights"), qPrintable(t.err));
        QVERIFY(!t.err.contains("[warning]"));
        QFile tuned_card(dir.path() + "/t/tinystories-llama-5M-hf-gguf-q4_k_m/README.md");
        QVERIFY(tuned_card.open(QIODevice::ReadOnly));
        const QString tuned = QString::fromUtf8(tuned_card.readAll());
        QVERIFY(tuned.contains("This model was quantized with SignRound"));
        QVERIFY2(tuned.contains("| SignRound tuning | 42 layers tuned as 38× W4G32 asym, 4× W6G16 sym |"), qPrintable(tuned));
        QVERIFY(tuned.contains("| Tensors | 42 of 43 tensors from SignRound's tuned scales, 1 quantized from the original weights"));
        QVERIFY(tuned.contains("- 1 tensor: never tuned"));
    }

    void badInputIsAClearError() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        Run no_data = cli({"quantize", "--model", model, "--output_dir", dir.path()});
        QCOMPARE(no_data.code, 1);
        QVERIFY(no_data.err.contains("no calibration data") && no_data.err.contains("--dataset"));
        Run bad_bits = cli({"quantize", "--model", model, "--output_dir", dir.path(), "--dataset", "x.txt", "--bits", "9"});
        QCOMPARE(bad_bits.code, 2);
        QVERIFY2(bad_bits.err.contains("--bits 9 is out of range: allowed 2 to 8"), qPrintable(bad_bits.err));
        Run gguf = cli({"quantize", "--model", model, "--output_dir", dir.path(), "--dataset", "x.txt", "--format", "gguf:q9_x"});
        QCOMPARE(gguf.code, 1);
        QVERIFY2(gguf.err.contains("unknown GGUF type 'q9_x'") && gguf.err.contains("q4_k_m"), qPrintable(gguf.err));
    }
};

QTEST_GUILESS_MAIN(TestCliQuantizeExport)
#include "test_cli_quantize_export.moc"
