// A banner across the top of the main window offering the runs that did not finish (the app was
// closed, the run cancelled or failed after at least one block): one row each, with Resume and
// Discard. Hidden when there is nothing to offer.
#pragma once

#include <QFrame>
#include <QVector>

#include "ui/unfinished_runs.h"

class QVBoxLayout;

namespace srs::ui {

class ResumeBanner : public QFrame {
    Q_OBJECT
public:
    explicit ResumeBanner(QWidget* parent = nullptr);

    void setRuns(const QVector<UnfinishedRun>& runs);
    // Takes one run off the banner (after it was resumed or discarded).
    void removeRun(const QString& id);
    const QVector<UnfinishedRun>& runs() const { return runs_; }

signals:
    void resumeRequested(const srs::ui::UnfinishedRun& run);
    void discardRequested(const srs::ui::UnfinishedRun& run);

private:
    void rebuild();

    QVBoxLayout* rows_ = nullptr;
    QVector<UnfinishedRun> runs_;
};

}  // namespace srs::ui

Q_DECLARE_METATYPE(srs::ui::UnfinishedRun)
