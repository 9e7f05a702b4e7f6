// Simplified Chinese reaches Qt's own dialogs: with zh_CN installed, the standard buttons of a
// QMessageBox and a QDialogButtonBox (the Settings dialog's OK / Cancel) are Chinese, from Qt's
// translations (qtbase_zh_CN.qm, Debian's qt6-translations-l10n, which installer/install-deps.sh
// installs); back to English they read OK / Cancel again.
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QtTest>

#include "ui/i18n.h"
#include "ui/settings_dialog.h"

namespace {
bool hasChinese(const QString& s) {
    for (QChar c : s)
        if (c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF) return true;
    return false;
}
QString plain(QString s) { return s.remove('&'); }
}  // namespace

class TestQtTranslation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }
    void cleanupTestCase() { srs::ui::installTranslation("en"); }

    void standardButtonsFollowTheLanguage() {
        const QString file = srs::ui::qtTranslationFile("zh_CN");
        QVERIFY2(!file.isEmpty() && QFileInfo(file).isReadable(),
                 "Qt's translations (qtbase_zh_CN.qm) are not installed: run installer/install-deps.sh (qt6-translations-l10n)");
        QVERIFY(srs::ui::installTranslation("zh_CN"));
        {
            QMessageBox box(QMessageBox::Question, "t", "t", QMessageBox::Ok | QMessageBox::Cancel | QMessageBox::Yes | QMessageBox::No);
            for (auto b : {QMessageBox::Ok, QMessageBox::Cancel, QMessageBox::Yes, QMessageBox::No})
                QVERIFY2(hasChinese(box.button(b)->text()), qPrintable(box.button(b)->text()));
            srs::ui::SettingsDialog d(srs::ui::AppSettings::load(), {"cpu"});
            auto* buttons = d.findChild<QDialogButtonBox*>();
            QVERIFY(buttons);
            QVERIFY2(hasChinese(buttons->button(QDialogButtonBox::Ok)->text()), qPrintable(buttons->button(QDialogButtonBox::Ok)->text()));
            QVERIFY(hasChinese(buttons->button(QDialogButtonBox::Cancel)->text()));
            // Our own texts in the same dialog are Chinese too.
            QVERIFY(hasChinese(d.windowTitle()));
        }
        QVERIFY(srs::ui::installTranslation("en"));
        QMessageBox box(QMessageBox::Question, "t", "t", QMessageBox::Ok | QMessageBox::Cancel);
        QCOMPARE(plain(box.button(QMessageBox::Ok)->text()), QString("OK"));
        QCOMPARE(plain(box.button(QMessageBox::Cancel)->text()), QString("Cancel"));
    }
};

QTEST_MAIN(TestQtTranslation)
#include "test_qt_translation.moc"
