// Application settings kept in QSettings: the default output folder for new runs, the device to
// quantize on, the theme (System / Light / Dark, applied live) and the interface language
// (applied at the next start). The dialog edits them; the Configure page starts from them.
#pragma once

#include <QDialog>
#include <QString>
#include <QStringList>

class QComboBox;
class QLineEdit;

namespace srs::ui {

struct AppSettings {
    QString output_dir;  // default output folder of a new run
    QString device;      // "auto" (the default), "cpu", "cuda:0", ...
    QString theme = "system";  // themeKey(): "system", "light", "dark"
    QString language = "en";   // "en", "zh_CN"

    static AppSettings load();
    void save() const;
    static QString defaultOutputDir();  // <Documents>/SignRound Studio/exports
};

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    // devices: the device names the Configure page offers ("auto", "cpu", then the usable GPUs).
    SettingsDialog(const AppSettings& current, const QStringList& devices, QWidget* parent = nullptr);
    AppSettings values() const;

    // Cancel puts back the theme the dialog started with (it is previewed live).
    void reject() override;

private:
    QLineEdit* output_ = nullptr;
    QComboBox* device_ = nullptr;
    QComboBox* theme_ = nullptr;
    QComboBox* language_ = nullptr;
    QString initial_theme_;
};

}  // namespace srs::ui
