// The Configure page's per-layer overrides: a table of (layer name or regex, bits, group size,
// sym, skip) rows that becomes the run's AutoRound layer_config, filled by hand or by AutoScheme.
#pragma once

#include <QList>
#include <QString>
#include <QWidget>

#include <string>

class QTableWidget;
class QLabel;

namespace srs::ui {

struct LayerOverride {
    QString pattern;  // exact layer name, substring ("k_proj") or regex ("layers\\.[0-3]\\.mlp")
    int bits = 8;
    int group_size = 128;
    bool sym = true;
    bool skip = false;  // keep in full precision
};

// {"<pattern>": {"bits": b, "group_size": g, "sym": s}} or {"bits": 16, "data_type": "fp"} for
// skipped rows; empty when there are no rows. Rows with an empty pattern are ignored.
std::string layerConfigFromOverrides(const QList<LayerOverride>& rows);

class LayerOverridesEditor : public QWidget {
    Q_OBJECT
public:
    explicit LayerOverridesEditor(QWidget* parent = nullptr);

    QList<LayerOverride> rows() const;
    void setRows(const QList<LayerOverride>& rows);
    void addRow(const LayerOverride& row);
    void clear();

signals:
    void changed();

private:
    void insertRow(const LayerOverride& row);
    QTableWidget* table_ = nullptr;
};

}  // namespace srs::ui
