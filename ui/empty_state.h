// Empty states: a short text where a table, a list or a plot has nothing to show yet ("No run
// yet — configure one and press Start"), so an empty widget reads as "nothing yet" instead of as
// broken, and plots that hide their legend while they hold no data.
#pragma once

#include <QString>

class QAbstractItemView;
class QCustomPlot;

namespace srs::ui {

// Shows `text` centred over the view's viewport while its model has no rows, and hides it as soon
// as rows arrive (and shows it again when they are removed). Calling it again changes the text.
void setEmptyText(QAbstractItemView* view, const QString& text);
// The text set on the view, and whether it is shown now (for tests).
QString emptyText(const QAbstractItemView* view);
bool emptyTextShown(const QAbstractItemView* view);

// A plot's empty state: with `text` non-empty, a note centred in the axis rect and no legend;
// with an empty text, no note and the legend shown again. Does not replot.
void setPlotEmptyText(QCustomPlot* plot, const QString& text);
// The note shown on the plot now ("" when none).
QString plotEmptyText(const QCustomPlot* plot);

}  // namespace srs::ui
