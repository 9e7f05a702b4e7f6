// Honest re-export on the Export page, offscreen, with the real core: a W4G128 sym run of
// tinystories-llama-5M re-exported as GGUF Q4_K_M can use none of its tuned scales. Before
// writing, the page says so under the format and asks (Re-export anyway / Tune for this format /
// Cancel): Cancel and Tune write nothing (Tune emits tuneForFormatRequested("gguf:q4_k_m")), Re-export
// anyway writes the file and the status line and the model card say that 0 of 43 tensors came
// from the tuned scales. A packed format asks nothing and says every tensor came from them.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/job/quant_job.h"
#include "dialog_answer.h"
#include "support/test_paths.h"
#include "ui/job_controller.h"
#include "ui/pages/export_page.h"
#include "ui/run_history.h"

namespace {

// A finished W4G128 sym run (two iterations: what the export takes depends on the schemes, not on
// how long they were tuned).
bool quantize(const QString& model, const QString& calib, const QString& out, srs::job::JobConfig* used) {
    srs::job::JobConfig c;
    c.model = model.toStdString();
    c.datasets = {calib.toStdString()};
    c.output_dir = out.toStdString();
    c.iters = 2;
    c.nsamples = 2;
    c.seqlen = 64;
    c.formats = {"auto_round"};
    srs::job::JobObserver quiet;
    const auto fin = srs::job::runQuantJob(c, quiet, srs::CancelToken());
    if (fin.state != srs::job::JobState::Finished) qWarning("quantize failed: %s", fin.message.c_str());
    *used = c;
    return fin.state == srs::job::JobState::Finished;
}

QString readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

}  // namespace

class TestExportHonest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);  // history and settings under ~/.qttest, never the user's
    }

    void reexportThatCannotUseTheTuning() {
        SRS_REQUIRE_SHARED(model, "models/tinystories-llama-5M-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-validation.head.txt");
        QTemporaryDir dir;
        srs::job::JobConfig used;
        QVERIFY(quantize(model, calib, dir.path() + "/q", &used));

        srs::ui::RunRecord record;
        record.model = model;
        record.settings_json = QString::fromStdString(srs::job::jobConfigToJson(used).dump());
        record.run_dir = QString::fromStdString(used.effectiveRunDir());
        record.output_dir = dir.path() + "/q";
        srs::ui::ExportPage page(srs::ui::RunHistory(dir.path() + "/history"), &srs::job::reexportRun);
        page.show();
        page.showRun(record);
        page.findChild<QLineEdit*>("reexportOutput")->setText(dir.path() + "/e");
        auto* combo = page.findChild<QComboBox*>("reexportFormat");
        auto* sources = page.findChild<QLabel*>("reexportSources");
        auto* status = page.findChild<QLabel*>("reexportStatus");
        auto* button = page.findChild<QPushButton*>("reexportButton");
        QVERIFY(combo && sources && status && button);
        combo->setCurrentIndex(combo->findData("gguf:q4_k_m"));
        QVERIFY(combo->currentIndex() >= 0);
        const QString gguf_dir = dir.path() + "/e/tinystories-llama-5M-hf-gguf-q4_k_m";

        // Said under the format before anything is written.
        QVERIFY2(sources->text().contains("From this run (tuned as W4G128 sym): 0 of 43 tensors from SignRound's tuned scales"),
                 qPrintable(sources->text()));
        QVERIFY(sources->text().contains("The result would be round-to-nearest (RTN) only: expect no better than plain RTN."));

        // Cancel: nothing written, no job started.
        QSignalSpy started(page.reexportController(), &srs::ui::JobController::started);
        QString seen;
        srs::test::answerNextDialog("cancelReexportButton", &seen);
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY2(seen.contains("No tensor of GGUF Q4_K_M can use this run's tuned scales (W4G128 sym)"), qPrintable(seen));
        QVERIFY(seen.contains("expect no better than plain RTN"));
        QVERIFY(seen.contains("tune a new run for it"));
        QVERIFY2(seen.contains("0 of 43 tensors from SignRound's tuned scales, 38 rounded to nearest again from the tuned weights, 5 quantized "
                               "from the original weights (round-to-nearest)"),
                 qPrintable(seen));
        QCOMPARE(started.count(), 0);
        QVERIFY(!QFileInfo::exists(gguf_dir));
        QVERIFY2(status->text().contains("nothing written"), qPrintable(status->text()));

        // Tune for this format: the request for the Configure page, nothing written.
        QSignalSpy tune(&page, &srs::ui::ExportPage::tuneForFormatRequested);
        srs::test::answerNextDialog("tuneForFormatButton");
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(tune.count(), 1);
        QCOMPARE(tune.first().at(0).toString(), QString("gguf:q4_k_m"));
        QCOMPARE(started.count(), 0);
        QVERIFY(!QFileInfo::exists(gguf_dir));
        QVERIFY(status->text().contains("Configure page"));

        // Re-export anyway: written, and the status line says what came from the tuning.
        QSignalSpy done(page.reexportController(), &srs::ui::JobController::finished);
        srs::test::answerNextDialog("reexportAnywayButton");
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(done.wait(120000));
        QCOMPARE(done.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        QCOMPARE(tune.count(), 1);
        QVERIFY(!QDir(gguf_dir).entryList({"*.gguf"}).isEmpty());
        QVERIFY2(status->text().startsWith("Wrote tinystories-llama-5M-hf-gguf-q4_k_m"), qPrintable(status->text()));
        QVERIFY2(status->text().contains("0 of 43 tensors from SignRound's tuned scales"), qPrintable(status->text()));
        QVERIFY(status->text().contains("does not use SignRound's tuning"));
        const QString card = readFile(gguf_dir + "/README.md");
        QVERIFY2(card.contains("| Tensors | 0 of 43 tensors from SignRound's tuned scales"), qPrintable(card));
        QVERIFY(card.contains("**SignRound's tuning is not used in this file.**"));
        QVERIFY(!card.contains("each layer tuned in its ggml type"));

        // A packed format carries every tuned layer: no question, and the count says so.
        combo->setCurrentIndex(combo->findData("auto_gptq"));
        QVERIFY2(sources->text().contains("42 of 42 tensors from SignRound's tuned scales"), qPrintable(sources->text()));
        QVERIFY(!sources->text().contains("round-to-nearest"));
        done.clear();
        bool asked = false;  // any modal dialog now is a failure: it is recorded and dismissed
        QTimer watch;
        watch.setInterval(20);
        connect(&watch, &QTimer::timeout, [&] {
            if (QWidget* modal = QApplication::activeModalWidget()) {
                asked = true;
                modal->close();
            }
        });
        watch.start();
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(done.wait(120000));
        watch.stop();
        QVERIFY(!asked);
        QCOMPARE(done.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        QVERIFY2(status->text().contains("42 of 42 tensors from SignRound's tuned scales"), qPrintable(status->text()));
        QVERIFY(!status->text().contains("does not use"));
        QCOMPARE(page.run().exports.size(), 2);
    }
};

QTEST_MAIN(TestExportHonest)
#include "test_export_honest.moc"
