// Two jobs of one process (the GUI's) into one output folder: the second is refused at its start,
// naming this process's PID, and writes nothing, while the first finishes untouched; a job also
// removes what dead runs left in its output folder and keeps a live run's (core/io/dir_lock.h,
// through convertModel, the torch-free job).
#include <QTemporaryDir>
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/io/dir_lock.h"
#include "core/job/convert.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;
using namespace srs;

namespace {

// Holds its job at the start of the export (the output folder already locked) until let go.
class Gate : public job::JobObserver {
public:
    void onPhase(const job::PhaseChanged&) override {
        std::unique_lock<std::mutex> l(m_);
        reached_ = true;
        cv_.notify_all();
        cv_.wait(l, [this] { return open_; });
    }
    // A job that ends before its export (an error) must not leave the test waiting.
    void onFinished(const job::JobFinished&) override {
        std::lock_guard<std::mutex> l(m_);
        reached_ = true;
        cv_.notify_all();
    }
    void waitReached() {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [this] { return reached_; });
    }
    void open() {
        std::lock_guard<std::mutex> l(m_);
        open_ = true;
        cv_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool reached_ = false, open_ = false;
};

class Logs : public job::JobObserver {
public:
    void onLog(int, const std::string& m) override { lines.push_back(m); }
    std::vector<std::string> lines;
};

job::JobConfig f32Job(const QString& model, const std::string& out) {
    job::JobConfig c;
    c.model = model.toStdString();
    c.formats = {"gguf:f32"};
    c.output_dir = out;
    return c;
}

}  // namespace

class TestJobDirLock : public QObject {
    Q_OBJECT
private slots:
    void secondJobOfThisProcessIsRefused() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/out";
        Gate gate;
        job::JobFinished first;
        std::thread t([&] { first = job::convertModel(f32Job(model, out), gate, {}); });
        gate.waitReached();

        job::JobConfig c = f32Job(model, out);
        c.formats = {"gguf:f16"};
        job::JobObserver quiet;
        const auto second = job::convertModel(c, quiet, {});
        gate.open();
        t.join();

        QCOMPARE(second.state, job::JobState::Failed);
        QVERIFY2(second.message.find(" is in use by another signround run (PID " + std::to_string(::getpid())) != std::string::npos,
                 second.message.c_str());
        QVERIFY2(second.hint.find("choose another --output_dir") != std::string::npos, second.hint.c_str());
        QVERIFY2(first.state == job::JobState::Finished, first.message.c_str());
        QVERIFY(fs::exists(fs::path(out) / "stories260K-hf-gguf-f32"));
        QVERIFY(!fs::exists(fs::path(out) / "stories260K-hf-gguf-f16"));  // the refused job wrote nothing
        QVERIFY(!fs::exists(fs::path(out) / io::kDirLockFile));           // released at the end

        // Once the first has finished the folder is free again.
        const auto third = job::convertModel(c, quiet, {});
        QVERIFY2(third.state == job::JobState::Finished, third.message.c_str());
    }

    void deadRunsLeftoversRemovedAtStart() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir dir;
        const fs::path out = dir.path().toStdString();
        const pid_t dead = ::fork();
        if (dead == 0) ::_exit(0);
        ::waitpid(dead, nullptr, 0);
        const fs::path stale = out / (".stories260K-hf-gguf-f32.tmp-" + std::to_string(dead));
        const fs::path live = out / (".x.tmp-" + std::to_string(::getpid()));
        fs::create_directories(stale);
        std::ofstream(stale / "stories260K-F32.gguf") << "half";
        fs::create_directories(live);
        Logs logs;
        const auto fin = job::convertModel(f32Job(model, out.string()), logs, {});
        QVERIFY2(fin.state == job::JobState::Finished, fin.message.c_str());
        QVERIFY(!fs::exists(stale));
        QVERIFY(fs::is_directory(live));
        bool said = false;
        for (const auto& l : logs.lines) said = said || (l.find("removed " + stale.string()) != std::string::npos);
        QVERIFY2(said, "a log line names what was removed");
    }
};

QTEST_GUILESS_MAIN(TestJobDirLock)
#include "test_job_dir_lock.moc"
