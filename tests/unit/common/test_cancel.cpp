// CancelToken's pause: a paused check() waits without spinning until resume() or cancel(), copies
// share the state, and pausedMs() counts the paused time.
#include <QtTest>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/common/cancel.h"

namespace {
using Clock = std::chrono::steady_clock;
std::int64_t msSince(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}
}  // namespace

class TestCancel : public QObject {
    Q_OBJECT
private slots:
    void notPausedCheckReturnsAtOnce() {
        srs::CancelToken t;
        QVERIFY(!t.paused());
        QCOMPARE(t.pausedMs(), std::int64_t(0));
        QVERIFY(!t.waitWhilePaused());
        QVERIFY(t.check().ok());
        t.resume();  // resuming a running token changes nothing
        QVERIFY(!t.paused());
    }

    void pausedCheckWaitsUntilResume() {
        srs::CancelToken owner;
        srs::CancelToken worker = owner;  // copies share the state
        owner.pause();
        QVERIFY(worker.paused());
        std::atomic<bool> passed{false};
        std::atomic<std::int64_t> cpu_loops{0};
        const auto t0 = Clock::now();
        std::thread th([&] {
            while (!passed) {
                ++cpu_loops;
                if (worker.check("testing").ok()) passed = true;
            }
        });
        // On a loaded machine the thread may take a while to start: wait until it is in check().
        for (int waited = 0; cpu_loops.load() == 0 && waited < 30000; waited += 5)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        QCOMPARE(cpu_loops.load(), std::int64_t(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        QVERIFY(!passed.load());
        // One check() call blocks: 400 ms later the thread has still not looped (a spinning check
        // would have gone round thousands of times).
        QCOMPARE(cpu_loops.load(), std::int64_t(1));
        QVERIFY(owner.pausedMs() >= 350);
        owner.resume();
        th.join();
        QVERIFY(passed.load());
        QVERIFY(msSince(t0) >= 400);
        const std::int64_t paused = owner.pausedMs();
        QVERIFY2(paused >= 390 && paused < 5000, qPrintable(QString::number(paused)));
        // Stays put once resumed.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QCOMPARE(owner.pausedMs(), paused);
    }

    void cancelWakesAPausedWaiter() {
        srs::CancelToken t;
        t.pause();
        srs::Status result;
        std::int64_t woke_after = -1;
        Clock::time_point cancelled_at;
        std::thread th([&] {
            result = t.check("tuning");
            woke_after = msSince(cancelled_at);
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancelled_at = Clock::now();
        t.cancel();
        th.join();
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, srs::ErrorCode::Cancelled);
        QVERIFY2(woke_after >= 0 && woke_after < 1000, qPrintable(QString::number(woke_after)));
    }

    void pausesAccumulate() {
        srs::CancelToken t;
        t.pause();
        t.pause();  // a second pause does not restart the clock
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        t.resume();
        const auto first = t.pausedMs();
        QVERIFY(first >= 95);
        t.pause();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        QVERIFY(t.pausedMs() >= first + 95);  // counted while still paused
        t.resume();
        QVERIFY(t.pausedMs() >= first + 95);
    }
};

QTEST_GUILESS_MAIN(TestCancel)
#include "test_cancel.moc"
