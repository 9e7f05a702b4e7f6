// A whole run through the GUI, offscreen, with the real pipeline: Model → Configure (W4G32,
// 20 iterations) → Start → the loss plot gets points for every block → the auto_round export is
// on disk. Meanwhile a 10 ms timer on the GUI thread checks the event loop is never blocked more
// than 100 ms. Afterwards the Results page has a row per quantized layer and a point per
// evaluated export on the accuracy-versus-size scatter, the run is in the history, the Export
// page lists the files, opens the folder and re-exports the run as GPTQ and as GGUF. A cancelled
// run leaves the app usable, writes no export and adds nothing to the history.
#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QLineEdit>
#include <QTableWidget>
#include <QTreeWidget>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

#include "core/job/quant_job.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"
#include "ui/pages/export_page.h"
#include "ui/pages/results_page.h"
#include "ui/pages/run_page.h"
#include "ui/run_history.h"
#include "ui/run_recorder.h"
#include "support/deadline.h"

class TestRunFlow : public QObject {
    Q_OBJECT
    QString model_, calib_;
    QList<QUrl> opened_urls_;

    void configure(srs::ui::MainWindow& w, const QString& out, int iters) {
        auto* c = w.configurePage();
        c->findChild<QComboBox*>("preset")->setCurrentText("W4A16");
        c->findChild<QComboBox*>("groupSize")->setCurrentText("32");
        c->findChild<QSpinBox*>("iters")->setValue(iters);
        c->findChild<QSpinBox*>("nsamples")->setValue(16);
        c->findChild<QSpinBox*>("seqlen")->setValue(128);
        c->setCalibrationFiles({calib_});
        c->setOutputDir(out);
    }

    // A window with the stories model open on its Model page.
    bool openStories(srs::ui::MainWindow& w) {
        w.show();
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        w.modelPage()->openModel(model_);
        return opened.wait(10000);
    }

public slots:
    // Stands in for the desktop's file manager (QDesktopServices::setUrlHandler).
    void openUrl(const QUrl& url) { opened_urls_ << url; }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);  // history and settings under ~/.qttest, never the user's
    }
    void init() { QDir(srs::ui::RunHistory::defaultFolder()).removeRecursively(); }

    void wholeRun() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun);
        QVERIFY(openStories(w));
        QVERIFY(w.configurePage()->findChild<QLabel*>("configureModel")->text().contains("stories260K-hf"));
        configure(w, dir.path(), 20);
        // A short evaluation text, so the run measures perplexities for the trade-off scatter.
        {
            QFile in(QFileInfo(calib_).absolutePath() + "/TinyStories-validation.head.txt");
            QVERIFY(in.open(QIODevice::ReadOnly));
            QFile out(dir.path() + "/eval.txt");
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(in.read(6000));
        }
        w.configurePage()->findChild<QLineEdit*>("evalText")->setText(dir.path() + "/eval.txt");
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QSignalSpy recorded(w.runRecorder(), &srs::ui::RunRecorder::recorded);

        // Event-loop latency probe on the GUI thread.
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0, worst = 0;
        QTimer probe;
        probe.setInterval(10);
        connect(&probe, &QTimer::timeout, [&] {
            qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        probe.start();
        last = clock.elapsed();
        QTest::mouseClick(w.configurePage()->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QCOMPARE(w.currentPage(), 2);  // the Run page is shown
        QVERIFY(finished.wait(300000));
        probe.stop();
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        // The longest gap between 10 ms timer ticks on the GUI thread during the whole run. Under
        // load (tools/deadlines.py) 96 and 127 ms: the scheduler, not the app; a GUI thread that did
        // a block's work itself would stall for seconds (a block takes over a second here).
        SRS_CHECK_DEADLINE("GUI event-loop gap during a run", worst, 500);

        auto* run = w.runPage();
        QCOMPARE(run->pointsPerBlock().size(), 5);
        for (int n : run->pointsPerBlock()) QCOMPARE(n, 20);  // every iteration of every block plotted
        QCOMPARE(run->blockPlot()->graph(1)->dataCount(), 5);
        QVERIFY(run->lossPlot()->graph(0)->dataCount() == 20);
        const QString exported = dir.path() + "/stories260K-hf-w4g32-auto_round";
        QVERIFY(QFileInfo::exists(exported + "/model.safetensors"));
        QVERIFY(QFileInfo::exists(exported + "/config.json"));
        QVERIFY(QFileInfo::exists(exported + "/README.md"));
        QVERIFY(run->findChild<QLabel*>("runStatus")->text().startsWith("Finished"));

        // Results: one row per quantized layer, bars per block, and the trade-off scatter.
        QVERIFY(recorded.count() == 1 || recorded.wait(5000));
        QCOMPARE(started.count(), 1);
        const int layers = started.first().at(1).toInt();
        QVERIFY(layers > 0);
        auto* results = w.resultsPage();
        QVERIFY(results->hasRun());
        QCOMPARE(results->layerTable()->rowCount(), layers);
        QVERIFY(results->layerTable()->item(0, 0)->text().startsWith("block 1 · "));
        QCOMPARE(results->layerTable()->item(0, 1)->text(), QString("4 / 32"));
        const double initial = results->layerTable()->item(0, 2)->data(Qt::UserRole).toDouble();
        const double best = results->layerTable()->item(0, 3)->data(Qt::UserRole).toDouble();
        QVERIFY(initial > 0 && best > 0 && best <= initial);
        QCOMPARE(results->lossBars()->plottableCount(), 2);
        QCOMPARE(qobject_cast<QCPBars*>(results->lossBars()->plottable(0))->dataCount(), 5);
        const srs::ui::RunRecord& rec = results->currentRun();
        QCOMPARE(rec.exports.size(), 1);
        QCOMPARE(rec.exports[0].format, QString("auto_round"));
        QVERIFY(rec.exports[0].ppl > 1 && rec.exports[0].bits_per_weight > 4 && rec.exports[0].bits_per_weight < 32);
        QVERIFY(rec.original_ppl > 1);
        QCOMPARE(results->tradeoffPointCount(), 2);  // the export and the original model

        // The history holds the run (written atomically: no temporary file left beside it).
        srs::ui::RunHistory history;
        auto runs = history.load(model_);
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].layerCount(), layers);
        QCOMPARE(runs[0].exports[0].path, exported);
        QCOMPARE(QDir(history.folder()).entryList(QDir::Files).size(), 1);

        // Export page: the files with sizes, Open folder, re-export.
        auto* exp = w.exportPage();
        QVERIFY(exp->hasRun());
        auto* tree = exp->filesTree();
        QCOMPARE(tree->topLevelItemCount(), 1);
        QStringList names;
        for (int i = 0; i < tree->topLevelItem(0)->childCount(); ++i) names << tree->topLevelItem(0)->child(i)->text(0);
        QVERIFY2(names.contains("model.safetensors") && names.contains("config.json") && names.contains("README.md"), qPrintable(names.join(",")));
        QVERIFY(!tree->topLevelItem(0)->text(1).isEmpty());
        QDesktopServices::setUrlHandler("file", this, "openUrl");
        tree->setCurrentItem(tree->topLevelItem(0));
        QTest::mouseClick(exp->findChild<QPushButton*>("openFolderButton"), Qt::LeftButton);
        QDesktopServices::unsetUrlHandler("file");
        QCOMPARE(opened_urls_.size(), 1);
        QCOMPARE(opened_urls_[0].toLocalFile(), exported);

        auto reexport = [&](const QString& format) {
            auto* combo = exp->findChild<QComboBox*>("reexportFormat");
            combo->setCurrentIndex(combo->findData(format));
            QSignalSpy done(exp->reexportController(), &srs::ui::JobController::finished);
            QTest::mouseClick(exp->findChild<QPushButton*>("reexportButton"), Qt::LeftButton);
            if (!done.wait(120000)) return QString("timeout");
            const auto outcome = done.first().at(0).value<srs::ui::RunOutcome>();
            return QString::fromLatin1(srs::job::jobStateName(outcome.state)) + " " + outcome.message;
        };
        QCOMPARE(reexport("auto_gptq"), QString("finished "));
        QVERIFY(QFileInfo::exists(dir.path() + "/stories260K-hf-w4g32-auto_gptq/model.safetensors"));
        QCOMPARE(reexport("gguf:q4_0"), QString("finished "));
        QVERIFY(!QDir(dir.path() + "/stories260K-hf-gguf-q4_0").entryList({"*.gguf"}).isEmpty());
        QCOMPARE(tree->topLevelItemCount(), 3);
        QVERIFY(exp->findChild<QLabel*>("reexportStatus")->text().startsWith("Wrote"));
        // The re-exports are part of the run's record now.
        runs = history.load(model_);
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].exports.size(), 3);
        QCOMPARE(runs[0].exports[2].format, QString("gguf:q4_0"));

        // A second run with other settings into the same folder replaces the checkpoint: the
        // first run can no longer be re-exported, and the page says why instead of writing a
        // mislabelled export.
        w.showPage(1);
        w.configurePage()->findChild<QSpinBox*>("bits")->setValue(2);
        w.configurePage()->findChild<QSpinBox*>("iters")->setValue(2);
        finished.clear();
        recorded.clear();
        QTest::mouseClick(w.configurePage()->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        QVERIFY(recorded.count() == 1 || recorded.wait(5000));
        QCOMPARE(history.load(model_).size(), 2);
        QCOMPARE(results->tradeoffPointCount(), 3);  // both runs' auto_round and the original
        auto* run_combo = results->findChild<QComboBox*>("resultsRun");
        QCOMPARE(run_combo->count(), 2);
        run_combo->setCurrentIndex(1);  // the older W4 run
        QCOMPARE(exp->run().exports.size(), 3);
        QSignalSpy refused(exp->reexportController(), &srs::ui::JobController::started);
        QTest::mouseClick(exp->findChild<QPushButton*>("reexportButton"), Qt::LeftButton);
        QVERIFY(exp->findChild<QLabel*>("reexportStatus")->text().contains("replaced the checkpoint"));
        QCOMPARE(refused.count(), 0);
        QVERIFY(!exp->reexportController()->running());
    }

    void cancelLeavesTheAppUsable() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        QVERIFY(openStories(w));
        configure(w, dir.path() + "/a", 100000);
        QSignalSpy iterations(w.jobController(), &srs::ui::JobController::iteration);
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QTest::mouseClick(w.configurePage()->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QVERIFY(iterations.wait(60000));
        QElapsedTimer t;
        t.start();
        QTest::mouseClick(w.runPage()->findChild<QPushButton*>("cancelButton"), Qt::LeftButton);
        QVERIFY(finished.wait(10000));
        // tools/deadlines.py with 4 busy processes on 2 cores: 294-461 ms; 76 ms, and once over 2 s, at
        // a load average of 20 (builds and test suites beside it).
        SRS_CHECK_DEADLINE("cancel during tuning (GUI)", t.elapsed(), 10000);
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Cancelled);
        QVERIFY(w.runPage()->findChild<QLabel*>("runStatus")->text().startsWith("Cancelled"));
        QVERIFY(!w.runPage()->findChild<QPushButton*>("cancelButton")->isEnabled());
        QVERIFY(!QFileInfo::exists(dir.path() + "/a/stories260K-hf-w4g32-auto_round"));
        QVERIFY(srs::ui::RunHistory().load().isEmpty());
        QVERIFY(!w.resultsPage()->hasRun());
        // Usable again: a short run finishes.
        configure(w, dir.path() + "/b", 2);
        finished.clear();
        w.showPage(1);
        QTest::mouseClick(w.configurePage()->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        QTRY_COMPARE(srs::ui::RunHistory().load(model_).size(), 1);
    }

    void incompleteSettingsAreExplained() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QTest::mouseClick(w.configurePage()->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QVERIFY(w.configurePage()->findChild<QLabel*>("configureError")->text().contains("Open a model"));
        QCOMPARE(started.count(), 0);
        QVERIFY(!w.jobController()->running());
    }
};

QTEST_MAIN(TestRunFlow)
#include "test_run_flow.moc"
