#include "ui/empty_state.h"

#include <QAbstractItemView>
#include <QEvent>
#include <QLabel>
#include <qcustomplot.h>

namespace srs::ui {
namespace {

constexpr const char* kOverlayName = "emptyState";
constexpr const char* kPlotNoteName = "emptyStateNote";

// The label over a view's viewport: follows the viewport's size and the model's row count.
class EmptyOverlay : public QLabel {
public:
    explicit EmptyOverlay(QAbstractItemView* view) : QLabel(view->viewport()), view_(view) {
        setObjectName(kOverlayName);
        setAlignment(Qt::AlignCenter);
        setWordWrap(true);
        setMargin(12);
        setAttribute(Qt::WA_TransparentForMouseEvents);
        view->viewport()->installEventFilter(this);
        if (QAbstractItemModel* m = view->model()) {
            connect(m, &QAbstractItemModel::rowsInserted, this, &EmptyOverlay::update);
            connect(m, &QAbstractItemModel::rowsRemoved, this, &EmptyOverlay::update);
            connect(m, &QAbstractItemModel::modelReset, this, &EmptyOverlay::update);
            connect(m, &QAbstractItemModel::layoutChanged, this, &EmptyOverlay::update);
        }
        update();
    }
    void update() {
        setGeometry(view_->viewport()->rect());
        const QAbstractItemModel* m = view_->model();
        setVisible(!text().isEmpty() && (!m || m->rowCount() == 0));
    }
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (watched == view_->viewport() && event->type() == QEvent::Resize) update();
        return false;
    }

private:
    QAbstractItemView* view_;
};

EmptyOverlay* overlayOf(const QAbstractItemView* view) {
    if (!view || !view->viewport()) return nullptr;
    return dynamic_cast<EmptyOverlay*>(view->viewport()->findChild<QLabel*>(kOverlayName, Qt::FindDirectChildrenOnly));
}

QCPItemText* noteOf(const QCustomPlot* plot) {
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* t = qobject_cast<QCPItemText*>(plot->item(i)); t && t->objectName() == kPlotNoteName) return t;
    return nullptr;
}

}  // namespace

void setEmptyText(QAbstractItemView* view, const QString& text) {
    if (!view) return;
    EmptyOverlay* overlay = overlayOf(view);
    if (!overlay) overlay = new EmptyOverlay(view);
    overlay->setText(text);
    overlay->update();
}

QString emptyText(const QAbstractItemView* view) {
    const EmptyOverlay* overlay = overlayOf(view);
    return overlay ? overlay->text() : QString();
}

bool emptyTextShown(const QAbstractItemView* view) {
    const EmptyOverlay* overlay = overlayOf(view);
    return overlay && !overlay->isHidden();
}

void setPlotEmptyText(QCustomPlot* plot, const QString& text) {
    if (!plot) return;
    QCPItemText* note = noteOf(plot);
    if (text.isEmpty()) {
        if (note) plot->removeItem(note);
        plot->legend->setVisible(true);
        return;
    }
    if (!note) {
        note = new QCPItemText(plot);
        note->setObjectName(kPlotNoteName);
        note->position->setType(QCPItemPosition::ptAxisRectRatio);
        note->position->setCoords(0.5, 0.5);
        note->setPositionAlignment(Qt::AlignCenter);
        note->setTextAlignment(Qt::AlignCenter);
        note->setColor(QColor("#595959"));  // 7:1 on white; the theme uses the text colour on dark
        note->setClipToAxisRect(false);
    }
    note->setText(text);
    plot->legend->setVisible(false);
}

QString plotEmptyText(const QCustomPlot* plot) {
    const QCPItemText* note = plot ? noteOf(plot) : nullptr;
    return note ? note->text() : QString();
}

}  // namespace srs::ui
