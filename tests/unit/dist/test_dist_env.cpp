// core/dist/dist_env.h: the distributed run's identity from torchrun's and Slurm's variables,
// the errors for inconsistent ones, Slurm node lists, and how samples are shared by the ranks.
#include <QtTest>

#include <map>
#include <string>

#include "core/dist/dist_env.h"

using namespace srs::dist;

namespace {

srs::Result<DistSpec> detect(const std::map<std::string, std::string>& env) {
    return detectDistEnv([&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}

}  // namespace

class TestDistEnv : public QObject {
    Q_OBJECT
private slots:
    void noLauncherIsOneProcess() {
        auto s = detect({{"HOME", "/root"}});
        QVERIFY(s.ok());
        QCOMPARE(s->world_size, 1);
        QVERIFY(!s->active());
        QVERIFY(s->isMaster());
    }
    void torchrunVariables() {
        auto s = detect({{"RANK", "2"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "0"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29400"}});
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(s->rank, 2);
        QCOMPARE(s->world_size, 4);
        QCOMPARE(s->local_rank, 0);
        QCOMPARE(QString::fromStdString(s->master_addr), QString("node7"));
        QCOMPARE(s->master_port, 29400);
        QCOMPARE(QString::fromStdString(s->source), QString("torchrun"));
        QVERIFY(s->active() && !s->isMaster());
        QCOMPARE(QString::fromStdString(s->describe()), QString("rank 2 of 4 (master node7:29400, from torchrun)"));
        // torchrun's variables win over Slurm's when both are set (torchrun inside an allocation).
        auto both = detect({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}});
        QVERIFY(both.ok());
        QCOMPARE(both->world_size, 2);
        // A world of one needs no master.
        auto one = detect({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
        QVERIFY(one.ok() && !one->active());
    }
    void torchrunErrorsNameTheVariable() {
        const std::map<std::string, std::string> good{{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "29500"}};
        const struct {
            const char* name;
            const char* value;
            const char* expect;
        } cases[] = {
            {"RANK", "2", "RANK='2' is not a whole number from 0 to 1"},
            {"RANK", "-1", "RANK='-1'"},
            {"WORLD_SIZE", "two", "WORLD_SIZE='two'"},
            {"WORLD_SIZE", "0", "WORLD_SIZE='0'"},
            {"MASTER_PORT", "70000", "MASTER_PORT='70000' is not a whole number from 1 to 65535"},
            {"MASTER_PORT", "", "MASTER_PORT is not set"},
            {"MASTER_ADDR", "", "MASTER_ADDR is not set (WORLD_SIZE is 2)"},
            {"LOCAL_RANK", "9", "LOCAL_RANK='9'"},
        };
        for (const auto& c : cases) {
            auto env = good;
            env[c.name] = c.value;
            auto s = detect(env);
            QVERIFY2(!s.ok(), c.name);
            QVERIFY2(s.error().message.find(c.expect) != std::string::npos, s.error().message.c_str());
            QVERIFY2(s.error().hint.find("signround launch") != std::string::npos, s.error().hint.c_str());
        }
        auto no_world = detect({{"RANK", "0"}});
        QVERIFY(!no_world.ok());
        QVERIFY(no_world.error().message.find("WORLD_SIZE is not set") != std::string::npos);
    }
    void slurmVariables() {
        auto s = detect({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "32"}, {"SLURM_LOCALID", "5"}, {"SLURM_STEP_NODELIST", "gpu[03-06,09],cpu1"},
                         {"SLURM_JOB_NODELIST", "other1"}});
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(s->rank, 5);
        QCOMPARE(s->world_size, 32);
        QCOMPARE(s->local_rank, 5);
        QCOMPARE(QString::fromStdString(s->master_addr), QString("gpu03"));
        QCOMPARE(s->master_port, kDefaultMasterPort);
        QCOMPARE(QString::fromStdString(s->source), QString("slurm"));
        // The job's node list when the step's is absent; MASTER_ADDR / MASTER_PORT override.
        auto job = detect({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_JOB_NODELIST", "n[7-8]"}, {"MASTER_PORT", "1234"}});
        QVERIFY(job.ok());
        QCOMPARE(QString::fromStdString(job->master_addr), QString("n7"));
        QCOMPARE(job->master_port, 1234);
        auto addr = detect({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"MASTER_ADDR", "10.0.0.1"}});
        QVERIFY(addr.ok());
        QCOMPARE(QString::fromStdString(addr->master_addr), QString("10.0.0.1"));
        auto none = detect({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}});
        QVERIFY(!none.ok());
        QVERIFY(none.error().message.find("SLURM_STEP_NODELIST") != std::string::npos);
        auto bad = detect({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "2"}, {"SLURM_JOB_NODELIST", "n1"}});
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.find("SLURM_PROCID='3'") != std::string::npos);
    }
    void slurmNodeLists() {
        const std::pair<const char*, const char*> ok[] = {
            {"node7", "node7"},           {"gpu[03-06,09]", "gpu03"}, {"gpu[10,2-3],x[1-2]", "gpu10"},
            {"a-b.c,d", "a-b.c"},         {"n[001]", "n001"},         {"rack1-n[12-14]", "rack1-n12"},
        };
        for (const auto& [list, first] : ok) {
            auto h = firstSlurmHost(list);
            QVERIFY2(h.ok(), list);
            QCOMPARE(QString::fromStdString(*h), QString(first));
        }
        for (const char* bad : {"", "[1-2]", "gpu[1-2", "gpu1-2]", "gpu[a-b]", "gpu[1-2]x", "g[[1]]"}) {
            auto h = firstSlurmHost(bad);
            QVERIFY2(!h.ok(), bad);
            QVERIFY(h.error().hint.find("MASTER_ADDR") != std::string::npos);
        }
    }
    void shardsCoverTheSamplesOnce() {
        for (long long n : {1LL, 7LL, 8LL, 12LL, 129LL})
            for (int world = 1; world <= 5; ++world) {
                long long next = 0, smallest = n, largest = 0;
                for (int r = 0; r < world; ++r) {
                    const Shard s = shardOf(n, r, world);
                    QCOMPARE(s.first, next);
                    next += s.count;
                    smallest = std::min(smallest, s.count);
                    largest = std::max(largest, s.count);
                }
                QCOMPARE(next, n);
                QVERIFY(largest - smallest <= 1);
            }
        QCOMPARE(shardOf(12, 1, 3).first, 4LL);
        QCOMPARE(shardOf(12, 1, 3).count, 4LL);
    }
};

QTEST_GUILESS_MAIN(TestDistEnv)
#include "test_dist_env.moc"
