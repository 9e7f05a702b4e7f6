#include "ui/i18n.h"

#include <QCoreApplication>
#include <QFile>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

#include <cstring>

#include "core/common/log.h"

namespace srs::ui {
namespace {
const char* kLanguageKey = "settings/language";

QString qmPath(const QString& code) { return QStringLiteral(":/i18n/signround_%1.qm").arg(code); }

// lupdate (6.4) does not read C++17 nested namespaces (`namespace srs::ui {`), so the .ts files
// name our classes' contexts without "srs::ui::" while tr() asks with it: look up both.
class UiTranslator : public QTranslator {
public:
    using QTranslator::QTranslator;
    QString translate(const char* context, const char* source, const char* disambiguation, int n) const override {
        static const char kPrefix[] = "srs::ui::";
        if (context && std::strncmp(context, kPrefix, sizeof kPrefix - 1) == 0) {
            QString t = QTranslator::translate(context + sizeof kPrefix - 1, source, disambiguation, n);
            if (!t.isNull()) return t;
        }
        return QTranslator::translate(context, source, disambiguation, n);
    }
};

QTranslator*& ours() {
    static QTranslator* t = nullptr;
    return t;
}
QTranslator*& qtBase() {
    static QTranslator* t = nullptr;
    return t;
}
// Qt's own strings (the OK / Cancel / Yes / No of message boxes and button boxes, file dialogs)
// come from Qt's translations, which Debian ships in qt6-translations-l10n.
void installQtTranslation(const QString& code) {
    const QString file = qtTranslationFile(code);
    auto* base = new QTranslator(qApp);
    if (file.isEmpty() || !base->load(file)) {
        delete base;
        log::warn("Qt's own translation for '" + code.toStdString() + "' is not installed in " +
                  QLibraryInfo::path(QLibraryInfo::TranslationsPath).toStdString() +
                  ": standard buttons (OK, Cancel) and file dialogs stay in English (install qt6-translations-l10n)");
        return;
    }
    QCoreApplication::installTranslator(base);
    qtBase() = base;
}
}  // namespace

QVector<Language> availableLanguages() {
    QVector<Language> langs = {{"en", QStringLiteral("English")}};
    if (QFile::exists(qmPath("zh_CN"))) langs.push_back({"zh_CN", QStringLiteral("简体中文")});
    return langs;
}

QString savedLanguage() { return QSettings().value(kLanguageKey, "en").toString(); }

void saveLanguage(const QString& code) { QSettings().setValue(kLanguageKey, code); }

bool installTranslation(const QString& code) {
    for (QTranslator** t : {&ours(), &qtBase()}) {
        if (*t) {
            QCoreApplication::removeTranslator(*t);
            delete *t;
            *t = nullptr;
        }
    }
    if (code.isEmpty() || code == "en") return true;
    auto* t = new UiTranslator(qApp);
    if (!t->load(qmPath(code))) {
        delete t;
        log::warn("no translation for language '" + code.toStdString() + "' is built in; the interface stays in English");
        return false;
    }
    QCoreApplication::installTranslator(t);
    ours() = t;
    installQtTranslation(code);
    return true;
}

QString qtTranslationFile(const QString& code) {
    const QString dir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    for (const QString& name : {QStringLiteral("qtbase_%1.qm"), QStringLiteral("qt_%1.qm")}) {
        const QString path = dir + "/" + name.arg(code);
        if (QFile::exists(path)) return path;
    }
    return {};
}

}  // namespace srs::ui
