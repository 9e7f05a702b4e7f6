#include "ui/settings_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/i18n.h"
#include "ui/theme.h"

namespace srs::ui {
namespace {
const char* kOutputKey = "settings/output_dir";
const char* kDeviceKey = "settings/device";
const char* kThemeKey = "settings/theme";
}  // namespace

QString AppSettings::defaultOutputDir() {
    QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (docs.isEmpty()) docs = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
    return docs + "/SignRound Studio/exports";
}

AppSettings AppSettings::load() {
    QSettings s;
    AppSettings a;
    a.output_dir = s.value(kOutputKey, defaultOutputDir()).toString();
    a.device = s.value(kDeviceKey, "auto").toString();
    a.theme = themeKey(themeFromKey(s.value(kThemeKey, "system").toString()));
    a.language = savedLanguage();
    return a;
}

void AppSettings::save() const {
    QSettings s;
    s.setValue(kOutputKey, output_dir);
    s.setValue(kDeviceKey, device);
    s.setValue(kThemeKey, theme);
    saveLanguage(language);
}

SettingsDialog::SettingsDialog(const AppSettings& current, const QStringList& devices, QWidget* parent) : QDialog(parent) {
    setObjectName("settingsDialog");
    setWindowTitle(tr("Settings"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout();
    output_ = new QLineEdit(current.output_dir, this);
    output_->setObjectName("settingsOutputDir");
    output_->setToolTip(tr("Where new runs write their exports unless the Configure page says otherwise"));
    output_->setMinimumWidth(360);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        QString d = QFileDialog::getExistingDirectory(this, tr("Default output folder"), output_->text());
        if (!d.isEmpty()) output_->setText(d);
    });
    auto* row = new QHBoxLayout();
    row->addWidget(output_, 1);
    row->addWidget(browse);
    form->addRow(tr("Default output folder:"), row);
    device_ = new QComboBox(this);
    device_->setObjectName("settingsDevice");
    device_->addItems(devices);
    if (device_->findText(current.device) < 0) device_->addItem(current.device);
    device_->setCurrentText(current.device);
    device_->setToolTip(tr("Device new runs tune on: auto takes the first CUDA GPU LibTorch can use, else the CPU"));
    form->addRow(tr("Device:"), device_);
    initial_theme_ = current.theme;
    theme_ = new QComboBox(this);
    theme_->setObjectName("settingsTheme");
    theme_->addItem(tr("System"), "system");
    theme_->addItem(tr("Light"), "light");
    theme_->addItem(tr("Dark"), "dark");
    theme_->setCurrentIndex(std::max(0, theme_->findData(current.theme)));
    theme_->setToolTip(tr("System follows the desktop; Light and Dark use the same look on every platform"));
    // Previewed at once; Cancel puts the old one back.
    connect(theme_, &QComboBox::currentIndexChanged, this, [this] { applyTheme(themeFromKey(theme_->currentData().toString())); });
    form->addRow(tr("Theme:"), theme_);
    language_ = new QComboBox(this);
    language_->setObjectName("settingsLanguage");
    for (const Language& l : availableLanguages()) language_->addItem(l.name, l.code);
    if (language_->findData(current.language) < 0) language_->addItem(current.language, current.language);
    language_->setCurrentIndex(std::max(0, language_->findData(current.language)));
    language_->setToolTip(tr("Language of the interface"));
    form->addRow(tr("Language:"), language_);
    layout->addLayout(form);
    auto* note = new QLabel(tr("A new language applies when SignRound Studio starts again."), this);
    note->setObjectName("settingsLanguageNote");
    // The palette's quiet text colour (readable at 4.5:1 in Light and Dark); a disabled label
    // would read at 1.5:1.
    note->setForegroundRole(QPalette::PlaceholderText);
    note->setWordWrap(true);
    layout->addWidget(note);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

AppSettings SettingsDialog::values() const {
    AppSettings a;
    a.output_dir = output_->text().trimmed();
    a.device = device_->currentText();
    a.theme = theme_->currentData().toString();
    a.language = language_->currentData().toString();
    return a;
}

void SettingsDialog::reject() {
    if (theme_->currentData().toString() != initial_theme_) applyTheme(themeFromKey(initial_theme_));
    QDialog::reject();
}

}  // namespace srs::ui
