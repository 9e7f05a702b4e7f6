// signround-studio: the GUI. Usage: signround-studio [MODEL_FOLDER] [--screenshot FILE.png]
// Without a model folder it starts on the Hub page (--page hub does so too; --hub_search QUERY
// also searches).
// [--language en|zh_CN] [--theme system|light|dark]
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
#include "ui/i18n.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/hub_page.h"
#include "ui/pages/model_page.h"
#include "ui/settings_dialog.h"
#include "ui/theme.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("SignRound Studio");
    QApplication::setOrganizationName("SignRound Studio");
    QApplication::setApplicationVersion(SRS_VERSION);

    // The language (Settings, or --language for this start) is installed before any text is made,
    // the command-line help included.
    QString language = srs::ui::savedLanguage();
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        if (a == "--language" && i + 1 < argc) language = QString::fromLocal8Bit(argv[i + 1]);
        if (a.startsWith("--language=")) language = a.mid(11);
    }
    srs::ui::installTranslation(language);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("main", "SignRound Studio: quantize language models with SignRound"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("model", QCoreApplication::translate("main", "Model folder to open at start"));
    QCommandLineOption screenshot("screenshot", QCoreApplication::translate("main", "Save a PNG of the window, then exit."), "file");
    QCommandLineOption page("page", QCoreApplication::translate("main", "Page to show first: model, configure, run, results, export or hub."), "name");
    QCommandLineOption dataset("dataset", QCoreApplication::translate("main", "Calibration text file(s) to preset on the Configure page."), "file");
    QCommandLineOption hub_search("hub_search", QCoreApplication::translate("main", "Open the Hub page and search for QUERY (with --screenshot: once the results are shown)."), "query");
    parser.addOption(hub_search);
    parser.addOption(dataset);
    QCommandLineOption autostart("autostart", QCoreApplication::translate("main", "Start quantizing the given model with the Configure page's settings once it is open."));
    QCommandLineOption output("output_dir", QCoreApplication::translate("main", "Output folder to preset on the Configure page."), "dir");
    QCommandLineOption iters("iters", QCoreApplication::translate("main", "Iterations to preset on the Configure page."), "n");
    parser.addOption(autostart);
    parser.addOption(output);
    parser.addOption(iters);
    QCommandLineOption eval_text("eval_text", QCoreApplication::translate("main", "Evaluation text to preset on the Configure page."), "file");
    QCommandLineOption shot_dir("screenshot_dir", QCoreApplication::translate("main", "With --autostart: save every page as DIR/<page>-page.png after the run, then exit."), "dir");
    parser.addOption(eval_text);
    QCommandLineOption nsamples("nsamples", QCoreApplication::translate("main", "Calibration samples to preset on the Configure page."), "n");
    QCommandLineOption group("group_size", QCoreApplication::translate("main", "Group size to preset on the Configure page (32, 64, 128 or -1)."), "n");
    QCommandLineOption bits("bits", QCoreApplication::translate("main", "Weight bits to preset on the Configure page."), "n");
    parser.addOption(nsamples);
    parser.addOption(group);
    parser.addOption(bits);
    QCommandLineOption seqlen("seqlen", QCoreApplication::translate("main", "Sequence length to preset on the Configure page."), "n");
    parser.addOption(seqlen);
    QCommandLineOption autoscheme("autoscheme", "Score the layers on the Configure page's AutoScheme tab for this average bits per weight "
                                                "once the model is open, and use the mix.", "bits");
    parser.addOption(autoscheme);
    parser.addOption(shot_dir);
    parser.addOption(screenshot);
    parser.addOption(page);
    QCommandLineOption language_opt("language", QCoreApplication::translate("main", "Interface language for this start: en or zh_CN (default: Settings)."), "code");
    QCommandLineOption theme_opt("theme", QCoreApplication::translate("main", "Theme for this start: system, light or dark (default: Settings)."), "name");
    parser.addOption(language_opt);
    parser.addOption(theme_opt);
    parser.process(app);
    srs::ui::applyTheme(srs::ui::themeFromKey(parser.isSet(theme_opt) ? parser.value(theme_opt) : srs::ui::AppSettings::load().theme));

    auto compute = srs::kernels::configureComputeRuntime();
    srs::ui::MainWindow window(QString::fromStdString(srs::kernels::describe(compute)), &srs::job::runQuantJob, &srs::job::reexportRun);
    window.setRuntimeVersions({QString::fromStdString(compute.torch_version), QString::fromStdString(compute.onednn_version),
                               QString::fromStdString(compute.blas_name), compute.threads,
                               QString::fromStdString(srs::kernels::describeTorchCuda(compute))});
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
    // No model to open, or asked for: start on the Hub page, to find one.
    const bool hub_first = first_page == "hub" || parser.isSet(hub_search) || (positional.isEmpty() && first_page.isEmpty());
    if (hub_first) window.showPage(window.hubPageIndex());
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
    } else if (parser.isSet(hub_search)) {
        if (!shot.isEmpty()) QObject::connect(window.hubPage(), &srs::ui::HubPage::searchShown, &window, take_shot);
        window.hubPage()->searchFor(parser.value(hub_search));
    } else if (!shot.isEmpty()) {
        take_shot();
    }
    return app.exec();
}
