// Response-time checks that hold on a loaded machine. Each limit comes from tools/deadlines.py,
// which runs these tests repeatedly with every core kept busy by other processes and prints the
// distribution of what SRS_CHECK_DEADLINE reports; the limit is set well above the worst
// figure measured there (the figures and the limit are in each call's comment).
#pragma once

#include <QString>
#include <QtTest>

// Prints "deadline NAME: MS ms (limit LIMIT ms)" (the line tools/deadlines.py collects), then
// fails the test when MS exceeds LIMIT.
#define SRS_CHECK_DEADLINE(name, ms, limit_ms)                                                              \
    do {                                                                                                    \
        const long long srs_ms_ = static_cast<long long>(ms);                                              \
        const long long srs_limit_ = static_cast<long long>(limit_ms);                                     \
        qInfo("deadline %s: %lld ms (limit %lld ms)", name, srs_ms_, srs_limit_);                          \
        QVERIFY2(srs_ms_ <= srs_limit_, qPrintable(QString("%1 took %2 ms, over the %3 ms limit measured under load " \
                                                           "(tools/deadlines.py)").arg(name).arg(srs_ms_).arg(srs_limit_))); \
    } while (0)
