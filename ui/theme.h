// The app's look: System (the platform's own style and palette), Light or Dark (Fusion with a
// light or dark palette), switched live. Plots follow the palette: their background, axes, grid,
// legend and text take its colours, and data colours are lightened on a dark background.
#pragma once

#include <QString>

class QCustomPlot;

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
// or amber on light windows, a light one on dark windows).
QString errorTextStyle();
QString warningTextStyle();

}  // namespace srs::ui
