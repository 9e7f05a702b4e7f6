// Where the interop_llama fixture (setup.sh) left llama.cpp: $SRS_INTEROP_LLAMA (set by CTest)
// holds build/bin/ (libggml-base.so, libllama.so, llama-perplexity …), bin/llama_window_ppl and
// llama.stamp, which setup.sh writes only after a complete build. When the fixture skipped
// (PyPI unreachable) it left SKIPPED with the reason, and the tests skip with that reason;
// without either file the fixture did not run or failed, and the tests fail.
#pragma once

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QTemporaryDir>
#include <QtTest>

namespace srs::test::llama {

inline QString fixtureDir() { return qEnvironmentVariable("SRS_INTEROP_LLAMA"); }
inline QString libDir() { return fixtureDir() + "/build/bin"; }

// Empty when the build is there; else the reason, and *skip says whether it is a skip (PyPI
// unreachable) rather than a failure.
inline QString missingReason(bool* skip) {
    *skip = false;
    const QString dir = fixtureDir();
    if (dir.isEmpty()) return "SRS_INTEROP_LLAMA is not set (run the test through CTest)";
    if (QFileInfo::exists(dir + "/llama.stamp")) return {};
    QFile f(dir + "/SKIPPED");
    if (f.open(QIODevice::ReadOnly)) {
        *skip = true;
        return "llama.cpp was not built: " + QString::fromUtf8(f.readAll()).trimmed();
    }
    return "no llama.cpp build in " + dir + " (the interop_llama_setup test must run first and pass)";
}

// What a llama.cpp tool run left: its exit code (-1 when it crashed or ran out of time) and
// its standard output and error.
struct ToolRun {
    int code = -1;
    QString out, err;
    QString log() const { return out + err; }
};

inline QString readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// Runs a llama.cpp tool with its standard output and error going to files, which are read once
// it has exited. llama.cpp logs from a worker thread; read through QProcess's pipes its last
// lines (the final statistics) were now and then missing on a loaded CI machine although the
// tool exited 0, never when the same runs were written to files.
inline ToolRun runTool(const QString& program, const QStringList& args, int timeout_ms) {
    QTemporaryDir logs;
    QProcess p;
    p.setStandardOutputFile(logs.filePath("stdout"));
    p.setStandardErrorFile(logs.filePath("stderr"));
    p.start(program, args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished(10000);
    }
    ToolRun r;
    r.code = p.exitStatus() == QProcess::NormalExit && p.error() != QProcess::FailedToStart ? p.exitCode() : -1;
    r.out = readAll(logs.filePath("stdout"));
    r.err = readAll(logs.filePath("stderr"));
    return r;
}

// runTool, repeated (up to `runs` runs in all) while the tool exits 0 without printing
// `final_line`, saying so each time; the last run is returned for the caller to check.
inline ToolRun runToolUntil(const QString& program, const QStringList& args, const QRegularExpression& final_line,
                            int timeout_ms, int runs = 3) {
    ToolRun r = runTool(program, args, timeout_ms);
    for (int i = 1; i < runs && r.code == 0 && !final_line.match(r.log()).hasMatch(); ++i) {
        qWarning("%s exited 0 without '%s' (%lld bytes of output); running it again", qPrintable(QFileInfo(program).fileName()),
                 qPrintable(final_line.pattern()), qint64(r.log().size()));
        r = runTool(program, args, timeout_ms);
    }
    return r;
}

}  // namespace srs::test::llama

// In initTestCase: skip (PyPI unreachable) or fail (fixture missing or failed), saying why.
#define SRS_REQUIRE_LLAMA_BUILD()                                                      \
    do {                                                                               \
        bool skip_ = false;                                                            \
        const QString why_ = ::srs::test::llama::missingReason(&skip_);                \
        if (!why_.isEmpty()) {                                                         \
            if (skip_) QSKIP(qPrintable(why_));                                        \
            QFAIL(qPrintable(why_));                                                   \
        }                                                                              \
    } while (false)
