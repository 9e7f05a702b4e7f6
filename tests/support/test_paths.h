// Where tests find things: the shared data folder (real models and text, may be absent), the
// source and build trees, and a skip helper that says why a test did not run.
#pragma once

#include <QString>

namespace srs::test {

// $SRS_SHARED_DATA (set by CTest) or ../shared/data beside the source tree.
QString sharedData();
// sharedData() + "/" + relative, or an empty string if it does not exist.
QString sharedPath(const QString& relative);
QString sourceDir();
QString binaryDir();
// Path of a built executable (signround, signround-studio) in the build tree.
QString executable(const QString& name);

}  // namespace srs::test

// Skips the current Qt test when a shared-data file is missing, naming it.
#define SRS_REQUIRE_SHARED(var, relative)                                                        \
    const QString var = ::srs::test::sharedPath(relative);                                       \
    if (var.isEmpty()) QSKIP(qPrintable(QStringLiteral("shared data not present: %1 (expected under %2)") \
                                            .arg(relative, ::srs::test::sharedData())))
