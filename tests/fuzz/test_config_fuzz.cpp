// A bounded, seeded mutation run over what reads meaning out of config.json and a layer_config
// (fuzz/config_targets.cpp): a valid config.json (with a tiny model.safetensors) and a valid
// layer_config are damaged in many seeded ways, mostly at the level of JSON values (a number
// replaced by a string, a count by 2^32 + 2, a key dropped, an object nested 70 deep), some at the
// byte level, and every input must end in a plan or a clean error; a crash, an escaping
// exception or an unclean message aborts the test. A few hundred of the config.json mutations
// also go through the real files: inspectModel and openWeightSource on a folder, then planRun.
// With SRS_FUZZ_SEED_DIR set, the seeds are written there for a libFuzzer corpus.
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include <nlohmann/json.hpp>

#include "core/io/model_summary.h"
#include "core/io/weight_source.h"
#include "core/job/run_plan.h"
#include "fuzz/parser_targets.h"

using srs::fuzz::ConfigStage;
using nlohmann::json;

namespace {

json nested(int depth) {
    json v = 1;
    for (int i = 0; i < depth; ++i) v = json::array({v});
    return v;
}

// Values that break parsers: wrong types, bounds, wrapping integers, non-finite-looking numbers.
json interesting(std::mt19937_64& rng) {
    static const std::vector<json> kValues = {
        "x", "", "1e5", " 8", -1, 0, 1, 2, 3, 7, 8, 16, 31, 32, 33, 64, 4096, 65537, 4294967298LL, -4294967296LL,
        std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max(),
        1e300, -1e300, 1e-300, 0.5, 1.5, 8.0, true, false, nullptr, json::array(), json::array({1, 2}), json::object(),
        json{{"bits", "x"}}, json::array({"a", 1, nullptr})};
    const std::size_t pick = rng() % (kValues.size() + 2);
    if (pick == kValues.size()) return nested(70);
    if (pick == kValues.size() + 1) return std::string(1000 + rng() % 5000, 'W');
    return kValues[pick];
}

void collectPointers(const json& v, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
    out.push_back(at);
    if (v.is_object())
        for (auto it = v.begin(); it != v.end(); ++it) collectPointers(it.value(), at / it.key(), out);
    else if (v.is_array())
        for (std::size_t i = 0; i < v.size(); ++i) collectPointers(v[i], at / i, out);
}

// One to three edits at JSON-value level: replace a value, drop a key, add a key.
std::string mutateJson(const json& seed, std::mt19937_64& rng) {
    json doc = seed;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
        std::vector<json::json_pointer> ptrs;
        collectPointers(doc, json::json_pointer(), ptrs);
        const json::json_pointer p = ptrs[rng() % ptrs.size()];
        const int op = static_cast<int>(rng() % 10);
        if (p.empty() || op < 7) {
            if (p.empty() && rng() % 4 != 0) continue;  // keep the document an object most of the time
            doc[p] = interesting(rng);
        } else if (op < 9) {
            doc.at(p.parent_pointer()).is_object() ? (void)doc.at(p.parent_pointer()).erase(p.back()) : (void)(doc[p] = nullptr);
        } else {
            json& parent = doc.at(p.parent_pointer());
            if (parent.is_object()) parent[rng() % 2 ? "model.layers.9" : "mlp" + std::to_string(rng() % 9)] = interesting(rng);
        }
    }
    return doc.dump(rng() % 2 ? -1 : 2);
}

// Byte-level damage: flips, cuts, insertions.
void mutateBytes(std::string& b, std::mt19937_64& rng) {
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !b.empty(); ++e) {
        const std::size_t pos = rng() % b.size();
        switch (rng() % 4) {
        case 0: b[pos] = static_cast<char>(b[pos] ^ (1u << (rng() % 8))); break;
        case 1: b.resize(pos); break;
        case 2: b.insert(b.begin() + static_cast<long>(pos), "{}[]\":,0-9e\\"[rng() % 12]); break;
        default: b.erase(b.begin() + static_cast<long>(pos)); break;
        }
    }
}

ConfigStage runModel(const std::string& config, const std::vector<std::uint8_t>& safetensors) {
    std::vector<std::uint8_t> in(config.begin(), config.end());
    in.push_back(0);
    in.insert(in.end(), safetensors.begin(), safetensors.end());
    return srs::fuzz::fuzzModelConfig(in.data(), in.size());
}

// A fixed count of inputs, the same ones every run (seeded): bounded by count, not time.
constexpr int kModelRuns = 10000;
constexpr int kLayerRuns = 6000;
constexpr int kFileRuns = 300;

}  // namespace

class TestConfigFuzz : public QObject {
    Q_OBJECT
    std::string seed_config_;
    std::vector<std::uint8_t> seed_st_;

private slots:
    void initTestCase() {
        const auto seed = srs::fuzz::modelConfigSeed();
        const auto nul = std::find(seed.begin(), seed.end(), std::uint8_t(0));
        QVERIFY(nul != seed.end());
        seed_config_.assign(seed.begin(), nul);
        seed_st_.assign(nul + 1, seed.end());
        if (const QByteArray dir = qgetenv("SRS_FUZZ_SEED_DIR"); !dir.isEmpty()) {
            QFile m(QString::fromUtf8(dir) + "/model_config.seed"), l(QString::fromUtf8(dir) + "/layer_config.seed");
            QVERIFY(m.open(QIODevice::WriteOnly) && l.open(QIODevice::WriteOnly));
            m.write(reinterpret_cast<const char*>(seed.data()), static_cast<qint64>(seed.size()));
            l.write(QByteArray::fromStdString(srs::fuzz::layerConfigSeed()));
        }
    }

    // The seeds are valid: both plan, so mutations start from the deepest path.
    void seedsPlan() {
        QCOMPARE(runModel(seed_config_, seed_st_), ConfigStage::Planned);
        const std::string lc = srs::fuzz::layerConfigSeed();
        QCOMPARE(srs::fuzz::fuzzLayerConfig(reinterpret_cast<const std::uint8_t*>(lc.data()), lc.size()), ConfigStage::Planned);
    }

    void modelConfig() {
        const json seed = json::parse(seed_config_);
        std::mt19937_64 rng(11);
        std::map<ConfigStage, int> stages;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < kModelRuns; ++i) {
            std::string config = mutateJson(seed, rng);
            std::vector<std::uint8_t> st = seed_st_;
            const int kind = static_cast<int>(rng() % 10);
            if (kind == 8) mutateBytes(config, rng);
            if (kind == 9) {  // the tensors' header instead: shapes, names, offsets
                std::size_t header = 0;
                for (int b = 7; b >= 0; --b) header = (header << 8) | st[b];
                config = seed_config_;
                for (int e = 0; e < 2; ++e) st[8 + rng() % header] = static_cast<std::uint8_t>("0123456789[],\"x"[rng() % 15]);
            }
            ++stages[runModel(config, st)];
        }
        qInfo("config.json: %d inputs in %lld ms: %d refused when parsed, %d by the tensor check, %d by planRun, %d planned", kModelRuns,
              static_cast<long long>(t.elapsed()), stages[ConfigStage::ParseRejected], stages[ConfigStage::CheckRejected],
              stages[ConfigStage::PlanRejected], stages[ConfigStage::Planned]);
        // The mutations reach every stage (else the run tests less than it claims).
        QVERIFY(stages[ConfigStage::ParseRejected] > kModelRuns / 20);
        QVERIFY(stages[ConfigStage::CheckRejected] > kModelRuns / 50);
        QVERIFY(stages[ConfigStage::Planned] > kModelRuns / 20);
    }

    void layerConfig() {
        const json seed = json::parse(srs::fuzz::layerConfigSeed());
        const std::string relaxed = "{k_proj:{bits:8}, 'mlp.down_proj': W2A16G64, o_proj: {bits: 16, sym: false}}";
        std::mt19937_64 rng(12);
        std::map<ConfigStage, int> stages;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < kLayerRuns; ++i) {
            std::string text = mutateJson(seed, rng);
            const int kind = static_cast<int>(rng() % 10);
            if (kind == 8) mutateBytes(text, rng);
            if (kind == 9) {
                text = relaxed;
                mutateBytes(text, rng);
            }
            ++stages[srs::fuzz::fuzzLayerConfig(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())];
        }
        qInfo("layer_config: %d inputs in %lld ms: %d refused when parsed, %d when resolved, %d by planRun, %d planned", kLayerRuns,
              static_cast<long long>(t.elapsed()), stages[ConfigStage::ParseRejected], stages[ConfigStage::CheckRejected],
              stages[ConfigStage::PlanRejected], stages[ConfigStage::Planned]);
        QVERIFY(stages[ConfigStage::CheckRejected] > kLayerRuns / 20);
        QVERIFY(stages[ConfigStage::Planned] > kLayerRuns / 20);
    }

    // The same kind of inputs through the real loaders: files in a folder, inspect, open, plan.
    void throughFiles() {
        QTemporaryDir dir;
        const QString folder = dir.path() + "/m";
        QVERIFY(QDir().mkpath(folder));
        QFile st(folder + "/model.safetensors");
        QVERIFY(st.open(QIODevice::WriteOnly));
        st.write(reinterpret_cast<const char*>(seed_st_.data()), static_cast<qint64>(seed_st_.size()));
        st.close();
        const json seed = json::parse(seed_config_);
        std::mt19937_64 rng(13);
        int opened = 0;
        for (int i = 0; i < kFileRuns; ++i) {
            QFile cfg(folder + "/config.json");
            QVERIFY(cfg.open(QIODevice::WriteOnly | QIODevice::Truncate));
            cfg.write(QByteArray::fromStdString(i == 0 ? seed_config_ : mutateJson(seed, rng)));
            cfg.close();
            const std::string path = folder.toStdString();
            auto summary = srs::io::inspectModel(path);
            auto source = srs::io::openWeightSource(path);
            for (const srs::Error* e : {summary.ok() ? nullptr : &summary.error(), source.ok() ? nullptr : &source.error()})
                if (e) QVERIFY2(!e->message.empty() && e->message.find("json.exception") == std::string::npos, e->message.c_str());
            QCOMPARE(summary.ok(), source.ok());  // one check decides both
            if (!source) continue;
            ++opened;
            srs::job::JobConfig c;
            c.model = path;
            c.output_dir = (dir.path() + "/out").toStdString();
            c.formats = {"fake", "auto_round"};
            c.group_size = 32;
            auto plan = srs::job::planRun(**source, c);
            QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        }
        QVERIFY(opened > 10);
    }
};

QTEST_GUILESS_MAIN(TestConfigFuzz)
#include "test_config_fuzz.moc"
