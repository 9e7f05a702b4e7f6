#include "ui/run_recorder.h"

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/job/job_config.h"

namespace srs::ui {

RunRecorder::RunRecorder(JobController* controller, RunHistory history, QObject* parent)
    : QObject(parent), history_(std::move(history)) {
    qRegisterMetaType<RunRecord>();
    connect(controller, &JobController::runSettings, this, [this](const QString& model, const QString& settings) {
        current_ = RunRecord();
        current_.model = model;
        current_.settings_json = settings;
        auto cfg = job::jobConfigFromJson(nlohmann::json::parse(settings.toStdString(), nullptr, false));
        if (cfg) {
            current_.run_dir = QString::fromStdString(cfg->effectiveRunDir());
            current_.output_dir = QString::fromStdString(cfg->output_dir);
        }
    });
    connect(controller, &JobController::blockFinished, this,
            [this](int block, double rtn, double best, int best_iter, qint64 ms, const QVector<LayerRow>& layers) {
                current_.blocks.push_back({block, rtn, best, best_iter, ms, layers});
            });
    connect(controller, &JobController::finished, this, &RunRecorder::onFinished);
}

void RunRecorder::onFinished(const RunOutcome& outcome) {
    // Only a quantization run announces its settings; a re-export through the same controller
    // reaches here with an empty record and is recorded by the Export page instead.
    if (!outcome.succeeded() || current_.model.isEmpty()) {
        current_ = RunRecord();
        return;
    }
    RunRecord r = std::move(current_);
    current_ = RunRecord();
    r.elapsed_ms = outcome.elapsed_ms;
    r.exports = outcome.files;
    for (const auto& e : outcome.evaluations) {
        if (e.model == "original") {
            r.eval_text = e.text;
            r.original_ppl = e.ppl;
            r.original_bits_per_weight = e.bits_per_weight;
            continue;
        }
        for (auto& x : r.exports)
            if (x.format == e.model) x.ppl = e.ppl, x.bits_per_weight = e.bits_per_weight, x.kld = e.kld;
    }
    if (auto ok = history_.append(r); !ok)
        log::error("could not save the run to the history: " + ok.error().message);
    else
        log::info("run saved to the history: " + (history_.folder() + "/" + r.id + ".json").toStdString());
    emit recorded(r);
}

}  // namespace srs::ui
