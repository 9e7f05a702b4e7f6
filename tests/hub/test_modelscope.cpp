// ModelScope as a download source, against the fake hub's ModelScope endpoints: the environment
// (MODELSCOPE_ENDPOINT / MODELSCOPE_CACHE), the recursive file listing, a download through the
// shared downloader into the cache layout (blobs named by sha256, refs/master naming a content
// snapshot id), the file requests on /api/v1/models/{id}/repo?Revision=&FilePath=, resume after
// a dropped connection, unknown models and revisions, search answering "unsupported", and
// `signround download --source modelscope`.
#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include "core/hub/hub_cache.h"
#include "core/hub/hub_download.h"
#include "core/hub/modelscope.h"
#include "fakehub.h"

using namespace srs;
using namespace srs::hub;

namespace {
EnvLookup lookup(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
const char* kNested = "fake-org/nested";
}  // namespace

class TestModelScope : public QObject {
    Q_OBJECT

    test::FakeHub hub_;
    QTemporaryDir nested_;
    std::unique_ptr<QTemporaryDir> cache_dir_;

    ModelScopeClient client() {
        ModelScopeEnv e = modelScopeEnvFromEnvironment(lookup({{"MODELSCOPE_ENDPOINT", hub_.url() + "/"}}));
        return ModelScopeClient(e, e.token, RetryPolicy{2, 20, 200});
    }
    HubCache cache() const { return HubCache(cache_dir_->path().toStdString()); }
    DownloadOptions options() const {
        DownloadOptions o;
        o.repo_id = kNested;
        o.revision = "master";
        o.retry_base_ms = 20;
        o.progress_interval_ms = 10;
        return o;
    }

private slots:
    void initTestCase() {
        QVERIFY(test::writeNestedRepo(nested_.path()));
        SRS_START_FAKEHUB(hub_, QStringList({"--repo", QString(kNested) + "=" + nested_.path()}));
    }
    void init() {
        cache_dir_ = std::make_unique<QTemporaryDir>();
        QVERIFY(hub_.reset().ok());
    }

    void environment() {
        auto d = modelScopeEnvFromEnvironment(lookup({{"HOME", "/home/u"}}));
        QCOMPARE(d.endpoint, std::string("https://www.modelscope.cn"));
        QCOMPARE(d.cache_root, std::string("/home/u/.cache/modelscope/hub"));
        QVERIFY(d.token.empty());
        auto e = modelScopeEnvFromEnvironment(lookup({{"MODELSCOPE_ENDPOINT", "http://mirror.example/ms//"},
                                                      {"MODELSCOPE_CACHE", "/data/ms"},
                                                      {"MODELSCOPE_API_TOKEN", "ms-secret"}}));
        QCOMPARE(e.endpoint, std::string("http://mirror.example/ms"));
        QCOMPARE(e.cache_root, std::string("/data/ms/hub"));
        QCOMPARE(e.token, std::string("ms-secret"));
    }

    void snapshotPathNamesTheRepo() {
        const std::string c(40, 'a');
        QCOMPARE(repoIdFromSnapshotPath("/x/hub/models--tiny--stories260K/snapshots/" + c), std::string("tiny/stories260K"));
        QCOMPARE(repoIdFromSnapshotPath("/x/hub/models--gpt2/snapshots/" + c + "/"), std::string("gpt2"));
        QCOMPARE(repoIdFromSnapshotPath("/x/hub/models--a--b/snapshots/" + c + "/sub/file"), std::string("a/b"));
        QVERIFY(repoIdFromSnapshotPath("/x/hub/models--a--b/snapshots/main").empty());
        QVERIFY(repoIdFromSnapshotPath("/data/models/stories260K-hf").empty());
    }

    void listsFilesRecursively() {
        auto c = client();
        QVERIFY(!c.supportsSearch());
        auto files = c.listFiles(kNested, "master");
        QVERIFY2(files.ok(), files.ok() ? "" : files.error().toString().c_str());
        QStringList paths;
        for (const auto& f : *files) paths << QString::fromStdString(f.path);
        QCOMPARE(paths, QStringList({".gitattributes", "config.json", "empty.txt", "sub/dir/weights.safetensors", "sub/notes.txt"}));
        for (const auto& f : *files) {
            QByteArray data = test::readAll(nested_.path() + "/" + QString::fromStdString(f.path));
            if (f.path == ".gitattributes") continue;
            QCOMPARE(f.size_bytes, static_cast<std::uint64_t>(data.size()));
            QCOMPARE(f.lfs_sha256, test::sha256Of(data));
        }
        // The listing asked for a recursive tree at the branch.
        bool asked = false;
        for (const auto& e : hub_.log())
            if (e["path"].get<std::string>().find("/api/v1/models/fake-org/nested/repo/files?Revision=master&Recursive=true") == 0)
                asked = true;
        QVERIFY(asked);
        // Same content, same snapshot id.
        auto a = c.modelInfo(kNested, "master");
        auto b = client().modelInfo(kNested, "master");
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->sha.size(), std::size_t(40));
        QCOMPARE(a->sha, b->sha);
    }

    void downloadsIntoTheCache() {
        auto c = client();
        auto r = downloadSnapshot(c, cache(), options());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->files_downloaded, 5);
        const QString snap = QString::fromStdString(r->snapshot_dir);
        for (const char* p : {"config.json", "sub/notes.txt", "sub/dir/weights.safetensors", "empty.txt"}) {
            QByteArray want = test::readAll(nested_.path() + "/" + p);
            QCOMPARE(test::readAll(snap + "/" + p), want);
            // Linked to a blob named by the file's sha256.
            QFileInfo link(snap + "/" + p);
            QVERIFY(link.isSymLink());
            QCOMPARE(QFileInfo(link.symLinkTarget()).fileName().toStdString(), test::sha256Of(want));
        }
        auto ref = cache().readRef(kNested, "master");
        QVERIFY(ref.ok());
        QCOMPARE(*ref, r->commit);
        // Bytes came from the ModelScope download endpoint.
        auto gets = hub_.bodyRequests("sub/dir/weights.safetensors");
        QCOMPARE(gets.size(), std::size_t(1));
        QVERIFY(gets[0]["path"].get<std::string>().find("/api/v1/models/fake-org/nested/repo?Revision=master&FilePath=sub%2Fdir%2Fweights.safetensors") == 0);
        // Again: everything from the cache, no body requests.
        QVERIFY(hub_.reset().ok());
        auto again = downloadSnapshot(c, cache(), options());
        QVERIFY(again.ok());
        QCOMPARE(again->files_from_cache, 5);
        QCOMPARE(again->commit, r->commit);
        QVERIFY(hub_.bodyRequests("sub/dir/weights.safetensors").empty());
    }

    void resumesAfterADroppedConnection() {
        QVERIFY(hub_.addFault({{"path", "sub/dir/weights.safetensors"}, {"kind", "drop"}, {"after", 50000}}).ok());
        auto c = client();
        auto r = downloadSnapshot(c, cache(), options());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        auto gets = hub_.bodyRequests("sub/dir/weights.safetensors");
        QCOMPARE(gets.size(), std::size_t(2));
        QCOMPARE(test::rangeOf(gets[1]), std::string("bytes=50000-"));
        QCOMPARE(test::readAll(QString::fromStdString(r->snapshot_dir) + "/sub/dir/weights.safetensors"),
                 test::readAll(nested_.path() + "/sub/dir/weights.safetensors"));
    }

    void clearErrors() {
        auto c = client();
        auto missing = c.listFiles("nobody/nothing", "master");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY(missing.error().message.find("model nobody/nothing not found") != std::string::npos);
        QVERIFY(missing.error().hint.find("nobody/nothing") != std::string::npos);
        auto rev = c.listFiles(kNested, "v9");
        QVERIFY(!rev.ok());
        QCOMPARE(rev.error().code, ErrorCode::NotFound);
        QVERIFY(rev.error().hint.find("master") != std::string::npos);
        auto search = c.searchModels({});
        QVERIFY(!search.ok());
        QCOMPARE(search.error().code, ErrorCode::Unsupported);
        QVERIFY(!search.error().hint.empty());
        // Nothing listens here: a network error that names the endpoint.
        ModelScopeEnv down;
        down.endpoint = "http://127.0.0.1:9";
        ModelScopeClient dead(down, down.token, RetryPolicy{1, 10, 10});
        auto net = dead.listFiles(kNested, "master");
        QVERIFY(!net.ok());
        QCOMPARE(net.error().code, ErrorCode::Network);
    }

    void cliDownload() {
        const QString exe = test::executable("signround");
        if (!QFileInfo::exists(exe)) QSKIP("build the signround target first");
        QProcess p;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert("MODELSCOPE_ENDPOINT", hub_.qurl());
        e.insert("MODELSCOPE_CACHE", cache_dir_->path());
        e.remove("HF_HUB_OFFLINE");
        p.setProcessEnvironment(e);
        p.start(exe, {"download", kNested, "--source", "modelscope", "--include", "*.json,sub/*"});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QVERIFY2(out.startsWith(cache_dir_->path() + "/hub/models--fake-org--nested/snapshots/"), qPrintable(out));
        QVERIFY(QFileInfo::exists(out + "/config.json"));
        QVERIFY(QFileInfo::exists(out + "/sub/dir/weights.safetensors"));
        QVERIFY(!QFileInfo::exists(out + "/empty.txt"));
        QVERIFY2(err.contains("ModelScope"), qPrintable(err));
        // Searching ModelScope says it is not offered, and what to do.
        QProcess s;
        s.setProcessEnvironment(e);
        s.start(exe, {"hub", "search", "llama", "--source", "modelscope"});
        QVERIFY(s.waitForFinished(30000));
        QCOMPARE(s.exitCode(), 1);
        QVERIFY(QString::fromUtf8(s.readAllStandardError()).contains("not supported"));
    }
};

QTEST_GUILESS_MAIN(TestModelScope)
#include "test_modelscope.moc"
