// AutoScheme end to end on a tiny model: scores for every layer and option, the target met, the
// second search served from the cache, and the chosen layer_config carried into an export.
#include <ATen/ATen.h>

#include "core/io/atomic_file.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "core/quant/layer_config.h"
#include "support/test_paths.h"
#include "support/tiny_model.h"

#include <QTemporaryDir>
#include <set>
#include <QtTest>

using namespace srs::quant::autoscheme;

class TestAutoScheme : public QObject {
    Q_OBJECT
private slots:
    void searchesCachesAndMeetsTheTarget() {
        SRS_REQUIRE_SHARED(tok, "models/stories260K-hf/tokenizer.model");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        srs::test::TinyModelSpec spec;
        spec.hidden = 64;
        spec.intermediate = 128;
        spec.vocab = 512;
        spec.weight_std = 0.2;
        srs::test::writeTinyModel(dir.path() + "/m", spec);
        QFile::copy(tok, dir.path() + "/m/tokenizer.model");
        AutoSchemeOptions o;
        o.model = (dir.path() + "/m").toStdString();
        o.datasets = {text.toStdString()};
        o.options = "W2A16G32,W4A16G32,W8A16G32";
        o.avg_bits = 4.5;
        o.nsamples = 4;
        o.seqlen = 32;
        o.cache_dir = (dir.path() + "/cache").toStdString();
        auto r = runAutoScheme(o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(r->layers.size(), size_t(14));
        QVERIFY(!r->scores_from_cache);
        for (const auto& l : r->layers) {
            QCOMPARE(l.scores.size(), size_t(3));
            QVERIFY(l.scores[0] > l.scores[1]);  // fewer bits, more damage
            QVERIFY(l.scores[1] > l.scores[2]);
        }
        QVERIFY(r->allocation.avg_bits() <= 4.5);
        QVERIFY(r->allocation.avg_bits() > 4.0);
        std::set<int> bits;
        for (auto it = r->layer_config.begin(); it != r->layer_config.end(); ++it) bits.insert(it.value()["bits"].get<int>());
        QVERIFY(bits.size() >= 2);  // really mixed
        // Another target reuses the cached scores.
        o.avg_bits = 3.5;
        auto again = runAutoScheme(o);
        QVERIFY(again.ok());
        QVERIFY(again->scores_from_cache);
        QCOMPARE(again->layers[3].scores, r->layers[3].scores);
        QVERIFY(again->allocation.avg_bits() <= 3.5);
        // The layer_config resolves back to the chosen schemes.
        std::vector<std::string> names;
        for (const auto& l : r->layers) names.push_back(l.name);
        auto schemes = srs::quant::resolveLayerSchemes(names, {4, 128, true}, r->layer_config, {});
        QVERIFY(schemes.ok());
        for (const auto& l : r->layers) QCOMPARE((*schemes)[l.name]->bits, r->options[l.chosen].storedBits());
        // A target outside what the options allow is an error.
        o.avg_bits = 1.0;
        QVERIFY(!runAutoScheme(o).ok());
    }
};

QTEST_GUILESS_MAIN(TestAutoScheme)
#include "test_autoscheme.moc"
