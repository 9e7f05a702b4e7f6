// Every command answers --help: its summary and usage on stdout, exit 0, nothing run — for each
// command `signround help` lists, with --help alone, after other flags, and -h first; unknown
// commands still fail. The command list is read from `signround help`, so a new command is covered.
#include <QRegularExpression>
#include <QtTest>

#include "cli_harness.h"

using srs::test::cli::cli;

class TestCliHelp : public QObject {
    Q_OBJECT

    static QStringList commandNames() {
        const auto r = cli({"help"});
        QStringList names;
        QRegularExpression line("^  (\\S+)\\s{2,}\\S");
        for (const QString& l : r.out.split('\n')) {
            auto m = line.match(l);
            if (m.hasMatch()) names << m.captured(1);
        }
        return names;
    }

private slots:
    void everyCommandHasHelp() {
        const QStringList names = commandNames();
        for (const char* expected : {"quantize", "eval", "generate", "inspect", "export", "convert", "bench", "upload", "hub", "devices"})
            QVERIFY2(names.contains(expected), qPrintable("`signround help` does not list " + QString(expected)));
        for (const QString& name : names) {
            for (const QStringList& args : {QStringList{name, "--help"}, QStringList{name, "-h"}, QStringList{name, "--model", "/nonexistent", "--help"}}) {
                const auto r = cli(args, 60000);
                QVERIFY2(r.code == 0, qPrintable(args.join(' ') + " exited " + QString::number(r.code) + ": " + r.err));
                QVERIFY2(r.out.contains("usage: signround " + name), qPrintable(args.join(' ') + " printed: " + r.out));
            }
        }
    }

    void unknownCommandFails() {
        const auto r = cli({"no-such-command", "--help"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown command"));
    }
};

QTEST_APPLESS_MAIN(TestCliHelp)
#include "test_cli_help.moc"
