// Drives the real main window offscreen: opens the stories260K folder through the Model page and
// checks the summary the user sees; opens a broken folder and checks the error shown.
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/model_page.h"

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
