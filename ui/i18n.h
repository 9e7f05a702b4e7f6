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
// Loads and installs the translation for code on the application ("en": removes ours), and
// Qt's own for its standard buttons and dialogs (qtbase_<code>.qm from Qt's translations folder;
// a warning in the log when the system lacks it). False with a warning in the log when our
// translation is not compiled in. Messages from core (most of the log, errors' messages and
// hints) are core's and stay in English; the texts the GUI itself writes are translated.
bool installTranslation(const QString& code);
// Qt's translation file for code (qtbase_<code>.qm, else qt_<code>.qm) in Qt's translations
// folder; empty when the system has none.
QString qtTranslationFile(const QString& code);

}  // namespace srs::ui
