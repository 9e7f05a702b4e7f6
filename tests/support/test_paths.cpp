#include "support/test_paths.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>

namespace srs::test {

QString sourceDir() {
    QString s = qEnvironmentVariable("SRS_SOURCE_DIR");
    return s.isEmpty() ? QDir::currentPath() : s;
}

QString binaryDir() {
    QString s = qEnvironmentVariable("SRS_BINARY_DIR");
    return s.isEmpty() ? QDir::currentPath() : s;
}

QString sharedData() {
    QString s = qEnvironmentVariable("SRS_SHARED_DATA");
    if (!s.isEmpty()) return s;
    return QDir(sourceDir()).absoluteFilePath("../shared/data");
}

QString sharedPath(const QString& relative) {
    QString p = QDir(sharedData()).absoluteFilePath(relative);
    return QFileInfo::exists(p) ? QDir::cleanPath(p) : QString();
}

QString executable(const QString& name) { return QDir(binaryDir()).absoluteFilePath("app/" + name); }

}  // namespace srs::test
