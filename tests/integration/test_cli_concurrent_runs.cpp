// Runs never corrupt each other: while `signround quantize` runs, a second quantize into its
// --output_dir (or its --run_dir), a convert into its folder and an export from its run folder
// are refused at once, naming the running one's PID, and the first run's exports are byte for
// byte those of the same run alone. What dead runs left (".<name>.tmp-<pid>" folders, a lock file)
// is removed or taken over at the next start; a live process's temporary folder is kept.
#include <QTemporaryDir>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "cli_harness.h"

using namespace srs::test::cli;

namespace {

QStringList quantizeArgs(const QString& model, const QString& calib, const QString& out) {
    return {"quantize", "--model",  model, "--dataset", calib, "--output_dir", out, "--seqlen", "64", "--iters", "20",
            "--nsamples", "8", "--group_size", "32", "--format", "fake,auto_round"};
}

pid_t deadPid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

}  // namespace

class TestCliConcurrentRuns : public QObject {
    Q_OBJECT
private slots:
    void secondRunIntoTheSameFolderIsRefused() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        const QString out = dir.path() + "/out", ref = dir.path() + "/alone";
        Run alone = cli(quantizeArgs(model, calib, ref));
        QVERIFY2(alone.code == 0, qPrintable(alone.err));

        QProcess first;
        first.start(srs::test::executable("signround"), quantizeArgs(model, calib, out) << "--json");
        QVERIFY(first.waitForStarted());
        QByteArray seen;
        while (!seen.contains("\"event\":\"block_finished\"") && first.state() == QProcess::Running) {
            first.waitForReadyRead(100);
            seen += first.readAllStandardOutput();
        }
        QVERIFY2(first.state() == QProcess::Running, "the first run is still tuning after its first block");
        const pid_t pid = static_cast<pid_t>(first.processId());
        // Stopped, it holds its folders for as long as the checks below take, however slow the machine.
        ::kill(pid, SIGSTOP);
        const QString in_use = QString("is in use by another signround run (PID %1: ").arg(pid);

        QElapsedTimer t;
        t.start();
        Run second = cli(quantizeArgs(model, calib, out) << "--bits" << "3", 60000);
        const qint64 second_ms = t.elapsed();
        Run other_out = cli(quantizeArgs(model, calib, dir.path() + "/other") << "--run_dir" << out + "/.signround-run", 60000);
        Run convert = cli({"convert", "--model", model, "--format", "gguf:f16", "--output_dir", out}, 60000);
        Run reexport = cli({"export", "--run_dir", out + "/.signround-run", "--format", "fake", "--output_dir", dir.path() + "/re"}, 60000);
        ::kill(pid, SIGCONT);

        QVERIFY2(second.code == 1, qPrintable(second.err));
        QVERIFY2(second.err.contains(out + " " + in_use), qPrintable(second.err));
        QVERIFY2(second.err.contains("wait for it to finish or choose another --output_dir"), qPrintable(second.err));
        QVERIFY2(!second.err.contains("[info]") && second.out.isEmpty(), "refused before any work");
        QVERIFY2(second_ms < 20000, qPrintable(QString("refused at once, took %1 ms").arg(second_ms)));
        QVERIFY2(other_out.code == 1 && other_out.err.contains(in_use) && other_out.err.contains("--run_dir"), qPrintable(other_out.err));
        QVERIFY2(!QFileInfo::exists(dir.path() + "/other"), "the refused run left no folder");
        QVERIFY2(convert.code == 1 && convert.err.contains(in_use), qPrintable(convert.err));
        QVERIFY2(reexport.code == 1 && reexport.err.contains(in_use), qPrintable(reexport.err));

        QVERIFY(first.waitForFinished(600000));
        QCOMPARE(first.exitStatus(), QProcess::NormalExit);
        QVERIFY2(first.exitCode() == 0, first.readAllStandardError().constData());
        QVERIFY(!QFileInfo::exists(out + "/.signround.lock"));
        QVERIFY(!QFileInfo::exists(out + "/.signround-run/.signround.lock"));
        // Exactly the files of the same run alone: no 3-bit layer, no f16 GGUF, nothing else.
        auto a = snapshot(ref), b = snapshot(out);
        QCOMPARE(b.keys(), a.keys());
        for (const auto& k : a.keys()) QVERIFY2(a[k] == b[k], qPrintable("differs from the run alone: " + k));
    }

    void deadRunsLeftoversRemovedLiveKept() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        QTemporaryDir dir;
        const QString out = dir.path() + "/out";
        const QString dead = QString::number(deadPid()), live = QString::number(::getpid());
        QDir().mkpath(out + "/.stories260K-hf-w4g32-fake.tmp-" + dead);
        std::ofstream((out + "/.stories260K-hf-w4g32-fake.tmp-" + dead + "/model.safetensors").toStdString()) << "partial";
        QDir().mkpath(out + "/.x.tmp-" + dead);
        QDir().mkpath(out + "/.x.tmp-" + live);
        QDir().mkpath(out + "/.signround-run");
        std::ofstream((out + "/.signround-run/block_000.safetensors.tmp-" + dead).toStdString()) << "partial";
        // The lock file of a run killed with -9: the kernel dropped its lock, the file stayed.
        std::ofstream((out + "/.signround.lock").toStdString()) << dead.toStdString() << "\nsignround quantize\n";

        Run r = cli(quantizeArgs(model, calib, out) << "--iters" << "2");
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("took over " + out + "/.signround.lock"), qPrintable(r.err));
        for (const QString& gone : {out + "/.stories260K-hf-w4g32-fake.tmp-" + dead, out + "/.x.tmp-" + dead,
                                    out + "/.signround-run/block_000.safetensors.tmp-" + dead}) {
            QVERIFY2(!QFileInfo::exists(gone), qPrintable(gone));
            QVERIFY2(r.err.contains("removed " + gone + ", left by a run (PID " + dead + ")"), qPrintable(r.err));
        }
        QVERIFY2(QFileInfo(out + "/.x.tmp-" + live).isDir(), "a live process's temporary folder stays");
        QVERIFY(QFileInfo::exists(out + "/stories260K-hf-w4g32-fake/model.safetensors"));
        QVERIFY(!QFileInfo::exists(out + "/.signround.lock"));
    }
};

QTEST_GUILESS_MAIN(TestCliConcurrentRuns)
#include "test_cli_concurrent_runs.moc"
