#include "ui/job_controller.h"

#include <QMetaObject>

namespace srs::ui {
namespace {

// Lives on the worker thread; every call posts a queued emission to the controller.
class SignalObserver : public job::JobObserver {
public:
    explicit SignalObserver(JobController* c) : c_(c) {}
    void onStarted(const job::JobStarted& e) override {
        post([c = c_, e, settings = QString::fromStdString(e.settings.dump())] {
            emit c->started(e.num_blocks, e.layers_to_quantize, e.resumed_from_block);
            emit c->runSettings(QString::fromStdString(e.model), settings);
        });
    }
    void onPhase(const job::PhaseChanged& e) override {
        post([c = c_, p = QString::fromStdString(e.phase), d = QString::fromStdString(e.detail)] { emit c->phaseChanged(p, d); });
    }
    void onBlockStarted(const job::BlockStarted& e) override {
        post([c = c_, e] { emit c->blockStarted(e.block, e.num_blocks, e.iters); });
    }
    void onIteration(const job::IterationLoss& e) override {
        post([c = c_, e] { emit c->iteration(e.block, e.iter, e.loss); });
    }
    void onBlockFinished(const job::BlockFinished& e) override {
        QVector<LayerRow> rows;
        for (const auto& l : e.layers)
            rows.push_back({QString::fromStdString(l.name), l.scheme.bits, l.scheme.group_size, l.weight_rel_error_rtn, l.weight_rel_error_tuned,
                            l.flipped_fraction});
        post([c = c_, e, rows] { emit c->blockFinished(e.block, e.rtn_loss, e.best_loss, e.best_iter, e.elapsed_ms, rows); });
    }
    void onProgress(const job::ProgressUpdate& e) override {
        post([c = c_, e] { emit c->progress(e.blocks_done, e.num_blocks, e.elapsed_ms, e.eta_ms, e.rss_bytes, e.peak_rss_bytes); });
    }
    void onLog(int level, const std::string& m) override {
        post([c = c_, level, msg = QString::fromStdString(m)] { emit c->logLine(level, msg); });
    }

private:
    template <typename F>
    void post(F f) {
        QMetaObject::invokeMethod(c_, std::move(f), Qt::QueuedConnection);
    }
    JobController* c_;
};

RunOutcome runOutcomeOf(const job::JobFinished& fin) {
    RunOutcome o;
    o.state = fin.state;
    o.message = QString::fromStdString(fin.message);
    o.hint = QString::fromStdString(fin.hint);
    o.elapsed_ms = fin.elapsed_ms;
    for (const auto& f : fin.files) o.files.push_back({QString::fromStdString(f.format), QString::fromStdString(f.path), f.size_bytes, 0, 0, {}});
    for (const auto& e : fin.evaluations) {
        KldFigures k;
        if (e.kld) k = {e.kld->mean, e.kld->median, e.kld->p99, e.kld->top1_agreement, e.kld->ppl_ratio};
        o.evaluations.push_back({QString::fromStdString(e.model), QString::fromStdString(e.text), e.ppl, e.bits_per_weight, e.size_bytes, k});
    }
    return o;
}

}  // namespace

JobController::JobController(JobRunner runner, QObject* parent) : QObject(parent), runner_(std::move(runner)) {
    qRegisterMetaType<LayerRow>();
    qRegisterMetaType<QVector<LayerRow>>();
    qRegisterMetaType<EvalRow>();
    qRegisterMetaType<QVector<EvalRow>>();
    qRegisterMetaType<RunOutcome>();
}

JobController::~JobController() {
    cancel_.cancel();
    if (worker_.joinable()) worker_.join();
}

bool JobController::start(const job::JobConfig& config) {
    if (!runner_) return false;
    return startTask([runner = runner_, config](job::JobObserver& obs, const CancelToken& token) { return runner(config, obs, token); });
}

bool JobController::startTask(JobTask task) {
    if (running_ || !task) return false;
    if (worker_.joinable()) worker_.join();
    running_ = true;
    cancel_ = CancelToken();
    CancelToken token = cancel_;
    worker_ = std::thread([this, task = std::move(task), token] {
        SignalObserver obs(this);
        RunOutcome outcome = runOutcomeOf(task(obs, token));
        QMetaObject::invokeMethod(
            this,
            [this, outcome = std::move(outcome)] {
                running_ = false;
                if (paused_) {
                    paused_ = false;
                    emit pausedChanged(false);
                }
                emit finished(outcome);
            },
            Qt::QueuedConnection);
    });
    return true;
}

void JobController::cancel() { cancel_.cancel(); }

void JobController::pause() {
    if (!running_ || paused_) return;
    cancel_.pause();
    paused_ = true;
    emit pausedChanged(true);
}

void JobController::resume() {
    if (!paused_) return;
    cancel_.resume();
    paused_ = false;
    emit pausedChanged(false);
}

}  // namespace srs::ui
