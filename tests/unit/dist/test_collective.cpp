// core/dist/collective.h over Gloo on this machine's loopback, with 2 and 3 real ranks (processes
// of this test): sums of float and double tensors, several tensors packed into one all-reduce,
// broadcast, point to point, the counters, and a rank that gives up ending the others with its
// reason. (dist_collective_nccl runs the same over NCCL where two CUDA devices exist.)
#include "collective_ranks.h"

using namespace srs::test::dist;

class TestCollective : public QObject {
    Q_OBJECT
private slots:
    void everyCollectiveGivesTheKnownSums_data() {
        QTest::addColumn<int>("world");
        QTest::newRow("2 ranks") << 2;
        QTest::newRow("3 ranks") << 3;
    }
    void everyCollectiveGivesTheKnownSums() {
        QFETCH(int, world);
        WorldResult r = runWorld(world, "gloo", "ops");
        for (int i = 0; i < world; ++i) QVERIFY2(r.codes[static_cast<std::size_t>(i)] == 0, qPrintable(QString("rank %1: %2").arg(i).arg(r.errors[i])));
    }
    void aRankThatGivesUpEndsTheOthersWithItsReason() {
        WorldResult r = runWorld(3, "gloo", "abandon");
        QVERIFY2(r.codes[0] == 0, qPrintable(r.errors[0]));
        QCOMPARE(r.codes[1], 3);
        QVERIFY2(r.codes[2] == 0, qPrintable(r.errors[2]));
        qInfo("rank 1 gave up: the world ended %lld ms after it started", r.ms);
        QVERIFY2(r.ms < 20000, qPrintable(QString::number(r.ms)));
    }
    void ncclIsRefusedOnTheCpu() {
        srs::dist::DistSpec s;
        s.rank = 0;
        s.world_size = 2;
        s.master_addr = "127.0.0.1";
        s.master_port = srs::dist::freeLoopbackPort();
        s.backend = "nccl";
        auto c = srs::dist::connect(s, false);
        QVERIFY(!c.ok());
        QVERIFY2(c.error().message.find("the nccl backend needs CUDA devices") != std::string::npos, c.error().message.c_str());
    }
};

int main(int argc, char** argv) {
    runIfRank();
    QCoreApplication app(argc, argv);
    TestCollective t;
    return QTest::qExec(&t, argc, argv);
}
#include "test_collective.moc"
