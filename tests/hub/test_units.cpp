// The Hub code's pure parts, no server: hashes against published vectors, glob and Link
// parsing, ETag and Retry-After handling, repository ids and remote paths, environment and token
// resolution in huggingface_hub's order, the token file, cache folder names and the cache scan.
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <filesystem>

#include "core/hub/hf_client.h"
#include "core/hub/hub_cache.h"
#include "core/hub/hub_download.h"
#include "core/hub/hub_env.h"
#include "core/hub/sha.h"
#include "core/io/atomic_file.h"

using namespace srs;
using namespace srs::hub;

namespace {
EnvLookup mapEnv(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
}  // namespace

class TestHubUnits : public QObject {
    Q_OBJECT
private slots:
    void sha256Vectors() {
        QCOMPARE(sha256Hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sha256Hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        // Fed in odd-sized pieces: the incremental path a download uses.
        Sha256 h;
        std::string million(1000000, 'a');
        for (std::size_t i = 0; i < million.size();) {
            std::size_t n = std::min<std::size_t>(777, million.size() - i);
            h.update(million.data() + i, n);
            i += n;
        }
        QCOMPARE(h.hexDigest(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void sha1AndGitBlobIds() {
        Sha1 h;
        h.update("abc", 3);
        QCOMPARE(h.hexDigest(), std::string("a9993e364706816aba3e25717850c26c9cd0d89d"));
        // `git hash-object` of an empty file and of "hello\n".
        QCOMPARE(gitBlobSha1Hex(""), std::string("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"));
        QCOMPARE(gitBlobSha1Hex("hello\n"), std::string("ce013625030ba8dba906f756967f9e9ca394464a"));
    }

    void hashFileReadsOnce() {
        QTemporaryDir dir;
        std::string path = (dir.path() + "/f").toStdString();
        QVERIFY(io::writeFileAtomic(path, "hello\n").ok());
        auto h = hashFile(path);
        QVERIFY(h.ok());
        QCOMPARE(h->size_bytes, std::uint64_t(6));
        QCOMPARE(h->git_sha1, gitBlobSha1Hex("hello\n"));
        QCOMPARE(h->sha256, sha256Hex("hello\n"));
        auto missing = hashFile((dir.path() + "/nope").toStdString());
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("nope") != std::string::npos);
    }

    void globs() {
        QVERIFY(globMatch("*.json", "config.json"));
        QVERIFY(globMatch("*.json", "sub/config.json"));  // '*' crosses '/' like fnmatch
        QVERIFY(!globMatch("*.json", "config.jsonl"));
        QVERIFY(globMatch("model-\?\?\?\?\?-of-*.safetensors", "model-00001-of-00002.safetensors"));
        QVERIFY(!globMatch("model-\?\?\?\?\?-of-*.safetensors", "model-0001-of-00002.safetensors"));
        QVERIFY(globMatch("*", ""));
        QVERIFY(!globMatch("a*b*c", "aXbY"));
    }

    void linkHeaders() {
        QCOMPARE(linkNext(R"(<https://huggingface.co/api/models?cursor=abc&limit=5>; rel="next")"),
                 std::string("https://huggingface.co/api/models?cursor=abc&limit=5"));
        QCOMPARE(linkNext(R"(<https://x/prev>; rel="prev", <https://x/next>; rel="next")"), std::string("https://x/next"));
        QCOMPARE(linkNext(R"(<https://x/prev>; rel="prev")"), std::string());
        QCOMPARE(linkNext(""), std::string());
    }

    void etagsAndRetryAfter() {
        QCOMPARE(normalizeEtag("W/\"abc\""), std::string("abc"));
        QCOMPARE(normalizeEtag("\"abc\""), std::string("abc"));
        QCOMPARE(normalizeEtag("abc"), std::string("abc"));
        QCOMPARE(retryAfterSeconds("7", 1), 7);
        QCOMPARE(retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT", 3), 3);
        QCOMPARE(retryAfterSeconds("", 5), 5);
        QCOMPARE(retryAfterSeconds("999999", 1), 3600);
        QVERIFY(isRetryableStatus(429) && isRetryableStatus(503) && isRetryableStatus(408));
        QVERIFY(!isRetryableStatus(404) && !isRetryableStatus(401));
    }

    void httpErrorsCarryHints() {
        HttpResponse gated;
        gated.status = 403;
        gated.headers = {{"x-error-code", "GatedRepo"}, {"x-error-message", "Access restricted"}};
        Error e = hubHttpError(gated, "downloading config.json", "meta-llama/Llama-3", "https://huggingface.co");
        QCOMPARE(e.code, ErrorCode::Forbidden);
        QVERIFY(e.message.find("Access restricted") != std::string::npos);
        QVERIFY(e.hint.find("https://huggingface.co/meta-llama/Llama-3") != std::string::npos);

        HttpResponse limited;
        limited.status = 429;
        limited.headers = {{"retry-after", "30"}};
        limited.body = R"({"error":"slow down"})";
        Error l = hubHttpError(limited, "searching", {}, {});
        QCOMPARE(l.code, ErrorCode::RateLimited);
        QVERIFY(l.message.find("slow down") != std::string::npos);
        QVERIFY(l.hint.find("30 s") != std::string::npos);
    }

    void repoIdsAndRevisions() {
        QVERIFY(validateRepoId("meta-llama/Llama-3.1-8B").ok());
        QVERIFY(validateRepoId("gpt2").ok());
        for (const char* bad : {"", "a/b/c", "a--b/c", "../x", "a/.b", "a b/c", "org/", "/name"}) {
            auto s = validateRepoId(bad);
            QVERIFY2(!s.ok(), bad);
            QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
        }
        QVERIFY(validateRevision("main").ok());
        QVERIFY(validateRevision("refs/pr/1").ok());
        QVERIFY(!validateRevision("../main").ok());
        QVERIFY(!validateRevision("a b").ok());
        QVERIFY(isCommitHash("0123456789abcdef0123456789abcdef01234567"));
        QVERIFY(!isCommitHash("0123456789ABCDEF0123456789abcdef01234567"));
        QVERIFY(!isCommitHash("main"));
    }

    void remotePathsCannotEscape() {
        QVERIFY(validateRemotePath("config.json").ok());
        QVERIFY(validateRemotePath("onnx/model.onnx").ok());
        for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a\\b", "C:x", "a//b", "./a", "a/\n"}) {
            auto s = validateRemotePath(bad, "org/name");
            QVERIFY2(!s.ok(), bad);
            QVERIFY(s.error().message.find("org/name") != std::string::npos);
        }
    }

    void cacheFolderNames() {
        QCOMPARE(repoFolderName("tiny/stories260K"), std::string("models--tiny--stories260K"));
        QCOMPARE(repoFolderName("gpt2"), std::string("models--gpt2"));
        QCOMPARE(repoFolderName("NeelNanda/pile-10k", RepoType::Dataset), std::string("datasets--NeelNanda--pile-10k"));
        HubCache c("/c");
        QCOMPARE(c.blobPath("a/b", "e1"), std::string("/c/models--a--b/blobs/e1"));
        QCOMPARE(c.refPath("a/b", "main"), std::string("/c/models--a--b/refs/main"));
        QCOMPARE(c.snapshotDir("a/b", "c0"), std::string("/c/models--a--b/snapshots/c0"));
        QCOMPARE(c.lockPath("a/b", "e1"), std::string("/c/.locks/models--a--b/e1.lock"));
    }

    void environmentLikeHuggingfaceHub() {
        HubEnv d = hubEnvFromEnvironment(mapEnv({{"HOME", "/home/u"}}));
        QCOMPARE(d.endpoint, std::string("https://huggingface.co"));
        QCOMPARE(d.hf_home, std::string("/home/u/.cache/huggingface"));
        QCOMPARE(d.hub_cache, std::string("/home/u/.cache/huggingface/hub"));
        QCOMPARE(d.token_path, std::string("/home/u/.cache/huggingface/token"));
        QVERIFY(!d.offline && d.implicit_token);

        HubEnv x = hubEnvFromEnvironment(mapEnv({{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/xdg"}, {"HF_ENDPOINT", "http://mirror:8080/"}}));
        QCOMPARE(x.hf_home, std::string("/xdg/huggingface"));
        QCOMPARE(x.endpoint, std::string("http://mirror:8080"));

        HubEnv h = hubEnvFromEnvironment(mapEnv({{"HF_HOME", "~/hf"}, {"HOME", "/home/u"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"},
                                                 {"HF_HUB_OFFLINE", "1"}, {"HF_HUB_DISABLE_IMPLICIT_TOKEN", "true"},
                                                 {"HF_HUB_DOWNLOAD_TIMEOUT", "60"}}));
        QCOMPARE(h.hf_home, std::string("/home/u/hf"));
        QCOMPARE(h.hub_cache, std::string("/legacy"));
        QVERIFY(h.offline);
        QVERIFY(!h.implicit_token);
        QCOMPARE(h.download_timeout_s, 60);
        HubEnv n = hubEnvFromEnvironment(mapEnv({{"HF_HUB_CACHE", "/new"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"}, {"HF_TOKEN_PATH", "/t"}}));
        QCOMPARE(n.hub_cache, std::string("/new"));
        QCOMPARE(n.token_path, std::string("/t"));
        QVERIFY(!hubEnvFromEnvironment(mapEnv({{"HF_HUB_OFFLINE", "0"}})).offline);
    }

    void tokenLookupOrder() {
        QTemporaryDir dir;
        HubEnv env;
        env.token_path = (dir.path() + "/token").toStdString();
        QVERIFY(io::writeFileAtomic(env.token_path, "hf_from_file_aaaaaaaa\n").ok());

        auto all = mapEnv({{"HF_TOKEN", "hf_from_env_bbbbbbbb"}, {"HUGGING_FACE_HUB_TOKEN", "hf_legacy_cccccccc"}});
        QCOMPARE(resolveToken(env, "hf_explicit_dddddddd", "app", all).source, TokenSource::Explicit);
        ResolvedToken e = resolveToken(env, {}, "app", all);
        QCOMPARE(e.source, TokenSource::EnvHfToken);
        QCOMPARE(e.token, std::string("hf_from_env_bbbbbbbb"));
        QCOMPARE(resolveToken(env, {}, "app", mapEnv({{"HUGGING_FACE_HUB_TOKEN", "hf_legacy_cccccccc"}})).source, TokenSource::EnvLegacy);
        ResolvedToken f = resolveToken(env, {}, "app", mapEnv({{"HF_TOKEN", "  "}}));
        QCOMPARE(f.source, TokenSource::TokenFile);
        QCOMPARE(f.token, std::string("hf_from_file_aaaaaaaa"));  // trimmed
        QCOMPARE(f.where, env.token_path);
        HubEnv no_file;
        no_file.token_path = (dir.path() + "/absent").toStdString();
        QCOMPARE(resolveToken(no_file, {}, "hf_app_eeeeeeee", mapEnv({})).source, TokenSource::AppSetting);
        QVERIFY(resolveToken(no_file, {}, {}, mapEnv({})).empty());
    }

    void tokensStayOutOfText() {
        QCOMPARE(maskToken("hf_abcdefghijklmnop"), std::string("hf_…mnop"));
        QCOMPARE(maskToken("short"), std::string("****"));
        QCOMPARE(maskToken(""), std::string("(none)"));
        QCOMPARE(redact("a hf_secret b hf_secret", "hf_secret"), std::string("a [token] b [token]"));
    }

    void tokenFileIsPrivateAndAtomic() {
        QTemporaryDir dir;
        HubEnv env;
        env.token_path = (dir.path() + "/sub/token").toStdString();
        QVERIFY(writeTokenFile(env, "  hf_written_ffffffff \n").ok());
        auto contents = io::readFile(env.token_path);
        QVERIFY(contents.ok());
        QCOMPARE(*contents, std::string("hf_written_ffffffff"));
        struct stat st {};
        QCOMPARE(::stat(env.token_path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QCOMPARE(QDir(dir.path() + "/sub").entryList(QDir::Files | QDir::Hidden), QStringList{"token"});  // no temp left
        QVERIFY(!writeTokenFile(env, "   ").ok());
    }

    void refsAndScanOfAHandMadeCache() {
        QTemporaryDir dir;
        HubCache cache(dir.path().toStdString());
        const std::string repo = "org/model", commit = "0123456789abcdef0123456789abcdef01234567";
        QVERIFY(!cache.readRef(repo, "main").ok());
        QVERIFY(cache.writeRef(repo, "main", commit).ok());
        QCOMPARE(*cache.readRef(repo, "main"), commit);
        QVERIFY(io::writeFileAtomic(cache.blobPath(repo, "b1"), "12345").ok());
        QVERIFY(io::writeFileAtomic(cache.blobPath(repo, "b2") + ".incomplete", "12").ok());
        QVERIFY(cache.linkSnapshotFile(repo, commit, "a/b/weights.bin", "b1").ok());
        QCOMPARE(std::filesystem::read_symlink(cache.snapshotDir(repo, commit) + "/a/b/weights.bin").string(),
                 std::string("../../../../blobs/b1"));
        QVERIFY(!cache.linkSnapshotFile(repo, commit, "../escape", "b1").ok());
        QCOMPARE(*cache.resolveCommit(repo, "main"), commit);
        QCOMPARE(*cache.resolveCommit(repo, commit), commit);
        QCOMPARE(cache.snapshotFiles(repo, commit), std::vector<std::string>{"a/b/weights.bin"});

        auto repos = scanCache(dir.path().toStdString());
        QVERIFY(repos.ok());
        QCOMPARE(repos->size(), std::size_t(1));
        const CachedRepo& r = (*repos)[0];
        QCOMPARE(r.repo_id, repo);
        QCOMPARE(r.size_on_disk_bytes, std::uint64_t(5));
        QCOMPARE(r.incomplete_bytes, std::uint64_t(2));
        QCOMPARE(r.blob_count, std::size_t(1));
        QCOMPARE(r.revisions.size(), std::size_t(1));
        QCOMPARE(r.revisions[0].refs, std::vector<std::string>{"main"});
        QCOMPARE(r.revisions[0].files, std::vector<std::string>{"a/b/weights.bin"});
        QCOMPARE(r.revisions[0].size_bytes, std::uint64_t(5));

        QVERIFY(deleteCachedRepo(dir.path().toStdString(), repo).ok());
        QVERIFY(scanCache(dir.path().toStdString())->empty());
        QCOMPARE(deleteCachedRepo(dir.path().toStdString(), repo).error().code, ErrorCode::NotFound);
    }

    void quantizationFileChoice() {
        auto file = [](const std::string& p) {
            RepoFile f;
            f.path = p;
            return f;
        };
        std::vector<RepoFile> st{file("config.json"), file("model-00001-of-00002.safetensors"), file("model-00002-of-00002.safetensors"),
                                 file("model.safetensors.index.json"), file("pytorch_model.bin"), file("tokenizer.json"),
                                 file("README.md"), file("onnx/model.onnx"), file("model.gguf")};
        QCOMPARE(filesNeededForQuantization(st),
                 (std::vector<std::string>{"config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                                           "model.safetensors.index.json", "tokenizer.json"}));
        std::vector<RepoFile> bin{file("config.json"), file("pytorch_model.bin"), file("tokenizer.model")};
        QCOMPARE(filesNeededForQuantization(bin), (std::vector<std::string>{"config.json", "pytorch_model.bin", "tokenizer.model"}));
    }
};

QTEST_GUILESS_MAIN(TestHubUnits)
#include "test_units.moc"
