// The Configure page offscreen: presets and recipes set the knobs, a GGUF mix sets the formats,
// the per-layer overrides become the JobConfig's layer_config, the pre-flight estimate follows
// the settings, and the AutoScheme tab scores stories260K with the real AutoScheme (scores in the
// table and the chart, "Use this mix" fills the overrides; Cancel stops a scoring run).
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include "core/device/estimator.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "support/test_paths.h"
#include "ui/pages/configure_page.h"

using srs::ui::ConfigurePage;

namespace {
// An override row: the layers it names, their scheme, and whether they stay in full precision.
srs::ui::LayerOverride overrideRow(const QString& pattern, int bits, int group_size, bool sym, bool skip) {
    srs::ui::LayerOverride row;
    row.pattern = pattern;
    row.scheme.bits = bits;
    row.scheme.group_size = group_size;
    row.scheme.sym = sym;
    row.skip = skip;
    return row;
}
}  // namespace

class TestConfigurePage : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_, calib_;

    // A page with stories260K, its calibration text and an output folder.
    bool prepare(ConfigurePage& p) {
        model_ = srs::test::sharedPath("models/stories260K-hf");
        calib_ = srs::test::sharedPath("text/tinystories/TinyStories-train.first2MiB.txt");
        if (model_.isEmpty() || calib_.isEmpty()) return false;
        p.setModel(model_);
        p.setCalibrationFiles({calib_});
        p.setOutputDir(tmp_.path() + "/out");
        return true;
    }

private slots:
    void initTestCase() {
        // The page keeps its settings in QSettings: this test's own, cleared before each case.
        QCoreApplication::setOrganizationName("SignRoundStudioConfigureTests");
        QStandardPaths::setTestModeEnabled(true);
        // AutoScheme's score cache goes to a throw-away folder.
        qputenv("XDG_CACHE_HOME", (tmp_.path() + "/cache").toUtf8());
    }
    void init() { QSettings().clear(); }
    void cleanupTestCase() { QSettings().clear(); }

    void presetsSetTheKnobs() {
        ConfigurePage p;
        auto* preset = p.findChild<QComboBox*>("preset");
        preset->setCurrentText("W2A16G64");
        QCOMPARE(p.findChild<QSpinBox*>("bits")->value(), 2);
        QCOMPARE(p.findChild<QComboBox*>("groupSize")->currentText(), QString("64"));
        QVERIFY(p.findChild<QCheckBox*>("sym")->isChecked());
        preset->setCurrentText("W8A16");
        QCOMPARE(p.findChild<QSpinBox*>("bits")->value(), 8);
        QCOMPARE(p.findChild<QComboBox*>("groupSize")->currentText(), QString("128"));
        preset->setCurrentText("W2A16G32");
        QCOMPARE(p.findChild<QComboBox*>("groupSize")->currentText(), QString("32"));
        // Every knob explains itself.
        for (const char* name : {"preset", "bits", "groupSize", "sym", "recipe", "iters", "nsamples", "seqlen", "batchSize", "lr", "minmaxLr",
                                 "device", "datasets", "formatAutoRound", "formatGptq", "formatAwq", "formatFake", "formatGguf", "ggufType",
                                 "outputDir", "evalText", "overrides", "autoschemeTarget", "autoschemeScore", "autoschemeCancel", "autoschemeUse"}) {
            auto* w = p.findChild<QWidget*>(name);
            QVERIFY2(w, name);
            QVERIFY2(!w->toolTip().isEmpty(), name);
        }
    }

    void recipesSetIterations() {
        ConfigurePage p;
        auto* recipe = p.findChild<QComboBox*>("recipe");
        recipe->setCurrentText("rtn");
        QCOMPARE(p.findChild<QSpinBox*>("iters")->value(), 0);
        recipe->setCurrentText("auto-round-best");
        QCOMPARE(p.findChild<QSpinBox*>("iters")->value(), 1000);
        QCOMPARE(p.findChild<QSpinBox*>("nsamples")->value(), 512);
        recipe->setCurrentText("auto-round-light");
        QCOMPARE(p.findChild<QSpinBox*>("iters")->value(), 50);
        QVERIFY(p.findChild<QDoubleSpinBox*>("lr")->value() > 0);
    }

    void ggufMixSetsTheFormats() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        auto* preset = p.findChild<QComboBox*>("preset");
        preset->setCurrentIndex(preset->findData("gguf:q4_k_m"));
        QCOMPARE(preset->currentText(), QString("GGUF Q4_K_M"));  // named as the Export page names it
        QVERIFY(p.findChild<QCheckBox*>("formatGguf")->isChecked());
        QVERIFY(!p.findChild<QCheckBox*>("formatAutoRound")->isChecked());
        QCOMPARE(p.findChild<QComboBox*>("ggufType")->currentText(), QString("Q4_K_M"));
        QCOMPARE(p.findChild<QComboBox*>("ggufType")->currentData().toString(), QString("q4_k_m"));
        srs::job::JobConfig c;
        QString error;
        QVERIFY2(p.buildConfig(&c, &error), qPrintable(error));
        QCOMPARE(c.formats, std::vector<std::string>{"gguf:q4_k_m"});
        QCOMPARE(c.bits, 4);  // Q4_K carries W4G32 asym
        QCOMPARE(c.group_size, 32);
        QVERIFY(!c.sym);
        // Back to a scheme preset: the packed format again.
        p.findChild<QComboBox*>("preset")->setCurrentText("W4A16");
        QVERIFY(p.buildConfig(&c, &error));
        QCOMPARE(c.formats, std::vector<std::string>{"auto_round"});
    }

    void overridesBecomeTheLayerConfig() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        p.overridesEditor()->addRow(overrideRow("mlp.down_proj", 8, 32, true, false));
        p.overridesEditor()->addRow(overrideRow("model.layers.0.self_attn.q_proj", 4, 128, true, true));
        QCOMPARE(p.findChild<QTableWidget*>("overrides")->rowCount(), 2);
        srs::job::JobConfig c;
        QString error;
        QVERIFY2(p.buildConfig(&c, &error), qPrintable(error));
        auto lc = nlohmann::json::parse(c.layer_config);
        QCOMPARE(lc["mlp.down_proj"]["bits"].get<int>(), 8);
        QCOMPARE(lc["mlp.down_proj"]["group_size"].get<int>(), 32);
        QCOMPARE(lc["model.layers.0.self_attn.q_proj"]["data_type"].get<std::string>(), std::string("fp"));
        // The run reads it as the CLI's --layer_config: down_proj at 8 bits, q_proj of block 0 kept.
        auto src = srs::io::openWeightSource(model_.toStdString());
        QVERIFY(src.ok());
        c.formats = {"fake"};
        auto plan = srs::job::planRun(**src, c);
        QVERIFY(plan.ok());
        for (const auto& l : plan->layers) {
            if (l.name == "model.layers.2.mlp.down_proj") QVERIFY(l.quantized() && l.scheme->bits == 8 && l.scheme->group_size == 32);
            if (l.name == "model.layers.0.self_attn.q_proj") QVERIFY(!l.quantized());
            if (l.name == "model.layers.1.self_attn.q_proj") QVERIFY(l.quantized() && l.scheme->bits == 4);
        }
        // A key that names no layer is refused before the run, saying which.
        p.overridesEditor()->addRow(overrideRow("no_such_layer", 8, 128, true, false));
        QVERIFY(!p.buildConfig(&c, &error));
        QVERIFY2(error.contains("no_such_layer"), qPrintable(error));
        p.overridesEditor()->clear();
        QVERIFY(p.buildConfig(&c, &error));
        QVERIFY(c.layer_config.empty());
    }

    void estimateFollowsTheSettings() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        p.setTuningRateProvider(&srs::device::measureTuningGflops);
        p.findChild<QComboBox*>("groupSize")->setCurrentText("32");
        p.findChild<QSpinBox*>("seqlen")->setValue(256);
        auto* label = p.findChild<QLabel*>("estimate");
        QTRY_VERIFY_WITH_TIMEOUT(label->text().contains("peak memory") && label->text().contains("auto_round"), 60000);
        QVERIFY2(!label->text().contains("not measured"), qPrintable(label->text()));
        const QString at4 = label->text();
        p.findChild<QSpinBox*>("bits")->setValue(2);
        QTRY_VERIFY_WITH_TIMEOUT(label->text() != at4 && label->text().contains("auto_round"), 20000);
        const QString at2 = label->text();
        // A format more: its size appears.
        p.findChild<QCheckBox*>("formatFake")->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(label->text().contains("fake"), 20000);
        // GGUF as the Export page writes it.
        p.findChild<QCheckBox*>("formatGguf")->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(label->text().contains("GGUF Q4_K_M"), 20000);
        // A broken override is reported in the estimate line.
        p.overridesEditor()->addRow(overrideRow("no_such_layer", 8, 128, true, false));
        QTRY_VERIFY_WITH_TIMEOUT(label->text().contains("no_such_layer"), 20000);
        (void)at2;
    }

    void autoSchemeScoresAndFillsTheOverrides() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        p.setAutoSchemeRunner(&srs::quant::autoscheme::runAutoScheme);
        p.showTab(2);
        p.findChild<QSpinBox*>("autoschemeNsamples")->setValue(4);
        p.findChild<QSpinBox*>("autoschemeSeqlen")->setValue(64);
        p.findChild<QDoubleSpinBox*>("autoschemeTarget")->setValue(3.0);
        QSignalSpy done(p.autoSchemePanel(), &srs::ui::AutoSchemePanel::scoringFinished);
        QTest::mouseClick(p.findChild<QPushButton*>("autoschemeScore"), Qt::LeftButton);
        QVERIFY(p.findChild<QPushButton*>("autoschemeCancel")->isEnabled());
        QVERIFY(done.wait(120000));
        QVERIFY2(done.at(0).at(0).toBool(), qPrintable(p.findChild<QLabel*>("autoschemeStatus")->text()));
        auto* table = p.findChild<QTableWidget*>("autoschemeTable");
        QCOMPARE(table->rowCount(), 5 * 7);
        QCOMPARE(table->columnCount(), 3 + 3);  // layer, parameters, three options, chosen
        QVERIFY(table->item(0, 2)->text().toDouble() > 0);  // a W2A16G64 score
        auto* plot = p.findChild<QCustomPlot*>("autoschemePlot");
        QVERIFY(plot->plottableCount() >= 1);
        int bars = 0;
        for (int i = 0; i < plot->plottableCount(); ++i) bars += static_cast<QCPBars*>(plot->plottable(i))->data()->size();
        QCOMPARE(bars, 5 * 7);
        QVERIFY(p.findChild<QLabel*>("autoschemeStatus")->text().contains("bits per weight"));

        QTest::mouseClick(p.findChild<QPushButton*>("autoschemeUse"), Qt::LeftButton);
        const auto rows = p.overridesEditor()->rows();
        QCOMPARE(rows.size(), 5 * 7);
        srs::job::JobConfig c;
        QString error;
        p.findChild<QCheckBox*>("formatFake")->setChecked(true);
        p.findChild<QCheckBox*>("formatAutoRound")->setChecked(false);
        QVERIFY2(p.buildConfig(&c, &error), qPrintable(error));
        auto lc = nlohmann::json::parse(c.layer_config);
        QCOMPARE(static_cast<int>(lc.size()), 5 * 7);
        // The mix is the chosen column, layer by layer, and it is editable before the run.
        for (int r = 0; r < table->rowCount(); ++r) {
            const std::string name = table->item(r, 0)->text().toStdString();
            const QString chosen = table->item(r, 5)->text();
            const int bits = lc.at(name).at("bits").get<int>();
            QCOMPARE(bits, chosen.startsWith("W2") ? 2 : chosen.startsWith("W4") ? 4 : 8);
        }
        auto edited = rows;
        edited[0].scheme.bits = 3;
        p.overridesEditor()->setRows(edited);
        QVERIFY(p.buildConfig(&c, &error));
        QCOMPARE(nlohmann::json::parse(c.layer_config).at(rows[0].pattern.toStdString()).at("bits").get<int>(), 3);
    }

    void autoSchemeCancel() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        p.setAutoSchemeRunner(&srs::quant::autoscheme::runAutoScheme);
        p.findChild<QSpinBox*>("autoschemeNsamples")->setValue(64);  // not in the cache
        p.findChild<QSpinBox*>("autoschemeSeqlen")->setValue(256);
        QSignalSpy done(p.autoSchemePanel(), &srs::ui::AutoSchemePanel::scoringFinished);
        QTest::mouseClick(p.findChild<QPushButton*>("autoschemeScore"), Qt::LeftButton);
        QTest::mouseClick(p.findChild<QPushButton*>("autoschemeCancel"), Qt::LeftButton);
        QVERIFY(done.wait(60000));
        QCOMPARE(done.at(0).at(0).toBool(), false);
        QCOMPARE(p.findChild<QLabel*>("autoschemeStatus")->text(), QString("Cancelled."));
        QVERIFY(p.findChild<QPushButton*>("autoschemeScore")->isEnabled());
        QVERIFY(!p.findChild<QPushButton*>("autoschemeCancel")->isEnabled());
        QVERIFY(!p.findChild<QPushButton*>("autoschemeUse")->isEnabled());
        QCOMPARE(p.overridesEditor()->rows().size(), 0);
    }
};

QTEST_MAIN(TestConfigurePage)
#include "test_configure_page.moc"
