// The Configure page's checks before Start, offscreen: no model, an output folder that cannot be
// written or made, no / a missing / an unreadable calibration file, a missing evaluation text and
// no format each show an error beside their field and keep Start disabled with the reason in its
// tooltip and beside it; fixing the field clears the error and enables Start. Also: the GGUF type
// list is greyed while GGUF is unticked, the settings and the file dialogs' folders survive a new
// page, the estimate depends on the settings alone (not on the app's memory at the time), and the
// page fits at 1024×700 with long calibration paths shortened.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <cstring>
#include <memory>
#include <vector>

#include "core/device/estimator.h"
#include "support/test_paths.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/preflight.h"

using srs::ui::ConfigurePage;

namespace {
QLabel* label(const ConfigurePage& p, const char* name) { return p.findChild<QLabel*>(name); }
QPushButton* startButton(const ConfigurePage& p) { return p.findChild<QPushButton*>("startButton"); }

// True when the named error label is shown and says `words`.
bool showsError(const ConfigurePage& p, const char* name, const QString& words) {
    QLabel* l = label(p, name);
    return l && !l->isHidden() && l->text().contains(words, Qt::CaseInsensitive);
}
bool errorCleared(const ConfigurePage& p, const char* name) { return label(p, name)->isHidden() && label(p, name)->text().isEmpty(); }

// Start is disabled and says why, in its tooltip and in the line beside it.
bool startRefusedFor(const ConfigurePage& p, const QString& words) {
    return !startButton(p)->isEnabled() && startButton(p)->toolTip().contains(words, Qt::CaseInsensitive) &&
           label(p, "configureError")->text().contains(words, Qt::CaseInsensitive);
}

// Answers the next file dialog: records the folder it opened in, then picks `pick` (or cancels
// when it is empty).
void answerFileDialog(const QString& pick, QString* opened_in) {
    auto* timer = new QTimer(qApp);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, pick, opened_in] {
        auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
        if (!dialog) return;
        timer->stop();
        timer->deleteLater();
        *opened_in = QDir(dialog->directory()).absolutePath();
        if (pick.isEmpty()) {
            dialog->reject();
            return;
        }
        // Typed into the file name field, as a user could (selectFile leaves a focused field alone).
        if (auto* name = dialog->findChild<QLineEdit*>("fileNameEdit")) name->setText(pick);
        else dialog->selectFile(pick);
        static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept, through the public base
    });
    timer->start();
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}
}  // namespace

class TestConfigurePreflight : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_, calib_;

    // A page that can start: stories260K, its calibration text and a fresh output folder.
    bool prepare(ConfigurePage& p) {
        model_ = srs::test::sharedPath("models/stories260K-hf");
        calib_ = srs::test::sharedPath("text/tinystories/TinyStories-train.first2MiB.txt");
        if (model_.isEmpty() || calib_.isEmpty()) return false;
        p.setModel(model_);
        p.setCalibrationFiles({calib_});
        p.setOutputDir(tmp_.path() + "/out");
        return true;
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioPreflightTests");
        QStandardPaths::setTestModeEnabled(true);
    }
    void init() { QSettings().clear(); }  // every case starts from a first run
    void cleanupTestCase() { QSettings().clear(); }

    void noModelRefusesStart() {
        ConfigurePage p;
        p.setCalibrationFiles({tmp_.path()});  // whatever: the model comes first
        QVERIFY(showsError(p, "modelError", "Open a model on the Model page"));
        QVERIFY(startRefusedFor(p, "Open a model on the Model page"));
        QSignalSpy started(&p, &ConfigurePage::startRequested);
        p.requestStart();  // Ctrl+R or --autostart going around the disabled button
        QCOMPARE(started.count(), 0);
        if (!prepare(p)) QSKIP("shared data not present");
        QVERIFY(errorCleared(p, "modelError"));
        QVERIFY2(startButton(p)->isEnabled(), qPrintable(p.startBlockedReason()));
        QVERIFY(label(p, "configureError")->text().isEmpty());
        QVERIFY(startButton(p)->toolTip().contains("Ctrl+R"));
    }

    void outputFolderThatCannotBeWritten() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        // Under a regular file no folder can be made (even for root, where chmod blocks nothing).
        QVERIFY(writeFile(tmp_.path() + "/file.txt", "x"));
        p.setOutputDir(tmp_.path() + "/file.txt/out");
        QVERIFY2(showsError(p, "outputError", "choose an output folder you can write to"), qPrintable(label(p, "outputError")->text()));
        QVERIFY(label(p, "outputError")->text().contains("file.txt"));
        QVERIFY(startRefusedFor(p, "choose an output folder you can write to"));
        QVERIFY(!label(p, "outputError")->text().contains("--"));  // GUI words, no flags
        // The file itself is no folder either.
        p.setOutputDir(tmp_.path() + "/file.txt");
        QVERIFY(showsError(p, "outputError", "is a file"));
        // A place nobody may create files in (root included).
        p.setOutputDir("/proc/signround-preflight-out");
        QVERIFY2(showsError(p, "outputError", "cannot be written to"), qPrintable(label(p, "outputError")->text()));
        // A read-only folder, where chmod is obeyed (not as root).
        const QString ro = tmp_.path() + "/readonly";
        QVERIFY(QDir().mkpath(ro));
        QFile::setPermissions(ro, QFile::ReadOwner | QFile::ExeOwner);
        if (!writeFile(ro + "/probe", "x")) {
            p.setOutputDir(ro + "/out");
            QVERIFY(showsError(p, "outputError", "cannot be written to"));
        }
        QFile::setPermissions(ro, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        p.setOutputDir("");
        QVERIFY(showsError(p, "outputError", "Choose an output folder you can write to"));
        // A folder still to be made is fine, and checking it makes nothing.
        p.setOutputDir(tmp_.path() + "/new/deeper");
        QVERIFY(errorCleared(p, "outputError"));
        QVERIFY(startButton(p)->isEnabled());
        QVERIFY(!QFileInfo::exists(tmp_.path() + "/new"));
        QCOMPARE(QDir(tmp_.path()).entryList(QDir::Files | QDir::Hidden).filter("write-check").size(), 0);  // the probe is removed
    }

    void calibrationErrorClearsWhenAFileIsAdded() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        p.setCalibrationFiles({});
        QVERIFY(showsError(p, "calibrationError", "Add at least one calibration file"));
        QVERIFY(startRefusedFor(p, "calibration file"));
        // Added through the page's own dialog, as a user does.
        QString opened_in;
        answerFileDialog(calib_, &opened_in);
        QTest::mouseClick(p.findChild<QPushButton*>("addCalibration"), Qt::LeftButton);
        QCOMPARE(p.findChild<QListWidget*>("datasets")->count(), 1);
        QVERIFY(errorCleared(p, "calibrationError"));
        QVERIFY2(startButton(p)->isEnabled(), qPrintable(p.startBlockedReason()));
        QVERIFY(label(p, "configureError")->text().isEmpty());
        // A file that is gone, or a folder, is named; a Hub dataset id is fine.
        p.setCalibrationFiles({calib_, tmp_.path() + "/gone.txt"});
        QVERIFY(showsError(p, "calibrationError", "gone.txt"));
        QVERIFY(!startButton(p)->isEnabled());
        p.setCalibrationFiles({tmp_.path()});
        QVERIFY(showsError(p, "calibrationError", "is a folder"));
        p.setCalibrationFiles({"NeelNanda/pile-10k"});
        QVERIFY(errorCleared(p, "calibrationError"));
        // Removing the last file brings the error back at once.
        p.setCalibrationFiles({calib_});
        auto* list = p.findChild<QListWidget*>("datasets");
        list->setCurrentRow(0);
        QTest::mouseClick(p.findChild<QPushButton*>("removeCalibration"), Qt::LeftButton);
        QVERIFY(showsError(p, "calibrationError", "Add at least one calibration file"));
    }

    void evaluationTextAndFormats() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        auto* eval = p.findChild<QLineEdit*>("evalText");
        eval->setText(tmp_.path() + "/no-eval.txt");
        QVERIFY(showsError(p, "evalTextError", "Evaluation text not found"));
        QVERIFY(!startButton(p)->isEnabled());
        eval->clear();
        QVERIFY(errorCleared(p, "evalTextError"));
        QVERIFY(startButton(p)->isEnabled());
        p.findChild<QCheckBox*>("formatAutoRound")->setChecked(false);
        QVERIFY(showsError(p, "formatsError", "export format"));
        QVERIFY(!startButton(p)->isEnabled());
        p.findChild<QCheckBox*>("formatFake")->setChecked(true);
        QVERIFY(errorCleared(p, "formatsError"));
        QVERIFY(startButton(p)->isEnabled());
    }

    void ggufTypeGreyedWhileGgufUnticked() {
        ConfigurePage p;
        auto* gguf = p.findChild<QCheckBox*>("formatGguf");
        auto* type = p.findChild<QComboBox*>("ggufType");
        QVERIFY(!gguf->isChecked());
        QVERIFY(!type->isEnabled());
        gguf->setChecked(true);
        QVERIFY(type->isEnabled());
        gguf->setChecked(false);
        QVERIFY(!type->isEnabled());
        // Written as the Export page and llama.cpp write them.
        QCOMPARE(type->currentText(), QString("Q4_K_M"));
        QCOMPARE(type->currentData().toString(), QString("q4_k_m"));
        auto* preset = p.findChild<QComboBox*>("preset");
        preset->setCurrentIndex(preset->findData("gguf:q4_k_m"));
        QCOMPARE(preset->currentText(), QString("GGUF Q4_K_M"));
        QVERIFY(gguf->isChecked() && type->isEnabled());
    }

    void settingsSurviveANewPage() {
        const QString out = tmp_.path() + "/kept-output";
        const QString second = tmp_.path() + "/second.txt";
        QVERIFY(writeFile(second, "Once upon a time."));
        {
            ConfigurePage p;
            if (!prepare(p)) QSKIP("shared data not present");
            auto* preset = p.findChild<QComboBox*>("preset");
            preset->setCurrentIndex(preset->findData("W2A16G64"));
            p.findChild<QSpinBox*>("bits")->setValue(3);
            QCOMPARE(preset->currentData().toString(), QString("custom"));  // no longer W2A16G64
            p.findChild<QCheckBox*>("sym")->setChecked(false);
            p.findChild<QSpinBox*>("iters")->setValue(37);
            p.findChild<QSpinBox*>("nsamples")->setValue(9);
            p.findChild<QSpinBox*>("seqlen")->setValue(96);
            p.findChild<QCheckBox*>("formatFake")->setChecked(true);
            p.findChild<QCheckBox*>("formatGguf")->setChecked(true);
            auto* type = p.findChild<QComboBox*>("ggufType");
            type->setCurrentIndex(type->findData("q5_k_m"));
            p.setCalibrationFiles({calib_, second});
            p.setOutputDir(out);
        }
        ConfigurePage q;  // as after a restart
        QCOMPARE(q.findChild<QComboBox*>("preset")->currentData().toString(), QString("custom"));
        QCOMPARE(q.findChild<QSpinBox*>("bits")->value(), 3);
        QCOMPARE(q.findChild<QComboBox*>("groupSize")->currentText(), QString("64"));
        QVERIFY(!q.findChild<QCheckBox*>("sym")->isChecked());
        QCOMPARE(q.findChild<QSpinBox*>("iters")->value(), 37);
        QCOMPARE(q.findChild<QSpinBox*>("nsamples")->value(), 9);
        QCOMPARE(q.findChild<QSpinBox*>("seqlen")->value(), 96);
        QVERIFY(q.findChild<QCheckBox*>("formatAutoRound")->isChecked());
        QVERIFY(q.findChild<QCheckBox*>("formatFake")->isChecked());
        QVERIFY(!q.findChild<QCheckBox*>("formatGptq")->isChecked());
        QVERIFY(q.findChild<QCheckBox*>("formatGguf")->isChecked());
        QCOMPARE(q.findChild<QComboBox*>("ggufType")->currentData().toString(), QString("q5_k_m"));
        QCOMPARE(q.findChild<QLineEdit*>("outputDir")->text(), out);
        q.setModel(model_);
        srs::job::JobConfig c;
        QString error;
        QVERIFY2(q.buildConfig(&c, &error), qPrintable(error));
        QCOMPARE(c.datasets, (std::vector<std::string>{calib_.toStdString(), second.toStdString()}));
        QCOMPARE(c.formats, (std::vector<std::string>{"auto_round", "fake", "gguf:q5_k_m"}));
        QCOMPARE(c.iters, 37);
        QCOMPARE(c.bits, 3);
        QCOMPARE(c.group_size, 64);
        QVERIFY(!c.sym);
        // Choosing a preset applies it again over the restored knobs.
        {
            auto* preset = q.findChild<QComboBox*>("preset");
            preset->setCurrentIndex(preset->findData("W4A16"));
            QCOMPARE(q.findChild<QSpinBox*>("bits")->value(), 4);
            QCOMPARE(q.findChild<QComboBox*>("groupSize")->currentText(), QString("128"));
            QVERIFY(q.findChild<QCheckBox*>("sym")->isChecked());
            QCOMPARE(preset->currentData().toString(), QString("W4A16"));
        }
        // A GGUF preset comes back with its formats.
        {
            auto* preset = q.findChild<QComboBox*>("preset");
            preset->setCurrentIndex(preset->findData("gguf:q3_k_m"));
        }
        ConfigurePage r;
        QCOMPARE(r.findChild<QComboBox*>("preset")->currentText(), QString("GGUF Q3_K_M"));
        QVERIFY(!r.findChild<QCheckBox*>("formatAutoRound")->isChecked());
        QCOMPARE(r.findChild<QComboBox*>("ggufType")->currentText(), QString("Q3_K_M"));
    }

    void fileDialogsOpenAtTheLastFolder() {
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        const QString calib_dir = QFileInfo(calib).absolutePath();
        const QString out_parent = tmp_.path() + "/outputs";
        QVERIFY(QDir().mkpath(out_parent + "/chosen"));
        QVERIFY(writeFile(tmp_.path() + "/eval.txt", "Once upon a time."));
        {
            ConfigurePage p;
            QString opened;
            answerFileDialog(calib, &opened);
            QTest::mouseClick(p.findChild<QPushButton*>("addCalibration"), Qt::LeftButton);
            QCOMPARE(p.findChild<QListWidget*>("datasets")->count(), 1);
            answerFileDialog(tmp_.path() + "/eval.txt", &opened);
            QTest::mouseClick(p.findChild<QPushButton*>("browseEvalText"), Qt::LeftButton);
            QCOMPARE(p.findChild<QLineEdit*>("evalText")->text(), tmp_.path() + "/eval.txt");
            answerFileDialog(out_parent + "/chosen", &opened);
            p.findChild<QLineEdit*>("outputDir")->setText(tmp_.path() + "/not/yet/made");
            p.chooseOutputFolder();
        }
        // A new page (a restart): each dialog opens where the last one of its kind was left.
        ConfigurePage q;
        q.setCalibrationFiles({});
        QString opened;
        answerFileDialog({}, &opened);
        QTest::mouseClick(q.findChild<QPushButton*>("addCalibration"), Qt::LeftButton);
        QCOMPARE(opened, calib_dir);
        answerFileDialog({}, &opened);
        QTest::mouseClick(q.findChild<QPushButton*>("browseEvalText"), Qt::LeftButton);
        QCOMPARE(opened, tmp_.path());
        q.findChild<QLineEdit*>("outputDir")->setText(tmp_.path() + "/elsewhere/not-made");
        answerFileDialog({}, &opened);
        q.chooseOutputFolder();
        QCOMPARE(opened, QDir(out_parent + "/chosen").absolutePath());
        QVERIFY(opened != QDir::homePath());
    }

    void estimateDependsOnlyOnTheSettings() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        p.setTuningRateProvider(&srs::device::measureTuningGflops);
        p.findChild<QSpinBox*>("seqlen")->setValue(128);
        p.findChild<QSpinBox*>("nsamples")->setValue(16);
        QTRY_VERIFY_WITH_TIMEOUT(p.estimateText().contains("peak memory") && !p.estimateText().contains("not measured"), 60000);
        const QString first = p.estimateText();
        // The app grows (as it does once LibTorch has run, or after a run): 256 MiB touched.
        const std::size_t grow = std::size_t(256) << 20;
        std::unique_ptr<char[]> ballast(new char[grow]);
        std::memset(ballast.get(), 1, grow);
        p.setModel(model_);  // the same model opened again: estimated anew
        QCOMPARE(p.estimateText(), QString("Estimate: computing…"));
        QTRY_VERIFY_WITH_TIMEOUT(p.estimateText().contains("peak memory"), 60000);
        QCOMPARE(p.estimateText(), first);
        // Changed and changed back: the same figures again.
        p.findChild<QSpinBox*>("seqlen")->setValue(64);
        QTRY_VERIFY_WITH_TIMEOUT(p.estimateText().contains("peak memory") && p.estimateText() != first, 60000);
        p.findChild<QSpinBox*>("seqlen")->setValue(128);
        QTRY_COMPARE_WITH_TIMEOUT(p.estimateText(), first, 60000);
        // Another page with the same settings says the same.
        ConfigurePage q;
        QVERIFY(prepare(q));
        q.findChild<QSpinBox*>("seqlen")->setValue(128);
        q.findChild<QSpinBox*>("nsamples")->setValue(16);
        q.setTuningRateProvider(&srs::device::measureTuningGflops);
        QTRY_COMPARE_WITH_TIMEOUT(q.estimateText(), first, 60000);
        QVERIFY(ballast[grow - 1] == 1);
    }

    // The page in the room it has in a 1024×700 window (sidebar, log and status bar taken): it
    // can shrink that far (the form scrolls), and a long calibration path is shortened with the
    // whole path in its tooltip instead of running out of the list.
    // The device picker lists what it is given (auto first, by label) and a GPU's memory enters the
    // estimate: the peak GPU memory when the run fits, the numbers when it does not.
    void devicePickerAndGpuMemory() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        auto* device = p.findChild<QComboBox*>("device");
        QCOMPARE(device->currentData().toString(), QString("auto"));
        srs::device::DeviceAvailability a;
        a.torch_cuda_built = true;
        a.torch_cuda_devices = 1;
        a.gpus.push_back({0, "Test GPU", 1ull << 30, 9, 0});  // 1 GiB
        p.setDeviceChoices(srs::device::usableDevices(a));
        QCOMPARE(device->count(), 3);
        QCOMPARE(device->currentData().toString(), QString("auto"));  // kept across the new list
        QCOMPARE(device->itemText(2), QString("cuda:0 (Test GPU, 1.0 GiB)"));
        QCOMPARE(p.devices(), (QStringList{"auto", "cpu", "cuda:0"}));
        device->setCurrentIndex(2);
        srs::job::JobConfig c;
        QString error;
        QVERIFY2(p.buildConfig(&c, &error), qPrintable(error));
        QCOMPARE(c.device, std::string("cuda:0"));
        // 128 samples of 2048 tokens do not fit 1 GiB with the CUDA context; 4 of 64 do.
        p.findChild<QSpinBox*>("seqlen")->setValue(2048);
        p.findChild<QSpinBox*>("nsamples")->setValue(128);
        QTRY_VERIFY_WITH_TIMEOUT(p.estimateText().contains("does not fit the GPU: the run needs about "), 60000);
        QVERIFY2(p.estimateText().contains("the GPU has 1.0 GiB (128 samples of 2048 tokens are on the GPU while a block is tuned)"),
                 qPrintable(p.estimateText()));
        a.gpus.front().total_memory_bytes = 80ull << 30;
        p.setDeviceChoices(srs::device::usableDevices(a));
        QCOMPARE(device->currentData().toString(), QString("cuda:0"));
        p.findChild<QSpinBox*>("nsamples")->setValue(4);
        QTRY_VERIFY_WITH_TIMEOUT(p.estimateText().contains(" · GPU memory 1."), 60000);  // the CUDA context's GiB and a little
        device->setCurrentIndex(device->findData("cpu"));
        QTRY_VERIFY_WITH_TIMEOUT(p.estimateText().contains("peak memory") && !p.estimateText().contains("GPU"), 60000);
    }

    void fitsAt1024x700() {
        ConfigurePage p;
        if (!prepare(p)) QSKIP("shared data not present");
        const QString deep = tmp_.path() + "/a-rather-long-folder-name-for-calibration-texts/and-another-level-below-it/calibration.txt";
        QVERIFY(QDir().mkpath(QFileInfo(deep).absolutePath()));
        QVERIFY(writeFile(deep, "Once upon a time."));
        p.setCalibrationFiles({deep});
        QVERIFY(writeFile(tmp_.path() + "/file.txt", "x"));
        p.setOutputDir(tmp_.path() + "/file.txt/an-output-folder-with-a-long-name-that-cannot-be-made-anywhere-here-at-all");
        const QSize room(860, 560);
        QVERIFY2(p.minimumSizeHint().width() <= room.width() && p.minimumSizeHint().height() <= room.height(),
                 qPrintable(QString("minimum %1x%2").arg(p.minimumSizeHint().width()).arg(p.minimumSizeHint().height())));
        p.resize(room);
        p.show();
        QVERIFY(QTest::qWaitForWindowExposed(&p));
        QCOMPARE(p.size(), room);
        auto* list = p.findChild<QListWidget*>("datasets");
        const QRect item = list->visualItemRect(list->item(0));
        QVERIFY2(item.right() <= list->viewport()->width(), qPrintable(QString("item %1 wide, list %2").arg(item.width()).arg(list->viewport()->width())));
        QCOMPARE(list->item(0)->toolTip(), QDir::toNativeSeparators(deep));
        // Every field is at least as wide as it needs; whatever does not fit scrolls.
        for (const char* name : {"preset", "bits", "groupSize", "iters", "nsamples", "seqlen", "batchSize", "outputDir", "evalText", "ggufType"}) {
            auto* w = p.findChild<QWidget*>(name);
            QVERIFY2(w->width() >= w->minimumSizeHint().width(), name);
        }
        QVERIFY(p.findChild<QScrollArea*>("configureScroll"));
        // The errors and the Start line wrap inside the page.
        QVERIFY(label(p, "outputError")->isVisible());
        QVERIFY(label(p, "outputError")->width() <= room.width());
        QTRY_VERIFY_WITH_TIMEOUT(p.estimateText().contains("peak memory"), 60000);  // a long line beside Start
        QCOMPARE(p.size(), room);
        QVERIFY(startButton(p)->geometry().right() <= room.width());
        QVERIFY(p.findChild<QLabel*>("startShortcut")->text().contains("R"));
        if (qEnvironmentVariableIsSet("SRS_CONFIGURE_SHOT")) p.grab().save(qEnvironmentVariable("SRS_CONFIGURE_SHOT"));
    }
};

QTEST_MAIN(TestConfigurePreflight)
#include "test_configure_preflight.moc"
