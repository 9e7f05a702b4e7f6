#include "ui/pages/preflight.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryFile>

#include "core/data/dataset_source.h"

namespace srs::ui {
namespace {
// True when a new file can be made in the existing folder `dir` (tried, then removed).
bool canCreateFileIn(const QString& dir) {
    QTemporaryFile probe(QDir(dir).filePath(".signround-write-check-XXXXXX"));
    return probe.open();  // removed when probe goes out of scope
}

QString settingsKey(const QString& purpose) { return "configure/lastFolder/" + purpose; }
}  // namespace

OutputCheck checkOutputFolder(const QString& dir) {
    const QString trimmed = dir.trimmed();
    if (trimmed.isEmpty()) return {OutputProblem::Empty, {}};
    const QString target = QDir::cleanPath(QFileInfo(trimmed).absoluteFilePath());
    QFileInfo info(target);
    if (info.exists()) {
        if (!info.isDir()) return {OutputProblem::IsAFile, target};
        return canCreateFileIn(target) ? OutputCheck{} : OutputCheck{OutputProblem::NotWritable, target};
    }
    // Still to be made: the nearest part of the path that exists decides.
    QString existing = target;
    while (!QFileInfo::exists(existing)) {
        const QString parent = QFileInfo(existing).path();
        if (parent == existing) return {OutputProblem::NotWritable, target};  // nothing of it exists
        existing = parent;
    }
    if (!QFileInfo(existing).isDir()) return {OutputProblem::UnderAFile, existing};
    return canCreateFileIn(existing) ? OutputCheck{} : OutputCheck{OutputProblem::NotWritable, existing};
}

FileCheck checkReadableFile(const QString& path) {
    if (path.trimmed().isEmpty()) return {FileProblem::Empty, path};
    QFileInfo info(path);
    if (!info.exists()) return {FileProblem::Missing, path};
    if (!info.isFile()) return {FileProblem::NotAFile, path};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {FileProblem::Unreadable, path};
    return {};
}

FileCheck checkCalibration(const QStringList& entries) {
    if (entries.isEmpty()) return {FileProblem::Empty, {}};
    for (const QString& e : entries) {
        if (data::isHubDatasetValue(e.toStdString())) continue;  // read from the Hub at the run
        FileCheck c = checkReadableFile(e);
        if (c.problem != FileProblem::None) return c;
    }
    return {};
}

QString lastDialogFolder(const QString& purpose, const QString& fallback) {
    const QString saved = QSettings().value(settingsKey(purpose)).toString();
    if (!saved.isEmpty() && QFileInfo(saved).isDir()) return saved;
    return fallback;
}

void rememberDialogFolder(const QString& purpose, const QString& path) {
    if (path.isEmpty()) return;
    QFileInfo info(path);
    const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    QSettings().setValue(settingsKey(purpose), folder);
}

}  // namespace srs::ui
