// Drives the real main window offscreen: opens the stories260K folder through the Model page and
// checks the summary the user sees; opens a broken folder and checks the error shown; the About
// box names the Qt, LibTorch and oneDNN versions the app runs with; Settings reach the Configure
// page and persist in QSettings.
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <QComboBox>
#include <QDialog>
#include <QLineEdit>

#include "core/job/quant_job.h"
#include "kernels/compute_runtime.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"
#include "ui/settings_dialog.h"

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
        QTRY_VERIFY(w.logView()->toPlainText().contains("opened model"));
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
        QCOMPARE(w.configurePage()->findChild<QComboBox*>("device")->currentText(), QString("cpu"));
        w.showSettings();
        auto* dialog = w.findChild<QDialog*>("settingsDialog");
        QVERIFY(dialog);
        QCOMPARE(dialog->findChild<QComboBox*>("settingsDevice")->itemText(0), QString("cpu"));
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
