// Resume at start: a run cancelled after its first block is offered by the next main window
// (banner: Resume / Discard); Resume continues it from the checkpoint's next block with the saved
// settings and finishes. Discard asks, then deletes only the checkpoint's files; finished or replaced
// checkpoints are not offered.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "dialog_answer.h"
#include "core/job/job_config.h"
#include "core/job/quant_job.h"
#include "core/io/dir_lock.h"
#include "core/job/run_state.h"
#include "stopping_runner.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"
#include "ui/pages/run_page.h"
#include "ui/resume_banner.h"
#include "ui/run_history.h"
#include "ui/unfinished_runs.h"

using srs::test::runStoppingAfterFirstBlock;

class TestResumeAtStart : public QObject {
    Q_OBJECT

    // A checkpoint state.json as the job writes it, for settings c.
    static void writeState(const QString& run_dir, const srs::job::JobConfig& config, int next, int num, bool finished) {
        srs::job::JobConfig c = config;
        QVERIFY(srs::job::applyRecipe(c).ok());
        QVERIFY(QDir().mkpath(run_dir));
        nlohmann::json st = {{"version", 1}, {"fingerprint", srs::job::settingsFingerprint(c)}, {"next_block", next},
                             {"num_blocks", num}, {"finished", finished}, {"model", c.model}};
        QVERIFY(srs::io::writeFileAtomic((run_dir + "/state.json").toStdString(), st.dump()).ok());
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

    void cancelledRunIsResumedAtTheNextStart() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        const int iters = 15;
        int next_block = 0;
        {
            srs::ui::MainWindow w("compute: test", &runStoppingAfterFirstBlock);
            QVERIFY(w.resumeBanner()->isHidden());
            w.show();
            QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
            w.modelPage()->openModel(model);
            QVERIFY(opened.wait(10000));
            auto* c = w.configurePage();
            c->findChild<QComboBox*>("preset")->setCurrentText("W4A16");
            c->findChild<QComboBox*>("groupSize")->setCurrentText("32");
            c->findChild<QSpinBox*>("iters")->setValue(iters);
            c->findChild<QSpinBox*>("nsamples")->setValue(8);
            c->findChild<QSpinBox*>("seqlen")->setValue(64);
            c->setCalibrationFiles({calib});
            c->setOutputDir(dir.path());
            QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
            QTest::mouseClick(c->findChild<QPushButton*>("startButton"), Qt::LeftButton);
            QVERIFY(finished.wait(60000));
            QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Cancelled);
            auto st = srs::job::readRunState((dir.path() + "/.signround-run").toStdString());
            QVERIFY(st.ok());
            QVERIFY(!st->finished);
            next_block = st->next_block;
            QCOMPARE(next_block, 1);
        }

        // The app starts again: the run is offered.
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        auto* banner = w.resumeBanner();
        QVERIFY(!banner->isHidden());
        QCOMPARE(banner->runs().size(), 1);
        QCOMPARE(banner->runs()[0].next_block, next_block);
        QCOMPARE(banner->runs()[0].num_blocks, 5);
        auto* resume = banner->findChild<QPushButton*>("resumeButton");
        QVERIFY(resume);
        QCOMPARE(resume->text(), QString("Resume (block %1 of 5)").arg(next_block + 1));
        QVERIFY(banner->findChild<QLabel*>("resumeText")->text().contains("stories260K-hf"));
        QVERIFY(banner->findChild<QPushButton*>("discardButton"));

        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY(banner->isHidden());
        QCOMPARE(w.currentPage(), 2);  // the Run page
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        QCOMPARE(started.first().at(2).toInt(), next_block);  // resumed_from_block
        // Only the blocks after the checkpoint were tuned, with the saved iteration count.
        const auto& points = w.runPage()->pointsPerBlock();
        QCOMPARE(points.size(), 5);
        for (int b = 0; b < 5; ++b) QCOMPARE(points[b], b < next_block ? 0 : iters);
        QVERIFY(QFileInfo::exists(dir.path() + "/stories260K-hf-w4g32-auto_round/model.safetensors"));
        // Finished: no longer offered.
        QVERIFY(w.unfinishedRuns().find().isEmpty());
        QVERIFY(QDir(srs::ui::UnfinishedRuns::defaultFolder()).entryList(QDir::Files).isEmpty());
        srs::ui::MainWindow again("compute: test", &srs::job::runQuantJob);
        QVERIFY(again.resumeBanner()->isHidden());
    }

    void discardDeletesOnlyTheCheckpoint() {
        QTemporaryDir dir;
        srs::job::JobConfig c;
        c.model = (dir.path() + "/some-model").toStdString();
        c.output_dir = (dir.path() + "/out").toStdString();
        c.datasets = {"calib.txt"};
        c.recipe = "auto-round-light";
        const QString run_dir = dir.path() + "/out/.signround-run";
        writeState(run_dir, c, 2, 8, false);
        QFile(run_dir + "/block_000.safetensors").open(QIODevice::WriteOnly);
        QFile(run_dir + "/block_001.safetensors").open(QIODevice::WriteOnly);
        QFile(run_dir + "/activations.safetensors").open(QIODevice::WriteOnly);
        srs::ui::UnfinishedRuns store;
        QVERIFY(store.add(c).ok());
        auto runs = store.find();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].config.effectiveIters(), 50);  // saved with the recipe applied
        QVERIFY(runs[0].config.resume);
        QVERIFY(runs[0].scheme.contains("auto-round-light"));

        {
            srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
            QVERIFY(!w.resumeBanner()->isHidden());
            QCOMPARE(w.resumeBanner()->findChild<QPushButton*>("resumeButton")->text(), QString("Resume (block 3 of 8)"));
            // Discard asks first; Cancel keeps everything.
            QString asked;
            srs::test::answerNextDialog(QMessageBox::Cancel, &asked);
            QTest::mouseClick(w.resumeBanner()->findChild<QPushButton*>("discardButton"), Qt::LeftButton);
            QVERIFY2(asked.contains("cannot be undone") && asked.contains("2 of 8 blocks"), qPrintable(asked));
            QVERIFY(!w.resumeBanner()->isHidden());
            QVERIFY(QFileInfo::exists(run_dir + "/block_001.safetensors"));
            srs::test::answerNextDialog(QMessageBox::Discard);
            QTest::mouseClick(w.resumeBanner()->findChild<QPushButton*>("discardButton"), Qt::LeftButton);
            QVERIFY(w.resumeBanner()->isHidden());
        }
        QVERIFY(!QFileInfo::exists(run_dir));  // emptied, so removed
        QVERIFY(store.find().isEmpty());

        // A folder with the user's own files keeps them.
        writeState(run_dir, c, 1, 8, false);
        QFile keep(run_dir + "/notes.txt");
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.close();
        QVERIFY(store.add(c).ok());
        runs = store.find();
        QCOMPARE(runs.size(), 1);
        QVERIFY(store.discard(runs[0]).ok());
        QVERIFY(QFileInfo::exists(run_dir + "/notes.txt"));
        QVERIFY(!QFileInfo::exists(run_dir + "/state.json"));
        QVERIFY(QFile::remove(run_dir + "/notes.txt"));

        // A run still writing into the folder holds its lock: nothing is deleted, the error names
        // the holder, the run stays offered.
        writeState(run_dir, c, 1, 8, false);
        QVERIFY(store.add(c).ok());
        {
            auto held = srs::io::DirLock::acquire(run_dir.toStdString(), "--run_dir");
            QVERIFY(held.ok() && held->held());
            auto refused = store.discard(store.find()[0]);
            QVERIFY(!refused.ok());
            QVERIFY2(refused.error().message.find("in use by another signround run (PID " + std::to_string(QCoreApplication::applicationPid())) !=
                         std::string::npos,
                     refused.error().message.c_str());
            QVERIFY(QFileInfo::exists(run_dir + "/state.json"));
            QCOMPARE(store.find().size(), 1);
        }
        // A lock file left by a dead run (nobody holds it) does not keep the folder.
        {
            QFile stale(run_dir + "/" + srs::io::kDirLockFile);
            QVERIFY(stale.open(QIODevice::WriteOnly));
            stale.write("pid 999999999\nsignround quantize\n");
        }
        QVERIFY(store.discard(store.find()[0]).ok());
        QVERIFY2(!QFileInfo::exists(run_dir), qPrintable(QDir(run_dir).entryList(QDir::AllEntries | QDir::Hidden).join(", ")));
        QVERIFY(store.find().isEmpty());
    }

    void finishedOrReplacedCheckpointsAreNotOffered() {
        QTemporaryDir dir;
        srs::job::JobConfig c;
        c.model = (dir.path() + "/m").toStdString();
        c.output_dir = (dir.path() + "/out").toStdString();
        const QString run_dir = dir.path() + "/out/.signround-run";
        srs::ui::UnfinishedRuns store;
        // Registered but no block tuned yet: nothing to offer, the entry stays.
        QVERIFY(QDir().mkpath(run_dir));
        QVERIFY(store.add(c).ok());
        QVERIFY(store.find().isEmpty());
        QCOMPARE(QDir(store.folder()).entryList(QDir::Files).size(), 1);
        // A finished checkpoint: forgotten.
        writeState(run_dir, c, 5, 5, true);
        QVERIFY(store.find().isEmpty());
        QCOMPARE(QDir(store.folder()).entryList(QDir::Files).size(), 0);
        // Replaced by a run with other settings: forgotten.
        QVERIFY(store.add(c).ok());
        srs::job::JobConfig other = c;
        other.bits = 2;
        writeState(run_dir, other, 2, 5, false);
        QVERIFY(store.find().isEmpty());
        QCOMPARE(QDir(store.folder()).entryList(QDir::Files).size(), 0);
        // The run folder is gone: forgotten.
        QVERIFY(store.add(c).ok());
        QDir(run_dir).removeRecursively();
        QVERIFY(store.find().isEmpty());
        QCOMPARE(QDir(store.folder()).entryList(QDir::Files).size(), 0);
    }
};

QTEST_MAIN(TestResumeAtStart)
#include "test_resume_at_start.moc"
