// Conversion without quantizing from the Export page, offscreen, with the real core: with no model
// open the convert controls are disabled and say why; with stories260K-hf open on the Model page,
// Convert to GGUF F16 writes <model>-gguf-f16/ with a .gguf that opens as 260,032 F16 parameters,
// lists it in the page's file list and names it (with its size) in the status line.
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include "core/io/model_summary.h"
#include "core/job/quant_job.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/export_page.h"
#include "ui/pages/model_page.h"
#include "ui/run_history.h"

namespace {

bool openOn(srs::ui::ModelPage* page, const QString& path) {
    QSignalSpy opened(page, &srs::ui::ModelPage::modelOpened);
    page->openModel(path);
    return opened.wait(20000);
}

}  // namespace

class TestExportConvert : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);  // history and settings under ~/.qttest, never the user's
    }
    void init() { QDir(srs::ui::RunHistory::defaultFolder()).removeRecursively(); }

    void disabledWithoutAModel() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        auto* exp = w.exportPage();
        QVERIFY(exp);
        QVERIFY(exp->model().isEmpty());
        auto* box = exp->findChild<QWidget*>("convertBox");
        QVERIFY(box && box->isEnabled());
        QVERIFY(exp->findChild<QLabel*>("convertModel")->text().contains("Open a model on the Model page first"));
        for (const char* name : {"convertButton", "convertCancel", "convertBrowse", "convertOpenFolder"})
            QVERIFY2(!exp->findChild<QPushButton*>(name)->isEnabled(), name);
        QVERIFY(!exp->findChild<QComboBox*>("convertType")->isEnabled());
        QVERIFY(!exp->findChild<QLineEdit*>("convertOutput")->isEnabled());
        // Clicking anyway does nothing.
        exp->startConvert();
        QVERIFY(!exp->convertController()->running());
        // The types: the four conversion formats, Q8_0 said to be round-to-nearest.
        auto* type = exp->findChild<QComboBox*>("convertType");
        QCOMPARE(type->count(), 4);
        for (const char* f : {"gguf:f16", "gguf:bf16", "gguf:f32", "gguf:q8_0"}) QVERIFY2(type->findData(QString(f)) >= 0, f);
        QVERIFY(type->itemText(type->findData("gguf:q8_0")).contains("round-to-nearest"));
    }

    void convertsTheOpenModelToF16() {
        SRS_REQUIRE_SHARED(hf, "models/stories260K-hf");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        QVERIFY(openOn(w.modelPage(), hf));
        auto* exp = w.exportPage();
        QCOMPARE(QFileInfo(exp->model()).canonicalFilePath(), QFileInfo(hf).canonicalFilePath());
        QVERIFY(exp->findChild<QLabel*>("convertModel")->text().contains("stories260K-hf"));
        auto* output = exp->findChild<QLineEdit*>("convertOutput");
        QVERIFY(!output->text().isEmpty());  // a default folder
        auto* convert = exp->findChild<QPushButton*>("convertButton");
        auto* cancel = exp->findChild<QPushButton*>("convertCancel");
        QVERIFY(convert->isEnabled());
        QVERIFY(!cancel->isEnabled());

        auto* type = exp->findChild<QComboBox*>("convertType");
        type->setCurrentIndex(type->findData("gguf:f16"));
        output->setText(dir.path());
        QSignalSpy done(exp->convertController(), &srs::ui::JobController::finished);
        QTest::mouseClick(convert, Qt::LeftButton);
        QVERIFY(exp->convertController()->running());
        QVERIFY(!convert->isEnabled());
        QVERIFY(cancel->isEnabled());
        QVERIFY(done.wait(120000));
        const auto outcome = done.first().at(0).value<srs::ui::RunOutcome>();
        QVERIFY2(outcome.succeeded(), qPrintable(outcome.message + " " + outcome.hint));
        QCOMPARE(outcome.files.size(), 1);
        QCOMPARE(outcome.files[0].format, QString("gguf:f16"));

        // The .gguf is there and opens as the same 260,032 parameters, stored in F16.
        const QString folder = dir.path() + "/stories260K-hf-gguf-f16";
        QCOMPARE(QDir::cleanPath(outcome.files[0].path), QDir::cleanPath(folder));
        const QStringList ggufs = QDir(folder).entryList({"*.gguf"}, QDir::Files);
        QCOMPARE(ggufs.size(), 1);
        QVERIFY(QFileInfo::exists(folder + "/README.md"));
        const QString gguf = folder + "/" + ggufs.first();
        auto summary = srs::io::inspectModel(gguf.toStdString());
        QVERIFY2(summary, summary ? "" : summary.error().message.c_str());
        QCOMPARE(summary->param_count, std::uint64_t(260032));
        QVERIFY2(summary->params_by_dtype.count("F16") && summary->params_by_dtype.at("F16") > 0, "no F16 tensors");

        // The page: idle again, the status names the file with its size, the file list holds it.
        QVERIFY(convert->isEnabled());
        QVERIFY(!cancel->isEnabled());
        QVERIFY(exp->findChild<QPushButton*>("convertOpenFolder")->isEnabled());
        const QString status = exp->findChild<QLabel*>("convertStatus")->text();
        QVERIFY2(status.startsWith("Converted") && status.contains(ggufs.first()) && status.contains("KiB"), qPrintable(status));
        QCOMPARE(exp->conversions().size(), 1);
        auto* tree = exp->filesTree();
        QCOMPARE(tree->topLevelItemCount(), 1);
        QVERIFY(tree->topLevelItem(0)->text(0).contains("gguf:f16"));
        QStringList names;
        for (int i = 0; i < tree->topLevelItem(0)->childCount(); ++i) names << tree->topLevelItem(0)->child(i)->text(0);
        QVERIFY2(names.contains(ggufs.first()) && names.contains("README.md"), qPrintable(names.join(",")));
        QVERIFY(exp->findChild<QPushButton*>("uploadToHubButton")->isEnabled());

        // Converting again to the same folder replaces the entry instead of listing it twice.
        done.clear();
        QTest::mouseClick(convert, Qt::LeftButton);
        QVERIFY(done.wait(120000));
        QVERIFY(done.first().at(0).value<srs::ui::RunOutcome>().succeeded());
        QCOMPARE(tree->topLevelItemCount(), 1);

        if (qEnvironmentVariableIsSet("SRS_SHOT_DIR")) {
            w.showPageNamed("export");
            QTest::qWait(50);
            w.grab().save(qEnvironmentVariable("SRS_SHOT_DIR") + "/export-convert.png");
        }
    }

    void failureIsShownWithTheHint() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        auto* exp = w.exportPage();
        // A model that is gone by the time Convert is clicked.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        exp->setModel(dir.path() + "/no-such-model");
        exp->findChild<QLineEdit*>("convertOutput")->setText(dir.path() + "/out");
        QSignalSpy done(exp->convertController(), &srs::ui::JobController::finished);
        QTest::mouseClick(exp->findChild<QPushButton*>("convertButton"), Qt::LeftButton);
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Failed);
        const QString status = exp->findChild<QLabel*>("convertStatus")->text();
        QVERIFY2(status.startsWith("Conversion failed"), qPrintable(status));
        QCOMPARE(exp->filesTree()->topLevelItemCount(), 0);
        QVERIFY(exp->findChild<QPushButton*>("convertButton")->isEnabled());
    }
};

QTEST_MAIN(TestExportConvert)
#include "test_export_convert.moc"
