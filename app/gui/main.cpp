// signround-studio: the GUI. Usage: signround-studio [MODEL_FOLDER] [--screenshot FILE.png]
// With --screenshot the window is rendered once the model is open (or failed), saved, and the
// app exits: the README's screenshot and the xvfb smoke test use it. With --autostart and
// --screenshot_dir DIR, every page is saved as DIR/<page>-page.png once the run has finished.
#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QLineEdit>
#include <QPixmap>
#include <QSpinBox>
#include <QTimer>

#include "core/common/log.h"
#include "core/device/estimator.h"
#include "core/job/quant_job.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "kernels/compute_runtime.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/model_page.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("SignRound Studio");
    QApplication::setOrganizationName("SignRound Studio");
    QApplication::setApplicationVersion(SRS_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("SignRound Studio: quantize language models with SignRound");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("model", "Model folder to open at start");
    QCommandLineOption screenshot("screenshot", "Save a PNG of the window, then exit.", "file");
    QCommandLineOption page("page", "Page to show first: model, configure or run.", "name");
    QCommandLineOption dataset("dataset", "Calibration text file(s) to preset on the Configure page.", "file");
    parser.addOption(dataset);
    QCommandLineOption autostart("autostart", "Start quantizing the given model with the Configure page's settings once it is open.");
    QCommandLineOption output("output_dir", "Output folder to preset on the Configure page.", "dir");
    QCommandLineOption iters("iters", "Iterations to preset on the Configure page.", "n");
    parser.addOption(autostart);
    parser.addOption(output);
    parser.addOption(iters);
    QCommandLineOption eval_text("eval_text", "Evaluation text to preset on the Configure page.", "file");
    QCommandLineOption shot_dir("screenshot_dir", "With --autostart: save every page as DIR/<page>-page.png after the run, then exit.", "dir");
    parser.addOption(eval_text);
    QCommandLineOption nsamples("nsamples", "Calibration samples to preset on the Configure page.", "n");
    QCommandLineOption group("group_size", "Group size to preset on the Configure page (32, 64, 128 or -1).", "n");
    QCommandLineOption bits("bits", "Weight bits to preset on the Configure page.", "n");
    parser.addOption(nsamples);
    parser.addOption(group);
    parser.addOption(bits);
    QCommandLineOption seqlen("seqlen", "Sequence length to preset on the Configure page.", "n");
    parser.addOption(seqlen);
    QCommandLineOption autoscheme("autoscheme", "Score the layers on the Configure page's AutoScheme tab for this average bits per weight "
                                                "once the model is open, and use the mix.", "bits");
    parser.addOption(autoscheme);
    parser.addOption(shot_dir);
    parser.addOption(screenshot);
    parser.addOption(page);
    parser.process(app);

    auto compute = srs::kernels::configureComputeRuntime();
    srs::ui::MainWindow window(QString::fromStdString(srs::kernels::describe(compute)), &srs::job::runQuantJob, &srs::job::reexportRun);
    window.setRuntimeVersions({QString::fromStdString(compute.torch_version), QString::fromStdString(compute.onednn_version),
                               QString::fromStdString(compute.blas_name), compute.threads});
    window.show();

    if (auto* c = window.configurePage()) {
        c->setAutoSchemeRunner(&srs::quant::autoscheme::runAutoScheme);
        c->setTuningRateProvider(&srs::device::measureTuningGflops);
    }

    const QStringList positional = parser.positionalArguments();
    const QString first_page = parser.value(page).toLower();
    if (window.configurePage() && parser.isSet(dataset)) window.configurePage()->setCalibrationFiles(parser.values(dataset));
    if (window.configurePage() && parser.isSet(output)) window.configurePage()->setOutputDir(parser.value(output));
    if (window.configurePage() && parser.isSet(iters))
        if (auto* spin = window.configurePage()->findChild<QSpinBox*>("iters")) spin->setValue(parser.value(iters).toInt());
    if (window.configurePage()) {
        auto* c = window.configurePage();
        if (parser.isSet(nsamples))
            if (auto* spin = c->findChild<QSpinBox*>("nsamples")) spin->setValue(parser.value(nsamples).toInt());
        if (parser.isSet(seqlen))
            if (auto* spin = c->findChild<QSpinBox*>("seqlen")) spin->setValue(parser.value(seqlen).toInt());
        if (parser.isSet(bits))
            if (auto* spin = c->findChild<QSpinBox*>("bits")) spin->setValue(parser.value(bits).toInt());
        if (parser.isSet(group))
            if (auto* combo = c->findChild<QComboBox*>("groupSize")) combo->setCurrentText(parser.value(group));
    }
    if (window.configurePage() && parser.isSet(eval_text))
        if (auto* edit = window.configurePage()->findChild<QLineEdit*>("evalText")) edit->setText(parser.value(eval_text));
    const QStringList pages = {"model", "configure", "run", "results", "export"};
    if (pages.indexOf(first_page) > 0 && window.configurePage()) window.showPage(pages.indexOf(first_page));
    QString shot = parser.value(screenshot);
    auto take_shot = [&window, shot] {
        QTimer::singleShot(300, &window, [&window, shot] {
            bool ok = window.grab().save(shot);
            if (!ok) srs::log::error("could not save screenshot to " + shot.toStdString());
            QApplication::exit(ok ? 0 : 1);
        });
    };
    if (!positional.isEmpty()) {
        const bool autorun = parser.isSet(autostart) && window.configurePage();
        if (autorun) {
            QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelOpened, &window,
                             [&window] { window.configurePage()->requestStart(); }, Qt::QueuedConnection);
            if (!shot.isEmpty()) QObject::connect(window.jobController(), &srs::ui::JobController::finished, &window, take_shot);
            const QString dir = parser.value(shot_dir);
            if (!dir.isEmpty())
                // After the recorder has filled the Results and Export pages (it is connected first).
                QObject::connect(window.jobController(), &srs::ui::JobController::finished, &window, [&window, dir, pages] {
                    QTimer::singleShot(300, &window, [&window, dir, pages] {
                        bool ok = true;
                        for (int i = 0; i < pages.size(); ++i) {
                            window.showPage(i);
                            QApplication::processEvents();
                            const QString file = dir + "/" + pages[i] + "-page.png";
                            if (!window.grab().save(file)) ok = false, srs::log::error("could not save screenshot to " + file.toStdString());
                        }
                        QApplication::exit(ok ? 0 : 1);
                    });
                });
        } else if (parser.isSet(autoscheme) && window.configurePage()) {
            auto* c = window.configurePage();
            const double target = parser.value(autoscheme).toDouble();
            QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelOpened, &window, [&window, c, target] {
                window.showPage(1);
                c->showTab(2);
                c->autoSchemePanel()->setTargetBits(target);
                c->autoSchemePanel()->startScoring();
            }, Qt::QueuedConnection);
            QObject::connect(c->autoSchemePanel(), &srs::ui::AutoSchemePanel::scoringFinished, &window, [c, take_shot, shot](bool ok) {
                if (ok) c->autoSchemePanel()->useMix();
                else srs::log::error("AutoScheme did not finish: see the AutoScheme tab");
                if (!shot.isEmpty()) take_shot();
            });
        } else if (!shot.isEmpty()) {
            QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelOpened, &window, take_shot);
        }
        if (!shot.isEmpty()) QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelFailed, &window, take_shot);
        window.modelPage()->openModel(positional.first());
    } else if (!shot.isEmpty()) {
        take_shot();
    }
    return app.exec();
}
