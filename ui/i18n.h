// The user interface's language: English (the source strings) or a shipped translation, chosen in
// Settings and applied when the app starts (widgets take their texts when they are built). The
// compiled translations (.qm, from translations/*.ts) are resources under :/i18n/.
#pragma once

#include <QString>
#include <QVector>

namespace srs::ui {

struct Language {
    QString code;  // "en", "zh_CN"
    QString name;  // in the language itself: "English", "简体中文"
};

// English first, then every translation compiled in.
QVector<Language> availableLanguages();
// The language saved in Settings ("en" when none was chosen).
QString savedLanguage();
void saveLanguage(const QString& code);
// Loads and installs the translation for code on the application ("en": removes ours). False
// with a warning in the log when the translation is not compiled in.
bool installTranslation(const QString& code);

}  // namespace srs::ui
