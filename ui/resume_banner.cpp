#include "ui/resume_banner.h"
#include "ui/model_name.h"

#include "core/common/numeric_cast.h"

#include <QDateTime>

#include <algorithm>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace srs::ui {

namespace {
// At most this many rows; the newest runs come first.
constexpr int kMaxRows = 3;
}  // namespace

ResumeBanner::ResumeBanner(QWidget* parent) : QFrame(parent) {
    qRegisterMetaType<UnfinishedRun>();
    setObjectName("resumeBanner");
    setFrameShape(QFrame::StyledPanel);
    // A tinted strip that reads in light and dark palettes alike.
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    rows_ = new QVBoxLayout(this);
    rows_->setContentsMargins(8, 4, 8, 4);
    setVisible(false);
}

void ResumeBanner::setRuns(const QVector<UnfinishedRun>& runs) {
    runs_ = runs;
    rebuild();
}

void ResumeBanner::removeRun(const QString& id) {
    runs_.erase(std::remove_if(runs_.begin(), runs_.end(), [&](const UnfinishedRun& r) { return r.id == id; }), runs_.end());
    rebuild();
}

void ResumeBanner::rebuild() {
    while (QLayoutItem* item = rows_->takeAt(0)) {
        if (QLayout* l = item->layout()) {
            while (QLayoutItem* inner = l->takeAt(0)) {
                delete inner->widget();
                delete inner;
            }
        }
        delete item->widget();
        delete item;
    }
    for (int i = 0; i < runs_.size() && i < kMaxRows; ++i) {
        const UnfinishedRun run = runs_[i];
        auto* row = new QHBoxLayout();
        const QDateTime started = QDateTime::fromString(run.started, Qt::ISODateWithMs).toLocalTime();
        // Block numbers are 1-based and name the block Resume tunes next (as on the Run page and in
        // the log); "3 of 6 blocks tuned" is a count.
        auto* text = new QLabel(tr("Unfinished run of %1 (%2), started %3: %4 of %5 blocks tuned; it continues at block %6.")
                                    .arg(modelDisplayName(run.model), run.scheme, started.toString("yyyy-MM-dd HH:mm"))
                                    .arg(run.next_block)
                                    .arg(run.num_blocks)
                                    .arg(run.next_block + 1),
                                this);
        text->setObjectName(i == 0 ? "resumeText" : QString("resumeText%1").arg(i));
        text->setToolTip(tr("Checkpoint in %1").arg(run.run_dir));
        text->setWordWrap(true);
        auto* resume = new QPushButton(tr("Resume (block %1 of %2)").arg(run.next_block + 1).arg(run.num_blocks), this);
        resume->setObjectName(i == 0 ? "resumeButton" : QString("resumeButton%1").arg(i));
        resume->setToolTip(tr("Continue this run from its checkpoint with the settings it was started with"));
        auto* discard = new QPushButton(tr("Discard"), this);
        discard->setObjectName(i == 0 ? "discardButton" : QString("discardButton%1").arg(i));
        discard->setToolTip(tr("Delete this run's checkpoint and stop offering it"));
        connect(resume, &QPushButton::clicked, this, [this, run] { emit resumeRequested(run); });
        connect(discard, &QPushButton::clicked, this, [this, run] { emit discardRequested(run); });
        row->addWidget(text, 1);
        row->addWidget(resume);
        row->addWidget(discard);
        rows_->addLayout(row);
    }
    if (runs_.size() > kMaxRows) {
        auto* more = new QLabel(tr("%n more unfinished run(s) will be offered after these.", nullptr, num::clampTo<int>(runs_.size() - kMaxRows)), this);
        rows_->addWidget(more);
    }
    setVisible(!runs_.isEmpty());
}

}  // namespace srs::ui
