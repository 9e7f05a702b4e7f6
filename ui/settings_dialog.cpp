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

namespace srs::ui {
namespace {
const char* kOutputKey = "settings/output_dir";
const char* kDeviceKey = "settings/device";
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
    a.device = s.value(kDeviceKey, "cpu").toString();
    return a;
}

void AppSettings::save() const {
    QSettings s;
    s.setValue(kOutputKey, output_dir);
    s.setValue(kDeviceKey, device);
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
    device_->setToolTip(tr("Device new runs tune on; this build of LibTorch runs on the CPU"));
    form->addRow(tr("Device:"), device_);
    layout->addLayout(form);
    auto* note = new QLabel(tr("The theme follows the system."), this);
    note->setStyleSheet("color: #616161;");
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
    return a;
}

}  // namespace srs::ui
