// GGUF models in the GUI, offscreen, with the real pipeline: the Model page opens stories260K.gguf
// (and the folder holding it, and a drop of either) and shows its format, parameters, stored types
// and tokenizer, without the already-quantized warning for this F32 file; a short W4G32 run of the
// .gguf finishes with an auto_round export. That run re-exported as a Q4_0 GGUF is an already
// quantized source: opened on the Model page it shows the amber warning.
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "core/job/quant_job.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/export_page.h"
#include "ui/pages/model_page.h"
#include "ui/pages/run_page.h"
#include "ui/run_history.h"
#include "ui/run_recorder.h"

namespace {

QString label(const srs::ui::ModelPage* page, const char* name) {
    auto* l = page->findChild<QLabel*>(QString("summary_") + name);
    return l ? l->text() : QString("<no summary_%1>").arg(name);
}

QLabel* quantizedWarning(const srs::ui::ModelPage* page) { return page->findChild<QLabel*>("quantizedSourceWarning"); }

bool openOn(srs::ui::ModelPage* page, const QString& path) {
    QSignalSpy opened(page, &srs::ui::ModelPage::modelOpened);
    page->openModel(path);
    return opened.wait(20000);
}

// Sends a drag of one local path to the widget and drops it; true when the drag was accepted.
bool dropOn(QWidget* target, const QString& path) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPoint at(20, 20);
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted()) return false;
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

}  // namespace

class TestGgufModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);  // history and settings under ~/.qttest, never the user's
    }
    void init() { QDir(srs::ui::RunHistory::defaultFolder()).removeRecursively(); }

    void summaryOfTheGgufFile() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        srs::ui::MainWindow w("compute: test");
        w.show();
        auto* page = w.modelPage();
        QVERIFY(page->findChild<QPushButton*>("openModelButton"));
        QVERIFY(page->findChild<QPushButton*>("openGgufButton"));
        QVERIFY(page->findChild<QLabel*>("modelStatus")->text().contains(".gguf"));
        QVERIFY(quantizedWarning(page));
        QVERIFY(openOn(page, gguf));
        QCOMPARE(page->summary().format, srs::io::ModelFormat::Gguf);
        QCOMPARE(page->summary().param_count, std::uint64_t(260032));
        QVERIFY2(label(page, "params").startsWith("260,032"), qPrintable(label(page, "params")));
        QVERIFY2(label(page, "format").contains("GGUF") && label(page, "format").contains("stories260K.gguf"),
                 qPrintable(label(page, "format")));
        QVERIFY2(label(page, "dtypes").contains("F32: "), qPrintable(label(page, "dtypes")));
        QVERIFY2(label(page, "linear").startsWith("F32, 32 bits per weight"), qPrintable(label(page, "linear")));
        QVERIFY2(label(page, "size").contains("GGUF file"), qPrintable(label(page, "size")));
        QVERIFY2(label(page, "tokenizer").contains("embedded"), qPrintable(label(page, "tokenizer")));
        QCOMPARE(label(page, "layers"), QString("5"));
        QCOMPARE(label(page, "vocab"), QString("512"));
        // F32 weights: nothing to warn about.
        QVERIFY(!page->summary().quantized_source());
        QVERIFY(quantizedWarning(page)->isHidden());
        QVERIFY(page->findChild<QLabel*>("modelStatus")->text().startsWith("Opened"));

        // The folder holding only the .gguf is the same model.
        const QString folder = QFileInfo(gguf).absolutePath();
        QVERIFY(openOn(page, folder));
        QCOMPARE(page->summary().format, srs::io::ModelFormat::Gguf);
        QCOMPARE(page->summary().param_count, std::uint64_t(260032));
        QVERIFY(label(page, "format").contains("stories260K.gguf"));
    }

    void dropOpensGgufFilesAndFolders() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        SRS_REQUIRE_SHARED(hf, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(text, "text/tinystories/TinyStories-train.first2MiB.txt");
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        auto* page = w.modelPage();
        // Onto the Model page: the .gguf file, then a model folder.
        QSignalSpy opened(page, &srs::ui::ModelPage::modelOpened);
        QVERIFY(dropOn(page, gguf));
        QVERIFY(opened.wait(20000));
        QCOMPARE(opened.last().at(0).toString(), QFileInfo(gguf).absoluteFilePath());
        QCOMPARE(page->summary().format, srs::io::ModelFormat::Gguf);
        QVERIFY(dropOn(page, hf));
        QVERIFY(opened.wait(20000));
        QCOMPARE(page->summary().format, srs::io::ModelFormat::Safetensors);
        QVERIFY(label(page, "format").startsWith("safetensors"));
        // A text file is not a model: the drag is refused.
        QVERIFY(!dropOn(page, text));
        QVERIFY(srs::ui::ModelPage::modelPathFromDrop(nullptr).isEmpty());
        // Onto the window while another page is shown: the Model page comes up with the model.
        w.showPage(1);
        QVERIFY(dropOn(&w, gguf));
        QVERIFY(opened.wait(20000));
        QCOMPARE(w.currentPage(), 0);
        QCOMPARE(page->summary().format, srs::io::ModelFormat::Gguf);
        // The Configure page took the .gguf as its model.
        QVERIFY(w.configurePage()->findChild<QLabel*>("configureModel")->text().contains("stories260K.gguf"));
    }

    void runOfTheGgufFinishesWithAnExport() {
        SRS_REQUIRE_SHARED(gguf, "models/stories260K/stories260K.gguf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun);
        w.show();
        QVERIFY(openOn(w.modelPage(), gguf));
        auto* c = w.configurePage();
        QVERIFY(c->findChild<QLabel*>("configureModel")->text().contains("stories260K.gguf"));
        c->findChild<QComboBox*>("preset")->setCurrentText("W4A16");
        c->findChild<QComboBox*>("groupSize")->setCurrentText("32");
        c->findChild<QSpinBox*>("iters")->setValue(4);
        c->findChild<QSpinBox*>("nsamples")->setValue(4);
        c->findChild<QSpinBox*>("seqlen")->setValue(64);
        c->setCalibrationFiles({calib});
        c->setOutputDir(dir.path());
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QSignalSpy recorded(w.runRecorder(), &srs::ui::RunRecorder::recorded);
        QTest::mouseClick(c->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QVERIFY2(finished.count() == 1 || finished.wait(300000), qPrintable(c->findChild<QLabel*>("configureError")->text()));
        const auto outcome = finished.first().at(0).value<srs::ui::RunOutcome>();
        QVERIFY2(outcome.state == srs::job::JobState::Finished, qPrintable(outcome.message));
        QVERIFY(w.runPage()->findChild<QLabel*>("runStatus")->text().startsWith("Finished"));
        const QStringList exports = QDir(dir.path()).entryList({"*-auto_round"}, QDir::Dirs);
        QCOMPARE(exports.size(), 1);
        const QString exported = dir.path() + "/" + exports.first();
        QVERIFY(QFileInfo::exists(exported + "/model.safetensors"));
        QVERIFY(QFileInfo::exists(exported + "/config.json"));

        // The run, re-exported as a Q4_0 GGUF, is an already-quantized source.
        QVERIFY(recorded.count() == 1 || recorded.wait(5000));
        auto* exp = w.exportPage();
        QVERIFY(exp->hasRun());
        auto* combo = exp->findChild<QComboBox*>("reexportFormat");
        combo->setCurrentIndex(combo->findData("gguf:q4_0"));
        QVERIFY(combo->currentIndex() >= 0);
        QSignalSpy done(exp->reexportController(), &srs::ui::JobController::finished);
        QTest::mouseClick(exp->findChild<QPushButton*>("reexportButton"), Qt::LeftButton);
        QVERIFY(done.wait(120000));
        QCOMPARE(done.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        const QStringList gguf_dirs = QDir(dir.path()).entryList({"*-gguf-q4_0"}, QDir::Dirs);
        QCOMPARE(gguf_dirs.size(), 1);
        const QStringList files = QDir(dir.path() + "/" + gguf_dirs.first()).entryList({"*.gguf"}, QDir::Files);
        QCOMPARE(files.size(), 1);
        auto* page = w.modelPage();
        QVERIFY(openOn(page, dir.path() + "/" + gguf_dirs.first() + "/" + files.first()));
        QVERIFY(page->summary().quantized_source());
        QVERIFY2(label(page, "dtypes").contains("Q4_0"), qPrintable(label(page, "dtypes")));
        QLabel* warning = quantizedWarning(page);
        QVERIFY(!warning->isHidden());
        QVERIFY2(warning->text().contains("already quantized"), qPrintable(warning->text()));
        // Opening the F32 file again hides it.
        QVERIFY(openOn(page, gguf));
        QVERIFY(warning->isHidden());
    }
};

QTEST_MAIN(TestGgufModel)
#include "test_gguf_model.moc"
