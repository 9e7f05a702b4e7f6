#include "ui/pages/layer_overrides.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace srs::ui {
namespace {
enum Column { kPattern = 0, kBits, kGroup, kSym, kSkip, kColumns };

// A checkbox centred in a table cell.
QWidget* centredCheck(QCheckBox** out, bool checked, const QString& tip, QWidget* parent) {
    auto* holder = new QWidget(parent);
    auto* l = new QHBoxLayout(holder);
    l->setContentsMargins(0, 0, 0, 0);
    l->setAlignment(Qt::AlignCenter);
    auto* c = new QCheckBox(holder);
    c->setChecked(checked);
    c->setToolTip(tip);
    l->addWidget(c);
    *out = c;
    return holder;
}
}  // namespace

std::string layerConfigFromOverrides(const QList<LayerOverride>& rows) {
    nlohmann::json lc = nlohmann::json::object();
    for (const auto& r : rows) {
        const std::string key = r.pattern.trimmed().toStdString();
        if (key.empty()) continue;
        if (r.skip)
            lc[key] = {{"bits", 16}, {"data_type", "fp"}};
        else
            lc[key] = {{"bits", r.scheme.bits}, {"group_size", r.scheme.group_size}, {"sym", r.scheme.sym}};
    }
    return lc.empty() ? std::string() : lc.dump();
}

LayerOverridesEditor::LayerOverridesEditor(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* hint = new QLabel(tr("Each row overrides the default scheme for the layers it names: an exact name "
                               "(model.layers.0.mlp.down_proj), a substring (k_proj) or a regular expression. "
                               "Later rows win. AutoScheme's \"Use this mix\" fills this table."),
                            this);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    table_ = new QTableWidget(0, kColumns, this);
    table_->setObjectName("overrides");
    table_->setHorizontalHeaderLabels({tr("Layer name or regex"), tr("Bits"), tr("Group"), tr("Sym"), tr("Skip")});
    table_->horizontalHeader()->setSectionResizeMode(kPattern, QHeaderView::Stretch);
    for (int c = kBits; c < kColumns; ++c) table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    table_->verticalHeader()->setVisible(false);
    table_->setToolTip(tr("Per-layer schemes; they become the run's layer_config"));
    layout->addWidget(table_, 1);
    auto* buttons = new QHBoxLayout();
    auto* add = new QPushButton(tr("Add row"), this);
    add->setObjectName("addOverride");
    add->setToolTip(tr("Add an override row (8 bits for the layers it names)"));
    auto* remove = new QPushButton(tr("Remove row"), this);
    remove->setObjectName("removeOverride");
    remove->setToolTip(tr("Remove the selected override row"));
    auto* clear_all = new QPushButton(tr("Clear"), this);
    clear_all->setObjectName("clearOverrides");
    clear_all->setToolTip(tr("Remove every override: all layers use the default scheme"));
    connect(add, &QPushButton::clicked, this, [this] {
        addRow(LayerOverride{});
        table_->editItem(table_->item(table_->rowCount() - 1, kPattern));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int r = table_->currentRow();
        if (r >= 0) {
            table_->removeRow(r);
            emit changed();
        }
    });
    connect(clear_all, &QPushButton::clicked, this, &LayerOverridesEditor::clear);
    connect(table_, &QTableWidget::itemChanged, this, &LayerOverridesEditor::changed);
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addWidget(clear_all);
    buttons->addStretch();
    layout->addLayout(buttons);
}

void LayerOverridesEditor::insertRow(const LayerOverride& row) {
    const int r = table_->rowCount();
    table_->insertRow(r);
    auto* item = new QTableWidgetItem(row.pattern);
    item->setToolTip(tr("An exact layer name, a substring or a regular expression"));
    table_->setItem(r, kPattern, item);
    auto* bits = new QSpinBox(table_);
    bits->setRange(2, 8);
    bits->setValue(row.scheme.bits);
    bits->setToolTip(tr("Weight bits for these layers"));
    table_->setCellWidget(r, kBits, bits);
    auto* group = new QComboBox(table_);
    group->addItems({"32", "64", "128", "-1"});
    group->setEditable(true);
    group->setCurrentText(QString::number(row.scheme.group_size));
    group->setToolTip(tr("Group size for these layers; -1 = one group per output channel"));
    table_->setCellWidget(r, kGroup, group);
    QCheckBox* sym = nullptr;
    QCheckBox* skip = nullptr;
    table_->setCellWidget(r, kSym, centredCheck(&sym, row.scheme.sym, tr("Symmetric quantization for these layers"), table_));
    table_->setCellWidget(r, kSkip, centredCheck(&skip, row.skip, tr("Keep these layers in full precision"), table_));
    connect(bits, qOverload<int>(&QSpinBox::valueChanged), this, &LayerOverridesEditor::changed);
    connect(group, &QComboBox::currentTextChanged, this, &LayerOverridesEditor::changed);
    connect(sym, &QCheckBox::toggled, this, &LayerOverridesEditor::changed);
    connect(skip, &QCheckBox::toggled, this, &LayerOverridesEditor::changed);
}

void LayerOverridesEditor::addRow(const LayerOverride& row) {
    {
        QSignalBlocker block(table_);
        insertRow(row);
    }
    emit changed();
}

void LayerOverridesEditor::setRows(const QList<LayerOverride>& rows) {
    {
        QSignalBlocker block(table_);
        table_->setRowCount(0);
        for (const auto& r : rows) insertRow(r);
    }
    emit changed();
}

void LayerOverridesEditor::clear() { setRows({}); }

QList<LayerOverride> LayerOverridesEditor::rows() const {
    QList<LayerOverride> out;
    for (int r = 0; r < table_->rowCount(); ++r) {
        LayerOverride o;
        o.pattern = table_->item(r, kPattern) ? table_->item(r, kPattern)->text() : QString();
        o.scheme.bits = static_cast<QSpinBox*>(table_->cellWidget(r, kBits))->value();
        bool ok = false;
        const int g = static_cast<QComboBox*>(table_->cellWidget(r, kGroup))->currentText().toInt(&ok);
        o.scheme.group_size = ok ? g : 0;  // 0 is refused by the scheme check, with a message
        o.scheme.sym = table_->cellWidget(r, kSym)->findChild<QCheckBox*>()->isChecked();
        o.skip = table_->cellWidget(r, kSkip)->findChild<QCheckBox*>()->isChecked();
        out.push_back(o);
    }
    return out;
}

}  // namespace srs::ui
