// The app's look: System (the platform's own style and palette), Light or Dark (Fusion with a
// light or dark palette), switched live. Plots follow the palette: their background, axes, grid,
// legend and text take its colours, and data colours are lightened on a dark background.
#pragma once

#include <QColor>
#include <QString>

class QCustomPlot;
class QLabel;

namespace srs::ui {

enum class Theme { System, Light, Dark };

// "system", "light", "dark" (what QSettings stores); anything else reads as System.
QString themeKey(Theme theme);
Theme themeFromKey(const QString& key);

// Applies the theme to the whole application at once (style, palette, open plots).
void applyTheme(Theme theme);
Theme currentTheme();

// Keeps a plot in step with the palette from now on: styles it now, again when the palette
// changes, and styles plottables added later on their first replot.
void followPalette(QCustomPlot* plot);

// Style sheets for an error or a warning status text, readable on the current palette (a dark red
// or amber on light windows, a light one on dark windows; 4.5:1 or more in Light and Dark). A
// theme switch recolours texts already shown.
QString errorTextStyle();
QString warningTextStyle();

// The focus ring's colour: the accent, lifted on dark windows. applyTheme installs the ring (2 px
// over the focused input, list or, after keyboard navigation, button).
QColor focusRingColor();

// Makes a status or error label wrap within the width its layout gives it, so a long message
// (a 600-character Hub error) adds lines instead of widening the window.
void setMessageLabel(QLabel* label);

}  // namespace srs::ui
