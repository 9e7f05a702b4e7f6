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
};

QTEST_GUILESS_MAIN(TestModelCard)
#include "test_model_card.moc"
