// The Configure page's per-layer overrides: a table of (layer name or regex, bits, group size,
// sym, skip) rows that becomes the run's AutoRound layer_config, filled by hand or by AutoScheme.
#pragma once

#include <QList>
#include <QString>
#include <QWidget>

#include <string>

#include "core/quant/quant_scheme.h"

class QTableWidget;
class QLabel;

namespace srs::ui {

// The scheme a new override row starts with: 8 bits, group size 128, symmetric.
inline quant::QuantScheme defaultOverrideScheme() {
    quant::QuantScheme s;
    s.bits = 8;
    return s;
}

struct LayerOverride {
    QString pattern;  // exact layer name, substring ("k_proj") or regex ("layers\\.[0-3]\\.mlp")
    quant::QuantScheme scheme = defaultOverrideScheme();  // bits, group size and sym of the row
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
