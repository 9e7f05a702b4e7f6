// KL divergence against the original (evaluatePerplexity with EvalOptions::reference), on the
// real stories260K:
//  - the model against itself: every figure exactly 0, top-1 agreement 1, PPL ratio 1;
//  - an RTN 3-bit export of it (written here, fake format: dequantized weights) against the
//    original: KLD > 0, top-1 < 1, and the mean, max and top-1 equal to what this test computes
//    itself from both models' logits through another path (CausalLM::logits, at::kl_div);
//  - the llama-perplexity protocol scores windows·(N−1−N/2) tokens, with BOS in front;
//  - the percentile definition (llama.cpp's: linear interpolation at f·(n−1)), a reference with
//    another vocabulary refused, cancel, progress.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "core/eval/kld_summary.h"
#include "core/eval/perplexity.h"
#include "core/export/packed_export.h"
#include "core/io/atomic_file.h"
#include "core/model/llama_model.h"
#include "core/tokenizer/load_tokenizer.h"
#include "support/rtn_layer.h"
#include "support/test_paths.h"
#include "support/tiny_model.h"

using namespace srs;

namespace {

constexpr int kWindow = 128;
constexpr int kWindows = 12;

eval::EvalOptions options() {
    eval::EvalOptions o;
    o.window = kWindow;
    o.max_windows = kWindows;
    o.batch_size = 5;  // not a divisor of kWindows: the last batch is short
    o.kernels = quant::KernelPath::Reference;  // the plain LibTorch ops, as the direct computation below
    return o;
}

// Every linear of the blocks round-to-nearest at `bits`, groups of 32, asymmetric; written as a
// plain full-precision folder of the dequantized weights.
Result<std::string> writeRtnExport(const std::string& model, int bits, const QString& dir) {
    auto src = io::openWeightSource(model);
    if (!src) return src.error();
    exporter::QuantizedModel m;
    m.source = *src;
    m.scheme = {bits, 32, false};
    m.tuning = {{"iters", 0}};
    for (const auto& n : (*src)->tensorNames()) {
        if (n.rfind("model.layers.", 0) != 0 || n.size() < 7 || n.compare(n.size() - 7, 7, ".weight") != 0) continue;
        auto w = (*src)->loadFloat(n);
        if (!w) return w.error();
        if (w->shape.size() != 2) continue;
        const std::string layer = n.substr(0, n.size() - 7);
        m.layers[layer] = test::rtnLayer(layer, *w, bits, 32, false);
    }
    exporter::PackedExportOptions opt;
    opt.format = exporter::PackedFormat::Fake;
    const std::string out = (dir + "/rtn" + QString::number(bits)).toStdString();
    auto r = exporter::exportPacked(m, out, opt);
    if (!r) return r.error();
    return out;
}

struct Direct {
    double mean = 0, max = 0, top1 = 0, model_nll = 0, ref_nll = 0;
    std::int64_t tokens = 0;
};

// The figures straight from both models' logits over the same windows (Windows protocol): all
// windows in one forward, at::kl_div on the whole [windows, N−1, V] block in double.
Direct directKld(const std::string& model_path, const std::string& ref_path, const std::string& text_file) {
    auto src = io::openWeightSource(model_path);
    auto ref = io::openWeightSource(ref_path);
    auto tok = tokenizer::loadTokenizerFor(**src);
    auto text = io::readFile(text_file);
    if (!src || !ref || !tok || !text) return {};
    const std::vector<std::int32_t> ids = (*tok)->encode(*text, false);
    at::Tensor all = at::empty({kWindows, kWindow}, at::kLong);
    for (int w = 0; w < kWindows; ++w)
        for (int t = 0; t < kWindow; ++t) all[w][t] = ids[static_cast<std::size_t>(w) * kWindow + t];
    c10::InferenceMode guard;
    auto m = model::CausalLM::load(*src, at::kFloat);
    auto r = model::CausalLM::load(*ref, at::kFloat);
    if (!m || !r) return {};
    const at::Tensor lm = (*m)->logits(all).narrow(1, 0, kWindow - 1);
    const at::Tensor lr = (*r)->logits(all).narrow(1, 0, kWindow - 1);
    const at::Tensor lpm = at::log_softmax(lm.to(at::kDouble), -1), lpr = at::log_softmax(lr.to(at::kDouble), -1);
    // kl_div(input = log q, target = log p, log_target) = p · (log p − log q), elementwise.
    const at::Tensor kld = at::kl_div(lpm, lpr, at::Reduction::None, /*log_target=*/true).sum(-1);
    const at::Tensor target = all.narrow(1, 1, kWindow - 1).unsqueeze(-1);
    Direct d;
    d.tokens = kld.numel();
    d.mean = kld.mean().item<double>();
    d.max = kld.max().item<double>();
    d.top1 = lm.argmax(-1).eq(lr.argmax(-1)).to(at::kDouble).mean().item<double>();
    d.model_nll = -lpm.gather(-1, target).mean().item<double>();
    d.ref_nll = -lpr.gather(-1, target).mean().item<double>();
    return d;
}

}  // namespace

class TestKld : public QObject {
    Q_OBJECT
    QString model_, text_;
    QTemporaryDir dir_;
    std::string rtn3_;

private slots:
    void initTestCase() {
        model_ = test::sharedPath("models/stories260K-hf");
        text_ = test::sharedPath("text/tinystories/TinyStories-validation.head.txt");
        if (model_.isEmpty() || text_.isEmpty())
            QSKIP(qPrintable("shared data (models/stories260K-hf, text/tinystories) not present under " + test::sharedData()));
        QVERIFY(dir_.isValid());
        auto out = writeRtnExport(model_.toStdString(), 3, dir_.path());
        QVERIFY2(out.ok(), out.ok() ? "" : out.error().message.c_str());
        rtn3_ = *out;
    }

    void percentilesAreLlamaCpps() {
        std::vector<double> v;
        for (int i = 0; i <= 1000; ++i) v.push_back(i * 0.5);  // 1001 values 0, 0.5, ..., 500
        QCOMPARE(eval::percentileOfSorted(v, 0.99), 495.0);     // position 990
        QCOMPARE(eval::percentileOfSorted(v, 0.999), 499.5);    // position 999
        QCOMPARE(eval::percentileOfSorted({1, 2, 3, 4}, 0.5), 2.5);
        QCOMPARE(eval::percentileOfSorted({1, 2, 3, 4}, 0.99), 3.97);  // position 2.97: 3 + 0.97·(4 − 3)
        QCOMPARE(eval::percentileOfSorted({1, 2, 3, 4}, 1.0), 4.0);
        QCOMPARE(eval::percentileOfSorted({1, 2, 3, 4}, 0.0), 1.0);
        QCOMPARE(eval::medianOfSorted({1, 2, 3, 4}), 2.5);
        QCOMPARE(eval::medianOfSorted({1, 2, 10}), 2.0);
        eval::KldAccumulator acc;
        acc.per_token_kld = {0.3, 0.1, 0.2, 0.0};
        acc.top1_matches = 3;
        acc.model_nll_sum = 8.0;
        acc.reference_nll_sum = 4.0;
        const eval::KldStats s = eval::summarizeKld(acc);
        QCOMPARE(s.tokens, std::uint64_t(4));
        QVERIFY(std::abs(s.mean - 0.15) < 1e-15);
        QVERIFY(std::abs(s.median - 0.15) < 1e-15);
        QCOMPARE(s.max, 0.3);
        QCOMPARE(s.top1_agreement, 0.75);
        QVERIFY(std::abs(s.reference_ppl - std::exp(1.0)) < 1e-12);
        QVERIFY(std::abs(s.ppl_ratio - std::exp(1.0)) < 1e-12);  // exp(2) / exp(1)
    }

    void modelAgainstItselfIsZero_data() {
        QTest::addColumn<bool>("llama");
        QTest::newRow("windows") << false;
        QTest::newRow("llama-perplexity") << true;
    }
    void modelAgainstItselfIsZero() {
        QFETCH(bool, llama);
        eval::EvalOptions o = options();
        o.reference = model_.toStdString();
        o.kernels = quant::KernelPath::Fused;  // the run's default path: the same on both sides
        if (llama) o.protocol = eval::EvalProtocol::LlamaPerplexity;
        auto r = eval::evaluatePerplexity(model_.toStdString(), text_.toStdString(), o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QVERIFY(r->kld.has_value());
        const eval::KldStats& k = *r->kld;
        qInfo("self (%s): %llu tokens, KLD mean %.3g median %.3g p99 %.3g p99.9 %.3g max %.3g, top-1 %.4f, PPL %.4f ref %.4f ratio %.6f",
              llama ? "llama-perplexity" : "windows", static_cast<unsigned long long>(k.tokens), k.mean, k.median, k.p99, k.p999, k.max,
              k.top1_agreement, r->ppl, k.reference_ppl, k.ppl_ratio);
        QCOMPARE(k.tokens, r->scored_tokens);
        for (double v : {k.mean, k.median, k.p99, k.p999, k.max}) QVERIFY(std::abs(v) <= 1e-9);
        QCOMPARE(k.top1_agreement, 1.0);
        QVERIFY(std::abs(k.ppl_ratio - 1.0) <= 1e-12);
        QVERIFY(std::abs(k.reference_ppl - r->ppl) <= 1e-12 * r->ppl);
    }

    void rtnExportAgreesWithDirectComputation() {
        eval::EvalOptions o = options();
        o.reference = model_.toStdString();
        auto r = eval::evaluatePerplexity(rtn3_, text_.toStdString(), o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QVERIFY(r->kld.has_value());
        const eval::KldStats& k = *r->kld;
        const Direct d = directKld(rtn3_, model_.toStdString(), text_.toStdString());
        qInfo("RTN W3G32 vs original: %llu tokens, KLD mean %.6f (direct %.6f) median %.6f p99 %.6f p99.9 %.6f max %.6f (direct %.6f), "
              "top-1 %.4f (direct %.4f), PPL %.4f, reference PPL %.4f, ratio %.4f",
              static_cast<unsigned long long>(k.tokens), k.mean, d.mean, k.median, k.p99, k.p999, k.max, d.max, k.top1_agreement, d.top1, r->ppl,
              k.reference_ppl, k.ppl_ratio);
        qInfo("relative differences from the direct computation: mean %.3g, max %.3g, model NLL %.3g, reference NLL %.3g",
              std::abs(k.mean - d.mean) / d.mean, std::abs(k.max - d.max) / d.max, std::abs(std::log(r->ppl) - d.model_nll) / d.model_nll,
              std::abs(std::log(k.reference_ppl) - d.ref_nll) / d.ref_nll);
        QCOMPARE(static_cast<std::int64_t>(k.tokens), d.tokens);
        QCOMPARE(k.tokens, std::uint64_t(kWindows) * (kWindow - 1));
        QVERIFY(k.mean > 0.01);
        QVERIFY(k.top1_agreement < 1.0 && k.top1_agreement > 0.2);
        QVERIFY(k.median > 0 && k.median <= k.p99 && k.p99 <= k.p999 && k.p999 <= k.max);
        QVERIFY2(std::abs(k.mean - d.mean) <= 1e-6 * d.mean, "mean KLD equals the direct computation within 1e-6 relative");
        QVERIFY2(std::abs(k.max - d.max) <= 1e-6 * d.max, "max KLD equals the direct computation within 1e-6 relative");
        QVERIFY(std::abs(k.top1_agreement - d.top1) <= 1e-12);
        QVERIFY(std::abs(std::log(r->ppl) - d.model_nll) <= 1e-6 * d.model_nll);
        QVERIFY(std::abs(std::log(k.reference_ppl) - d.ref_nll) <= 1e-6 * d.ref_nll);
        QVERIFY(std::abs(k.ppl_ratio - r->ppl / k.reference_ppl) <= 1e-9 * k.ppl_ratio);
        QVERIFY(k.ppl_ratio > 1.0);  // 3-bit RTN is worse than the original

        // The reference's perplexity is the original's own figure on the same windows.
        eval::EvalOptions plain = options();
        auto orig = eval::evaluatePerplexity(model_.toStdString(), text_.toStdString(), plain);
        QVERIFY(orig.ok());
        QVERIFY(std::abs(orig->ppl - k.reference_ppl) <= 1e-9 * orig->ppl);
        QVERIFY(!orig->kld.has_value());
    }

    void llamaPerplexityProtocolScoresSecondHalves() {
        eval::EvalOptions o = options();
        o.reference = model_.toStdString();
        o.protocol = eval::EvalProtocol::LlamaPerplexity;
        auto r = eval::evaluatePerplexity(rtn3_, text_.toStdString(), o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const std::uint64_t expect = std::uint64_t(kWindows) * (kWindow - 1 - kWindow / 2);
        QCOMPARE(r->scored_tokens, expect);
        QCOMPARE(r->kld->tokens, expect);
        QCOMPARE(r->windows, kWindows);
        // BOS is added to the text: one id more than the windows protocol's tokenization.
        auto w = eval::evaluatePerplexity(rtn3_, text_.toStdString(), options());
        QVERIFY(w.ok());
        QCOMPARE(r->tokens, w->tokens + 1);
        QVERIFY(r->kld->mean > 0 && r->kld->top1_agreement < 1.0);
        qInfo("llama-perplexity protocol: %llu scored tokens, KLD mean %.6f, top-1 %.4f, PPL %.4f (windows protocol PPL %.4f)",
              static_cast<unsigned long long>(r->scored_tokens), r->kld->mean, r->kld->top1_agreement, r->ppl, w->ppl);
    }

    void referenceWithAnotherVocabularyIsRefused() {
        const QString tiny = dir_.path() + "/tiny";
        test::TinyModelSpec spec;  // vocabulary of 64, stories260K has 512
        test::writeTinyModel(tiny, spec);
        eval::EvalOptions o = options();
        o.reference = tiny.toStdString();
        auto r = eval::evaluatePerplexity(model_.toStdString(), text_.toStdString(), o);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(QString::fromStdString(r.error().message).contains("vocabulary of 64"), r.error().message.c_str());
        o.reference = (dir_.path() + "/absent").toStdString();
        QVERIFY(!eval::evaluatePerplexity(model_.toStdString(), text_.toStdString(), o).ok());
    }

    void progressAndCancel() {
        eval::EvalOptions o = options();
        o.reference = model_.toStdString();
        std::vector<std::pair<int, int>> calls;
        auto r = eval::evaluatePerplexity(rtn3_, text_.toStdString(), o, [&](int done, int total) { calls.push_back({done, total}); });
        QVERIFY(r.ok());
        QCOMPARE(int(calls.size()), 3);  // 12 windows in batches of 5
        QCOMPARE(calls.back(), std::make_pair(kWindows, kWindows));
        CancelToken cancel;
        auto c = eval::evaluatePerplexity(rtn3_, text_.toStdString(), o, [&](int, int) { cancel.cancel(); }, cancel);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::Cancelled);
    }
};

QTEST_GUILESS_MAIN(TestKld)
#include "test_kld.moc"
