#include "ui/welcome_page.h"

#include <QCommandLinkButton>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QVBoxLayout>

#include "ui/model_name.h"

namespace srs::ui {

namespace {

// The Model page keeps the models opened before under this settings key (ui/pages/model_page.cpp).
const char* kRecentKey = "models/recent";
const int kRecentShown = 6;
// Recent entries are cut to this width, so a long path never widens the window.
const int kRecentTextWidth = 560;

}  // namespace

QStringList sharedDataCandidates(const QString& app_dir, const QString& working_dir) {
    QStringList out;
    const QString env = qEnvironmentVariable("SRS_SHARED_DATA");
    if (!env.isEmpty()) out << QDir::cleanPath(env);
    if (!app_dir.isEmpty()) {
        QDir dir(app_dir);
        // The app in build/app of a source tree: ../shared/data from that tree is three levels up.
        for (int level = 0; level < 6; ++level) {
            out << QDir::cleanPath(dir.absoluteFilePath("shared/data"));
            if (!dir.cdUp()) break;
        }
    }
    if (!working_dir.isEmpty()) out << QDir::cleanPath(working_dir + "/../shared/data");
    out.removeDuplicates();
    return out;
}

SampleModel findSampleModel(const QStringList& shared_data_candidates) {
    SampleModel sample;
    for (const QString& root : shared_data_candidates) {
        const QString model = root + "/models/stories260K-hf";
        if (!QFileInfo::exists(model + "/config.json")) continue;
        sample.model = QFileInfo(model).absoluteFilePath();
        const QString text = root + "/text/tinystories/TinyStories-train.first2MiB.txt";
        if (QFileInfo(text).isFile()) sample.calibration = QFileInfo(text).absoluteFilePath();
        break;
    }
    return sample;
}

QStringList recentModelPaths() { return QSettings().value(kRecentKey).toStringList(); }

WelcomePage::WelcomePage(QWidget* parent) : QWidget(parent) {
    setObjectName("welcomePage");
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll);
    auto* body = new QWidget(scroll);
    scroll->setWidget(body);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(48, 32, 48, 24);
    layout->setSpacing(8);

    auto* title = new QLabel(tr("Welcome to SignRound Studio"), body);
    title->setObjectName("welcomeTitle");
    QFont title_font = title->font();
    title_font.setPointSizeF(title_font.pointSizeF() * 1.7);
    title_font.setBold(true);
    title->setFont(title_font);
    layout->addWidget(title);
    auto* intro = new QLabel(tr("Quantize a language model to 2–8 bits with SignRound. Start with a model:"), body);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addSpacing(12);

    auto* open = bigButton("welcomeOpenFolder", ":/icons/welcome-folder.svg", tr("Open model folder…"),
                           tr("A Hugging Face model folder (config.json and safetensors) or a .gguf file on this computer"));
    connect(open, &QPushButton::clicked, this, &WelcomePage::openFolderRequested);
    auto* hub = bigButton("welcomeSearchHub", ":/icons/page-hub.svg", tr("Search the Hugging Face Hub"),
                          tr("Find a model, download it into the shared Hugging Face cache, then open it"));
    connect(hub, &QPushButton::clicked, this, &WelcomePage::searchHubRequested);
    sample_button_ = bigButton("welcomeTrySample", ":/icons/welcome-sample.svg", tr("Try the sample model"),
                               tr("stories260K, a tiny TinyStories model that quantizes in seconds"));
    connect(sample_button_, &QPushButton::clicked, this, &WelcomePage::sampleRequested);
    for (QPushButton* b : {open, hub, sample_button_}) layout->addWidget(b);
    setSample({});

    layout->addSpacing(16);
    auto* recent_title = new QLabel(tr("Recent models"), body);
    QFont bold = recent_title->font();
    bold.setBold(true);
    recent_title->setFont(bold);
    layout->addWidget(recent_title);
    recent_empty_ = new QLabel(tr("None yet: the models you open appear here."), body);
    recent_empty_->setObjectName("welcomeRecentEmpty");
    layout->addWidget(recent_empty_);
    auto* recent_box = new QWidget(body);
    recent_box->setObjectName("welcomeRecent");
    auto* recent_layout = new QVBoxLayout(recent_box);
    recent_layout->setContentsMargins(0, 0, 0, 0);
    recent_layout->setSpacing(2);
    layout->addWidget(recent_box);
    layout->addStretch(1);
    refreshRecent();
}

QPushButton* WelcomePage::bigButton(const QString& object_name, const QString& icon, const QString& title, const QString& detail) {
    auto* button = new QCommandLinkButton(title, detail, this);
    button->setObjectName(object_name);
    button->setIcon(QIcon(icon));
    button->setIconSize(QSize(32, 32));
    button->setAccessibleName(title);
    button->setAccessibleDescription(detail);
    button->setMaximumWidth(640);
    return button;
}

void WelcomePage::setSample(const SampleModel& sample) {
    sample_ = sample;
    sample_button_->setEnabled(sample.found());
    sample_button_->setToolTip(sample.found() ? QDir::toNativeSeparators(sample.model)
                                              : tr("Not found: the sample is models/stories260K-hf in ../shared/data beside the "
                                                   "source folder (or in $SRS_SHARED_DATA)."));
}

void WelcomePage::refreshRecent() {
    auto* box = findChild<QWidget*>("welcomeRecent");
    auto* layout = static_cast<QVBoxLayout*>(box->layout());
    while (QLayoutItem* item = layout->takeAt(0)) {
        // Later, not now: refreshRecent may run inside one of these buttons' clicks.
        if (QWidget* w = item->widget()) {
            w->setObjectName(QString());
            w->hide();
            w->deleteLater();
        }
        delete item;
    }
    const QStringList recent = recentModelPaths().mid(0, kRecentShown);
    recent_empty_->setVisible(recent.isEmpty());
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        auto* button = new QPushButton(box);
        button->setObjectName(QStringLiteral("welcomeRecent%1").arg(i));
        button->setFlat(true);
        button->setIcon(QIcon(QStringLiteral(":/icons/page-model.svg")));
        button->setStyleSheet(QStringLiteral("text-align: left; padding: 3px 6px;"));
        const QString text = tr("%1  —  %2").arg(modelDisplayName(path), QDir::toNativeSeparators(path));
        button->setText(button->fontMetrics().elidedText(text, Qt::ElideMiddle, kRecentTextWidth));
        button->setToolTip(QDir::toNativeSeparators(path));
        button->setAccessibleName(tr("Open %1").arg(modelDisplayName(path)));
        button->setMaximumWidth(640);
        connect(button, &QPushButton::clicked, this, [this, path] { emit recentRequested(path); });
        layout->addWidget(button);
    }
}

}  // namespace srs::ui
