// The Llama-family forward: stories260K's logits after BOS against PROVENANCE.md, and on tiny
// generated models the properties the tuner and the evaluator rely on.
// Torch headers first: Qt's `slots` macro would break ATen's IValue::slots().
#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>

#include "core/io/weight_source.h"
#include "core/model/llama_model.h"

#include <QTemporaryDir>
#include <QtTest>
#include "support/test_paths.h"
#include "support/tiny_model.h"

using namespace srs;

namespace {
std::unique_ptr<model::CausalLM> loadTiny(const QString& dir, const test::TinyModelSpec& spec, at::ScalarType dtype = at::kFloat) {
    test::writeTinyModel(dir, spec);
    auto src = io::openWeightSource(dir.toStdString());
    if (!src) qFatal("%s", src.error().message.c_str());
    auto m = model::CausalLM::load(*src, dtype);
    if (!m) qFatal("%s", m.error().message.c_str());
    return std::move(*m);
}
double maxDiff(const at::Tensor& a, const at::Tensor& b) { return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>(); }
}  // namespace

class TestLlamaModel : public QObject {
    Q_OBJECT
private slots:
    void stories260KLogitsAfterBos() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto src = io::openWeightSource(folder.toStdString());
        QVERIFY(src.ok());
        auto m = model::CausalLM::load(*src, at::kFloat);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message.c_str());
        at::NoGradGuard ng;
        at::Tensor logits = (*m)->logits(at::tensor({1}, at::kLong).view({1, 1}))[0][0];
        auto top = logits.topk(5);
        const std::vector<std::pair<int, double>> expected = {{403, 17.0235}, {385, 15.4062}, {410, 13.1083}, {317, 12.7692}, {407, 12.4181}};
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(std::get<1>(top)[i].item<std::int64_t>(), std::int64_t(expected[i].first));
            QVERIFY2(std::abs(std::get<0>(top)[i].item<double>() - expected[i].second) < 1e-3,
                     qPrintable(QString("logit %1: %2").arg(i).arg(std::get<0>(top)[i].item<double>())));
        }
    }

    void greedyDecodeMatchesProvenance() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        auto src = io::openWeightSource(folder.toStdString());
        auto m = model::CausalLM::load(*src, at::kFloat);
        at::NoGradGuard ng;
        std::vector<std::int64_t> ids = {1};
        for (int i = 0; i < 16; ++i) {
            at::Tensor x = at::tensor(ids, at::kLong).view({1, -1});
            ids.push_back((*m)->logits(x)[0][-1].argmax().item<std::int64_t>());
        }
        const std::vector<std::int64_t> expected = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338};
        QCOMPARE(ids, expected);
    }

    void batchEqualsSingleAndBlocksEqualFull() {
        QTemporaryDir dir;
        test::TinyModelSpec spec;
        auto m = loadTiny(dir.path(), spec);
        at::NoGradGuard ng;
        at::manual_seed(0);
        at::Tensor ids = at::randint(0, spec.vocab, {3, 11}, at::kLong);
        at::Tensor batched = m->logits(ids);
        for (int b = 0; b < 3; ++b) QVERIFY(maxDiff(batched[b], m->logits(ids.narrow(0, b, 1))[0]) < 1e-5);
        // Block by block, as the quantization job streams, equals the whole forward.
        auto [cos, sin] = m->rope().cosSin(at::arange(11, at::kLong));
        at::Tensor h = m->embed(ids);
        for (int i = 0; i < m->numBlocks(); ++i) h = m->block(i).forward(h, cos, sin);
        QVERIFY(maxDiff(m->head(h), batched) < 1e-6);
        // Causality: changing the last token leaves earlier logits alone.
        at::Tensor ids2 = ids.clone();
        ids2.index_put_({at::indexing::Slice(), -1}, (ids2.select(1, 10) + 1) % spec.vocab);
        QVERIFY(maxDiff(m->logits(ids2).narrow(1, 0, 10), batched.narrow(1, 0, 10)) < 1e-6);
    }

    void bf16IsCloseToF32() {
        QTemporaryDir dir;
        test::TinyModelSpec spec;
        auto f32 = loadTiny(dir.path() + "/a", spec);
        auto b16 = loadTiny(dir.path() + "/b", spec, at::kBFloat16);
        at::NoGradGuard ng;
        at::Tensor ids = at::randint(0, spec.vocab, {2, 9}, at::kLong);
        at::Tensor a = f32->logits(ids), b = b16->logits(ids);
        QCOMPARE(b.scalar_type(), at::kFloat);  // the head returns float32 logits
        double rel = maxDiff(a, b) / a.abs().max().item<double>();
        QVERIFY2(rel < 0.05, qPrintable(QString::number(rel)));
        QVERIFY(rel > 0);  // really computed in bf16
    }

    void overridesReplaceWeightsAndCarryGradients() {
        QTemporaryDir dir;
        test::TinyModelSpec spec;
        auto m = loadTiny(dir.path(), spec);
        auto& block = m->block(0);
        auto [cos, sin] = m->rope().cosSin(at::arange(7, at::kLong));
        at::Tensor x = at::randn({2, 7, spec.hidden});
        at::Tensor base = block.forward(x, cos, sin);
        at::Tensor w = block.weight("mlp.down_proj").clone().requires_grad_(true);
        model::WeightOverrides same = {{"mlp.down_proj", w}};
        QVERIFY(maxDiff(block.forward(x, cos, sin, &same), base) < 1e-6);
        model::WeightOverrides changed = {{"mlp.down_proj", w * 1.5}};
        at::Tensor out = block.forward(x, cos, sin, &changed);
        QVERIFY(maxDiff(out, base) > 1e-4);
        out.pow(2).mean().backward();
        QVERIFY(w.grad().defined());
        QVERIFY(w.grad().abs().sum().item<double>() > 0);
        QVERIFY(!block.weight("mlp.down_proj").requires_grad());  // stored weights stay frozen
    }

    void qwenVariantsLoadAndDiffer() {
        QTemporaryDir dir;
        test::TinyModelSpec llama, qwen2, qwen3;
        qwen2.model_type = "qwen2";
        qwen2.qkv_bias = true;
        qwen3.model_type = "qwen3";
        qwen3.qk_norm = true;
        auto a = loadTiny(dir.path() + "/l", llama);
        auto b = loadTiny(dir.path() + "/q2", qwen2);
        auto c = loadTiny(dir.path() + "/q3", qwen3);
        QVERIFY(b->block(0).bias("self_attn.q_proj").defined());
        QVERIFY(!b->block(0).bias("self_attn.o_proj").defined());
        at::NoGradGuard ng;
        at::Tensor ids = at::randint(0, 64, {1, 6}, at::kLong);
        // Same seed, same base weights: the bias and the q/k norms must change the output.
        QVERIFY(maxDiff(a->logits(ids), b->logits(ids)) > 1e-4);
        QVERIFY(maxDiff(a->logits(ids), c->logits(ids)) > 1e-4);
        QVERIFY(std::isfinite(c->logits(ids).sum().item<double>()));
    }

    void ropeScaling() {
        io::ModelConfig c;
        c.head_dim = 8;
        c.rope_theta = 10000.0;
        model::Rope plain(c);
        c.rope_scaling.type = "linear";
        c.rope_scaling.factor = 4.0;
        model::Rope linear(c);
        QVERIFY(maxDiff(linear.invFreq() * 4.0, plain.invFreq()) < 1e-7);
        c.rope_scaling.type = "llama3";
        c.rope_scaling.factor = 8.0;
        c.rope_scaling.low_freq_factor = 1.0;
        c.rope_scaling.high_freq_factor = 4.0;
        c.rope_scaling.original_max_position_embeddings = 64;
        model::Rope l3(c);
        // inv_freq = theta^(-2i/8): wavelengths 2π, 2π·10, 2π·100, 2π·1000 against bands 64/4=16 and 64.
        auto p = plain.invFreq(), s = l3.invFreq();
        QVERIFY(std::abs(s[0].item<double>() - p[0].item<double>()) < 1e-7);            // 6.3 < 16: kept
        double w1 = 2 * M_PI * 10, smooth = (64.0 / w1 - 1.0) / (4.0 - 1.0);             // 62.8: blended
        QVERIFY(std::abs(s[1].item<double>() - ((1 - smooth) * p[1].item<double>() / 8 + smooth * p[1].item<double>())) < 1e-7);
        QVERIFY(std::abs(s[2].item<double>() - p[2].item<double>() / 8) < 1e-9);         // 628 > 64: slowed
        QVERIFY(std::abs(s[3].item<double>() - p[3].item<double>() / 8) < 1e-10);
        auto [cos, sin] = plain.cosSin(at::arange(3, at::kLong));
        QCOMPARE(cos.sizes().vec(), (std::vector<std::int64_t>{3, 8}));
        QVERIFY(std::abs(cos[2][1].item<double>() - std::cos(2 * p[1].item<double>())) < 1e-6);
    }

    void unsupportedArchitectureAndBadShapes() {
        QTemporaryDir dir;
        test::TinyModelSpec spec;
        spec.model_type = "gpt_neox";
        test::writeTinyModel(dir.path() + "/neox", spec);
        auto src = io::openWeightSource((dir.path() + "/neox").toStdString());
        auto m = model::CausalLM::load(*src, at::kFloat);
        QVERIFY(!m.ok());
        QVERIFY(QString::fromStdString(m.error().hint).contains("llama, mistral, qwen2, qwen3"));
        test::TinyModelSpec ok;
        test::writeTinyModel(dir.path() + "/bad", ok);
        QFile cfg(dir.path() + "/bad/config.json");
        cfg.open(QIODevice::ReadOnly);
        QByteArray text = cfg.readAll().replace("\"intermediate_size\": 64", "\"intermediate_size\": 96");
        cfg.close();
        cfg.open(QIODevice::WriteOnly | QIODevice::Truncate);
        cfg.write(text);
        cfg.close();
        // Refused when opened: every tensor is checked against config.json there (io/model_check.h).
        auto bad = io::openWeightSource((dir.path() + "/bad").toStdString());
        QVERIFY(!bad.ok());
        QVERIFY2(QString::fromStdString(bad.error().message).contains("config.json implies"), bad.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestLlamaModel)
#include "test_llama_model.moc"
