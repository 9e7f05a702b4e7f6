// Runs a quantization job off the GUI thread and turns its events into queued Qt signals of
// plain data. The job function is injected (the app passes core's runQuantJob), so ui/ needs no
// torch and tests can drive the same controller.
#pragma once

#include <QObject>
#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <thread>

#include "core/common/cancel.h"
#include "core/job/job_config.h"
#include "core/job/job_events.h"

namespace srs::ui {

using JobRunner = std::function<job::JobFinished(const job::JobConfig&, job::JobObserver&, const CancelToken&)>;
// Writes a finished run (its run folder) in other formats into an output folder: core's reexportRun.
using ReexportRunner = std::function<job::JobFinished(const std::string& run_dir, const std::vector<std::string>& formats,
                                                      const std::string& output_dir, job::JobObserver&, const CancelToken&)>;
// Any job the controller can run: it reports through the observer and honours the token.
using JobTask = std::function<job::JobFinished(job::JobObserver&, const CancelToken&)>;

struct LayerRow {
    QString name;
    int bits = 0;
    int group_size = 0;
    double error_rtn = 0, error_tuned = 0, flipped = 0;
};

// How far an export's next-token distributions are from the original's (core's KldStats): KL
// divergence in nats and how often the top token stays the same. has() is false when not measured.
struct KldFigures {
    double mean = -1, median = -1, p99 = -1, top1 = -1;  // top1: fraction in [0, 1]
    double ppl_ratio = -1;
    bool has() const { return mean >= 0; }
};

// Perplexity of the original model ("original") or of one export (its format) after a run.
struct EvalRow {
    QString model;
    QString text;
    double ppl = 0, bits_per_weight = 0;
    quint64 size_bytes = 0;
    KldFigures kld;  // exports only
};

// One export a run wrote (a folder, or a GGUF file) with its size; perplexity and bits per weight
// when the run evaluated it (RunRecorder fills them in from the run's EvalRows).
struct ExportRecord {
    QString format;
    QString path;
    quint64 size_bytes = 0;
    double bits_per_weight = 0;  // 0: not evaluated
    double ppl = 0;              // 0: not evaluated
    KldFigures kld;              // against the original, when the run measured it
};

// How a job ended (core's JobFinished as Qt data), as JobController::finished delivers it.
struct RunOutcome {
    job::JobState state = job::JobState::None;  // Finished, Failed or Cancelled
    QString message;  // why it failed or was cancelled
    QString hint;     // what the user can do about it
    qint64 elapsed_ms = 0;
    QVector<ExportRecord> files;    // what it wrote (not evaluated yet)
    QVector<EvalRow> evaluations;   // perplexities, when the job measured them
    bool succeeded() const { return state == job::JobState::Finished; }
};

class JobController : public QObject {
    Q_OBJECT
public:
    explicit JobController(JobRunner runner, QObject* parent = nullptr);
    ~JobController() override;  // cancels and joins a running job

    bool running() const { return running_; }
    bool start(const job::JobConfig& config);
    // Runs another kind of job (a re-export) the same way; false while one is running.
    bool startTask(JobTask task);
    void cancel();
    // Pause holds the job at its next safe point (an iteration, a block, a file) without using the
    // CPU; resume continues it. Cancel still works while paused. Paused time is not counted in
    // the job's elapsed time or ETA.
    void pause();
    void resume();
    bool paused() const { return paused_; }

signals:
    void started(int num_blocks, int layers, int resumed_from_block);
    // Right after started: the model and the effective settings (jobConfigToJson, recipe applied).
    void runSettings(const QString& model, const QString& settings_json);
    void phaseChanged(const QString& phase, const QString& detail);
    void blockStarted(int block, int num_blocks, int iters);
    void iteration(int block, int iter, double loss);
    void blockFinished(int block, double rtn_loss, double best_loss, int best_iter, qint64 elapsed_ms, const QVector<srs::ui::LayerRow>& layers);
    void progress(int blocks_done, int num_blocks, qint64 elapsed_ms, qint64 eta_ms, quint64 rss_bytes, quint64 peak_rss_bytes);
    void logLine(int level, const QString& message);
    // Once, when the job has ended: its state, message, files and perplexities.
    void finished(const srs::ui::RunOutcome& outcome);
    // After pause() / resume() (and false again when a paused job ends).
    void pausedChanged(bool paused);

private:
    JobRunner runner_;
    CancelToken cancel_;
    std::thread worker_;
    bool running_ = false;
    bool paused_ = false;
};

}  // namespace srs::ui

Q_DECLARE_METATYPE(srs::ui::LayerRow)
Q_DECLARE_METATYPE(srs::ui::EvalRow)
Q_DECLARE_METATYPE(srs::ui::RunOutcome)
