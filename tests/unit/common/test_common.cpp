// Result/Error, cancellation, units and atomic files.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/common/units.h"
#include "core/io/atomic_file.h"

class TestCommon : public QObject {
    Q_OBJECT
private slots:
    void resultCarriesValueOrError() {
        srs::Result<int> good = 42;
        QVERIFY(good.ok());
        QCOMPARE(*good, 42);
        srs::Result<int> bad = srs::makeError(srs::ErrorCode::NotFound, "no such thing", "look elsewhere");
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().toString(), std::string("no such thing (look elsewhere)"));
        QCOMPARE(bad.error().withContext("opening x").message, std::string("opening x: no such thing"));
        auto chained = []() -> srs::Status {
            SRS_TRY(srs::Status(srs::makeError(srs::ErrorCode::IoError, "inner")));
            return {};
        }();
        QVERIFY(!chained.ok());
        QCOMPARE(chained.error().code, srs::ErrorCode::IoError);
    }

    void cancelTokenIsShared() {
        srs::CancelToken a;
        srs::CancelToken b = a;
        QVERIFY(a.check().ok());
        b.cancel();
        QVERIFY(a.cancelled());
        QCOMPARE(a.check("tuning").error().code, srs::ErrorCode::Cancelled);
    }

    void units() {
        QCOMPARE(srs::units::formatCount(260032), std::string("260,032"));
        QCOMPARE(srs::units::formatCount(999), std::string("999"));
        QCOMPARE(srs::units::formatBytes(1536), std::string("1.5 KiB"));
        QCOMPARE(srs::units::formatBytes(12), std::string("12 B"));
        QCOMPARE(srs::units::formatParams(4850000), std::string("4.85M"));
        QCOMPARE(srs::units::formatDuration(65000), std::string("1m 05s"));
        QCOMPARE(srs::units::formatDuration(3725000), std::string("1h 02m"));
    }

    void atomicFileAppearsOnlyOnCommit() {
        QTemporaryDir dir;
        std::string path = (dir.path() + "/out.bin").toStdString();
        {
            auto f = srs::io::AtomicFile::create(path);
            QVERIFY(f.ok());
            QVERIFY(f->write("hello").ok());
            QVERIFY(!std::filesystem::exists(path));
            QVERIFY(std::filesystem::exists(f->tempPath()));
        }  // destroyed without commit: discarded
        QVERIFY(!std::filesystem::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
        QVERIFY(srs::io::writeFileAtomic(path, "complete").ok());
        QCOMPARE(*srs::io::readFile(path), std::string("complete"));
        auto free = srs::io::freeDiskBytes(path);
        QVERIFY(free.ok());
        QVERIFY(*free > 0);
    }
};

QTEST_GUILESS_MAIN(TestCommon)
#include "test_common.moc"
