// The run plan on hostile inputs: a source whose linear weights are not matrices (planRun checks
// every tensor against config.json itself, whoever made the source), and layer_config values of
// the wrong type or out of range (an error naming the key, never an exception or a wrapped count).
#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include "core/io/model_check.h"
#include "core/io/weight_source.h"
#include "core/job/run_plan.h"
#include "core/quant/layer_config.h"
#include "support/hostile_model.h"

using nlohmann::json;

namespace {

// Shapes only, made without openWeightSource (so without its check).
class ShapeSource : public srs::io::WeightSource {
public:
    ShapeSource(srs::io::ModelConfig c, const std::vector<srs::test::TensorSpec>& t) : c_(std::move(c)) {
        for (const auto& x : t) shapes_[x.name] = x.shape;
    }
    const srs::io::ModelConfig& config() const override { return c_; }
    std::vector<std::string> tensorNames() const override {
        std::vector<std::string> n;
        for (const auto& [k, v] : shapes_) n.push_back(k);
        return n;
    }
    bool has(const std::string& n) const override { return shapes_.count(n) > 0; }
    srs::Result<std::vector<std::int64_t>> shape(const std::string& n) const override {
        auto it = shapes_.find(n);
        if (it == shapes_.end()) return srs::makeError(srs::ErrorCode::NotFound, n + " not found");
        return it->second;
    }
    srs::Result<srs::io::FloatTensor> loadFloat(const std::string& n) const override {
        return srs::makeError(srs::ErrorCode::Unsupported, "no data in this test source: " + n);
    }
    std::string storedDtype(const std::string&) const override { return "F32"; }
    const std::string& path() const override { return path_; }
    std::string tokenizerFolder() const override { return {}; }

private:
    srs::io::ModelConfig c_;
    std::map<std::string, std::vector<std::int64_t>> shapes_;
    std::string path_ = "shape-source";
};

srs::job::JobConfig planConfig(const std::string& layer_config = {}) {
    srs::job::JobConfig c;
    c.model = "tiny";
    c.output_dir = "out";
    c.group_size = 32;
    c.formats = {"fake", "auto_round"};
    c.layer_config = layer_config;
    return c;
}

}  // namespace

class TestPlanHostile : public QObject {
    Q_OBJECT
private slots:
    // The defect: planRun's layer listing indexed a 1-D (or 0-D) linear weight as [out, in].
    void linearWeightsThatAreNotMatrices_data() {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<QList<qlonglong>>("shape");
        QTest::newRow("1-D q_proj") << "model.layers.0.self_attn.q_proj.weight" << QList<qlonglong>{1024};
        QTest::newRow("0-D down_proj") << "model.layers.1.mlp.down_proj.weight" << QList<qlonglong>{};
    }

    void linearWeightsThatAreNotMatrices() {
        QFETCH(QString, tensor);
        QFETCH(QList<qlonglong>, shape);
        auto c = srs::io::parseModelConfig(srs::test::tinyLlamaConfig());
        QVERIFY(c.ok());
        const ShapeSource src(*c, srs::test::withShape(srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()), tensor.toStdString(),
                                                       std::vector<std::int64_t>(shape.begin(), shape.end())));
        auto plan = srs::job::planRun(src, planConfig());
        QVERIFY(!plan.ok());
        const QString m = QString::fromStdString(plan.error().message);
        QVERIFY2(m.contains("tensor '" + tensor + "' has " + QString::number(shape.size())) && m.contains("a linear layer's weight has 2"),
                 qPrintable(m));
    }

    void theSameSourceWithMatricesPlans() {
        auto c = srs::io::parseModelConfig(srs::test::tinyLlamaConfig());
        QVERIFY(c.ok());
        const ShapeSource src(*c, srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        auto plan = srs::job::planRun(src, planConfig());
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        QCOMPARE(plan->layers.size(), std::size_t(14));
        QCOMPARE(plan->layers_quantized, 10);  // k/v_proj [16, 32]: auto_round packs 32 rows at a time
        QCOMPARE(plan->kept_for_shape, 4);
    }

    // The defect: a layer_config value of the wrong type surfaced as "unexpected error: [json.exception...]";
    // an integer past 32 bits wrapped (bits 4294967298 became 2).
    void layerConfigValuesAreTyped_data() {
        QTest::addColumn<QString>("layer_config");
        QTest::addColumn<QString>("expect");
        QTest::newRow("bits string") << R"({"k_proj": {"bits": "x"}})" << "layer_config['k_proj']: bits must be an integer in [2, 32] (found the string \"x\")";
        QTest::newRow("bits 2^32+2") << R"({"k_proj": {"bits": 4294967298}})" << "layer_config['k_proj']: bits must be an integer in [2, 32] (found the number 4294967298)";
        QTest::newRow("bits 1.5") << R"({"k_proj": {"bits": 1.5}})" << "bits must be an integer in [2, 32] (found the number 1.5)";
        QTest::newRow("group 1e40") << R"({"k_proj": {"group_size": 1e40}})" << "layer_config['k_proj']: group_size must be an integer in [-1, 16777216]";
        QTest::newRow("sym 1") << R"({"k_proj": {"sym": 1}})" << "layer_config['k_proj']: sym must be true or false (found the number 1)";
        QTest::newRow("scheme 3") << R"({"k_proj": {"scheme": 3}})" << "layer_config['k_proj']: scheme must be a string (found the number 3)";
        QTest::newRow("data_type list") << R"({"k_proj": {"data_type": []}})" << "layer_config['k_proj']: data_type must be a string (found an array of 0)";
        QTest::newRow("value number") << R"({"k_proj": 5})" << "layer_config['k_proj'] must be a scheme name or an object (found the number 5)";
        QTest::newRow("not an object") << R"([1, 2])" << "layer_config must be a JSON object (found an array of 2)";
        QTest::newRow("group digits") << R"({"k_proj": "W4A16G99999999999999"})" << "layer_config['k_proj']: unknown scheme 'W4A16G99999999999999'";
        QTest::newRow("bits 12") << R"({"k_proj": {"bits": 12}})" << "layer_config['k_proj']: bits must be between 2 and 8, got 12";
        QTest::newRow("deep") << QString::fromStdString("{\"k_proj\": " + std::string(100, '[') + std::string(100, ']') + "}")
                              << "layer_config nests arrays or objects deeper than 64 levels";
    }

    void layerConfigValuesAreTyped() {
        QFETCH(QString, layer_config);
        QFETCH(QString, expect);
        QTemporaryDir dir;
        srs::test::writeModelFolder(dir.path(), srs::test::tinyLlamaConfig(), srs::test::tinyLlamaTensors(srs::test::tinyLlamaConfig()));
        auto src = srs::io::openWeightSource(dir.path().toStdString());
        QVERIFY2(src.ok(), src.ok() ? "" : src.error().message.c_str());
        auto plan = srs::job::planRun(**src, planConfig(layer_config.toStdString()));
        QVERIFY(!plan.ok());
        const QString m = QString::fromStdString(plan.error().message);
        QVERIFY2(m.contains(expect), qPrintable(m));
        QVERIFY(!m.contains("json.exception"));
        QCOMPARE(plan.error().code, srs::ErrorCode::InvalidArgument);
    }

    void resolveNamesItsSource() {
        auto r = srs::quant::resolveLayerSchemes({"model.layers.0.self_attn.k_proj"}, srs::quant::QuantScheme{4, 32, true},
                                                 json::parse(R"({"k_proj": {"sym": "no"}})"), {}, "/tmp/lc.json");
        QVERIFY(!r.ok());
        QCOMPARE(QString::fromStdString(r.error().message), QString("/tmp/lc.json['k_proj']: sym must be true or false (found the string \"no\")"));
        auto ok = srs::quant::resolveLayerSchemes({"model.layers.0.self_attn.k_proj"}, srs::quant::QuantScheme{4, 32, true},
                                                  json::parse(R"({"k_proj": {"bits": 8, "sym": false, "group_size": -1}})"), {});
        QVERIFY(ok.ok());
        QCOMPARE(ok->at("model.layers.0.self_attn.k_proj")->bits, 8);
        QCOMPARE(ok->at("model.layers.0.self_attn.k_proj")->group_size, -1);
    }
};

QTEST_GUILESS_MAIN(TestPlanHostile)
#include "test_plan_hostile.moc"
