// Language and theme: with the Simplified Chinese translation installed the main window's page
// titles, menus and every Configure page label are Chinese (and English again without it); the
// Dark and Light themes change the window's and the plots' palette live, System restores the
// platform's; the Settings dialog previews the theme and puts it back on Cancel.
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QtTest>

#include <qcustomplot.h>

#include "core/job/quant_job.h"
#include "ui/i18n.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/run_page.h"
#include "ui/settings_dialog.h"
#include "ui/theme.h"

namespace {
bool hasChinese(const QString& s) {
    for (QChar c : s)
        if (c.unicode() >= 0x4E00 && c.unicode() <= 0x9FFF) return true;
    return false;
}
QStringList pageTitles(const srs::ui::MainWindow& w) {
    QStringList t;
    auto* nav = w.findChild<QListWidget*>("pageList");
    for (int i = 0; nav && i < nav->count(); ++i) t << nav->item(i)->text();
    return t;
}
// The visible text of every label of the Configure page's forms, and its group titles.
QStringList configureLabels(srs::ui::ConfigurePage* page) {
    QStringList texts;
    for (auto* form : page->findChildren<QFormLayout*>())
        for (int r = 0; r < form->rowCount(); ++r)
            if (auto* item = form->itemAt(r, QFormLayout::LabelRole))
                if (auto* label = qobject_cast<QLabel*>(item->widget()))
                    if (!label->text().trimmed().isEmpty()) texts << label->text();
    for (auto* box : page->findChildren<QGroupBox*>())
        if (!box->title().isEmpty()) texts << box->title();
    return texts;
}
}  // namespace

class TestThemeI18n : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }

    void chineseTranslation() {
        const auto langs = srs::ui::availableLanguages();
        QCOMPARE(langs.size(), 2);
        QCOMPARE(langs[1].code, QString("zh_CN"));
        QCOMPARE(langs[1].name, QString("简体中文"));
        QVERIFY(srs::ui::installTranslation("zh_CN"));
        {
            srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
            const QStringList titles = pageTitles(w);
            QCOMPARE(titles.size(), 6);  // Model, Configure, Run, Results, Export, Hub
            for (const QString& t : titles) QVERIFY2(hasChinese(t), qPrintable(t));
            QCOMPARE(titles[0], QString::fromUtf8("模型"));
            for (QAction* a : w.menuBar()->actions()) QVERIFY2(hasChinese(a->text()), qPrintable(a->text()));
            const QStringList labels = configureLabels(w.configurePage());
            QVERIFY(labels.size() >= 8);
            for (const QString& l : labels) QVERIFY2(hasChinese(l), qPrintable("not translated: " + l));
            auto* start = w.configurePage()->findChild<QPushButton*>("startButton");
            QVERIFY(hasChinese(start->text()));
            QVERIFY(hasChinese(start->toolTip()));
            auto* pause = w.runPage()->findChild<QPushButton*>("pauseButton");
            QVERIFY(hasChinese(pause->text()));
        }
        // Back to English: the source strings.
        QVERIFY(srs::ui::installTranslation("en"));
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        QCOMPARE(pageTitles(w), QStringList({"Model", "Configure", "Run", "Results", "Export", "Hub"}));
        QVERIFY(!srs::ui::installTranslation("xx_YY"));  // not built in: stays English, says so
    }

    void themesChangeThePaletteLive() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.show();
        const QColor system_window = w.palette().color(QPalette::Window);
        auto* plot = w.runPage()->lossPlot();
        srs::ui::applyTheme(srs::ui::Theme::Dark);
        QCoreApplication::processEvents();
        QCOMPARE(srs::ui::currentTheme(), srs::ui::Theme::Dark);
        QVERIFY(w.palette().color(QPalette::Window).lightness() < 80);
        QVERIFY(w.palette().color(QPalette::WindowText).lightness() > 180);
        QCOMPARE(QApplication::style()->name().toLower(), QString("fusion"));
        // The plots follow: dark background, light axis text.
        QVERIFY(plot->axisRect()->backgroundBrush().color().lightness() < 80);
        QVERIFY(plot->xAxis->tickLabelColor().lightness() > 180);
        QVERIFY(plot->xAxis->labelColor().lightness() > 180);
        // A data colour meant for white paper is lifted on the dark one.
        auto* blocks = w.runPage()->blockPlot();
        QVERIFY(blocks->graph(1)->pen().color().lightness() > QColor("#1f4e79").lightness());
        // Its markers keep drawing in the line's colour (no pen of their own is made up).
        QVERIFY(!blocks->graph(1)->scatterStyle().isPenDefined());

        srs::ui::applyTheme(srs::ui::Theme::Light);
        QCoreApplication::processEvents();
        QVERIFY(w.palette().color(QPalette::Window).lightness() > 180);
        QVERIFY(plot->axisRect()->backgroundBrush().color().lightness() > 200);
        QVERIFY(plot->xAxis->tickLabelColor().lightness() < 80);
        QCOMPARE(blocks->graph(1)->pen().color(), QColor("#1f4e79"));

        srs::ui::applyTheme(srs::ui::Theme::System);
        QCoreApplication::processEvents();
        QCOMPARE(w.palette().color(QPalette::Window), system_window);
        QCOMPARE(srs::ui::themeFromKey("dark"), srs::ui::Theme::Dark);
        QCOMPARE(srs::ui::themeFromKey("nonsense"), srs::ui::Theme::System);
    }

    void settingsDialogPreviewsAndSaves() {
        srs::ui::AppSettings start = srs::ui::AppSettings::load();
        start.theme = "system";
        start.language = "en";
        srs::ui::SettingsDialog d(start, {"cpu"});
        auto* theme = d.findChild<QComboBox*>("settingsTheme");
        auto* language = d.findChild<QComboBox*>("settingsLanguage");
        QVERIFY(theme && language);
        QVERIFY(!theme->toolTip().isEmpty() && !language->toolTip().isEmpty());
        QCOMPARE(theme->count(), 3);
        QVERIFY(language->findData("zh_CN") >= 0);
        QVERIFY(d.findChild<QLabel*>("settingsLanguageNote")->text().contains("starts again"));
        theme->setCurrentIndex(theme->findData("dark"));
        QCOMPARE(srs::ui::currentTheme(), srs::ui::Theme::Dark);  // live
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
        d.reject();
        QCOMPARE(srs::ui::currentTheme(), srs::ui::Theme::System);  // Cancel puts it back

        srs::ui::SettingsDialog d2(start, {"cpu"});
        d2.findChild<QComboBox*>("settingsTheme")->setCurrentIndex(2);
        auto* lang2 = d2.findChild<QComboBox*>("settingsLanguage");
        lang2->setCurrentIndex(lang2->findData("zh_CN"));
        const srs::ui::AppSettings chosen = d2.values();
        QCOMPARE(chosen.theme, QString("dark"));
        QCOMPARE(chosen.language, QString("zh_CN"));
        chosen.save();
        const srs::ui::AppSettings loaded = srs::ui::AppSettings::load();
        QCOMPARE(loaded.theme, QString("dark"));
        QCOMPARE(loaded.language, QString("zh_CN"));
        QCOMPARE(srs::ui::savedLanguage(), QString("zh_CN"));
        start.save();  // leave the test settings as they were
        srs::ui::applyTheme(srs::ui::Theme::System);
    }
};

QTEST_MAIN(TestThemeI18n)
#include "test_theme_i18n.moc"
