// AutoRound's layer_config: strict and relaxed JSON, presets, exact names, substrings, regexes,
// fp_layers with the digit rule, and errors that name the bad key.
#include <ATen/ATen.h>

#include "core/quant/layer_config.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace srs::quant;

namespace {
std::vector<std::string> names() {
    std::vector<std::string> n;
    for (int b : {0, 1, 10})
        for (const char* l : {"self_attn.q_proj", "self_attn.k_proj", "mlp.down_proj"})
            n.push_back("model.layers." + std::to_string(b) + "." + l);
    return n;
}
}  // namespace

class TestLayerConfig : public QObject {
    Q_OBJECT
private slots:
    void relaxedJson() {
        auto j = parseLayerConfigText("{k_proj:{bits:8},lm_head:{bits:4, sym: false}, 'mlp.down_proj': W2A16G64}");
        QVERIFY2(j.ok(), j.ok() ? "" : j.error().message.c_str());
        QCOMPARE((*j)["k_proj"]["bits"].get<int>(), 8);
        QCOMPARE((*j)["lm_head"]["sym"].get<bool>(), false);
        QCOMPARE((*j)["mlp.down_proj"].get<std::string>(), std::string("W2A16G64"));
        QVERIFY(parseLayerConfigText("{\"a\": {\"bits\": 8}}").ok());
        QVERIFY(!parseLayerConfigText("{a: {bits: }").ok());
        QVERIFY(parseLayerConfigText("")->empty());
    }

    void presets() {
        auto w = *parsePreset("W2A16G64");
        QCOMPARE(w->bits, 2);
        QCOMPARE(w->group_size, 64);
        QCOMPARE((*parsePreset("w4a16"))->group_size, 128);
        QVERIFY(!parsePreset("BF16")->has_value());
        QVERIFY(!parsePreset("Q4_K").ok());
    }

    void resolution() {
        QuantScheme def{4, 128, true};
        auto lc = *parseLayerConfigText(
            "{\"k_proj\": {\"bits\": 8}, \"model.layers.0.mlp.down_proj\": \"BF16\", \"layers\\\\.1\\\\..*q_proj\": {\"bits\": 2, \"group_size\": 32}}");
        auto r = resolveLayerSchemes(names(), def, lc, {"layers.1"});
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE((*r)["model.layers.0.self_attn.k_proj"]->bits, 8);          // substring
        QCOMPARE((*r)["model.layers.10.self_attn.k_proj"]->bits, 8);
        QVERIFY(!(*r)["model.layers.0.mlp.down_proj"].has_value());          // exact name, BF16
        QCOMPARE((*r)["model.layers.0.self_attn.q_proj"]->bits, 4);          // default
        QCOMPARE((*r)["model.layers.10.self_attn.q_proj"]->bits, 4);         // regex needs "layers.1."
        // fp_layers "layers.1" becomes "layers.1." and leaves block 10 alone.
        QVERIFY(!(*r)["model.layers.1.self_attn.q_proj"].has_value());
        QVERIFY(!(*r)["model.layers.1.mlp.down_proj"].has_value());
        QVERIFY((*r)["model.layers.10.mlp.down_proj"].has_value());
        auto none = resolveLayerSchemes(names(), def, *parseLayerConfigText("{nothing_matches: {bits: 8}}"), {});
        QVERIFY(!none.ok());
        QVERIFY(QString::fromStdString(none.error().message).contains("nothing_matches"));
        auto bad = resolveLayerSchemes(names(), def, *parseLayerConfigText("{k_proj: {bits: 1}}"), {});
        QVERIFY(!bad.ok());
        QVERIFY(QString::fromStdString(bad.error().message).contains("k_proj"));
    }

    // Regex keys are searched with bounded work (core/common/bounded_regex.h): a pattern that
    // backtracks without end is an error naming the key within about a second, not a hang (with
    // std::regex this key ran for longer than the test's limit); a broken one says where.
    void hostileRegexesAreErrors() {
        QuantScheme def{4, 128, true};
        QElapsedTimer t;
        t.start();
        auto slow = resolveLayerSchemes(names(), def, nlohmann::json{{"^(.*.*.*.*.*)*(.*.*.*.*)*!", "W2A16"}}, {});
        const qint64 ms = t.elapsed();
        qInfo("the backtracking key was refused after %lld ms", ms);
        QVERIFY(!slow.ok());
        QVERIFY2(QString::fromStdString(slow.error().message).contains("took too long to match"), slow.error().message.c_str());
        QVERIFY2(QString::fromStdString(slow.error().message).contains("(.*.*.*.*.*)*"), slow.error().message.c_str());
        QVERIFY2(ms < 30000, "bounded: about a second of matching");
        auto broken = resolveLayerSchemes(names(), def, nlohmann::json{{"layers.(1", "W2A16"}}, {});
        QVERIFY(!broken.ok());
        QVERIFY2(QString::fromStdString(broken.error().message).contains("'layers.(1' is not a valid regular expression"),
                 broken.error().message.c_str());
        // Python-style patterns as auto-round's layer_configs write them.
        auto ok = resolveLayerSchemes(names(), def, nlohmann::json{{"layers\\.(0|10)\\.self_attn\\.(q|k)_proj$", "W2A16"}, {"\\d\\.mlp", "W8A16"}}, {});
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().message.c_str());
        QCOMPARE((*ok)["model.layers.10.self_attn.k_proj"]->bits, 2);
        QCOMPARE((*ok)["model.layers.0.self_attn.q_proj"]->bits, 2);
        QCOMPARE((*ok)["model.layers.1.self_attn.q_proj"]->bits, 4);
        QCOMPARE((*ok)["model.layers.1.mlp.down_proj"]->bits, 8);
    }
};

QTEST_GUILESS_MAIN(TestLayerConfig)
#include "test_layer_config.moc"
