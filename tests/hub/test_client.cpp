// HfClient against the fake hub: search and its Link paging, model info with file sizes, the
// recursive file tree, whoami with a good, a wrong and no token, file metadata, private repos,
// and retries of API calls on 429 / 5xx.
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include "core/hub/hf_client.h"
#include "core/hub/hub_cache.h"
#include "fakehub.h"

using namespace srs;
using namespace srs::hub;

namespace {
const std::string kGoodToken = "hf_fake_good_token_0123456789";

HubEnv envFor(const std::string& endpoint, const QString& hf_home) {
    std::map<std::string, std::string> vars{{"HF_ENDPOINT", endpoint}, {"HF_HOME", hf_home.toStdString()}};
    return hubEnvFromEnvironment([vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

const RepoFile* findFile(const std::vector<RepoFile>& files, const std::string& path) {
    for (const auto& f : files)
        if (f.path == path) return &f;
    return nullptr;
}
}  // namespace

class TestHubClient : public QObject {
    Q_OBJECT

    test::FakeHub hub_;
    QTemporaryDir home_, nested_;
    QString stories_;
    RetryPolicy fast_{3, 20, 2000};

    HfClient client(const std::string& token = {}) { return HfClient(envFor(hub_.url(), home_.path()), token, fast_); }

private slots:
    void initTestCase() {
        QVERIFY(test::writeNestedRepo(nested_.path()));
        stories_ = test::sharedPath("models/stories260K-hf");
        QStringList args{"--repo", "fake-org/nested=" + nested_.path(), "--private-repo", "fake-org/secret=" + nested_.path(),
                         "--tree-page-size", "3"};
        if (!stories_.isEmpty()) args << "--repo" << "tiny/stories260K=" + stories_;
        SRS_START_FAKEHUB(hub_, args);
    }

    void init() { QVERIFY(hub_.reset().ok()); }

    void endpointComesFromHfEndpoint() {
        HfClient c = client();
        QCOMPARE(c.endpoint(), hub_.url());
        QCOMPARE(c.env().hub_cache, (home_.path() + "/hub").toStdString());
    }

    void searchFollowsLinkPages() {
        HfClient c = client();
        SearchQuery q;
        q.search = "tiny-llama";
        q.limit = 10;
        auto p1 = c.searchModels(q);
        QVERIFY2(p1.ok(), p1.ok() ? "" : p1.error().toString().c_str());
        QCOMPARE(p1->models.size(), std::size_t(10));
        QCOMPARE(p1->models[0].id, std::string("fake-org/tiny-llama-00"));  // most downloads first
        QCOMPARE(p1->models[0].downloads, std::int64_t(1000));
        QCOMPARE(p1->models[0].gated, std::string("manual"));
        QCOMPARE(p1->models[0].num_parameters, std::uint64_t(1000000));
        QCOMPARE(p1->models[0].author, std::string("fake-org"));
        QVERIFY(p1->next_url.rfind(hub_.url() + "/api/models?", 0) == 0);

        auto p2 = c.nextPage(p1->next_url);
        QVERIFY(p2.ok());
        QCOMPARE(p2->models.size(), std::size_t(10));
        QVERIFY(!p2->next_url.empty());
        auto p3 = c.nextPage(p2->next_url);
        QVERIFY(p3.ok());
        QCOMPARE(p3->models.size(), std::size_t(3));
        QVERIFY2(p3->next_url.empty(), "the last page has no rel=next");

        std::set<std::string> ids;
        for (const auto* p : {&*p1, &*p2, &*p3})
            for (const auto& m : p->models) ids.insert(m.id);
        QCOMPARE(ids.size(), std::size_t(23));
        QVERIFY(ids.count("fake-org/tiny-llama-22"));

        // The query the server saw carries the search, the page size and the sort.
        auto log = hub_.log();
        QVERIFY(log.size() >= 3);
        std::string first = log[0]["path"];
        QVERIFY2(first.find("search=tiny-llama") != std::string::npos && first.find("limit=10") != std::string::npos &&
                     first.find("sort=downloads") != std::string::npos,
                 first.c_str());
    }

    void searchWithoutMatches() {
        HfClient c = client();
        SearchQuery q;
        q.search = "no-such-model-anywhere";
        auto p = c.searchModels(q);
        QVERIFY(p.ok());
        QVERIFY(p->models.empty());
        QVERIFY(p->next_url.empty());
    }

    void pageLinksElsewhereAreRefused() {
        HfClient c = client(kGoodToken);
        auto p = c.nextPage("http://evil.example/api/models?cursor=10");
        QVERIFY(!p.ok());
        QCOMPARE(p.error().code, ErrorCode::InvalidArgument);
        QVERIFY(hub_.log().empty());
    }

    void modelInfoWithFileSizes() {
        if (stories_.isEmpty()) QSKIP("shared data not present: models/stories260K-hf");
        HfClient c = client();
        auto m = c.modelInfo("tiny/stories260K", {}, /*files_metadata=*/true);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
        QCOMPARE(m->id, std::string("tiny/stories260K"));
        QVERIFY(isCommitHash(m->sha));
        QCOMPARE(m->siblings.size(), std::size_t(7));  // 6 files + .gitattributes
        QDir dir(stories_);
        for (const QString& name : dir.entryList(QDir::Files)) {
            const RepoFile* f = findFile(m->siblings, name.toStdString());
            QVERIFY2(f, qPrintable(name));
            QByteArray bytes = test::readAll(dir.filePath(name));
            QCOMPARE(f->size_bytes, std::uint64_t(bytes.size()));
            bool lfs = name.endsWith(".safetensors") || name.endsWith(".model");
            QCOMPARE(f->is_lfs, lfs);
            if (lfs) QCOMPARE(f->lfs_sha256, test::sha256Of(bytes));
            else QCOMPARE(f->oid, test::gitSha1Of(bytes));
        }
        QVERIFY(hub_.log()[0]["path"].get<std::string>().find("blobs=true") != std::string::npos);

        auto at_main = c.modelInfo("tiny/stories260K", "main");
        QVERIFY(at_main.ok());
        QCOMPARE(at_main->sha, m->sha);
        QCOMPARE(at_main->siblings[0].size_bytes, std::uint64_t(0));  // no sizes unless asked
    }

    void modelInfoErrorsNameTheProblem() {
        HfClient c = client();
        auto missing = c.modelInfo("fake-org/does-not-exist");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY(missing.error().message.find("fake-org/does-not-exist") != std::string::npos);
        QVERIFY(missing.error().hint.find("repository id") != std::string::npos);

        auto bad_rev = c.modelInfo("fake-org/nested", "no-such-branch");
        QVERIFY(!bad_rev.ok());
        QCOMPARE(bad_rev.error().code, ErrorCode::NotFound);
        QVERIFY(bad_rev.error().hint.find("branch") != std::string::npos);

        auto bad_id = c.modelInfo("../etc/passwd");
        QVERIFY(!bad_id.ok());
        QCOMPARE(bad_id.error().code, ErrorCode::InvalidArgument);
        QVERIFY(bad_id.error().hint.find("org/name") != std::string::npos);
    }

    void listFilesRecursesAndPages() {
        HfClient c = client();
        auto files = c.listFiles("fake-org/nested", "main");
        QVERIFY2(files.ok(), files.ok() ? "" : files.error().toString().c_str());
        std::set<std::string> paths;
        for (const auto& f : *files) paths.insert(f.path);
        QCOMPARE(paths, (std::set<std::string>{".gitattributes", "config.json", "empty.txt", "sub/dir/weights.safetensors",
                                               "sub/notes.txt"}));
        const RepoFile* w = findFile(*files, "sub/dir/weights.safetensors");
        QVERIFY(w && w->is_lfs);
        QCOMPARE(w->size_bytes, std::uint64_t(200 * 1024));
        QCOMPARE(w->blobKey(), w->lfs_sha256);
        QCOMPARE(w->lfs_sha256, test::sha256Of(test::readAll(nested_.path() + "/sub/dir/weights.safetensors")));
        // 2 directories + 5 files at 3 entries a page: 3 requests, following Link each time.
        int tree_requests = 0;
        for (const auto& e : hub_.log())
            if (e["path"].get<std::string>().find("/tree/main") != std::string::npos) ++tree_requests;
        QCOMPARE(tree_requests, 3);
    }

    void whoamiWithAGoodToken() {
        HfClient c = client(kGoodToken);
        auto w = c.whoami();
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().toString().c_str());
        QCOMPARE(w->name, std::string("tester"));
        QCOMPARE(w->type, std::string("user"));
        QCOMPARE(w->token_role, std::string("read"));
        QVERIFY(std::find(w->orgs.begin(), w->orgs.end(), "fake-org") != w->orgs.end());
        QCOMPARE(hub_.log()[0]["auth"].get<bool>(), true);
    }

    void whoamiWithAWrongTokenSaysItWasRefused() {
        const std::string wrong = "hf_wrongwrongwrongwrong9876";
        HfClient c = client(wrong);
        c.setTokenOrigin("HF_TOKEN");
        auto w = c.whoami();
        QVERIFY(!w.ok());
        const Error& e = w.error();
        QCOMPARE(e.code, ErrorCode::Unauthorized);
        QVERIFY2(e.message.find("refused the token") != std::string::npos, e.message.c_str());
        QVERIFY2(e.message.find("from HF_TOKEN") != std::string::npos, e.message.c_str());
        QVERIFY2(e.message.find("HTTP 401") != std::string::npos, e.message.c_str());
        QVERIFY2(e.message.find(wrong) == std::string::npos, "the token itself must never appear");
        QVERIFY(e.message.find("9876") != std::string::npos);  // masked form, enough to recognise it
        QVERIFY2(e.hint.find("HF_TOKEN") != std::string::npos && e.hint.find(hub_.url() + "/settings/tokens") != std::string::npos,
                 e.hint.c_str());
        // Only one request: a refused token is not retried.
        QCOMPARE(hub_.log().size(), std::size_t(1));
    }

    void whoamiWithoutATokenAsksForOne() {
        HfClient c = client();
        auto w = c.whoami();
        QVERIFY(!w.ok());
        QCOMPARE(w.error().code, ErrorCode::Unauthorized);
        QVERIFY(w.error().message.find("none is set") != std::string::npos);
        QVERIFY(w.error().hint.find("HF_TOKEN") != std::string::npos);
        QVERIFY(hub_.log().empty());  // nothing sent
    }

    void fileMetadataFromHead() {
        HfClient c = client();
        QByteArray weights = test::readAll(nested_.path() + "/sub/dir/weights.safetensors");
        auto lfs = c.fileMetadata("fake-org/nested", "main", "sub/dir/weights.safetensors");
        QVERIFY2(lfs.ok(), lfs.ok() ? "" : lfs.error().toString().c_str());
        QCOMPARE(lfs->etag, test::sha256Of(weights));
        QVERIFY(lfs->size_known);
        QCOMPARE(lfs->size_bytes, std::uint64_t(weights.size()));
        QVERIFY(isCommitHash(lfs->commit));
        QVERIFY(lfs->location.find("/_cdn/") != std::string::npos);

        QByteArray config = test::readAll(nested_.path() + "/config.json");
        auto plain = c.fileMetadata("fake-org/nested", "main", "config.json");
        QVERIFY(plain.ok());
        QCOMPARE(plain->etag, test::gitSha1Of(config));
        QCOMPARE(plain->size_bytes, std::uint64_t(config.size()));
        QCOMPARE(plain->commit, lfs->commit);
        // HEAD only; the CDN redirect is not followed.
        for (const auto& e : hub_.log()) {
            QCOMPARE(e["method"].get<std::string>(), std::string("HEAD"));
            QVERIFY(e["path"].get<std::string>().find("/_cdn/") == std::string::npos);
        }

        auto missing = c.fileMetadata("fake-org/nested", "main", "nope.bin");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
    }

    void privateRepoNeedsTheToken() {
        auto anonymous = client().modelInfo("fake-org/secret");
        QVERIFY(!anonymous.ok());
        QVERIFY(anonymous.error().hint.find("private") != std::string::npos);
        auto with_token = client(kGoodToken).modelInfo("fake-org/secret");
        QVERIFY2(with_token.ok(), with_token.ok() ? "" : with_token.error().toString().c_str());
        QCOMPARE(with_token->id, std::string("fake-org/secret"));
    }

    void apiCallsRetry429And5xx() {
        QVERIFY(hub_.addFault({{"api", true}, {"path", "/api/models/fake-org/nested"}, {"kind", "status"}, {"status", 503}}).ok());
        QVERIFY(hub_.addFault({{"api", true}, {"path", "/api/models/fake-org/nested"}, {"kind", "status"}, {"status", 429},
                               {"retry_after", 1}})
                    .ok());
        HfClient c = client();
        QElapsedTimer t;
        t.start();
        auto m = c.modelInfo("fake-org/nested");
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().toString().c_str());
        QVERIFY2(t.elapsed() >= 900, "Retry-After: 1 was not honoured");
        std::vector<long> statuses;
        for (const auto& e : hub_.log()) statuses.push_back(e["status"].get<long>());
        QCOMPARE(statuses, (std::vector<long>{503, 429, 200}));
    }

    void apiCallsGiveUpWithAClearError() {
        QVERIFY(hub_.addFault({{"api", true}, {"path", "/api/models"}, {"kind", "status"}, {"status", 500}, {"times", -1}}).ok());
        HfClient c = client();
        auto m = c.modelInfo("fake-org/nested");
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::Network);
        QVERIFY(m.error().message.find("HTTP 500") != std::string::npos);
        QVERIFY(m.error().hint.find("retry") != std::string::npos);
        QCOMPARE(hub_.log().size(), std::size_t(fast_.max_attempts));
    }

    void offlineModeRefusesApiCalls() {
        HubEnv env = envFor(hub_.url(), home_.path());
        env.offline = true;
        HfClient c(env, {}, fast_);
        auto m = c.modelInfo("fake-org/nested");
        QVERIFY(!m.ok());
        QVERIFY(m.error().message.find("HF_HUB_OFFLINE") != std::string::npos);
        QVERIFY(hub_.log().empty());
    }

    void unreachableServerIsANetworkError() {
        HfClient c(envFor("http://127.0.0.1:1", home_.path()), {}, RetryPolicy{1, 10, 10});
        auto m = c.modelInfo("fake-org/nested");
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::Network);
        QVERIFY2(m.error().hint.find("HF_HUB_OFFLINE") != std::string::npos, m.error().hint.c_str());
    }
};

QTEST_GUILESS_MAIN(TestHubClient)
#include "test_client.moc"
