// A model that fails to open changes nothing: the model open before stays open on the Model page
// (its summary, with the error and "Still open" above it), on the Configure page and as the
// Compare page's reference, and a Start still runs it; opened from another page, the error is shown
// there (a message box) instead of only in the log.
#include <QLabel>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/job/quant_job.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"

class TestFailedOpen : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }

    void failedOpenKeepsTheModel() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("not-a-model"));
        const QString bad = dir.path() + "/not-a-model";
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        auto* page = w.modelPage();
        QSignalSpy opened(page, &srs::ui::ModelPage::modelOpened);
        QSignalSpy failed(page, &srs::ui::ModelPage::modelFailed);
        page->openModel(model);
        QVERIFY(opened.wait(10000));
        const QString layers = page->findChild<QLabel*>("summary_layers")->text();
        QCOMPARE(layers, QString("5"));

        // On the Model page: the error in place, the summary kept.
        page->openModel(bad);
        QVERIFY(failed.wait(10000));
        QVERIFY(page->hasModel());
        QCOMPARE(QString::fromStdString(page->summary().path), model);
        QCOMPARE(page->findChild<QLabel*>("summary_layers")->text(), layers);
        QVERIFY(!w.findChild<QMessageBox*>("openFailedBox"));
        const QString status = page->findChild<QLabel*>("modelStatus")->text();
        QVERIFY2(status.contains("Could not open") && status.contains("Still open: " + model), qPrintable(status));
        QVERIFY(w.configurePage()->findChild<QLabel*>("configureModel")->text().contains("stories260K-hf"));

        // From another page: a message box says so there.
        QVERIFY(w.showPageNamed("configure"));
        page->openModel(bad);
        QVERIFY(failed.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(w.findChild<QMessageBox*>("openFailedBox") != nullptr, 5000);
        auto* box = w.findChild<QMessageBox*>("openFailedBox");
        QVERIFY(box->text().contains("not-a-model"));
        QVERIFY(box->informativeText().contains("stories260K-hf stays open"));
        box->accept();
        QVERIFY(w.configurePage()->findChild<QLabel*>("configureModel")->text().contains("stories260K-hf"));
        QCOMPARE(QString::fromStdString(page->summary().path), model);
    }
};

QTEST_MAIN(TestFailedOpen)
#include "test_failed_open.moc"
