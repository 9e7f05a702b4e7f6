#include "ui/unfinished_runs.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/log.h"
#include "core/io/atomic_file.h"
#include "core/io/dir_lock.h"
#include "core/job/run_state.h"

namespace srs::ui {
namespace {

using nlohmann::json;

QString absoluteDir(const QString& dir) { return QDir::cleanPath(QFileInfo(dir).absoluteFilePath()); }

// One entry per run folder: the file name is a hash of its absolute path.
QString entryId(const QString& run_dir) {
    return QString::fromLatin1(QCryptographicHash::hash(absoluteDir(run_dir).toUtf8(), QCryptographicHash::Sha1).toHex().left(16));
}

QString schemeLabel(const job::JobConfig& c) {
    QString scheme = QStringLiteral("W%1%2%3").arg(c.bits).arg(c.group_size > 0 ? QStringLiteral("G%1").arg(c.group_size) : QString(),
                                                             c.sym ? QString() : QStringLiteral(" asym"));
    return QObject::tr("%1 %2, %3 iters").arg(scheme, QString::fromStdString(c.recipe)).arg(c.effectiveIters());
}

}  // namespace

UnfinishedRuns::UnfinishedRuns(QString folder) : folder_(folder.isEmpty() ? defaultFolder() : std::move(folder)) {}

QString UnfinishedRuns::defaultFolder() { return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/unfinished"; }

Status UnfinishedRuns::add(const job::JobConfig& config) const {
    job::JobConfig c = config;
    // Saved with the recipe applied: jobConfigToJson writes effective values, which must be the
    // recipe's (auto-round-best's 1000 iterations), not the plain defaults.
    SRS_TRY(job::applyRecipe(c));
    const QString run_dir = QString::fromStdString(c.effectiveRunDir());
    if (run_dir.isEmpty()) return makeError(ErrorCode::InvalidArgument, "the run has no run folder", "set an output folder");
    if (!QDir().mkpath(folder_))
        return makeError(ErrorCode::IoError, "cannot create " + folder_.toStdString(), "check that the app data folder is writable");
    const json entry = {{"version", 1},
                        {"started", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()},
                        {"run_dir", absoluteDir(run_dir).toStdString()},
                        {"config", job::jobConfigToJson(c)}};
    return io::writeFileAtomic((folder_ + "/" + entryId(run_dir) + ".json").toStdString(), entry.dump(2) + "\n");
}

void UnfinishedRuns::remove(const QString& run_dir) const {
    if (run_dir.isEmpty()) return;
    QFile::remove(folder_ + "/" + entryId(run_dir) + ".json");
}

QVector<UnfinishedRun> UnfinishedRuns::find() const {
    QVector<UnfinishedRun> runs;
    for (const QFileInfo& fi : QDir(folder_).entryInfoList({"*.json"}, QDir::Files)) {
        auto text = io::readFile(fi.absoluteFilePath().toStdString());
        if (!text) continue;
        const json j = json::parse(*text, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("config")) {
            log::warn(QCoreApplication::translate("srs::ui::UnfinishedRuns", "forgetting the damaged unfinished-run entry %1").arg(fi.absoluteFilePath()).toStdString());
            QFile::remove(fi.absoluteFilePath());
            continue;
        }
        auto config = job::jobConfigFromJson(j["config"]);
        const QString run_dir = QString::fromStdString(j.value("run_dir", std::string()));
        if (!config || run_dir.isEmpty() || !QFileInfo(run_dir).isDir()) {
            QFile::remove(fi.absoluteFilePath());  // nothing left to resume
            continue;
        }
        auto state = job::readRunState(run_dir.toStdString());
        if (!state) continue;  // no block tuned yet (or a run of another app instance still calibrating)
        if (state->finished || !job::runStateMatches(*state, *config)) {
            QFile::remove(fi.absoluteFilePath());  // finished, or replaced by a run with other settings
            continue;
        }
        if (state->next_block <= 0 || state->next_block >= state->num_blocks) continue;
        UnfinishedRun r;
        r.id = fi.completeBaseName();
        r.started = QString::fromStdString(j.value("started", std::string()));
        r.model = QString::fromStdString(config->model);
        r.run_dir = run_dir;
        r.scheme = schemeLabel(*config);
        r.next_block = state->next_block;
        r.num_blocks = state->num_blocks;
        r.config = *config;
        r.config.resume = true;
        r.config.run_dir = run_dir.toStdString();
        runs.push_back(std::move(r));
    }
    std::sort(runs.begin(), runs.end(), [](const UnfinishedRun& a, const UnfinishedRun& b) { return a.started > b.started; });
    return runs;
}

Status UnfinishedRuns::discard(const UnfinishedRun& run) const {
    QDir dir(run.run_dir);
    if (!dir.exists()) {
        remove(run.run_dir);
        return {};
    }
    // The run folder's lock, as a job takes it: a run still writing there (this app, another
    // instance, the CLI) is refused with its PID and nothing is deleted; a lock left by a dead
    // run is taken over, and its lock file goes with the checkpoint.
    auto lock = io::DirLock::acquire(run.run_dir.toStdString(), "run folder");
    if (!lock) return lock.error();
    io::cleanDeadTemporaries(run.run_dir.toStdString(), 0);
    // Only the checkpoint's own files: the folder may be one the user chose.
    QStringList files = dir.entryList({"block_*.safetensors"}, QDir::Files);
    files << "activations.safetensors" << QString::fromLatin1(job::kRunStateFile);
    bool ok = true;
    for (const QString& f : files)
        if (dir.exists(f) && !dir.remove(f)) ok = false;
    lock->release();
    if (dir.isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) QDir().rmdir(run.run_dir);
    if (!ok)
        return makeError(ErrorCode::IoError, "could not delete every checkpoint file in " + run.run_dir.toStdString(),
                         "check the folder's permissions and delete it by hand");
    remove(run.run_dir);
    return {};
}

}  // namespace srs::ui
