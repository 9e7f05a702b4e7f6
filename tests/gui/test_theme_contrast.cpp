// Contrast in the Light and Dark themes, measured as WCAG 2 defines it (relative luminance of
// linearised sRGB, (L1 + 0.05) / (L2 + 0.05)): every text colour the theme's palette defines
// against the background it is drawn on, the error and warning status colours and the Settings
// hint reach 4.5:1; a status text shown before a theme switch is recoloured by it; the focus ring
// (accent, 2 px) reaches 3:1 against the window and is drawn over a focused input and, after
// keyboard navigation, a focused button (checked in the rendered pixels; screenshots are written
// to $SRS_BINARY_DIR/screenshots/focus-*.png).
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QtTest>

#include <cmath>

#include "core/job/quant_job.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/settings_dialog.h"
#include "ui/theme.h"

namespace {

double channel(double c8) {
    const double c = c8 / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}
double luminance(const QColor& c) { return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue()); }

// A half-transparent colour (Qt's default placeholder) as it shows over its background.
QColor over(const QColor& fg, const QColor& bg) {
    const double a = fg.alphaF();
    return QColor::fromRgbF(fg.redF() * a + bg.redF() * (1 - a), fg.greenF() * a + bg.greenF() * (1 - a), fg.blueF() * a + bg.blueF() * (1 - a));
}

double contrast(const QColor& fg, const QColor& bg) {
    const double a = luminance(over(fg, bg)), b = luminance(bg);
    return (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
}

QColor styleColour(const QString& sheet) {
    auto m = QRegularExpression("color:\\s*(#[0-9a-fA-F]{6})").match(sheet);
    return m.hasMatch() ? QColor(m.captured(1)) : QColor();
}

QString describe(const char* what, const QColor& fg, const QColor& bg, double ratio) {
    return QStringLiteral("%1: %2 on %3 is %4:1").arg(what, fg.name(), bg.name()).arg(ratio, 0, 'f', 2);
}

// The share of pixels of the 2 px band along the inside of rect that are near colour.
double ringShare(const QImage& image, const QRect& rect, const QColor& colour) {
    int near = 0, total = 0;
    auto close = [&](QPoint p) {
        const QColor c = image.pixelColor(p);
        return std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) + std::abs(c.blue() - colour.blue()) < 60;
    };
    // The straight middle parts of the four sides (the corners are rounded).
    for (int x = rect.left() + 6; x < rect.right() - 6; ++x)
        for (int y : {rect.top() + 1, rect.bottom() - 1}) {
            ++total;
            near += close({x, y});
        }
    for (int y = rect.top() + 6; y < rect.bottom() - 6; ++y)
        for (int x : {rect.left() + 1, rect.right() - 1}) {
            ++total;
            near += close({x, y});
        }
    return total ? double(near) / total : 0;
}

}  // namespace

class TestThemeContrast : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }
    void cleanupTestCase() { srs::ui::applyTheme(srs::ui::Theme::System); }

    void formulaMatchesKnownRatios() {
        QCOMPARE(qRound(contrast(Qt::black, Qt::white) * 100), 2100);
        QCOMPARE(qRound(contrast(QColor("#777777"), Qt::white) * 100), 448);
        QCOMPARE(qRound(contrast(Qt::white, Qt::white) * 100), 100);
    }

    void textColoursReachFourAndAHalf_data() {
        QTest::addColumn<int>("theme");
        QTest::newRow("light") << int(srs::ui::Theme::Light);
        QTest::newRow("dark") << int(srs::ui::Theme::Dark);
    }
    void textColoursReachFourAndAHalf() {
        QFETCH(int, theme);
        srs::ui::applyTheme(srs::ui::Theme(theme));
        const QPalette p = QApplication::palette();
        struct Pair {
            const char* what;
            QPalette::ColorRole fg, bg;
        };
        const Pair pairs[] = {
            {"window text", QPalette::WindowText, QPalette::Window},
            {"text", QPalette::Text, QPalette::Base},
            {"text on alternate rows", QPalette::Text, QPalette::AlternateBase},
            {"button text", QPalette::ButtonText, QPalette::Button},
            {"tooltip", QPalette::ToolTipText, QPalette::ToolTipBase},
            {"selected text", QPalette::HighlightedText, QPalette::Highlight},
            {"placeholder", QPalette::PlaceholderText, QPalette::Base},
            {"hint (placeholder colour on the window)", QPalette::PlaceholderText, QPalette::Window},
            {"link", QPalette::Link, QPalette::Base},
            {"link on the window", QPalette::Link, QPalette::Window},
            {"visited link", QPalette::LinkVisited, QPalette::Base},
        };
        for (auto group : {QPalette::Active, QPalette::Inactive})
            for (const Pair& pair : pairs) {
                const QColor fg = p.color(group, pair.fg), bg = p.color(group, pair.bg);
                const double r = contrast(fg, bg);
                QVERIFY2(r >= 4.5, qPrintable(describe(pair.what, fg, bg, r)));
            }
        // The status colours, on the window and in a form or table.
        for (const auto& [what, sheet] : {std::pair{"error text", srs::ui::errorTextStyle()}, std::pair{"warning text", srs::ui::warningTextStyle()}}) {
            const QColor fg = styleColour(sheet);
            QVERIFY2(fg.isValid(), qPrintable(sheet));
            for (auto bg_role : {QPalette::Window, QPalette::Base}) {
                const double r = contrast(fg, p.color(bg_role));
                QVERIFY2(r >= 4.5, qPrintable(describe(what, fg, p.color(bg_role), r)));
            }
        }
        // The focus ring is no text, but must stand out: 3:1 (WCAG's non-text contrast).
        for (auto bg_role : {QPalette::Window, QPalette::Base}) {
            const double r = contrast(srs::ui::focusRingColor(), p.color(bg_role));
            QVERIFY2(r >= 3.0, qPrintable(describe("focus ring", srs::ui::focusRingColor(), p.color(bg_role), r)));
        }
    }

    // The Settings dialog's note is readable (it used to be a disabled label at 1.5:1).
    void settingsHintIsReadable() {
        for (auto theme : {srs::ui::Theme::Light, srs::ui::Theme::Dark}) {
            srs::ui::applyTheme(theme);
            srs::ui::AppSettings start = srs::ui::AppSettings::load();
            start.theme = theme == srs::ui::Theme::Dark ? "dark" : "light";
            srs::ui::SettingsDialog d(start, {"cpu"});
            d.show();
            QVERIFY(QTest::qWaitForWindowExposed(&d));
            auto* note = d.findChild<QLabel*>("settingsLanguageNote");
            QVERIFY(note && note->isEnabled());
            const QColor fg = note->palette().color(note->foregroundRole());
            const QColor bg = d.palette().color(QPalette::Window);
            const double r = contrast(fg, bg);
            QVERIFY2(r >= 4.5, qPrintable(describe("settings hint", fg, bg, r)));
            d.reject();
        }
    }

    // An error shown in Light keeps readable after a switch to Dark, and back.
    void statusTextsFollowALiveSwitch() {
        srs::ui::applyTheme(srs::ui::Theme::Light);
        QWidget window;
        auto* error = new QLabel("failed", &window);
        error->setStyleSheet(srs::ui::errorTextStyle());
        auto* warning = new QLabel("careful", &window);
        warning->setStyleSheet(srs::ui::warningTextStyle() + QStringLiteral(" border: 1px solid;"));
        window.show();
        for (auto theme : {srs::ui::Theme::Dark, srs::ui::Theme::Light, srs::ui::Theme::Dark}) {
            srs::ui::applyTheme(theme);
            const QColor bg = QApplication::palette().color(QPalette::Window);
            for (QLabel* l : {error, warning}) {
                const QColor fg = styleColour(l->styleSheet());
                const double r = contrast(fg, bg);
                QVERIFY2(r >= 4.5, qPrintable(describe(qPrintable(l->text()), fg, bg, r)));
            }
            QCOMPARE(styleColour(error->styleSheet()), styleColour(srs::ui::errorTextStyle()));
            QVERIFY(warning->styleSheet().contains("border: 1px solid;"));
        }
    }

    void focusRingIsDrawn_data() {
        QTest::addColumn<int>("theme");
        QTest::newRow("light") << int(srs::ui::Theme::Light);
        QTest::newRow("dark") << int(srs::ui::Theme::Dark);
    }
    void focusRingIsDrawn() {
        QFETCH(int, theme);
        srs::ui::applyTheme(srs::ui::Theme(theme));
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob);
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(w.showPageNamed("hub"));
        auto* token = w.findChild<QLineEdit*>("hubToken");
        auto* login = w.findChild<QPushButton*>("hubLogin");
        QVERIFY(token && login);
        const QColor accent = srs::ui::focusRingColor();
        const QString shots = srs::test::binaryDir() + "/screenshots";
        QDir().mkpath(shots);
        const QString name = theme == int(srs::ui::Theme::Dark) ? "dark" : "light";

        // An input: the ring as soon as it has the focus.
        token->setFocus(Qt::MouseFocusReason);
        QTRY_VERIFY(token->hasFocus());
        QCoreApplication::processEvents();
        QImage image = w.grab().toImage();
        image.save(shots + "/focus-input-" + name + ".png");
        QRect r(token->mapTo(&w, QPoint(0, 0)), token->size());
        const qreal dpr = image.devicePixelRatio();
        r = QRect((r.topLeft() * dpr), r.size() * dpr);
        QVERIFY2(ringShare(image, r, accent) > 0.9, qPrintable(QString::number(ringShare(image, r, accent))));

        // A button: the ring after keyboard navigation (the Tab key), none before.
        QRect b(login->mapTo(&w, QPoint(0, 0)), login->size());
        b = QRect(b.topLeft() * dpr, b.size() * dpr);
        QVERIFY(ringShare(image, b, accent) < 0.5);
        auto* remember = w.findChild<QWidget*>("hubRemember");
        remember->setFocus(Qt::MouseFocusReason);
        QTRY_VERIFY(remember->hasFocus());
        QTest::keyClick(remember, Qt::Key_Tab);
        QTRY_VERIFY(login->hasFocus());
        QCoreApplication::processEvents();
        image = w.grab().toImage();
        image.save(shots + "/focus-button-" + name + ".png");
        QVERIFY2(ringShare(image, b, accent) > 0.9, qPrintable(QString::number(ringShare(image, b, accent))));
        QVERIFY(ringShare(image, r, accent) < 0.5);  // the input's ring moved with the focus
    }
};

QTEST_MAIN(TestThemeContrast)
#include "test_theme_contrast.moc"
