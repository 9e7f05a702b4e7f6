// Where the interop_llama fixture (setup.sh) left llama.cpp: $SRS_INTEROP_LLAMA (set by CTest)
// holds build/bin/ (libggml-base.so, libllama.so, llama-perplexity …), bin/llama_window_ppl and
// llama.stamp, which setup.sh writes only after a complete build. When the fixture skipped
// (PyPI unreachable) it left SKIPPED with the reason, and the tests skip with that reason;
// without either file the fixture did not run or failed, and the tests fail.
#pragma once

#include <QFile>
#include <QFileInfo>
#include <QString>
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
