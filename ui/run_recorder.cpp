#include "ui/run_recorder.h"

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/io/safetensors.h"
#include "core/job/block_store.h"
#include "core/job/job_config.h"

namespace srs::ui {

namespace {
// A block_finished event as the block file's "block" metadata holds it (job::toJson).
BlockRecord blockFromJson(const nlohmann::json& j) {
    BlockRecord b;
    b.block = j.value("block", 0);
    b.rtn_loss = j.value("rtn_loss", 0.0);
    b.best_loss = j.value("best_loss", 0.0);
    b.best_iter = j.value("best_iter", 0);
    b.elapsed_ms = j.value("elapsed_ms", static_cast<qint64>(0));
    if (auto it = j.find("layers"); it != j.end() && it->is_array())
        for (const auto& l : *it)
            if (l.is_object())
                b.layers.push_back({QString::fromStdString(l.value("name", std::string())), l.value("bits", 0), l.value("group_size", 0),
                                    l.value("weight_rel_error_rtn", 0.0), l.value("weight_rel_error_tuned", 0.0),
                                    l.value("flipped_fraction", 0.0)});
    return b;
}
}  // namespace

QVector<BlockRecord> checkpointedBlocks(const QString& run_dir, int count) {
    QVector<BlockRecord> blocks;
    for (int k = 0; k < count; ++k) {
        auto file = io::SafetensorsFile::open(job::blockFilePath(run_dir.toStdString(), k));
        if (!file) break;
        auto it = (*file)->metadata().find("block");
        if (it == (*file)->metadata().end()) break;
        auto j = nlohmann::json::parse(it->second, nullptr, false);
        if (!j.is_object()) break;
        BlockRecord b = blockFromJson(j);
        if (b.block != k) break;
        blocks.push_back(std::move(b));
    }
    return blocks;
}

RunRecorder::RunRecorder(JobController* controller, RunHistory history, QObject* parent)
    : QObject(parent), history_(std::move(history)) {
    qRegisterMetaType<RunRecord>();
    connect(controller, &JobController::started, this, [this](int, int, int resumed_from) { resumed_from_ = resumed_from; });
    // Emitted right after started.
    connect(controller, &JobController::runSettings, this, [this](const QString& model, const QString& settings) {
        current_ = RunRecord();
        current_.model = model;
        current_.settings_json = settings;
        auto cfg = job::jobConfigFromJson(nlohmann::json::parse(settings.toStdString(), nullptr, false));
        if (cfg) {
            current_.run_dir = QString::fromStdString(cfg->effectiveRunDir());
            current_.output_dir = QString::fromStdString(cfg->output_dir);
            // A resumed run reports only the blocks it tunes now; the earlier ones are on disk.
            if (resumed_from_ > 0) current_.blocks = checkpointedBlocks(current_.run_dir, resumed_from_);
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
        log::error(tr("could not save the run to the history: %1").arg(QString::fromStdString(ok.error().message)).toStdString());
    else
        log::info(tr("run saved to the history: %1").arg(history_.folder() + "/" + r.id + ".json").toStdString());
    emit recorded(r);
}

}  // namespace srs::ui
