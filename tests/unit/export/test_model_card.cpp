// The generated model card: front matter carried over from the source card, the run's facts,
// and loading instructions for the format.
#include <QtTest>

#include "core/export/model_card.h"

using namespace srs::exporter;

class TestModelCard : public QObject {
    Q_OBJECT
private slots:
    void frontMatterIsCarriedOver() {
        const std::string source = "---\nlicense: apache-2.0\nlanguage:\n- en\n- zh\npipeline_tag: text-generation\ntags:\n- chat\n- \"qwen\"\n---\n# Qwen\n";
        auto fm = parseFrontMatter(source);
        QCOMPARE(fm.license, std::string("apache-2.0"));
        QCOMPARE(fm.tags, (std::vector<std::string>{"chat", "qwen"}));
        QCOMPARE(fm.languages, (std::vector<std::string>{"en", "zh"}));
        auto inline_fm = parseFrontMatter("---\nlicense: mit\ntags: [a, \"b\"]\n---\n");
        QCOMPARE(inline_fm.tags, (std::vector<std::string>{"a", "b"}));
        QVERIFY(parseFrontMatter("# no front matter\n").license.empty());

        ModelCardInfo info;
        info.base_model = "Qwen/Qwen3-0.6B";
        info.repo_id = "me/Qwen3-0.6B-W4G128";
        info.source_readme = source;
        info.format = "auto_round";
        info.scheme = "W4A16 G128 sym";
        info.recipe = "auto-round (200 iters, 128 samples x 2048 tokens)";
        info.calibration = {"NeelNanda/pile-10k"};
        info.perplexities = {{"original (BF16)", "wikitext-2", 12.3456, 16.0}, {"W4G128 SignRound", "wikitext-2", 12.9, 4.16}};
        std::string card = renderModelCard(info);
        QVERIFY(card.rfind("---\nbase_model: \"Qwen/Qwen3-0.6B\"\nlicense: \"apache-2.0\"\n", 0) == 0);
        QVERIFY(card.find("pipeline_tag: \"text-generation\"") != std::string::npos);
        QVERIFY(card.find("- \"chat\"\n- \"qwen\"\n- \"signround\"") != std::string::npos);
        QVERIFY(card.find("| W4G128 SignRound | wikitext-2 | 4.16 | 12.9000 |") != std::string::npos);
        QVERIFY(card.find("from_pretrained(\"me/Qwen3-0.6B-W4G128\"") != std::string::npos);
        QVERIFY(card.find("vllm serve me/Qwen3-0.6B-W4G128") != std::string::npos);
        QVERIFY(card.find("# Qwen3-0.6B-W4G128") != std::string::npos);
        // Without KL divergence figures the table keeps its four columns.
        QVERIFY(card.find("| model | text | bits / weight | perplexity |\n") != std::string::npos);
        QVERIFY(card.find("KLD") == std::string::npos);
    }

    // An export measured against the original: its row carries KLD mean, p99 and top-1; the
    // original's own row has none.
    void kldColumns() {
        ModelCardInfo info;
        info.format = "auto_round";
        info.scheme = "W4A16 G128 sym";
        info.recipe = "RTN";
        srs::eval::KldStats k;
        k.tokens = 1000;
        k.mean = 0.012345;
        k.p99 = 0.234567;
        k.top1_agreement = 0.97126;
        info.perplexities = {{"original", "eval.txt", 9.8765, 32.0}, {"auto_round (this model)", "eval.txt", 10.1234, 4.25, k}};
        const std::string card = renderModelCard(info);
        QVERIFY2(card.find("| model | text | bits / weight | perplexity | KLD mean | KLD p99 | top-1 |\n|---|---|---:|---:|---:|---:|---:|\n") !=
                     std::string::npos,
                 card.c_str());
        QVERIFY2(card.find("| original | eval.txt | 32.00 | 9.8765 | — | — | — |\n") != std::string::npos, card.c_str());
        QVERIFY2(card.find("| auto_round (this model) | eval.txt | 4.25 | 10.1234 | 0.01235 | 0.23457 | 97.13 % |\n") != std::string::npos,
                 card.c_str());
        QVERIFY(card.find("KL divergence") != std::string::npos);  // the columns are explained
    }

    void ggufCard() {
        ModelCardInfo info;
        info.format = "gguf:q4_k_m";
        info.scheme = "Q4_K_M";
        info.recipe = "RTN";
        info.gguf_file = "stories-Q4_K_M.gguf";
        std::string card = renderModelCard(info);
        QVERIFY(card.find("library_name: \"gguf\"") != std::string::npos);
        QVERIFY(card.find("llama-cli -m stories-Q4_K_M.gguf") != std::string::npos);
        QVERIFY(card.find("base_model") == std::string::npos);  // unknown base is left out, not invented
        QVERIFY(card.find("license") == std::string::npos);
    }

    // A re-export whose types cannot carry the tuned scheme (a W4G128 sym run as Q4_K_M): the
    // card says no tensor uses the tuning, with the counts and the reasons, and claims no tuning.
    void cardOfAnExportThatUsesNoTunedScale() {
        TensorSources ts;
        ts.format = "gguf:q4_k_m";
        ts.run_scheme = "W4G128 sym";
        ts.tuned_layers = 14;
        ts.quantized = 16;
        ts.tuned_weights = 12;
        ts.original = 4;
        ts.float_kept = 5;
        ts.reasons = {{12, "tuned as W4G128 sym, but Q4_K stores W4G32 asym: rounded to nearest again from the tuned weights"},
                      {2, "tuned as W4G128 sym, but Q6_K (W6G16 sym) is finer: quantized from the original weights"},
                      {2, "never tuned (SignRound tunes the decoder blocks' linear layers): quantized from the original weights"}};
        ModelCardInfo info;
        info.format = "gguf:q4_k_m";
        info.scheme = "llama.cpp q4_k_m mix";
        info.recipe = "auto-round (200 iters, 128 samples × 2048 tokens)";
        info.gguf_file = "m-Q4_K_M.gguf";
        info.tensor_sources = ts;
        srs::eval::KldStats k;
        k.mean = 0.02;
        k.p99 = 0.3;
        k.top1_agreement = 0.95;
        info.perplexities = {{"original", "eval.txt", 9.8765, 32.0}, {"gguf:q4_k_m (this model)", "eval.txt", 10.2, 4.9, k}};
        const std::string card = renderModelCard(info);
        QVERIFY2(card.find("none of its tensors uses the run's tuned scales") != std::string::npos, card.c_str());
        QVERIFY(card.find("This model was quantized with SignRound") == std::string::npos);
        QVERIFY2(card.find("| SignRound tuning | 14 layers tuned as W4G128 sym |\n") != std::string::npos, card.c_str());
        QVERIFY2(card.find("| Tensors | 0 of 16 tensors from SignRound's tuned scales, 12 rounded to nearest again from the tuned weights, 4 "
                           "quantized from the original weights (round-to-nearest), 5 kept as floats |\n") != std::string::npos,
                 card.c_str());
        QVERIFY(card.find("**SignRound's tuning is not used in this file.**") != std::string::npos);
        QVERIFY(card.find("plain RTN") != std::string::npos);
        QVERIFY(card.find("quantize again with --format gguf:q4_k_m") != std::string::npos);
        QVERIFY(card.find("- 12 tensors: tuned as W4G128 sym, but Q4_K stores W4G32 asym") != std::string::npos);
        QVERIFY(card.find("- 2 tensors: never tuned") != std::string::npos);
        // The KL divergence columns stay.
        QVERIFY(card.find("| gguf:q4_k_m (this model) | eval.txt | 4.90 | 10.2000 | 0.02000 | 0.30000 | 95.00 % |\n") != std::string::npos);
    }

    // The first export of a run tuned for its format: the counts, the one reason (the embedding
    // and output are never tuned), and no warning. A packed export of every tuned layer has no
    // "where the weights come from" section at all.
    void cardOfATunedExportStatesTheCounts() {
        TensorSources ts;
        ts.format = "gguf:q4_k_m";
        ts.run_scheme = "12× W4G32 asym, 2× W6G16 sym";
        ts.tuned_layers = 14;
        ts.quantized = 16;
        ts.tuned_scales = 14;
        ts.original = 2;
        ts.float_kept = 5;
        ts.reasons = {{2, "never tuned (SignRound tunes the decoder blocks' linear layers): quantized from the original weights"}};
        ModelCardInfo info;
        info.format = "gguf:q4_k_m";
        info.scheme = "llama.cpp q4_k_m mix";
        info.recipe = "RTN";
        info.gguf_file = "m-Q4_K_M.gguf";
        info.tensor_sources = ts;
        std::string card = renderModelCard(info);
        QVERIFY(card.find("This model was quantized with SignRound") != std::string::npos);
        QVERIFY(card.find("| SignRound tuning | 14 layers tuned as 12× W4G32 asym, 2× W6G16 sym |") != std::string::npos);
        QVERIFY(card.find("| Tensors | 14 of 16 tensors from SignRound's tuned scales, 2 quantized from the original weights") != std::string::npos);
        QVERIFY(card.find("Of the 16 quantized tensors, 14 are written from SignRound's tuned scales and integers, 2 are quantized from the "
                          "original weights by round-to-nearest; 5 tensors stay floats.") != std::string::npos);
        QVERIFY(card.find("not used") == std::string::npos);

        info = {};
        info.format = "auto_gptq";
        info.scheme = "W4A16 G128 sym";
        info.recipe = "RTN";
        ts = {};
        ts.format = "auto_gptq";
        ts.run_scheme = "W4G128 sym";
        ts.tuned_layers = ts.quantized = ts.tuned_scales = 14;
        info.tensor_sources = ts;
        card = renderModelCard(info);
        QVERIFY(card.find("| Tensors | 14 of 14 tensors from SignRound's tuned scales |") != std::string::npos);
        QVERIFY(card.find("Where the weights come from") == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestModelCard)
#include "test_model_card.moc"
