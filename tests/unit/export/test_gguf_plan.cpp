// The per-tensor ggml types of GGUF exports, on a 32-layer Llama-2-7B-shaped model (and a small
// one whose rows are too short for k-quants), against llama.cpp's rules as FORMATS.md §5.5 gives them.
#include <QtTest>

#include "core/export/gguf_plan.h"

using namespace srs::exporter;
using srs::io::GgmlType;

namespace {

struct Shape {
    int layers, hidden, inter, vocab, heads, kv_heads;
    bool tied;
};

std::vector<GgufPlanInput> tensorsOf(const Shape& s) {
    std::vector<GgufPlanInput> t = {{"model.embed_tokens.weight", {s.vocab, s.hidden}}, {"model.norm.weight", {s.hidden}}};
    if (!s.tied) t.push_back({"lm_head.weight", {s.vocab, s.hidden}});
    const int kv = s.hidden / s.heads * s.kv_heads;
    for (int i = 0; i < s.layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        t.push_back({p + "input_layernorm.weight", {s.hidden}});
        t.push_back({p + "post_attention_layernorm.weight", {s.hidden}});
        t.push_back({p + "self_attn.q_proj.weight", {s.hidden, s.hidden}});
        t.push_back({p + "self_attn.k_proj.weight", {kv, s.hidden}});
        t.push_back({p + "self_attn.v_proj.weight", {kv, s.hidden}});
        t.push_back({p + "self_attn.o_proj.weight", {s.hidden, s.hidden}});
        t.push_back({p + "mlp.gate_proj.weight", {s.inter, s.hidden}});
        t.push_back({p + "mlp.up_proj.weight", {s.inter, s.hidden}});
        t.push_back({p + "mlp.down_proj.weight", {s.hidden, s.inter}});
    }
    return t;
}

std::map<std::string, GgmlType> plan(const std::string& type, const Shape& s) {
    srs::io::ModelConfig c;
    c.model_type = "llama";
    c.num_hidden_layers = s.layers;
    c.num_attention_heads = s.heads;
    c.num_key_value_heads = s.kv_heads;
    c.hidden_size = s.hidden;
    c.intermediate_size = s.inter;
    return planGgufTypes(*parseGgufFileType(type), c, tensorsOf(s));
}

std::string layer(int i, const char* part) { return "model.layers." + std::to_string(i) + "." + part + ".weight"; }

const Shape kLlama7B{32, 4096, 11008, 32000, 32, 32, false};

}  // namespace

class TestGgufPlan : public QObject {
    Q_OBJECT
private slots:
    void parsesNames() {
        QCOMPARE(parseGgufFileType("q4_k_m")->llama_ftype, 15u);
        QCOMPARE(parseGgufFileType("Q4_K_M")->name, std::string("q4_k_m"));
        QCOMPARE(parseGgufFileType("q8_0")->llama_ftype, 7u);
        QCOMPARE(parseGgufFileType("q2_k_s")->llama_ftype, 21u);
        QCOMPARE(ggufFileTypeLabel(*parseGgufFileType("q5_k_m")), std::string("Q5_K_M"));
        auto bad = parseGgufFileType("q9_x");
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("q9_x") != std::string::npos);
        QVERIFY(bad.error().hint.find("q4_k_m") != std::string::npos);
    }

    void q4KM() {
        auto p = plan("q4_k_m", kLlama7B);
        QCOMPARE(p["model.norm.weight"], GgmlType::F32);
        QCOMPARE(p[layer(0, "input_layernorm")], GgmlType::F32);
        QCOMPARE(p["lm_head.weight"], GgmlType::Q6_K);
        QCOMPARE(p["model.embed_tokens.weight"], GgmlType::Q4_K);
        QCOMPARE(p[layer(7, "self_attn.q_proj")], GgmlType::Q4_K);
        QCOMPARE(p[layer(7, "mlp.up_proj")], GgmlType::Q4_K);
        QCOMPARE(p[layer(7, "self_attn.o_proj")], GgmlType::Q4_K);
        // use_more_bits(i, 32): i < 4, i >= 28, or (i − 4) % 3 == 2.
        int six = 0;
        for (int i = 0; i < 32; ++i) {
            const bool more = i < 4 || i >= 28 || (i - 4) % 3 == 2;
            QCOMPARE(p[layer(i, "self_attn.v_proj")], more ? GgmlType::Q6_K : GgmlType::Q4_K);
            QCOMPARE(p[layer(i, "mlp.down_proj")], more ? GgmlType::Q6_K : GgmlType::Q4_K);
            six += more;
        }
        QCOMPARE(six, 16);  // layers 0-3, 6, 9, ..., 27 and 28-31
    }

    void q5KMAndQ4KS() {
        auto m = plan("q5_k_m", kLlama7B);
        QCOMPARE(m[layer(6, "mlp.down_proj")], GgmlType::Q6_K);
        QCOMPARE(m[layer(5, "mlp.down_proj")], GgmlType::Q5_K);
        QCOMPARE(m[layer(5, "self_attn.k_proj")], GgmlType::Q5_K);
        auto s = plan("q4_k_s", kLlama7B);
        QCOMPARE(s[layer(3, "self_attn.v_proj")], GgmlType::Q5_K);
        QCOMPARE(s[layer(4, "self_attn.v_proj")], GgmlType::Q4_K);
        QCOMPARE(s[layer(3, "mlp.down_proj")], GgmlType::Q5_K);
        QCOMPARE(s[layer(4, "mlp.down_proj")], GgmlType::Q4_K);
        QCOMPARE(s["lm_head.weight"], GgmlType::Q6_K);
    }

    void q3KMAndQ2KS() {
        auto m = plan("q3_k_m", kLlama7B);
        QCOMPARE(m[layer(0, "self_attn.v_proj")], GgmlType::Q5_K);
        QCOMPARE(m[layer(1, "self_attn.v_proj")], GgmlType::Q5_K);
        QCOMPARE(m[layer(2, "self_attn.v_proj")], GgmlType::Q4_K);
        QCOMPARE(m[layer(1, "mlp.down_proj")], GgmlType::Q5_K);  // i < 32/16
        QCOMPARE(m[layer(2, "mlp.down_proj")], GgmlType::Q4_K);
        QCOMPARE(m[layer(9, "self_attn.o_proj")], GgmlType::Q4_K);
        QCOMPARE(m[layer(9, "mlp.gate_proj")], GgmlType::Q3_K);
        auto s = plan("q2_k_s", kLlama7B);
        QCOMPARE(s[layer(3, "mlp.down_proj")], GgmlType::Q4_K);  // i < 32/8
        QCOMPARE(s[layer(4, "mlp.down_proj")], GgmlType::Q2_K);
        QCOMPARE(s[layer(4, "self_attn.v_proj")], GgmlType::Q2_K);  // no GQA: v stays
        QCOMPARE(s[layer(4, "self_attn.o_proj")], GgmlType::Q2_K);
        // With GQA 4:1 the V projection is raised.
        auto g = plan("q2_k_s", Shape{32, 4096, 11008, 32000, 32, 8, false});
        QCOMPARE(g[layer(4, "self_attn.v_proj")], GgmlType::Q4_K);
    }

    void plainAndFloatTypes() {
        auto q8 = plan("q8_0", kLlama7B);
        QCOMPARE(q8["lm_head.weight"], GgmlType::Q8_0);
        QCOMPARE(q8[layer(0, "mlp.down_proj")], GgmlType::Q8_0);
        auto q40 = plan("q4_0", kLlama7B);
        QCOMPARE(q40["lm_head.weight"], GgmlType::Q6_K);
        QCOMPARE(q40[layer(0, "self_attn.v_proj")], GgmlType::Q4_0);
        auto f16 = plan("f16", kLlama7B);
        QCOMPARE(f16["lm_head.weight"], GgmlType::F16);
        QCOMPARE(f16["model.norm.weight"], GgmlType::F32);
    }

    void shortRowsFallBack() {
        // stories260K's shape: rows of 64 and 172 elements, tied embeddings.
        const Shape small{5, 64, 172, 512, 8, 4, true};
        auto p = plan("q4_k_m", small);
        QCOMPARE(p["model.embed_tokens.weight"], GgmlType::Q8_0);  // tied output, 64 % 256 ≠ 0
        QCOMPARE(p[layer(2, "self_attn.q_proj")], GgmlType::Q5_0);
        QCOMPARE(p[layer(0, "mlp.down_proj")], GgmlType::F16);  // 172 % 32 ≠ 0
        auto q40 = plan("q4_0", small);
        QCOMPARE(q40[layer(2, "mlp.gate_proj")], GgmlType::Q4_0);
    }

    void schemesMatchTheBlockFormats() {
        QCOMPARE(schemeForGgmlType(GgmlType::Q4_K)->group_size, 32);
        QCOMPARE(schemeForGgmlType(GgmlType::Q4_K)->sym, false);
        QCOMPARE(schemeForGgmlType(GgmlType::Q6_K)->bits, 6);
        QCOMPARE(schemeForGgmlType(GgmlType::Q3_K)->group_size, 16);
        QCOMPARE(schemeForGgmlType(GgmlType::Q8_0)->sym, true);
        QVERIFY(!schemeForGgmlType(GgmlType::F16));
    }
};

QTEST_GUILESS_MAIN(TestGgufPlan)
#include "test_gguf_plan.moc"
