// Runs at their edges: a second run in the same window shows none of the first run's figures
// from its start on; the block numbers of a resumed run agree between the banner, the Run page
// and the log, and its chart and record hold the blocks tuned before the resume; a finished run
// offers its next steps (View results, Open export folder, Upload to Hub…), a failed one what to
// do; empty tables and plots say so, and empty plots draw no legend.
#include <QDesktopServices>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/job/job_config.h"
#include "core/job/quant_job.h"
#include "core/job/run_state.h"
#include "stopping_runner.h"
#include "support/test_paths.h"
#include "ui/empty_state.h"
#include "ui/job_controller.h"
#include "ui/main_window.h"
#include "ui/pages/results_page.h"
#include "ui/pages/run_page.h"
#include "ui/resume_banner.h"
#include "ui/run_history.h"
#include "ui/run_recorder.h"
#include "ui/unfinished_runs.h"

namespace {
using namespace srs;

// What the scripted runner does, set by the test before each start.
struct Script {
    int num_blocks = 5;
    int layers_per_block = 2;
    job::JobState end = job::JobState::Finished;
    std::string message, hint;
    std::vector<job::ExportedFile> files;
    bool hold_after_start = false;  // stop after onStarted until `release` (or a cancel)
    std::atomic<bool> release{false};
};

// A JobRunner that reports a whole run through the observer, deterministically: started, then per
// block two iterations, the block's losses and the progress; then the files.
job::JobFinished scriptedRun(Script& s, const job::JobConfig& config, job::JobObserver& obs, const CancelToken& token) {
    job::JobStarted st;
    st.model = config.model;
    st.num_blocks = s.num_blocks;
    st.layers_to_quantize = s.num_blocks * s.layers_per_block;
    st.settings = job::jobConfigToJson(config);
    obs.onStarted(st);
    job::JobFinished fin;
    if (s.hold_after_start)
        while (!s.release.load() && !token.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (token.cancelled()) {
        fin.state = job::JobState::Cancelled;
        fin.message = "cancelled";
        return fin;
    }
    for (int k = 0; k < s.num_blocks; ++k) {
        obs.onBlockStarted({k, s.num_blocks, {}, 2});
        for (int it = 0; it < 2; ++it) obs.onIteration({k, it, 2, 0.5 / (k + 1) / (it + 1), 0.005});
        job::BlockFinished b{k, s.num_blocks, 0.01 * (k + 1), 0.006 * (k + 1), 1, 100, {}};
        for (int l = 0; l < s.layers_per_block; ++l) {
            job::LayerStats ls;
            ls.name = "layer" + std::to_string(l);
            ls.scheme.bits = 4;
            ls.scheme.group_size = 32;
            b.layers.push_back(ls);
        }
        obs.onProgress({k + 1, s.num_blocks, double(k + 1) / s.num_blocks, 800, 100, 1 << 20, 2 << 20});
        obs.onBlockFinished(b);
    }
    fin.state = s.end;
    fin.message = s.message;
    fin.hint = s.hint;
    fin.elapsed_ms = 2900;
    fin.files = s.files;
    return fin;
}

using srs::test::StopAfterBlock;

int dataPoints(const QCustomPlot* plot) {
    int n = 0;
    for (int i = 0; i < plot->graphCount(); ++i) n += plot->graph(i)->dataCount();
    return n;
}

// "block 3 of 5" in a text, as {3, 5}; {-1, -1} when there is none.
QPair<int, int> blockOf(const QString& text) {
    const auto m = QRegularExpression("block (\\d+) of (\\d+)").match(text);
    return m.hasMatch() ? qMakePair(m.captured(1).toInt(), m.captured(2).toInt()) : qMakePair(-1, -1);
}
}  // namespace

class TestRunEdges : public QObject {
    Q_OBJECT

public slots:
    void openUrl(const QUrl& url) { opened_urls_ << url; }

private:
    QList<QUrl> opened_urls_;

    // The page shows nothing of an earlier run: no figures, no files, no next steps.
    static void verifyClean(srs::ui::RunPage& page) {
        QVERIFY(page.findChild<QLabel*>("runStats")->text().isEmpty());
        QCOMPARE(page.findChild<QProgressBar*>("runProgress")->value(), 0);
        QCOMPARE(page.findChild<QTableWidget*>("runLayers")->rowCount(), 0);
        QCOMPARE(page.findChild<QListWidget*>("runFiles")->count(), 0);
        QCOMPARE(dataPoints(page.lossPlot()), 0);
        QCOMPARE(dataPoints(page.blockPlot()), 0);
        QVERIFY(!page.lossPlot()->legend->visible());
        QVERIFY(!page.blockPlot()->legend->visible());
        QVERIFY(page.findChild<QWidget*>("nextSteps")->isHidden());
        QVERIFY(srs::ui::emptyTextShown(page.findChild<QTableWidget*>("runLayers")));
        QVERIFY(srs::ui::emptyTextShown(page.findChild<QListWidget*>("runFiles")));
        const QString status = page.findChild<QLabel*>("runStatus")->text();
        QVERIFY2(!status.contains("Finished") && !status.contains("Block 5"), qPrintable(status));
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }
    void init() {
        QDir(srs::ui::RunHistory::defaultFolder()).removeRecursively();
        QDir(srs::ui::UnfinishedRuns::defaultFolder()).removeRecursively();
        opened_urls_.clear();
    }

    void secondRunStartsOnACleanPage() {
        QTemporaryDir dir;
        Script script;
        const QString export_dir = dir.path() + "/m-w4g32-auto_round";
        QVERIFY(QDir().mkpath(export_dir));
        script.files = {{"auto_round", export_dir.toStdString(), 1234}};
        srs::ui::JobController controller([&script](const job::JobConfig& c, job::JobObserver& o, const CancelToken& t) {
            return scriptedRun(script, c, o, t);
        });
        srs::ui::RunPage page(&controller);
        page.show();
        job::JobConfig config;
        config.model = (dir.path() + "/m").toStdString();
        config.output_dir = dir.path().toStdString();

        QSignalSpy started(&controller, &srs::ui::JobController::started);
        QSignalSpy finished(&controller, &srs::ui::JobController::finished);
        QVERIFY(controller.start(config));
        QVERIFY(finished.wait(10000));
        // The first run's figures are all there.
        QVERIFY(page.findChild<QLabel*>("runStats")->text().startsWith("5 of 5 blocks done"));
        QCOMPARE(page.findChild<QTableWidget*>("runLayers")->rowCount(), 10);
        QCOMPARE(page.blockPlot()->graph(1)->dataCount(), 5);
        QVERIFY(page.blockPlot()->legend->visible());
        QCOMPARE(page.findChild<QListWidget*>("runFiles")->count(), 1);
        QVERIFY(!srs::ui::emptyTextShown(page.findChild<QTableWidget*>("runLayers")));
        QVERIFY(!page.findChild<QWidget*>("nextSteps")->isHidden());

        // The second run, held right after it started: nothing of the first run is shown.
        finished.clear();
        started.clear();
        script.num_blocks = 6;
        script.hold_after_start = true;
        QVERIFY(controller.start(config));
        QVERIFY(started.wait(10000));
        verifyClean(page);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(page.findChild<QProgressBar*>("runProgress")->maximum(), 6);
        QCOMPARE(page.findChild<QLabel*>("runStatus")->text(), QString("Quantizing 12 linear layers in 6 blocks"));
        QCOMPARE(page.pointsPerBlock().size(), 6);
        script.release = true;
        QVERIFY(finished.wait(10000));
        QVERIFY(page.findChild<QLabel*>("runStats")->text().startsWith("6 of 6 blocks done"));
        QCOMPARE(page.blockPlot()->graph(1)->dataCount(), 6);

        // reset() (for the main window to call when a start is requested) clears it all at once.
        page.reset();
        verifyClean(page);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(page.findChild<QLabel*>("runStatus")->text(), QString("Starting the run…"));
    }

    void startedWithoutResetClearsTheFirstRun() {
        QTemporaryDir dir;
        Script script;
        srs::ui::JobController controller([&script](const job::JobConfig& c, job::JobObserver& o, const CancelToken& t) {
            return scriptedRun(script, c, o, t);
        });
        srs::ui::RunPage page(&controller);
        job::JobConfig config;
        config.model = (dir.path() + "/m").toStdString();
        config.output_dir = dir.path().toStdString();
        QSignalSpy started(&controller, &srs::ui::JobController::started);
        QSignalSpy finished(&controller, &srs::ui::JobController::finished);
        QVERIFY(controller.start(config));
        QVERIFY(finished.wait(10000));
        QVERIFY(!page.findChild<QLabel*>("runStats")->text().isEmpty());
        // Look at the page in the started slot itself, before any later event of the run.
        QString stats_at_start = "unset";
        int rows_at_start = -1, points_at_start = -1;
        connect(&controller, &srs::ui::JobController::started, this, [&] {
            stats_at_start = page.findChild<QLabel*>("runStats")->text();
            rows_at_start = page.findChild<QTableWidget*>("runLayers")->rowCount();
            points_at_start = dataPoints(page.blockPlot()) + dataPoints(page.lossPlot());
        });
        finished.clear();
        script.num_blocks = 6;
        QVERIFY(controller.start(config));
        QVERIFY(finished.wait(10000));
        QCOMPARE(stats_at_start, QString());
        QCOMPARE(rows_at_start, 0);
        QCOMPARE(points_at_start, 0);
    }

    void nextStepsAfterSuccess() {
        QTemporaryDir dir;
        Script script;
        const QString export_dir = dir.path() + "/m-w4g32-auto_round";
        QVERIFY(QDir().mkpath(export_dir));
        QFile gguf(dir.path() + "/m-q4_0.gguf");
        QVERIFY(gguf.open(QIODevice::WriteOnly));
        gguf.close();
        script.files = {{"gguf:q4_0", gguf.fileName().toStdString(), 10}, {"auto_round", export_dir.toStdString(), 1234}};
        srs::ui::JobController controller([&script](const job::JobConfig& c, job::JobObserver& o, const CancelToken& t) {
            return scriptedRun(script, c, o, t);
        });
        srs::ui::RunPage page(&controller);
        page.show();
        job::JobConfig config;
        config.model = (dir.path() + "/m").toStdString();
        config.output_dir = dir.path().toStdString();
        QSignalSpy finished(&controller, &srs::ui::JobController::finished);
        QVERIFY(page.findChild<QWidget*>("nextSteps")->isHidden());  // nothing to do before a run
        QVERIFY(controller.start(config));
        QVERIFY(finished.wait(10000));
        QVERIFY(page.findChild<QLabel*>("runStatus")->text().startsWith("Finished in 2.9s"));
        auto* view = page.findChild<QPushButton*>("viewResultsButton");
        auto* open = page.findChild<QPushButton*>("openExportButton");
        auto* upload = page.findChild<QPushButton*>("uploadButton");
        QVERIFY(view && open && upload);
        QVERIFY(view->isVisible() && open->isVisible() && upload->isVisible());
        QVERIFY(!page.findChild<QPushButton*>("changeSettingsButton")->isVisible());

        QSignalSpy viewed(&page, &srs::ui::RunPage::viewResultsRequested);
        QSignalSpy opened(&page, &srs::ui::RunPage::openExportRequested);
        QSignalSpy uploaded(&page, &srs::ui::RunPage::uploadRequested);
        QTest::mouseClick(view, Qt::LeftButton);
        QCOMPARE(viewed.count(), 1);
        QDesktopServices::setUrlHandler("file", this, "openUrl");
        QTest::mouseClick(open, Qt::LeftButton);
        QDesktopServices::unsetUrlHandler("file");
        QCOMPARE(opened.count(), 1);
        // Two exports: the folder that holds them both.
        QCOMPARE(QDir(opened.first().at(0).toString()).canonicalPath(), QDir(dir.path()).canonicalPath());
        QCOMPARE(opened_urls_.size(), 1);
        QCOMPARE(QDir(opened_urls_[0].toLocalFile()).canonicalPath(), QDir(dir.path()).canonicalPath());
        QTest::mouseClick(upload, Qt::LeftButton);
        QCOMPARE(uploaded.count(), 1);
        // The export folder, not the GGUF file listed first.
        QCOMPARE(QDir(uploaded.first().at(0).toString()).canonicalPath(), QDir(export_dir).canonicalPath());

        // A failure: no results to view; what to do, and the way back to the settings.
        finished.clear();
        script.end = job::JobState::Failed;
        script.message = "cannot write the export";
        script.hint = "free some disk space";
        script.files.clear();
        QSignalSpy configure(&page, &srs::ui::RunPage::configureRequested);
        QVERIFY(controller.start(config));
        QVERIFY(finished.wait(10000));
        const QString status = page.findChild<QLabel*>("runStatus")->text();
        QVERIFY2(status.contains("Failed: cannot write the export") && status.contains("What to do: free some disk space"), qPrintable(status));
        QVERIFY(!view->isVisible() && !open->isVisible() && !upload->isVisible());
        auto* change = page.findChild<QPushButton*>("changeSettingsButton");
        QVERIFY(change->isVisible());
        QTest::mouseClick(change, Qt::LeftButton);
        QCOMPARE(configure.count(), 1);
        // Resume offered after it: the advice keeps the hint and adds Resume, in GUI terms.
        page.setResumable(true, 3, 6);
        auto* resume = page.findChild<QPushButton*>("runResumeButton");
        QVERIFY(resume->isVisible());
        QCOMPARE(resume->text(), QString("Resume (block 4 of 6)"));
        const QString advice = page.findChild<QLabel*>("runStatus")->text();
        QVERIFY2(advice.contains("free some disk space") && advice.contains("press Resume to continue at block 4 of 6") &&
                     advice.contains("blocks 1–3 stay checkpointed"),
                 qPrintable(advice));
        // The next start hides all of it again.
        page.reset();
        QVERIFY(!resume->isVisible());
        QVERIFY(page.findChild<QWidget*>("nextSteps")->isHidden());
    }

    void emptyPlotsAndTablesSaySo() {
        QTemporaryDir dir;
        srs::ui::JobController controller(srs::ui::JobRunner{});
        srs::ui::RunPage page(&controller);
        page.show();
        for (QCustomPlot* plot : {page.lossPlot(), page.blockPlot()}) {
            QVERIFY(!plot->legend->visible());
            QVERIFY(!srs::ui::plotEmptyText(plot).isEmpty());
        }
        QCOMPARE(srs::ui::plotEmptyText(page.lossPlot()), QString("No run yet — configure one and press Start"));
        QCOMPARE(page.findChild<QLabel*>("runStatus")->text(), QString("No run yet — configure one and press Start."));
        auto* layers = page.findChild<QTableWidget*>("runLayers");
        QVERIFY(srs::ui::emptyTextShown(layers));
        QVERIFY(srs::ui::emptyText(layers).startsWith("No layers yet"));
        QVERIFY(srs::ui::emptyTextShown(page.findChild<QListWidget*>("runFiles")));
        // Rows hide the text, removing them shows it again.
        layers->setRowCount(1);
        QVERIFY(!srs::ui::emptyTextShown(layers));
        layers->setRowCount(0);
        QVERIFY(srs::ui::emptyTextShown(layers));

        // Results: no run, no legends, every table and plot says what will fill it.
        srs::ui::ResultsPage results(srs::ui::RunHistory(dir.path() + "/runs"));
        results.show();
        for (QCustomPlot* plot : {results.lossBars(), results.tradeoffPlot(), results.kldPlot()}) QVERIFY(!plot->legend->visible());
        QVERIFY(srs::ui::plotEmptyText(results.lossBars()).startsWith("No run yet"));
        QVERIFY(srs::ui::emptyTextShown(results.layerTable()));
        QVERIFY(srs::ui::emptyTextShown(results.exportTable()));
        QVERIFY(srs::ui::emptyText(results.exportTable()).startsWith("No exports yet"));

        // A run with blocks: the bars get their legend back and the tables lose the text.
        srs::ui::RunRecord r;
        r.model = dir.path() + "/m";
        r.settings_json = QString::fromStdString(job::jobConfigToJson(job::JobConfig()).dump());
        r.blocks = {{0, 0.01, 0.005, 3, 10, {{"layer0", 4, 32, 0.1, 0.12, 0.05}}}, {1, 0.02, 0.01, 2, 10, {{"layer0", 4, 32, 0.1, 0.12, 0.05}}}};
        r.exports = {{"auto_round", dir.path() + "/m-w4g32", 100, 0, 0, {}}};
        results.showRun(r);
        QVERIFY(results.hasRun());
        QVERIFY(results.lossBars()->legend->visible());
        QVERIFY(srs::ui::plotEmptyText(results.lossBars()).isEmpty());
        QVERIFY(!srs::ui::emptyTextShown(results.layerTable()));
        QVERIFY(!srs::ui::emptyTextShown(results.exportTable()));
        // No perplexities in it: those plots stay without legend, with their note.
        QVERIFY(!results.tradeoffPlot()->legend->visible());
        QVERIFY(!results.kldPlot()->legend->visible());
    }

    void resumedRunNumbersBlocksAlike() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        job::JobConfig c;
        c.model = model.toStdString();
        c.output_dir = dir.path().toStdString();
        c.datasets = {calib.toStdString()};
        c.group_size = 32;
        c.iters = 4;
        c.nsamples = 8;
        c.seqlen = 64;
        QVERIFY(job::applyRecipe(c).ok());
        // The first run stops after blocks 1 and 2 (0 and 1 in the job's events).
        {
            srs::ui::UnfinishedRuns store;
            QVERIFY(store.add(c).ok());
            CancelToken token;
            job::JobObserver none;
            StopAfterBlock stopper(none, token, 1);
            const auto fin = job::runQuantJob(c, stopper, token);
            QCOMPARE(fin.state, job::JobState::Cancelled);
            auto st = job::readRunState(c.effectiveRunDir());
            QVERIFY(st.ok());
            QCOMPARE(st->next_block, 2);
            QCOMPARE(st->num_blocks, 5);
        }

        srs::ui::MainWindow w("compute: test", &job::runQuantJob);
        w.show();
        auto* banner = w.resumeBanner();
        QVERIFY(!banner->isHidden());
        auto* resume = banner->findChild<QPushButton*>("resumeButton");
        QVERIFY(resume);
        const QString banner_text = banner->findChild<QLabel*>("resumeText")->text();
        QCOMPARE(blockOf(resume->text()), qMakePair(3, 5));
        QVERIFY2(banner_text.contains("2 of 5 blocks tuned") && banner_text.contains("continues at block 3"), qPrintable(banner_text));

        QString status_at_start, status_at_first_iteration, resume_log;
        auto* status = w.runPage()->findChild<QLabel*>("runStatus");
        connect(w.jobController(), &srs::ui::JobController::started, this, [&] { status_at_start = status->text(); });
        connect(w.jobController(), &srs::ui::JobController::iteration, this, [&] {
            if (status_at_first_iteration.isEmpty()) status_at_first_iteration = status->text();
        });
        connect(w.jobController(), &srs::ui::JobController::logLine, this, [&](int, const QString& m) {
            if (m.contains("resuming at block")) resume_log = m;
        });
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QSignalSpy recorded(w.runRecorder(), &srs::ui::RunRecorder::recorded);
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, job::JobState::Finished);
        QCOMPARE(started.first().at(2).toInt(), 2);  // the job's resumed_from_block counts from 0

        // One number for the block to tune next, wherever the user reads it.
        QCOMPARE(blockOf(resume_log), qMakePair(3, 5));
        QVERIFY2(resume_log.contains("blocks 1-2 are checkpointed"), qPrintable(resume_log));
        QCOMPARE(blockOf(status_at_start), qMakePair(3, 5));
        QVERIFY2(status_at_start.contains("blocks 1–2 were tuned before the resume"), qPrintable(status_at_start));
        QCOMPARE(blockOf(status_at_first_iteration), qMakePair(3, 5));
        QVERIFY(status_at_first_iteration.startsWith("Tuning block 3 of 5"));

        // The chart and the layer table hold all five blocks: 1–2 from the checkpoint.
        auto* run = w.runPage();
        QCOMPARE(run->checkpointedBlocksShown(), 2);
        QCOMPARE(run->blockPlot()->graph(1)->dataCount(), 5);
        QCOMPARE(run->blockPlot()->graph(0)->dataCount(), 5);
        QCOMPARE(run->blockPlot()->graph(1)->data()->begin()->key, 1.0);
        const int layers = started.first().at(1).toInt();
        QCOMPARE(run->findChild<QTableWidget*>("runLayers")->rowCount(), layers);
        QVERIFY(run->findChild<QTableWidget*>("runLayers")->item(0, 0)->text().startsWith("block 1 · "));
        for (int b = 0; b < 5; ++b) QCOMPARE(run->pointsPerBlock()[b], b < 2 ? 0 : 4);  // only 3–5 were tuned now
        // So does the run's record, and the Results page that shows it.
        QVERIFY(recorded.count() == 1 || recorded.wait(5000));
        const auto record = recorded.first().at(0).value<srs::ui::RunRecord>();
        QCOMPARE(record.blocks.size(), 5);
        for (int b = 0; b < 5; ++b) QCOMPARE(record.blocks[b].block, b);
        QCOMPARE(record.layerCount(), layers);
        QVERIFY(w.resultsPage()->hasRun());
        QCOMPARE(qobject_cast<QCPBars*>(w.resultsPage()->lossBars()->plottable(0))->dataCount(), 5);
        QCOMPARE(w.resultsPage()->layerTable()->rowCount(), layers);
    }
};

QTEST_MAIN(TestRunEdges)
#include "test_run_edges.moc"
