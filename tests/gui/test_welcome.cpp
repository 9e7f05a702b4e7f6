// The welcome of a start without a model: shown then (not with a model, a --page or a Hub
// search); Open model folder opens the Model page's chooser, Search the Hub shows the Hub page
// with the search field focused, Try the sample model opens stories260K from the shared data
// folder (found the way the app finds it) with the TinyStories text preset, and the recent
// models open on the Model page, Hub-cache snapshots named by repo id (ui/model_name.h).
#include <QCommandLinkButton>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/job/quant_job.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"
#include "ui/welcome_page.h"

using srs::ui::MainWindow;

namespace {

QPushButton* button(MainWindow& w, const char* name) { return w.welcomePage()->findChild<QPushButton*>(name); }

// Rejects (or, with a folder, accepts at that folder) the next file dialog; *title gets its title.
void answerNextFileDialog(const QString& folder, QString* title) {
    auto* timer = new QTimer(qApp);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, folder, title] {
        auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
        if (!dialog) return;
        timer->stop();
        timer->deleteLater();
        *title = dialog->windowTitle();
        if (folder.isEmpty()) return dialog->reject();
        dialog->setDirectory(folder);
        static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept, which takes the directory shown
    });
    timer->start();
}

}  // namespace

class TestWelcome : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioWelcomeTests");
        QStandardPaths::setTestModeEnabled(true);
    }
    void init() { QSettings().clear(); }
    void cleanupTestCase() { QSettings().clear(); }

    void shownOnlyWithoutAModel() {
        MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        QVERIFY(!w.welcomeShown());  // a window made by code starts on the Model page
        w.showStartPage({}, false, false);
        QVERIFY(w.welcomeShown());
        QVERIFY(w.welcomePage()->isVisible());
        QCOMPARE(w.currentPage(), w.pageCount());
        for (const char* name : {"welcomeOpenFolder", "welcomeSearchHub", "welcomeTrySample"}) QVERIFY2(button(w, name)->isVisible(), name);
        QVERIFY(w.welcomePage()->findChild<QLabel*>("welcomeRecentEmpty")->isVisible());
        // A page picked in the sidebar (or by its shortcut) replaces the welcome.
        w.pageActions().at(1)->trigger();
        QVERIFY(!w.welcomeShown());
        QCOMPARE(w.currentPage(), 1);
        // Help → Welcome brings it back, and the Model page can be picked from it.
        w.findChild<QAction*>("welcomeAction")->trigger();
        QVERIFY(w.welcomeShown());
        w.showPage(1);  // the row that was current before the welcome
        QVERIFY(!w.welcomeShown());
        QCOMPARE(w.currentPage(), 1);

        w.showStartPage({}, true, false);  // a model given: the Model page
        QVERIFY(!w.welcomeShown());
        QCOMPARE(w.currentPage(), 0);
        w.showStartPage("configure", false, false);  // --page
        QCOMPARE(w.currentPage(), 1);
        w.showStartPage({}, false, true);  // --hub_search
        QCOMPARE(w.currentPage(), w.hubPageIndex());
        w.showStartPage("hub", false, false);
        QCOMPARE(w.currentPage(), w.hubPageIndex());
        QVERIFY(!w.welcomeShown());
    }

    void searchShowsTheHub() {
        MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        w.showWelcome();
        QTest::mouseClick(button(w, "welcomeSearchHub"), Qt::LeftButton);
        QVERIFY(!w.welcomeShown());
        QCOMPARE(w.currentPage(), w.hubPageIndex());
        QCOMPARE(w.focusWidget(), w.findChild<QLineEdit*>("hubSearch"));
    }

    void findsTheSampleLikeTheApp() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        const QString model = QFileInfo(folder).absoluteFilePath();
        // $SRS_SHARED_DATA first.
        auto sample = srs::ui::findSampleModel(srs::ui::sharedDataCandidates({}, {}));
        QCOMPARE(sample.model, model);
        // Without it: ../shared/data beside the source tree, seen from the app in build/app.
        const QByteArray env = qgetenv("SRS_SHARED_DATA");
        qunsetenv("SRS_SHARED_DATA");
        const QString app_dir = srs::test::sourceDir() + "/build/app";
        const bool beside_source = QFileInfo(srs::test::sourceDir() + "/../shared/data").absoluteFilePath() ==
                                   QFileInfo(srs::test::sharedData()).absoluteFilePath();
        const auto from_app = srs::ui::findSampleModel(srs::ui::sharedDataCandidates(app_dir, {}));
        const auto from_cwd = srs::ui::findSampleModel(srs::ui::sharedDataCandidates({}, srs::test::sourceDir()));
        QTemporaryDir empty;
        const auto none = srs::ui::findSampleModel(srs::ui::sharedDataCandidates(empty.path(), empty.path()));
        qputenv("SRS_SHARED_DATA", env);
        if (beside_source) {
            QCOMPARE(QFileInfo(from_app.model).canonicalFilePath(), QFileInfo(model).canonicalFilePath());
            QCOMPARE(QFileInfo(from_cwd.model).canonicalFilePath(), QFileInfo(model).canonicalFilePath());
        }
        QVERIFY(!none.found());
    }

    void trySampleOpensStories() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        w.showWelcome();
        QVERIFY(!button(w, "welcomeTrySample")->isEnabled());  // no sample set yet
        QVERIFY(button(w, "welcomeTrySample")->toolTip().contains("stories260K-hf"));
        const auto sample = srs::ui::findSampleModel(srs::ui::sharedDataCandidates({}, {}));
        QCOMPARE(sample.calibration, QFileInfo(calib).absoluteFilePath());
        w.setSampleModel(sample);
        QVERIFY(button(w, "welcomeTrySample")->isEnabled());
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        QTest::mouseClick(button(w, "welcomeTrySample"), Qt::LeftButton);
        QVERIFY(opened.wait(10000));
        QCOMPARE(QFileInfo(opened.first().at(0).toString()).canonicalFilePath(), QFileInfo(folder).canonicalFilePath());
        QVERIFY(!w.welcomeShown());
        QCOMPARE(w.currentPage(), 0);
        QCOMPARE(int(w.modelPage()->summary().config.num_hidden_layers), 5);
        // The TinyStories text is preset, so Start has what it needs.
        srs::job::JobConfig config;
        QString error;
        QVERIFY2(w.configurePage()->buildConfig(&config, &error), qPrintable(error));
        QCOMPARE(config.datasets.size(), size_t(1));
        QCOMPARE(QString::fromStdString(config.datasets[0]), QFileInfo(calib).absoluteFilePath());
        // Now it is a recent model, on the welcome too.
        w.showWelcome();
        QVERIFY(button(w, "welcomeRecent0")->text().startsWith("stories260K-hf"));
    }

    void openFolderUsesTheModelPageChooser() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        w.showWelcome();
        QString title;
        answerNextFileDialog({}, &title);  // cancelled: the welcome stays
        QTest::mouseClick(button(w, "welcomeOpenFolder"), Qt::LeftButton);
        QTRY_VERIFY(!title.isEmpty());
        QVERIFY(w.welcomeShown());
        QVERIFY(!w.modelPage()->hasModel());
        title.clear();
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        answerNextFileDialog(folder, &title);
        QTest::mouseClick(button(w, "welcomeOpenFolder"), Qt::LeftButton);
        QVERIFY(opened.wait(10000));
        QCOMPARE(QFileInfo(opened.first().at(0).toString()).canonicalFilePath(), QFileInfo(folder).canonicalFilePath());
        QCOMPARE(w.currentPage(), 0);
    }

    void recentModelsOpenOnTheModelPage() {
        SRS_REQUIRE_SHARED(folder, "models/stories260K-hf");
        const QString snapshot = "/nowhere/hub/models--tiny--stories260K/snapshots/2bcbc26d0e1f2bcbc26d0e1f2bcbc26d0e1f2bcb";
        QSettings().setValue("models/recent", QStringList{snapshot, folder});
        MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        w.showWelcome();
        QVERIFY(!w.welcomePage()->findChild<QLabel*>("welcomeRecentEmpty")->isVisible());
        const QString first = button(w, "welcomeRecent0")->text();
        QVERIFY2(first.startsWith("tiny/stories260K"), qPrintable(first));
        QVERIFY(button(w, "welcomeRecent1")->text().startsWith("stories260K-hf"));
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        QTest::mouseClick(button(w, "welcomeRecent1"), Qt::LeftButton);
        QVERIFY(opened.wait(10000));
        QVERIFY(!w.welcomeShown());
        QCOMPARE(w.currentPage(), 0);
    }
};

QTEST_MAIN(TestWelcome)
#include "test_welcome.moc"
