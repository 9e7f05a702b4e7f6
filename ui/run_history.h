// The run history: every finished run, one JSON file each under <app data>/runs/, so the
// Results page can put all runs of a model side by side (perplexity against bits per weight) and
// the Export page can re-export an earlier run. Each file is written atomically and names the
// model, the effective settings, per-block losses and per-layer statistics, and the exports
// (with perplexity and bits per weight when the run evaluated them). A damaged file is skipped
// with a warning, never fatal.
#pragma once

#include <QString>
#include <QVector>

#include "core/common/result.h"
#include "ui/job_controller.h"

namespace srs::ui {

struct BlockRecord {
    int block = 0;
    double rtn_loss = 0, best_loss = 0;
    int best_iter = 0;
    qint64 elapsed_ms = 0;
    QVector<LayerRow> layers;
};

struct RunRecord {
    QString id;    // file name stem, set by RunHistory::append
    QString time;  // ISO 8601, UTC
    QString model;
    QString settings_json;  // jobConfigToJson of the effective settings
    QString run_dir;        // checkpoints that `signround export --run_dir` reads
    QString output_dir;
    qint64 elapsed_ms = 0;
    QVector<BlockRecord> blocks;
    QVector<ExportRecord> exports;
    QString eval_text;
    double original_ppl = 0, original_bits_per_weight = 0;

    int layerCount() const;
    QString schemeLabel() const;  // "W4G32 auto-round, 20 iters" from the settings
};

class RunHistory {
public:
    // folder empty: defaultFolder().
    explicit RunHistory(QString folder = {});
    // <QStandardPaths::AppDataLocation>/runs
    static QString defaultFolder();
    const QString& folder() const { return folder_; }

    // Writes the record as a new file (sets id and, when empty, time).
    Status append(RunRecord& record) const;
    // Rewrites an appended record (after a re-export added files).
    Status update(const RunRecord& record) const;
    // Newest first; model non-empty: only runs of that model (same absolute folder or file).
    QVector<RunRecord> load(const QString& model = {}) const;

private:
    Status write(const RunRecord& record) const;
    QString folder_;
};

}  // namespace srs::ui

Q_DECLARE_METATYPE(srs::ui::RunRecord)
