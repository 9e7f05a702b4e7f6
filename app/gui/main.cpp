// signround-studio: the GUI. Usage: signround-studio [MODEL_FOLDER] [--screenshot FILE.png]
// With --screenshot the window is rendered once the model is open (or failed), saved, and the
// app exits: the README's screenshot and the xvfb smoke test use it.
#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QTimer>

#include "core/common/log.h"
#include "kernels/compute_runtime.h"
#include "ui/main_window.h"
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
    parser.addOption(screenshot);
    parser.process(app);

    auto compute = srs::kernels::configureComputeRuntime();
    srs::ui::MainWindow window(QString::fromStdString(srs::kernels::describe(compute)));
    window.show();

    const QStringList positional = parser.positionalArguments();
    QString shot = parser.value(screenshot);
    auto take_shot = [&window, shot] {
        QTimer::singleShot(300, &window, [&window, shot] {
            bool ok = window.grab().save(shot);
            if (!ok) srs::log::error("could not save screenshot to " + shot.toStdString());
            QApplication::exit(ok ? 0 : 1);
        });
    };
    if (!positional.isEmpty()) {
        if (!shot.isEmpty()) {
            QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelOpened, &window, take_shot);
            QObject::connect(window.modelPage(), &srs::ui::ModelPage::modelFailed, &window, take_shot);
        }
        window.modelPage()->openModel(positional.first());
    } else if (!shot.isEmpty()) {
        take_shot();
    }
    return app.exec();
}
