// Hub models are named by their repository, not by the commit folder they sit in: a path inside a
// cache snapshot (Hugging Face's layout, also what we write under ModelScope's cache) splits into
// repository id, commit and inner path; job::modelBaseName gives the repository's name for a
// snapshot folder, so export folders and GGUF file names read "stories260K-…", not "2bcbc26d…-…".
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "core/hub/hub_cache.h"
#include "core/hub/modelscope.h"
#include "core/io/weight_source.h"
#include "core/job/run_plan.h"
#include "support/test_paths.h"

using namespace srs;

namespace {
const std::string kCommit = "2bcbc26d6c4b7a9e1f3d5c7b9a1e3f5d7c9b1a3e";

// A cache snapshot of the shared stories260K-hf folder: every file a link into it.
QString makeSnapshot(const QString& cache_root, const QString& repo_folder, const QString& commit, const QString& source) {
    const QString dir = cache_root + "/" + repo_folder + "/snapshots/" + commit;
    if (!QDir().mkpath(dir)) return {};
    for (const QString& f : QDir(source).entryList(QDir::Files))
        if (!QFile::link(source + "/" + f, dir + "/" + f)) return {};
    return dir;
}
}  // namespace

class TestSnapshotNames : public QObject {
    Q_OBJECT
private slots:
    void parsesHuggingFaceSnapshots() {
        const std::string root = "/home/u/.cache/huggingface/hub/models--org--name/snapshots/" + kCommit;
        auto s = hub::parseSnapshotPath(root);
        QCOMPARE(s.repo_id, std::string("org/name"));
        QCOMPARE(s.commit, kCommit);
        QCOMPARE(s.inner, std::string());
        QCOMPARE(s.repoName(), std::string("name"));
        // A trailing slash and doubled slashes change nothing.
        QCOMPARE(hub::parseSnapshotPath(root + "/").repo_id, std::string("org/name"));
        QCOMPARE(hub::parseSnapshotPath("/home/u//models--org--name//snapshots/" + kCommit).repo_id, std::string("org/name"));
        // A file (or folder) inside the snapshot keeps its path below it.
        s = hub::parseSnapshotPath(root + "/gguf/name-Q8_0.gguf");
        QCOMPARE(s.repo_id, std::string("org/name"));
        QCOMPARE(s.inner, std::string("gguf/name-Q8_0.gguf"));
        // A repository without an owner.
        s = hub::parseSnapshotPath("/c/models--gpt2/snapshots/" + kCommit);
        QCOMPARE(s.repo_id, std::string("gpt2"));
        QCOMPARE(s.repoName(), std::string("gpt2"));
        QCOMPARE(hub::repoIdFromSnapshotPath(root), std::string("org/name"));
    }

    void refusesWhatIsNotASnapshot() {
        const std::vector<std::string> paths = {std::string("/models/stories260K-hf"), "/c/models--org--name/blobs/" + kCommit,
                                     "/c/models--org--name/snapshots/main",         // a branch name, not a commit
                                     "/c/models--org--name/snapshots/" + kCommit.substr(0, 39),
                                     "/c/org--name/snapshots/" + kCommit,           // no models-- prefix
                                     "/c/datasets--org--name/snapshots/" + kCommit, // a dataset, not a model
                                     "/c/models--a--b--c/snapshots/" + kCommit,     // not one org/name pair
                                     "/c/models--org--/snapshots/" + kCommit, "/c/models--/snapshots/" + kCommit,
                                     "/c/models--org--name/snapshots"};
        for (const std::string& p : paths) {
            QVERIFY2(hub::parseSnapshotPath(p).repo_id.empty(), p.c_str());
            QVERIFY2(hub::repoIdFromSnapshotPath(p).empty(), p.c_str());
        }
    }

    void parsesOurModelScopeDownloads() {
        // ModelScope names a snapshot by the content id of its listing; our downloads put it in
        // the same layout under $MODELSCOPE_CACHE/hub.
        auto env = hub::modelScopeEnvFromEnvironment([](const std::string& name) -> std::optional<std::string> {
            if (name == "MODELSCOPE_CACHE") return std::string("/data/ms");
            return std::nullopt;
        });
        QCOMPARE(env.cache_root, std::string("/data/ms/hub"));
        hub::RepoFile f;
        f.path = "config.json";
        f.size_bytes = 12;
        f.is_lfs = true;
        f.lfs_sha256 = std::string(64, 'a');
        const std::string id = hub::modelScopeSnapshotId("Qwen/Qwen3-0.6B", {f});
        QVERIFY(hub::isCommitHash(id));
        const hub::HubCache cache(env.cache_root);
        const std::string dir = cache.snapshotDir("Qwen/Qwen3-0.6B", id);
        auto s = hub::parseSnapshotPath(dir);
        QCOMPARE(s.repo_id, std::string("Qwen/Qwen3-0.6B"));
        QCOMPARE(s.commit, id);
        QCOMPARE(job::modelBaseName(dir), std::string("Qwen3-0.6B"));
        // The cache's own folder naming round-trips for Hugging Face ids too.
        QCOMPARE(hub::parseSnapshotPath(hub::HubCache("/c").snapshotDir("meta-llama/Llama-3.2-1B", kCommit)).repo_id,
                 std::string("meta-llama/Llama-3.2-1B"));
    }

    void baseNames() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString snap = tmp.path() + "/hub/models--tiny--stories260K/snapshots/" + QString::fromStdString(kCommit);
        QVERIFY(QDir().mkpath(snap + "/sub"));
        QFile gguf(snap + "/stories-Q8_0.gguf");
        QVERIFY(gguf.open(QIODevice::WriteOnly));
        gguf.close();
        QCOMPARE(job::modelBaseName(snap.toStdString()), std::string("stories260K"));
        QCOMPARE(job::modelBaseName(snap.toStdString() + "/"), std::string("stories260K"));
        // A file in a snapshot is named by its own stem, a folder inside one by its own name.
        QCOMPARE(job::modelBaseName(gguf.fileName().toStdString()), std::string("stories-Q8_0"));
        QCOMPARE(job::modelBaseName((snap + "/sub").toStdString()), std::string("sub"));
        // A relative path is resolved first.
        const QString cwd = QDir::currentPath();
        QVERIFY(QDir::setCurrent(snap));
        const std::string dot = job::modelBaseName(".");
        QVERIFY(QDir::setCurrent(cwd));
        QCOMPARE(dot, std::string("stories260K"));
        // Outside the cache: the folder's name, as before.
        QCOMPARE(job::modelBaseName("/models/stories260K-hf"), std::string("stories260K-hf"));
        QCOMPARE(job::modelBaseName("/models/stories260K-hf/"), std::string("stories260K-hf"));
    }

    // The export folders and files a run plans for a downloaded model carry the repository's name.
    void exportFoldersOfASnapshot() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString snap = makeSnapshot(tmp.path() + "/hub", "models--tiny--stories260K", QString::fromStdString(kCommit), model);
        QVERIFY(!snap.isEmpty());
        auto src = io::openWeightSource(snap.toStdString());
        QVERIFY2(src.ok(), src.ok() ? "" : src.error().message.c_str());
        job::JobConfig c;
        c.model = snap.toStdString();
        c.bits = 4;
        c.group_size = 32;
        c.formats = {"auto_round", "gguf:q8_0"};
        auto plan = job::planRun(**src, c);
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().toString().c_str());
        QCOMPARE(plan->exports.size(), std::size_t(2));
        QCOMPARE(plan->exports[0].folder, std::string("stories260K-w4g32-auto_round"));
        QCOMPARE(plan->exports[0].card.base_model, std::string("tiny/stories260K"));
        QCOMPARE(plan->exports[1].folder, std::string("stories260K-gguf-q8_0"));
        QVERIFY2(plan->exports[1].card.gguf_file.rfind("stories260K", 0) == 0, plan->exports[1].card.gguf_file.c_str());
        for (const auto& e : plan->exports) QVERIFY2(e.folder.find(kCommit.substr(0, 8)) == std::string::npos, e.folder.c_str());
    }
};

QTEST_APPLESS_MAIN(TestSnapshotNames)
#include "test_snapshot_names.moc"
