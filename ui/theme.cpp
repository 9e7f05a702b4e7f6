#include "ui/theme.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPalette>
#include <QPlainTextEdit>
#include <QPointer>
#include <QRegularExpression>
#include <QStyle>
#include <QStyleFactory>
#include <QTabBar>
#include <QTextEdit>
#include <qcustomplot.h>

#include <algorithm>

namespace srs::ui {
namespace {

// What the platform gave before any theme was applied, to go back to for System.
struct PlatformLook {
    QString style;
    QPalette palette;
};
PlatformLook& platformLook() {
    static PlatformLook look = [] {
        PlatformLook l;
        l.style = QApplication::style() ? QApplication::style()->name() : QString();
        l.palette = QApplication::palette();
        return l;
    }();
    return look;
}

Theme g_theme = Theme::System;

// The accent: selection backgrounds (white text on it reads at 5.8:1) and, on light windows,
// the focus ring.
const QColor kAccent(0x15, 0x65, 0xc0);
// The focus ring on dark windows: the accent lifted to stand out from the dark grey (5:1).
const QColor kAccentOnDark(0x4d, 0xa3, 0xff);

// Status text colours, each readable at 4.5:1 or more on the window and base colours of its
// theme (tests/gui/test_theme_contrast.cpp measures them).
struct TextColours {
    const char* light;
    const char* dark;
};
const TextColours kErrorText{"#b00020", "#ff7a85"};
const TextColours kWarningText{"#8a4f00", "#ffc266"};

QPalette darkPalette() {
    QPalette p;
    const QColor window(45, 45, 48), base(30, 30, 32), text(230, 230, 230), disabled(130, 130, 130), button(55, 55, 60);
    const QColor quiet(150, 150, 150);  // placeholder and hint text: 5.6:1 on base, 4.7:1 on the window
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(52, 56, 66));
    p.setColor(QPalette::ToolTipBase, QColor(60, 60, 64));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, quiet);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 90, 90));
    p.setColor(QPalette::Light, QColor(75, 75, 80));
    p.setColor(QPalette::Midlight, QColor(65, 65, 70));
    p.setColor(QPalette::Mid, QColor(40, 40, 43));
    p.setColor(QPalette::Dark, QColor(25, 25, 27));
    p.setColor(QPalette::Shadow, QColor(10, 10, 10));
    p.setColor(QPalette::Highlight, kAccent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(100, 170, 255));
    p.setColor(QPalette::LinkVisited, QColor(170, 140, 255));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    return p;
}

// Fusion's own light palette, with the colours that read below 4.5:1 replaced: the selection
// (white on Fusion's blue is 3.7:1), the placeholder (half-transparent text, 4:1) and visited
// links (magenta, 3.1:1).
QPalette lightPalette() {
    QPalette p = QApplication::style()->standardPalette();
    for (auto group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Highlight, kAccent);
        p.setColor(group, QPalette::HighlightedText, Qt::white);
        p.setColor(group, QPalette::PlaceholderText, QColor(100, 100, 100));
        p.setColor(group, QPalette::LinkVisited, QColor(120, 40, 170));
    }
    return p;
}

bool isDark(const QPalette& p) { return p.color(QPalette::Base).lightness() < 128; }

// Data colours are chosen for a white background; on a dark one they are lifted to a readable
// lightness, keeping their hue.
QColor adapt(const QColor& c, bool dark) {
    if (!dark || !c.isValid() || c.alpha() == 0) return c;
    QColor h = c.toHsl();
    if (h.lightness() >= 150) return c;
    return QColor::fromHsl(h.hslHue(), h.hslSaturation(), 150 + h.lightness() / 4, h.alpha());
}

// The original colour of a plottable's part, remembered the first time it is styled.
QColor remembered(QObject* o, const char* key, const QColor& current) {
    QVariant v = o->property(key);
    if (!v.isValid()) {
        o->setProperty(key, current);
        return current;
    }
    return v.value<QColor>();
}

void stylePlottables(QCustomPlot* plot, bool dark) {
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* pl = plot->plottable(i);
        QPen pen = pl->pen();
        pen.setColor(adapt(remembered(pl, "srsPenColor", pen.color()), dark));
        pl->setPen(pen);
        if (pl->brush().style() != Qt::NoBrush) {
            QBrush brush = pl->brush();
            brush.setColor(adapt(remembered(pl, "srsBrushColor", brush.color()), dark));
            pl->setBrush(brush);
        }
        if (auto* g = qobject_cast<QCPGraph*>(pl)) {
            QCPScatterStyle ss = g->scatterStyle();
            // A scatter style without its own pen draws with the graph's (already adapted).
            if (!ss.isNone() && ss.isPenDefined()) {
                QPen sp = ss.pen();
                sp.setColor(adapt(remembered(g, "srsScatterPenColor", sp.color()), dark));
                ss.setPen(sp);
                if (ss.brush().style() != Qt::NoBrush) ss.setBrush(adapt(remembered(g, "srsScatterBrushColor", ss.brush().color()), dark));
                g->setScatterStyle(ss);
            }
        }
    }
    const QColor text = plot->palette().color(QPalette::WindowText);
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* t = qobject_cast<QCPItemText*>(plot->item(i))) {
            const QColor base = remembered(t, "srsTextColor", t->color());
            t->setColor(dark ? text : base);
        }
}

void stylePlot(QCustomPlot* plot) {
    const QPalette p = plot->palette();
    const bool dark = isDark(p);
    const QColor text = p.color(QPalette::WindowText);
    const QColor grid = dark ? QColor(90, 90, 95) : QColor(200, 200, 200);
    plot->setBackground(p.color(QPalette::Base));
    for (QCPAxisRect* rect : plot->axisRects()) {
        rect->setBackground(p.color(QPalette::Base));
        for (QCPAxis* axis : rect->axes()) {
            axis->setBasePen(QPen(text, 1));
            axis->setTickPen(QPen(text, 1));
            axis->setSubTickPen(QPen(text, 1));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
            axis->grid()->setSubGridPen(QPen(grid.darker(dark ? 130 : 90), 1, Qt::DotLine));
            axis->grid()->setZeroLinePen(Qt::NoPen);
        }
    }
    plot->legend->setBrush(p.color(QPalette::Base));
    plot->legend->setBorderPen(QPen(dark ? grid : text));
    plot->legend->setTextColor(text);
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) title->setTextColor(text);
    stylePlottables(plot, dark);
}

class PaletteFollower : public QObject {
public:
    explicit PaletteFollower(QCustomPlot* plot) : QObject(plot), plot_(plot) {
        plot->installEventFilter(this);
        // Plottables added later (a new block's curve) get their colours before they are drawn.
        connect(plot, &QCustomPlot::beforeReplot, this, [this] {
            if (plot_) stylePlottables(plot_, isDark(plot_->palette()));
        });
    }
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (watched == plot_ && (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange ||
                                 event->type() == QEvent::StyleChange)) {
            stylePlot(plot_);
            plot_->replot(QCustomPlot::rpQueuedReplot);
        }
        return false;
    }

private:
    QPointer<QCustomPlot> plot_;
};

bool windowIsDark() { return QApplication::palette().color(QPalette::Window).lightness() < 128; }

// Status texts coloured for one theme keep their meaning in the other: a live switch swaps each
// widget's status colour for its counterpart (a dark red on a dark window would read at 1.9:1).
void recolourStatusTexts() {
    const bool dark = windowIsDark();
    for (QWidget* w : QApplication::allWidgets()) {
        QString sheet = w->styleSheet();
        if (sheet.isEmpty()) continue;
        const QString before = sheet;
        for (const TextColours& c : {kErrorText, kWarningText, TextColours{"#a15c00", "#ffc266"}})
            sheet.replace(QRegularExpression(QStringLiteral("%1\\b").arg(dark ? c.light : c.dark), QRegularExpression::CaseInsensitiveOption),
                          dark ? c.dark : c.light);
        if (sheet != before) w->setStyleSheet(sheet);
    }
}

// The widgets that show where the keyboard is: inputs and lists always when focused, buttons,
// tabs and sliders after the keyboard moved the focus (as platforms do).
bool takesInput(const QWidget* w) {
    return qobject_cast<const QLineEdit*>(w) || qobject_cast<const QAbstractSpinBox*>(w) || qobject_cast<const QComboBox*>(w) ||
           qobject_cast<const QAbstractItemView*>(w) || qobject_cast<const QPlainTextEdit*>(w) || qobject_cast<const QTextEdit*>(w);
}
bool showsKeyboardFocus(const QWidget* w) {
    return qobject_cast<const QAbstractButton*>(w) || qobject_cast<const QTabBar*>(w) || qobject_cast<const QAbstractSlider*>(w);
}

// A 2 px ring in the accent colour drawn over the focused widget's edge: a transparent child
// of that widget, raised above its own children, letting the mouse through. It works the same
// over any style, so System, Light and Dark all get it.
class FocusRing : public QWidget {
public:
    FocusRing() {
        setObjectName("focusRing");
        setAttribute(Qt::WA_TransparentForMouseEvents);
        setAttribute(Qt::WA_NoSystemBackground);
        setFocusPolicy(Qt::NoFocus);
    }

    void follow(QWidget* target) {
        if (target_) target_->removeEventFilter(this);
        target_ = target;
        if (!target) {
            hide();  // stays a hidden child of the last widget it framed
            return;
        }
        setParent(target);
        target->installEventFilter(this);
        place();
        show();
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(focusRingColor(), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRoundedRect(QRectF(rect()).adjusted(1, 1, -1, -1), 3, 3);
    }
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (watched == target_ && (event->type() == QEvent::Resize || event->type() == QEvent::ChildAdded)) place();
        return false;
    }

private:
    void place() {
        if (!target_) return;
        setGeometry(target_->rect());
        raise();
    }
    QPointer<QWidget> target_;
};

void installFocusRing() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    // The ring lives inside the focused widget, which may be deleted with it; a new one is made then.
    static QPointer<FocusRing> ring;
    QObject::connect(qApp, &QApplication::focusChanged, qApp, [](QWidget*, QWidget* now) {
        const bool show = now && (takesInput(now) || (showsKeyboardFocus(now) && now->window()->testAttribute(Qt::WA_KeyboardFocusChange)));
        if (!show) {
            if (ring) ring->follow(nullptr);
            return;
        }
        if (!ring) ring = new FocusRing;
        ring->follow(now);
    });
}

}  // namespace

QString themeKey(Theme theme) {
    switch (theme) {
        case Theme::Light: return QStringLiteral("light");
        case Theme::Dark: return QStringLiteral("dark");
        default: return QStringLiteral("system");
    }
}

Theme themeFromKey(const QString& key) {
    const QString k = key.trimmed().toLower();
    if (k == "light") return Theme::Light;
    if (k == "dark") return Theme::Dark;
    return Theme::System;
}

void applyTheme(Theme theme) {
    const PlatformLook& look = platformLook();  // captured before the first change
    if (theme == Theme::System) {
        if (!look.style.isEmpty()) QApplication::setStyle(QStyleFactory::create(look.style));
        QApplication::setPalette(look.palette);
    } else {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(theme == Theme::Dark ? darkPalette() : lightPalette());
    }
    g_theme = theme;
    recolourStatusTexts();
    installFocusRing();
    // Plots that already exist restyle through their followers' palette events; make sure even
    // ones whose palette resolved the same are current.
    for (QWidget* w : QApplication::allWidgets())
        if (auto* plot = qobject_cast<QCustomPlot*>(w)) {
            stylePlot(plot);
            plot->replot(QCustomPlot::rpQueuedReplot);
        }
}

Theme currentTheme() { return g_theme; }

void followPalette(QCustomPlot* plot) {
    if (!plot) return;
    stylePlot(plot);
    new PaletteFollower(plot);
}

QString errorTextStyle() { return QStringLiteral("color: %1;").arg(windowIsDark() ? kErrorText.dark : kErrorText.light); }
QString warningTextStyle() { return QStringLiteral("color: %1;").arg(windowIsDark() ? kWarningText.dark : kWarningText.light); }

QColor focusRingColor() {
    switch (g_theme) {
        case Theme::Light: return kAccent;
        case Theme::Dark: return kAccentOnDark;
        default: return windowIsDark() ? kAccentOnDark : kAccent;
    }
}

void setMessageLabel(QLabel* label) {
    label->setWordWrap(true);
    // The layout decides the width; the text wraps into it and never asks the window to grow.
    QSizePolicy policy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    label->setSizePolicy(policy);
    label->setMinimumWidth(120);
}

}  // namespace srs::ui
