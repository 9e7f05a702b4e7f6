// A whole run through the GUI, offscreen, with the real pipeline: Model → Configure (W4G32,
// 20 iterations) → Start → the loss plot gets points for every block → the auto_round export is
// on disk. Meanwhile a 10 ms timer on the GUI thread checks the event loop is never blocked more
// than 100 ms. A cancelled run leaves the app usable and writes no export.
#include <QCheckBox>
#include <QComboBox>
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
#include "ui/pages/run_page.h"

class TestRunFlow : public QObject {
    Q_OBJECT
    QString model_, calib_;

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

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }

    void wholeRun() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        QVERIFY(openStories(w));
        QVERIFY(w.configurePage()->findChild<QLabel*>("configureModel")->text().contains("stories260K-hf"));
        configure(w, dir.path(), 20);

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
        QCOMPARE(finished.first().at(0).toString(), QString("finished"));
        qInfo("longest gap between 10 ms timer ticks during the run: %lld ms", static_cast<long long>(worst));
        QVERIFY2(worst <= 100, qPrintable(QString("GUI thread blocked for %1 ms").arg(worst)));

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
        QVERIFY(t.elapsed() < 2000);
        QCOMPARE(finished.first().at(0).toString(), QString("cancelled"));
        QVERIFY(w.runPage()->findChild<QLabel*>("runStatus")->text().startsWith("Cancelled"));
        QVERIFY(!w.runPage()->findChild<QPushButton*>("cancelButton")->isEnabled());
        QVERIFY(!QFileInfo::exists(dir.path() + "/a/stories260K-hf-w4g32-auto_round"));
        // Usable again: a short run finishes.
        configure(w, dir.path() + "/b", 2);
        finished.clear();
        w.showPage(1);
        QTest::mouseClick(w.configurePage()->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().at(0).toString(), QString("finished"));
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
