// Running the built `signround` CLI from integration tests: one call, perplexity of a folder,
// the common quantize arguments and a byte snapshot of an output folder.
#pragma once
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include "support/test_paths.h"

namespace srs::test::cli {

struct Run {
    int code = -1;
    QString out, err;
};

inline Run cli(const QStringList& args, int timeout_ms = 600000) {
    QProcess p;
    p.start(srs::test::executable("signround"), args);
    p.waitForFinished(timeout_ms);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

inline double ppl(const QString& model, const QString& text, const QStringList& extra = {}) {
    Run r = cli(QStringList{"eval", "--model", model, "--text", text, "--window", "256", "--batch_size", "32", "--max_windows", "300", "--quiet"} + extra);
    auto m = QRegularExpression("^PPL (\\S+)$", QRegularExpression::MultilineOption).match(r.out);
    if (r.code != 0 || !m.hasMatch()) qWarning("eval failed: %s %s", qPrintable(r.out), qPrintable(r.err));
    return m.hasMatch() ? m.captured(1).toDouble() : -1;
}

inline QStringList baseArgs(const QString& model, const QString& calib, const QString& out) {
    return {"quantize", "--model", model, "--dataset", calib, "--output_dir", out, "--seqlen", "256"};
}

// Every file under a folder, with its bytes, for byte-for-byte comparisons.
inline QMap<QString, QByteArray> snapshot(const QString& dir) {
    QMap<QString, QByteArray> files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QString path = it.next();
        if (path.contains("/.signround-run/")) continue;
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        files[QDir(dir).relativeFilePath(path)] = f.readAll();
    }
    return files;
}

}  // namespace srs::test::cli
