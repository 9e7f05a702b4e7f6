#include "ui/theme.h"

#include <QApplication>
#include <QEvent>
#include <QPalette>
#include <QPointer>
#include <QStyle>
#include <QStyleFactory>
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

QPalette darkPalette() {
    QPalette p;
    const QColor window(45, 45, 48), base(30, 30, 32), text(230, 230, 230), disabled(130, 130, 130), button(55, 55, 60);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(52, 56, 66));
    p.setColor(QPalette::ToolTipBase, QColor(60, 60, 64));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 90, 90));
    p.setColor(QPalette::Light, QColor(75, 75, 80));
    p.setColor(QPalette::Midlight, QColor(65, 65, 70));
    p.setColor(QPalette::Mid, QColor(40, 40, 43));
    p.setColor(QPalette::Dark, QColor(25, 25, 27));
    p.setColor(QPalette::Shadow, QColor(10, 10, 10));
    p.setColor(QPalette::Highlight, QColor(42, 130, 218));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(100, 170, 255));
    p.setColor(QPalette::LinkVisited, QColor(170, 140, 255));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
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
        QApplication::setPalette(theme == Theme::Dark ? darkPalette() : QApplication::style()->standardPalette());
    }
    g_theme = theme;
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

namespace {
bool windowIsDark() { return QApplication::palette().color(QPalette::Window).lightness() < 128; }
}  // namespace

QString errorTextStyle() { return windowIsDark() ? QStringLiteral("color: #ff7a85;") : QStringLiteral("color: #b00020;"); }
QString warningTextStyle() { return windowIsDark() ? QStringLiteral("color: #ffc266;") : QStringLiteral("color: #a15c00;"); }

}  // namespace srs::ui
