// Runs are never lost by accident: Start into a folder holding an unfinished run's checkpoint asks
// (same settings: Resume / Start over / Cancel; other settings: Replace / Choose another folder /
// Cancel) instead of replacing it silently; a cancelled run offers Resume on the Run page, which
// continues from the checkpoint; quitting during a run asks, and No keeps the run going.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "core/job/quant_job.h"
#include "core/job/run_state.h"
#include "dialog_answer.h"
#include "stopping_runner.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"
#include "ui/pages/run_page.h"
#include "ui/run_history.h"
#include "ui/unfinished_runs.h"

using srs::test::runStoppingAfterFirstBlock;

class TestRunGuard : public QObject {
    Q_OBJECT
    QString model_, calib_;

    bool openModel(srs::ui::MainWindow& w) {
        w.show();
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        w.modelPage()->openModel(model_);
        return opened.wait(10000);
    }
    void configure(srs::ui::MainWindow& w, const QString& out, int iters) {
        auto* c = w.configurePage();
        c->findChild<QComboBox*>("preset")->setCurrentText("W4A16");
        c->findChild<QComboBox*>("groupSize")->setCurrentText("32");
        c->findChild<QSpinBox*>("iters")->setValue(iters);
        c->findChild<QSpinBox*>("nsamples")->setValue(8);
        c->findChild<QSpinBox*>("seqlen")->setValue(64);
        c->setCalibrationFiles({calib_});
        c->setOutputDir(out);
    }
    static QPushButton* startButton(srs::ui::MainWindow& w) { return w.configurePage()->findChild<QPushButton*>("startButton"); }
    // The first run: cancelled after block 1, its checkpoint left in out/.signround-run.
    bool cancelledFirstRun(srs::ui::MainWindow& w, const QString& out) {
        configure(w, out, 10);
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QTest::mouseClick(startButton(w), Qt::LeftButton);
        if (!finished.wait(60000)) return false;
        auto st = srs::job::readRunState((out + "/.signround-run").toStdString());
        return finished.first().at(0).value<srs::ui::RunOutcome>().state == srs::job::JobState::Cancelled && st && st->next_block == 1;
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }
    void init() {
        QDir(srs::ui::RunHistory::defaultFolder()).removeRecursively();
        QDir(srs::ui::UnfinishedRuns::defaultFolder()).removeRecursively();
    }

    void startAsksBeforeReplacingACheckpoint() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &runStoppingAfterFirstBlock);
        QVERIFY(openModel(w));
        QVERIFY(cancelledFirstRun(w, dir.path()));
        const std::string run_dir = (dir.path() + "/.signround-run").toStdString();

        // Same settings: the question offers Resume; Cancel starts nothing and keeps the checkpoint.
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QString asked;
        srs::test::answerNextDialog("checkpointCancel", &asked);
        QTest::mouseClick(startButton(w), Qt::LeftButton);
        QVERIFY2(asked.contains("1 of 5 blocks tuned") && asked.contains("these settings"), qPrintable(asked));
        QVERIFY(!w.jobController()->running());
        QCOMPARE(started.size(), 0);
        QCOMPARE(srs::job::readRunState(run_dir)->next_block, 1);

        // Resume continues at block 2 and finishes.
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        srs::test::answerNextDialog("checkpointResume");
        QTest::mouseClick(startButton(w), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(started.first().at(2).toInt(), 1);  // resumed_from_block
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        QVERIFY(srs::job::readRunState(run_dir)->finished);
    }

    void otherSettingsAskToReplaceOrChooseAnotherFolder() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &runStoppingAfterFirstBlock);
        QVERIFY(openModel(w));
        QVERIFY(cancelledFirstRun(w, dir.path()));
        configure(w, dir.path(), 12);  // other settings
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QString asked;
        srs::test::answerNextDialog("checkpointCancel", &asked);
        QTest::mouseClick(startButton(w), Qt::LeftButton);
        QVERIFY2(asked.contains("other settings") && asked.contains("replaces it"), qPrintable(asked));
        QCOMPARE(started.size(), 0);
        // Replace starts from block 1 with the new settings.
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        srs::test::answerNextDialog("checkpointReplace");
        QTest::mouseClick(startButton(w), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QVERIFY(started.first().at(2).toInt() < 0);  // a fresh run, not a resumed one
    }

    void runPageResumeContinuesACancelledRun() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &runStoppingAfterFirstBlock);
        QVERIFY(openModel(w));
        QVERIFY(cancelledFirstRun(w, dir.path()));
        auto* resume = w.runPage()->findChild<QPushButton*>("runResumeButton");
        QVERIFY(resume && resume->isVisible());
        QVERIFY(resume->toolTip().contains("block 2 of 5"));
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(started.first().at(2).toInt(), 1);
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        QVERIFY(!resume->isVisible());  // a finished run has nothing to resume
    }

    void quitDuringARunAsks() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        QVERIFY(openModel(w));
        configure(w, dir.path(), 400);  // long enough to be running while we quit
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QTest::mouseClick(startButton(w), Qt::LeftButton);
        QVERIFY(started.wait(30000));
        QString asked;
        srs::test::answerNextDialog(QMessageBox::No, &asked);
        QVERIFY(!w.close());  // No: the window stays and so does the run
        QVERIFY2(asked.contains("A run is in progress"), qPrintable(asked));
        QVERIFY(w.isVisible());
        QVERIFY(w.jobController()->running());
        srs::test::answerNextDialog(QMessageBox::Yes);
        QVERIFY(w.close());
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Cancelled);
    }
};

QTEST_MAIN(TestRunGuard)
#include "test_run_guard.moc"
