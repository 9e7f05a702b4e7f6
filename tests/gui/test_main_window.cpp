// Drives the real main window offscreen: opens the stories260K folder through the Model page and
// checks the summary the user sees; opens a broken folder and checks the error shown; the About
// box names the Qt, LibTorch and oneDNN versions the app runs with; Settings reach the Configure
// page and persist in QSettings; the Run menu's Start / Pause / Continue / Cancel follow the job's
// state and own Ctrl+R / Ctrl+P / Ctrl+. (no ambiguous shortcut with the pages' buttons); Ctrl+1 …
// pick the pages in sidebar order, each with an icon; File → Recent opens a model on the Model
// page; About names the CPU, cores and RAM.
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QSpinBox>

#include <chrono>
#include <thread>

#include "core/common/units.h"
#include "core/device/hardware.h"
#include "ui/pages/run_page.h"

#include "core/job/quant_job.h"
#include "kernels/compute_runtime.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/compare_page.h"
#include "ui/pages/export_page.h"
#include "ui/pages/hub_page.h"
#include "ui/pages/results_page.h"
#include "ui/pages/model_page.h"
#include "ui/settings_dialog.h"
#include "ui/text_model_core.h"

namespace {

// A run that only waits to be cancelled (the Run menu is about the job's state, not the tuning).
srs::job::JobFinished waitForCancel(const srs::job::JobConfig&, srs::job::JobObserver&, const srs::CancelToken& token) {
    while (!token.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    srs::job::JobFinished f;
    f.state = srs::job::JobState::Cancelled;
    f.message = "cancelled";
    return f;
}

QString plain(QString text) { return text.remove('&'); }

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }

    void opensStories260K() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        srs::ui::MainWindow w("compute: test");
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* page = w.modelPage();
        QVERIFY(page->findChild<QPushButton*>("openModelButton"));
        QSignalSpy opened(page, &srs::ui::ModelPage::modelOpened);
        page->openModel(folder);
        QVERIFY(opened.wait(10000));
        auto label = [&](const char* name) { return page->findChild<QLabel*>(QString("summary_") + name)->text(); };
        QCOMPARE(label("layers"), QString("5"));
        QCOMPARE(label("hidden"), QString("64"));
        QVERIFY(label("heads").startsWith("8 / 4 KV heads"));
        QCOMPARE(label("vocab"), QString("512"));
        QVERIFY(label("params").startsWith("260,032"));
        QVERIFY(label("architecture").contains("LlamaForCausalLM"));
        QVERIFY(label("dtypes").contains("F32"));
        auto* table = page->findChild<QTableWidget*>("layersTable");
        QCOMPARE(table->rowCount(), 35);
        QCOMPARE(table->item(0, 0)->text().left(13), QString("model.layers."));
        // The log dock saw it too.
        QTRY_VERIFY(w.logView()->toPlainText().contains("opened model", Qt::CaseInsensitive));
    }

    void aboutShowsLibraryVersions() {
        auto info = srs::kernels::configureComputeRuntime();
        QVERIFY(!info.torch_version.empty());
        QVERIFY(!info.onednn_version.empty());
        srs::ui::MainWindow w("compute: test");
        w.setRuntimeVersions({QString::fromStdString(info.torch_version), QString::fromStdString(info.onednn_version),
                              QString::fromStdString(info.blas_name), info.threads,
                              QString::fromStdString(srs::kernels::describeTorchCuda(info))});
        w.show();
        w.showAbout();
        auto* dialog = w.findChild<QDialog*>("aboutDialog");
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        const QString text = dialog->findChild<QLabel*>("aboutText")->text();
        QVERIFY(text.contains(QString::fromLatin1(qVersion())));
        QVERIFY2(text.contains("LibTorch</td><td>" + QString::fromStdString(info.torch_version)), qPrintable(text));
        QVERIFY(text.contains("oneDNN</td><td>" + QString::fromStdString(info.onednn_version)));
        QVERIFY2(text.contains("LibTorch CUDA</td><td>" + QString::fromStdString(srs::kernels::describeTorchCuda(info))), qPrintable(text));
        QVERIFY(!text.contains("unknown"));
        dialog->close();
    }

    void aboutNamesTheHardware() {
        const auto hw = srs::device::detectHardware();
        QVERIFY(!hw.cpu.model.empty());
        QVERIFY(hw.total_ram_bytes > 0);
        srs::ui::MainWindow w("compute: test");
        const QString text = w.aboutText();
        QVERIFY2(text.contains("CPU</td><td>" + QString::fromStdString(hw.cpu.model).toHtmlEscaped()), qPrintable(text));
        QVERIFY2(text.contains(QString("%1 physical, %2 logical").arg(hw.cpu.physical_cores).arg(hw.cpu.logical_cores)), qPrintable(text));
        QVERIFY2(text.contains("RAM</td><td>" + QString::fromStdString(srs::units::formatBytes(hw.total_ram_bytes)) + " total"), qPrintable(text));
        QVERIFY(text.contains("Instruction set</td><td>" + QString::fromStdString(hw.cpu.bestIsa())));
    }

    void pageShortcutsAndIcons() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun, srs::ui::coreTextModelOpener());
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        auto* nav = w.findChild<QListWidget*>("pageList");
        QCOMPARE(w.pageActions().size(), nav->count());
        QCOMPARE(nav->count(), 7);  // Model, Configure, Run, Results, Export, Compare, Hub
        for (int i = nav->count() - 1; i >= 0; --i) {
            QVERIFY2(!nav->item(i)->icon().isNull(), qPrintable(nav->item(i)->text()));
            QVERIFY(!nav->item(i)->icon().pixmap(20, 20).isNull());
            QCOMPARE(w.pageActions()[i]->shortcut(), QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
            QTest::keyClick(&w, static_cast<Qt::Key>(Qt::Key_1 + i), Qt::ControlModifier);
            QCOMPARE(w.currentPage(), i);
            QCOMPARE(nav->currentRow(), i);
        }
        QTest::keyClick(&w, Qt::Key_7, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), w.hubPageIndex());
        // From the welcome too.
        w.showWelcome();
        QTest::keyClick(&w, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), 1);
        QVERIFY(!w.welcomeShown());
    }

    void runMenuFollowsTheJob() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-validation.head.txt");
        QSettings().clear();
        // No key may be claimed twice (the Run page's buttons had Ctrl+P / Ctrl+., Configure's Start Ctrl+R).
        QTest::failOnWarning(QRegularExpression("Ambiguous shortcut"));
        QTemporaryDir out;
        srs::ui::MainWindow w("compute: test", &waitForCancel);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QAction* start = w.startAction();
        QAction* pause = w.pauseAction();
        QAction* cancel = w.cancelAction();
        QVERIFY(start && pause && cancel);
        QCOMPARE(start->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
        QCOMPARE(pause->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_P));
        QCOMPARE(cancel->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Period));
        QVERIFY(!start->isEnabled());  // no model yet
        QVERIFY(!pause->isEnabled());
        QVERIFY(!cancel->isEnabled());
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        w.modelPage()->openModel(folder);
        QVERIFY(opened.wait(10000));
        QVERIFY(start->isEnabled());
        // The buttons stay, without the keys the menu owns now.
        auto* pause_button = w.runPage()->findChild<QPushButton*>("pauseButton");
        auto* cancel_button = w.runPage()->findChild<QPushButton*>("cancelButton");
        QVERIFY(pause_button && cancel_button);
        QVERIFY(pause_button->shortcut().isEmpty());
        QVERIFY(cancel_button->shortcut().isEmpty());
        QVERIFY(w.configurePage()->findChild<QPushButton*>("startButton")->shortcut().isEmpty());

        // Start without calibration text starts nothing and shows the Configure page (which says why).
        w.configurePage()->setCalibrationFiles({});
        w.configurePage()->setOutputDir(out.path());
        w.showPage(0);
        start->trigger();
        QVERIFY(!w.jobController()->running());
        QCOMPARE(w.currentPage(), 1);

        // Ctrl+R on the Configure page (where the Start button is shown) starts the run.
        w.configurePage()->setCalibrationFiles({calib});
        QSignalSpy started(w.jobController(), &srs::ui::JobController::started);
        QTest::keyClick(&w, Qt::Key_R, Qt::ControlModifier);
        QTRY_VERIFY(w.jobController()->running());
        QCOMPARE(w.currentPage(), 2);  // the Run page
        QVERIFY(!start->isEnabled());
        QVERIFY(pause->isEnabled());
        QVERIFY(cancel->isEnabled());
        QCOMPARE(plain(pause->text()), QString("Pause"));

        // Ctrl+P pauses and continues, on the Run page where its buttons are.
        QTest::keyClick(&w, Qt::Key_P, Qt::ControlModifier);
        QVERIFY(w.jobController()->paused());
        QCOMPARE(plain(pause->text()), QString("Continue"));
        QCOMPARE(pause_button->text(), QString("Continue"));
        QTest::keyClick(&w, Qt::Key_P, Qt::ControlModifier);
        QVERIFY(!w.jobController()->paused());
        QCOMPARE(plain(pause->text()), QString("Pause"));

        // Ctrl+. cancels; then only Start is enabled again.
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QTest::keyClick(&w, Qt::Key_Period, Qt::ControlModifier);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Cancelled);
        QVERIFY(start->isEnabled());
        QVERIFY(!pause->isEnabled());
        QVERIFY(!cancel->isEnabled());
        QSettings().clear();
    }

    void recentMenuOpensOnTheModelPage() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        QSettings().clear();
        srs::ui::MainWindow w("compute: test");
        w.show();
        emit w.recentMenu()->aboutToShow();
        QCOMPARE(w.recentMenu()->actions().size(), 1);
        QVERIFY(!w.recentMenu()->actions().first()->isEnabled());  // "(none yet)"
        QSettings().setValue("models/recent", QStringList{folder, "/nowhere/models--org--tiny/snapshots/0123456789abcdef0123456789abcdef01234567"});
        emit w.recentMenu()->aboutToShow();
        const auto actions = w.recentMenu()->actions();
        QCOMPARE(actions.size(), 2);
        QVERIFY2(plain(actions[0]->text()).startsWith("1 stories260K-hf"), qPrintable(actions[0]->text()));
        QVERIFY2(plain(actions[1]->text()).startsWith("2 org/tiny"), qPrintable(actions[1]->text()));
        QCOMPARE(actions[0]->data().toString(), folder);
        w.showPage(w.hubPageIndex());
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        actions[0]->trigger();
        QCOMPARE(w.currentPage(), 0);
        QVERIFY(opened.wait(10000));
        QCOMPARE(int(w.modelPage()->summary().config.num_hidden_layers), 5);
        QSettings().clear();
    }

    // The Export page's "Tune for this format" sets the Configure page up for it and shows it.
    void tuneForFormatPresetsConfigure() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun);
        auto* c = w.configurePage();
        auto* gguf = c->findChild<QCheckBox*>("formatGguf");
        auto* type = c->findChild<QComboBox*>("ggufType");
        auto* bits = c->findChild<QSpinBox*>("bits");
        QVERIFY(gguf && type && bits);
        c->applyPreset("W4A16");
        gguf->setChecked(false);
        emit w.exportPage()->tuneForFormatRequested("gguf:q4_k_m");
        QCOMPARE(w.currentPage(), 1);  // Configure
        QVERIFY(gguf->isChecked());
        QCOMPARE(type->currentData().toString(), QString("q4_k_m"));
        QCOMPARE(c->findChild<QComboBox*>("preset")->currentData().toString(), QString("gguf:q4_k_m"));
        emit w.exportPage()->tuneForFormatRequested("gguf:q8_0");  // one type, no preset of its own
        QCOMPARE(type->currentData().toString(), QString("q8_0"));
        QCOMPARE(bits->value(), 8);
    }

    // At 1024×700 the window keeps that size: no page asks for more room than the window has.
    void fitsAt1024x700() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun, srs::ui::coreTextModelOpener());
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QStringList wide;
        for (const QString& name : w.workflowPageNames() + QStringList{"hub"}) {
            QVERIFY(w.showPageNamed(name));
            QApplication::processEvents();
            const QSize min = w.minimumSizeHint().expandedTo(w.minimumSize());
            if (min.width() > 1024 || min.height() > 700 || w.width() > 1024 || w.height() > 700)
                wide << QStringLiteral("%1: window %2×%3, minimum %4×%5").arg(name).arg(w.width()).arg(w.height()).arg(min.width()).arg(min.height());
        }
        const QList<QPair<QString, QWidget*>> pages = {{"model", w.modelPage()},     {"configure", w.configurePage()}, {"run", w.runPage()},
                                                       {"results", w.resultsPage()}, {"export", w.exportPage()},   {"compare", w.comparePage()},
                                                       {"hub", w.hubPage()}};
        for (const auto& [name, page] : pages) {
            const QSize m = page->minimumSizeHint().expandedTo(page->minimumSize());
            if (m.width() > 1024 - 170) wide << QStringLiteral("the %1 page needs %2 px").arg(name).arg(m.width());
        }
        QVERIFY2(wide.isEmpty(), qPrintable(wide.join("; ")));
    }

    void settingsReachTheConfigurePage() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        QSettings().clear();
        QTemporaryDir dir;
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        w.modelPage()->openModel(folder);
        QVERIFY(opened.wait(10000));
        auto* output = w.configurePage()->findChild<QLineEdit*>("outputDir");
        QCOMPARE(output->text(), srs::ui::AppSettings::defaultOutputDir());
        auto* device = w.configurePage()->findChild<QComboBox*>("device");
        QCOMPARE(device->currentData().toString(), QString("auto"));  // the default: a GPU where LibTorch can use one, else the CPU
        QVERIFY2(device->currentText().startsWith("auto: "), qPrintable(device->currentText()));
        QVERIFY(device->findData("cpu") >= 0);
        w.showSettings();
        auto* dialog = w.findChild<QDialog*>("settingsDialog");
        QVERIFY(dialog);
        QCOMPARE(dialog->findChild<QComboBox*>("settingsDevice")->itemText(0), QString("auto"));
        QCOMPARE(dialog->findChild<QComboBox*>("settingsDevice")->itemText(1), QString("cpu"));
        dialog->findChild<QLineEdit*>("settingsOutputDir")->setText(dir.path());
        dialog->accept();
        QCOMPARE(output->text(), dir.path());  // it only held the old default, so it follows
        QCOMPARE(srs::ui::AppSettings::load().output_dir, dir.path());
        // A new window starts from the saved default.
        srs::ui::MainWindow w2("compute: test", &srs::job::runQuantJob);
        QSignalSpy opened2(w2.modelPage(), &srs::ui::ModelPage::modelOpened);
        w2.modelPage()->openModel(folder);
        QVERIFY(opened2.wait(10000));
        QCOMPARE(w2.configurePage()->findChild<QLineEdit*>("outputDir")->text(), dir.path());
        QSettings().clear();
    }

    void brokenFolderShowsErrorAndStaysUsable() {
        QTemporaryDir dir;
        srs::ui::MainWindow w;
        w.show();
        auto* page = w.modelPage();
        QSignalSpy failed(page, &srs::ui::ModelPage::modelFailed);
        page->openModel(dir.path());
        QVERIFY(failed.wait(10000));
        auto* status = page->findChild<QLabel*>("modelStatus");
        QVERIFY(status->text().contains("config.json"));
        QVERIFY(status->text().contains("What to do"));
        QVERIFY(!page->hasModel());
        QVERIFY(page->findChild<QPushButton*>("openModelButton")->isEnabled());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
