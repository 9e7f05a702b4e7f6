#include "ui/model_name.h"

#include <QDir>
#include <QFileInfo>

#include "core/hub/hub_cache.h"

namespace srs::ui {
namespace {
hub::SnapshotPath snapshotOf(const QString& path) {
    if (path.isEmpty()) return {};
    return hub::parseSnapshotPath(QDir::cleanPath(QFileInfo(path).absoluteFilePath()).toStdString());
}
}  // namespace

QString hubRepoOf(const QString& path) { return QString::fromStdString(snapshotOf(path).repo_id); }

QString modelDisplayName(const QString& path) {
    const hub::SnapshotPath s = snapshotOf(path);
    if (!s.repo_id.empty()) return QString::fromStdString(s.inner.empty() ? s.repo_id : s.repo_id + "/" + s.inner);
    const QString name = QFileInfo(QDir::cleanPath(path)).fileName();
    return name.isEmpty() ? path : name;
}

}  // namespace srs::ui
