// core/io/dir_lock.h: one job per folder. A second acquire — in this process (another job of the
// GUI) or in another process — is refused naming the holder's PID; the lock goes with its DirLock;
// a lock file left by a process that died (kill -9: the kernel drops the flock, the file stays) is
// taken over; the leftovers of dead writers are removed while a live writer's are kept.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/dir_lock.h"

namespace fs = std::filesystem;
using namespace srs;

namespace {

// A PID that is no running process: a child that has exited and been reaped.
pid_t deadPid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

class TestDirLock : public QObject {
    Q_OBJECT
private slots:
    void secondAcquireInThisProcessIsRefusedWithPid() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString() + "/out";
        auto first = io::DirLock::acquire(dir, "--output_dir");
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().toString().c_str());
        QVERIFY(first->held());
        QVERIFY(fs::is_directory(dir));
        const std::string content = slurp(fs::path(dir) / io::kDirLockFile);
        QVERIFY2(content.rfind(std::to_string(::getpid()) + "\n", 0) == 0, content.c_str());

        // The same folder spelled differently is the same folder.
        auto second = io::DirLock::acquire(dir + "/./", "--output_dir");
        QVERIFY(!second.ok());
        const std::string msg = second.error().message;
        QVERIFY2(msg.find(fs::path(dir).lexically_normal().string() + " is in use by another signround run") != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("PID " + std::to_string(::getpid())) != std::string::npos, msg.c_str());
        QVERIFY2(second.error().hint.find("choose another --output_dir") != std::string::npos, second.error().hint.c_str());

        // A DirLockSet takes the folder once, whatever the spelling.
        first->release();
        {
            io::DirLockSet set;
            QVERIFY(set.lock(dir, "--output_dir").ok());
            QVERIFY(set.lock(dir + "/", "--run_dir").ok());
            QVERIFY(!io::DirLock::acquire(dir, "--run_dir").ok());
        }
        QVERIFY(io::DirLock::acquire(dir).ok());
    }

    void releasedOnDestructionAndFolderTidied() {
        QTemporaryDir tmp;
        const std::string made = tmp.path().toStdString() + "/made/by/lock";
        const std::string existing = tmp.path().toStdString();
        {
            auto a = io::DirLock::acquire(made);
            QVERIFY(a.ok());
            auto b = io::DirLock::acquire(existing);
            QVERIFY(b.ok());
            QVERIFY(fs::exists(fs::path(existing) / io::kDirLockFile));
        }
        QVERIFY(!fs::exists(fs::path(existing) / io::kDirLockFile));  // the lock file goes with the lock
        QVERIFY(fs::is_directory(existing));                           // a folder it did not create stays
        QVERIFY(!fs::exists(made));                                    // one it created and left empty goes
        QVERIFY(fs::is_directory(tmp.path().toStdString() + "/made/by"));
        {
            auto c = io::DirLock::acquire(made);
            QVERIFY(c.ok());
            c->keepDir();
        }
        QVERIFY(fs::is_directory(made));
        // Moving a lock moves the ownership: released once, by the last owner.
        auto d = io::DirLock::acquire(made);
        QVERIFY(d.ok());
        io::DirLock moved = std::move(*d);
        QVERIFY(!io::DirLock::acquire(made).ok());
        moved.release();
        QVERIFY(io::DirLock::acquire(made).ok());
    }

    void anotherProcessHoldingItIsNamed() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        int ready[2], go[2];
        QVERIFY(::pipe(ready) == 0 && ::pipe(go) == 0);
        const pid_t child = ::fork();
        if (child == 0) {
            ::alarm(60);  // never outlives a parent that failed before letting it go
            ::close(ready[0]);
            ::close(go[1]);
            auto l = io::DirLock::acquire(dir);
            char c = l.ok() ? 'y' : 'n';
            (void)!::write(ready[1], &c, 1);
            (void)!::read(go[0], &c, 1);  // hold it until the parent has looked (or has gone)
            ::_exit(0);                   // no destructor: as if killed
        }
        ::close(ready[1]);
        ::close(go[0]);
        // Lets the child go and reaps it, also when a check below fails.
        struct Reap {
            pid_t pid;
            int go, ready;
            void now() {
                if (pid <= 0) return;
                ::close(go);
                ::close(ready);
                ::waitpid(pid, nullptr, 0);
                pid = 0;
            }
            ~Reap() { now(); }
        } reap{child, go[1], ready[0]};
        char c = 0;
        QCOMPARE(::read(ready[0], &c, 1), ssize_t(1));
        QCOMPARE(c, 'y');
        auto refused = io::DirLock::acquire(dir);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("(PID " + std::to_string(child) + ": ") != std::string::npos, refused.error().message.c_str());
        reap.now();
        // The child died holding it: its lock file stays, the kernel's lock does not.
        QVERIFY(slurp(fs::path(dir) / io::kDirLockFile).rfind(std::to_string(child) + "\n", 0) == 0);
        auto taken = io::DirLock::acquire(dir);
        QVERIFY2(taken.ok(), taken.ok() ? "" : taken.error().toString().c_str());
        QVERIFY(slurp(fs::path(dir) / io::kDirLockFile).rfind(std::to_string(::getpid()) + "\n", 0) == 0);
    }

    void staleLockFileWithDeadPidIsTakenOver() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const pid_t dead = deadPid();
        std::ofstream(fs::path(dir) / io::kDirLockFile) << dead << "\nsignround quantize --output_dir " << dir << "\n";
        auto l = io::DirLock::acquire(dir);
        QVERIFY2(l.ok(), l.ok() ? "" : l.error().toString().c_str());
        QVERIFY(l->held());
        QVERIFY(slurp(fs::path(dir) / io::kDirLockFile).rfind(std::to_string(::getpid()) + "\n", 0) == 0);
    }

    void readOnlyUseOfMissingFolderCreatesNothing() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString() + "/absent";
        auto l = io::DirLock::acquire(dir, "--run_dir", io::DirLock::Use::Read);
        QVERIFY(l.ok());
        QVERIFY(!l->held());
        QVERIFY(!fs::exists(dir));
    }

    void deadWritersLeftoversRemovedLiveKept() {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        const std::string dead = std::to_string(deadPid()), live = std::to_string(::getpid());
        fs::create_directories(dir / (".m-w4g128-fake.tmp-" + dead) / "sub");
        std::ofstream(dir / (".m-w4g128-fake.tmp-" + dead) / "sub" / "x") << "partial";
        fs::create_directories(dir / (".m-w4g128-fake.tmp-" + live));
        std::ofstream(dir / ("state.json.tmp-" + dead)) << "{";
        std::ofstream(dir / ("state.json.tmp-" + live)) << "{";
        fs::create_directories(dir / "m-w4g128-fake");
        std::ofstream(dir / "m-w4g128-fake" / ("README.md.tmp-" + dead)) << "#";
        // A commit that died between its renames: the backup is the only copy, so it comes back.
        fs::create_directories(dir / ("m-gguf.old-" + dead));
        std::ofstream(dir / ("m-gguf.old-" + dead) / "m.gguf") << "GGUF";
        // ... and one that died after them: the backup is garbage.
        fs::create_directories(dir / ("m-w4g128-fake.old-" + dead));
        std::ofstream(dir / "keep.tmp-x") << "not ours";
        std::ofstream(dir / "notes.tmp") << "not ours";

        const auto lines = io::cleanDeadTemporaries(dir.string(), 1);
        QCOMPARE(lines.size(), std::size_t(5));
        for (const auto& l : lines) QVERIFY2(l.find("PID " + dead) != std::string::npos, l.c_str());
        QVERIFY(!fs::exists(dir / (".m-w4g128-fake.tmp-" + dead)));
        QVERIFY(!fs::exists(dir / ("state.json.tmp-" + dead)));
        QVERIFY(!fs::exists(dir / "m-w4g128-fake" / ("README.md.tmp-" + dead)));
        QVERIFY(!fs::exists(dir / ("m-w4g128-fake.old-" + dead)));
        QVERIFY(fs::exists(dir / "m-gguf" / "m.gguf"));
        QVERIFY(!fs::exists(dir / ("m-gguf.old-" + dead)));
        // A live PID's (ours here) and names that are not ours stay.
        QVERIFY(fs::is_directory(dir / (".m-w4g128-fake.tmp-" + live)));
        QVERIFY(fs::exists(dir / ("state.json.tmp-" + live)));
        QVERIFY(fs::exists(dir / "keep.tmp-x"));
        QVERIFY(fs::exists(dir / "notes.tmp"));
        QVERIFY(fs::is_directory(dir / "m-w4g128-fake"));
        QVERIFY(io::cleanDeadTemporaries(dir.string(), 1).empty());
    }
};

QTEST_GUILESS_MAIN(TestDirLock)
#include "test_dir_lock.moc"
