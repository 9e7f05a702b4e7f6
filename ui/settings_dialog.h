// Application settings kept in QSettings: the default output folder for new runs and the device
// to quantize on. The dialog edits them; the Configure page starts from them.
#pragma once

#include <QDialog>
#include <QString>
#include <QStringList>

class QComboBox;
class QLineEdit;

namespace srs::ui {

struct AppSettings {
    QString output_dir;  // default output folder of a new run
    QString device;      // "cpu", "cuda:0", ...

    static AppSettings load();
    void save() const;
    static QString defaultOutputDir();  // <Documents>/SignRound Studio/exports
};

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    // devices: what hardware detection found ("cpu" first).
    SettingsDialog(const AppSettings& current, const QStringList& devices, QWidget* parent = nullptr);
    AppSettings values() const;

private:
    QLineEdit* output_ = nullptr;
    QComboBox* device_ = nullptr;
};

}  // namespace srs::ui
