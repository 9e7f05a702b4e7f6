// core/dist/collective.h over NCCL: the same scenarios as dist_collective with each rank's tensors
// on cuda:LOCAL_RANK. Needs a CUDA build of core/dist (-DSRS_WITH_CUDA=ON) and two CUDA devices;
// skipped otherwise (tools/gpu/check.sh runs it on a GPU machine and says which applies).
#include <torch/cuda.h>

#include "collective_ranks.h"

using namespace srs::test::dist;

class TestCollectiveNccl : public QObject {
    Q_OBJECT
private slots:
    void everyCollectiveGivesTheKnownSums() {
#ifndef SRS_DIST_NCCL
        QSKIP("this build has no NCCL backend (configure with -DSRS_WITH_CUDA=ON)");
#endif
        const auto devices = torch::cuda::device_count();
        if (devices < 2) QSKIP(qPrintable(QString("%1 CUDA device(s): NCCL between ranks needs two").arg(devices)));
        WorldResult r = runWorld(2, "nccl", "ops");
        for (int i = 0; i < 2; ++i) QVERIFY2(r.codes[static_cast<std::size_t>(i)] == 0, qPrintable(QString("rank %1: %2").arg(i).arg(r.errors[i])));
    }
};

int main(int argc, char** argv) {
    runIfRank();
    QCoreApplication app(argc, argv);
    TestCollectiveNccl t;
    return QTest::qExec(&t, argc, argv);
}
#include "test_collective_nccl.moc"
