// signround-studio: the GUI. Usage: signround-studio [MODEL] [--screenshot FILE.png]
// MODEL: a Hugging Face model folder, a .gguf file or a folder holding one. Without a model it
// starts on the welcome (Open model folder / Search the Hub / Try the sample model, recent
// models); --page hub starts on the Hub page, --hub_search QUERY also searches.
// [--language en|zh_CN] [--theme system|light|dark]
// With --screenshot the window is rendered once the model is open (or failed), saved, and the
// app exits: the README's screenshot and the xvfb smoke test use it. With --autostart and
// --screenshot_dir DIR, every page is saved as DIR/<page>-page.png once the run has finished.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QPixmap>
#include <QTimer>

#include <cstdio>
#include <mutex>
#include <string>

#include "core/common/log.h"
#include "core/device/device_choice_torch.h"
#include "core/device/estimator.h"
#include "core/job/quant_job.h"
#include "core/quant/autoscheme/autoscheme.h"
#include "kernels/compute_runtime.h"
#include "ui/i18n.h"
#include "ui/main_window.h"
#include "ui/pages/compare_page.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/hub_page.h"
#include "ui/pages/model_page.h"
#include "ui/settings_dialog.h"
#include "ui/theme.h"
#include "ui/text_model_core.h"

namespace {

// The first error the app reported (an Error-level log line: a model that would not open, a run
// that failed, a screenshot not saved). With --screenshot / --screenshot_dir the exit status is
// then 2, so the xvfb smoke test fails when the app could not do what it was asked.
std::mutex g_error_mutex;
std::string g_first_error;

void recordError(const std::string& message) {
    std::lock_guard<std::mutex> lock(g_error_mutex);
    if (g_first_error.empty()) g_first_error = message;
}

// 0 when the screenshots were saved and nothing went wrong; 1 when saving failed; 2 when the app
// reported an error (said on stderr).
int screenshotExitCode(bool saved) {
    std::lock_guard<std::mutex> lock(g_error_mutex);
    if (!saved) return 1;
    if (g_first_error.empty()) return 0;
    std::fprintf(stderr, "signround-studio: the app reported an error: %s\n", g_first_error.c_str());
    return 2;
}

using srs::ui::MainWindow;

// The command line's options (made after the translation is installed, so --help is translated).
struct Options {
    QCommandLineOption screenshot{"screenshot", QCoreApplication::translate("main", "Save a PNG of the window, then exit."), "file"};
    QCommandLineOption page{"page", QCoreApplication::translate("main", "Page to show first: model, configure, run, results, export, compare or hub."), "name"};
    QCommandLineOption dataset{"dataset", QCoreApplication::translate("main", "Calibration text file(s) to preset on the Configure page."), "file"};
    QCommandLineOption hub_search{"hub_search", QCoreApplication::translate("main", "Open the Hub page and search for QUERY (with --screenshot: once the results are shown)."), "query"};
    QCommandLineOption autostart{"autostart", QCoreApplication::translate("main", "Start quantizing the given model with the Configure page's settings once it is open.")};
    QCommandLineOption output{"output_dir", QCoreApplication::translate("main", "Output folder to preset on the Configure page."), "dir"};
    QCommandLineOption iters{"iters", QCoreApplication::translate("main", "Iterations to preset on the Configure page."), "n"};
    QCommandLineOption eval_text{"eval_text", QCoreApplication::translate("main", "Evaluation text to preset on the Configure page."), "file"};
    QCommandLineOption shot_dir{"screenshot_dir", QCoreApplication::translate("main", "With --autostart: save every page as DIR/<page>-page.png after the run, then exit."), "dir"};
    QCommandLineOption nsamples{"nsamples", QCoreApplication::translate("main", "Calibration samples to preset on the Configure page."), "n"};
    QCommandLineOption group{"group_size", QCoreApplication::translate("main", "Group size to preset on the Configure page (32, 64, 128 or -1)."), "n"};
    QCommandLineOption bits{"bits", QCoreApplication::translate("main", "Weight bits to preset on the Configure page."), "n"};
    QCommandLineOption seqlen{"seqlen", QCoreApplication::translate("main", "Sequence length to preset on the Configure page."), "n"};
    QCommandLineOption autoscheme{"autoscheme", "Score the layers on the Configure page's AutoScheme tab for this average bits per weight "
                                                "once the model is open, and use the mix.", "bits"};
    QCommandLineOption language{"language", QCoreApplication::translate("main", "Interface language for this start: en or zh_CN (default: Settings)."), "code"};
    QCommandLineOption compare{"compare", QCoreApplication::translate("main", "With --autostart: once the run has ended, generate from PROMPT on the Compare page with the original and the run's exports (with --screenshot_dir: before the screenshots)."), "prompt"};
    QCommandLineOption theme{"theme", QCoreApplication::translate("main", "Theme for this start: system, light or dark (default: Settings)."), "name"};

    // In the order --help lists them.
    void addTo(QCommandLineParser& parser) const {
        parser.setApplicationDescription(QCoreApplication::translate("main", "SignRound Studio: quantize language models with SignRound"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument("model", QCoreApplication::translate("main", "Model folder or .gguf file to open at start"));
        for (const auto* o : {&hub_search, &dataset, &autostart, &output, &iters, &eval_text, &nsamples, &group, &bits, &seqlen,
                              &autoscheme, &compare, &shot_dir, &screenshot, &page, &language, &theme})
            parser.addOption(*o);
    }
};

// The language for this start: Settings, or --language. Read before the parser exists, because
// the parser's texts (the help included) are translated.
QString startupLanguage(int argc, char** argv) {
    QString language = srs::ui::savedLanguage();
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        if (a == "--language" && i + 1 < argc) language = QString::fromLocal8Bit(argv[i + 1]);
        if (a.startsWith("--language=")) language = a.mid(11);
    }
    return language;
}

srs::ui::RuntimeVersions runtimeVersions(const srs::kernels::ComputeRuntimeInfo& compute) {
    return {QString::fromStdString(compute.torch_version), QString::fromStdString(compute.onednn_version),
            QString::fromStdString(compute.blas_name), compute.threads, QString::fromStdString(srs::kernels::describeTorchCuda(compute))};
}

// Gives the Configure page core's AutoScheme and tuning-rate functions, and the settings the
// command line presets.
void presetConfigurePage(srs::ui::ConfigurePage* c, const QCommandLineParser& parser, const Options& o) {
    c->setAutoSchemeRunner(&srs::quant::autoscheme::runAutoScheme);
    c->setTuningRateProvider(&srs::device::measureTuningGflops);
    c->setDeviceChoices(srs::device::usableDevices(srs::device::currentDeviceAvailability()));
    if (parser.isSet(o.dataset)) c->setCalibrationFiles(parser.values(o.dataset));
    if (parser.isSet(o.output)) c->setOutputDir(parser.value(o.output));
    if (parser.isSet(o.iters)) c->setIters(parser.value(o.iters).toInt());
    if (parser.isSet(o.nsamples)) c->setNsamples(parser.value(o.nsamples).toInt());
    if (parser.isSet(o.seqlen)) c->setSeqlen(parser.value(o.seqlen).toInt());
    if (parser.isSet(o.bits)) c->setBits(parser.value(o.bits).toInt());
    if (parser.isSet(o.group)) c->setGroupSize(parser.value(o.group).toInt());
    if (parser.isSet(o.eval_text)) c->setEvalText(parser.value(o.eval_text));
}

// --page; else with --hub_search the Hub page; else the Model page with a model to open, the
// welcome without one.
void showFirstPage(MainWindow& window, const QCommandLineParser& parser, const Options& o) {
    window.showStartPage(parser.value(o.page).toLower(), !parser.positionalArguments().isEmpty(), parser.isSet(o.hub_search));
}

// The welcome's sample: stories260K from the shared data folder; its calibration text is preset
// only when --dataset did not choose one.
void offerSampleModel(MainWindow& window, const QCommandLineParser& parser, const Options& o) {
    srs::ui::SampleModel sample = srs::ui::findSampleModel(srs::ui::sharedDataCandidates(QCoreApplication::applicationDirPath(), QDir::currentPath()));
    if (parser.isSet(o.dataset)) sample.calibration.clear();
    window.setSampleModel(sample);
}

// Saves the window as a PNG once it has had time to paint, then quits (1 when saving failed).
void saveScreenshotSoon(MainWindow& window, const QString& file) {
    QTimer::singleShot(300, &window, [&window, file] {
        bool ok = window.grab().save(file);
        if (!ok) srs::log::error("could not save screenshot to " + file.toStdString());
        QApplication::exit(screenshotExitCode(ok));
    });
}

// Saves every quantization page as DIR/<page>-page.png, then quits (1 when a save failed).
void saveEveryPageSoon(MainWindow& window, const QString& dir) {
    QTimer::singleShot(300, &window, [&window, dir] {
        bool ok = true;
        for (const QString& name : window.workflowPageNames()) {
            window.showPageNamed(name);
            QApplication::processEvents();
            const QString file = dir + "/" + name + "-page.png";
            if (!window.grab().save(file)) ok = false, srs::log::error("could not save screenshot to " + file.toStdString());
        }
        QApplication::exit(screenshotExitCode(ok));
    });
}

// --compare: generates from the prompt with the original and the run's exports (the recorder has
// offered them to the Compare page by now), then calls `then`; at once when nothing can start.
void compareThen(MainWindow& window, const QString& prompt, std::function<void()> then) {
    auto* page = window.comparePage();
    if (prompt.isEmpty() || !page) return then();
    QObject::connect(page, &srs::ui::ComparePage::comparisonFinished, &window, [then] { then(); });
    page->setPrompt(prompt);
    page->setMaxNewTokens(48);
    window.showPageNamed("compare");
    if (!page->start()) {
        recordError("the comparison could not start");
        then();
    }
}

// Opens the model given on the command line; with --autostart quantizes it, with --autoscheme
// scores its layers, and takes the screenshots asked for once that is done (or the model failed).
void openModelAtStart(MainWindow& window, const QCommandLineParser& parser, const Options& o) {
    const QString shot = parser.value(o.screenshot);
    auto take_shot = [&window, shot] { saveScreenshotSoon(window, shot); };
    auto* jobs = window.jobController();
    QObject::connect(jobs, &srs::ui::JobController::finished, &window, [](const srs::ui::RunOutcome& outcome) {
        if (!outcome.succeeded()) recordError("the run did not finish: " + outcome.message.toStdString());
    });
    if (parser.isSet(o.autostart) && window.quantizeWhenModelOpens()) {
        if (!shot.isEmpty()) QObject::connect(jobs, &srs::ui::JobController::finished, &window, take_shot);
        const QString dir = parser.value(o.shot_dir);
        // After the recorder has filled the Results and Export pages (it is connected first).
        const QString prompt = parser.value(o.compare);
        if (!dir.isEmpty())
            QObject::connect(jobs, &srs::ui::JobController::finished, &window, [&window, dir, prompt] {
                compareThen(window, prompt, [&window, dir] { saveEveryPageSoon(window, dir); });
            });
    } else if (parser.isSet(o.autoscheme) && window.scoreAutoSchemeWhenModelOpens(parser.value(o.autoscheme).toDouble())) {
        if (!shot.isEmpty())
            QObject::connect(window.configurePage()->autoSchemePanel(), &srs::ui::AutoSchemePanel::scoringFinished, &window, take_shot);
    } else if (!shot.isEmpty()) {
        QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelOpened, &window, take_shot);
    }
    if (!shot.isEmpty()) QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelFailed, &window, take_shot);
    window.openModel(parser.positionalArguments().first());
}

// What the window does once it is up: open a model, search the Hub, or only the screenshot.
void startUp(MainWindow& window, const QCommandLineParser& parser, const Options& o) {
    const QString shot = parser.value(o.screenshot);
    if (!parser.positionalArguments().isEmpty()) {
        openModelAtStart(window, parser, o);
    } else if (parser.isSet(o.hub_search)) {
        if (!shot.isEmpty())
            QObject::connect(window.hubPage(), &srs::ui::HubPage::searchShown, &window, [&window, shot] { saveScreenshotSoon(window, shot); });
        window.showHub(parser.value(o.hub_search));
    } else if (!shot.isEmpty()) {
        saveScreenshotSoon(window, shot);
    }
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("SignRound Studio");
    QApplication::setOrganizationName("SignRound Studio");
    QApplication::setApplicationVersion(SRS_VERSION);
    srs::ui::installTranslation(startupLanguage(argc, argv));

    QCommandLineParser parser;
    const Options options;
    options.addTo(parser);
    parser.process(app);
    srs::log::addSink([](srs::log::Level level, const std::string& message) {
        if (level == srs::log::Level::Error) recordError(message);
    });
    srs::ui::applyTheme(srs::ui::themeFromKey(parser.isSet(options.theme) ? parser.value(options.theme) : srs::ui::AppSettings::load().theme));

    auto compute = srs::kernels::configureComputeRuntime();
    MainWindow window(QString::fromStdString(srs::kernels::describe(compute)), &srs::job::runQuantJob, &srs::job::reexportRun,
                      srs::ui::coreTextModelOpener());
    window.setRuntimeVersions(runtimeVersions(compute));
    window.show();
    if (auto* c = window.configurePage()) presetConfigurePage(c, parser, options);
    offerSampleModel(window, parser, options);
    showFirstPage(window, parser, options);
    startUp(window, parser, options);
    return app.exec();
}
