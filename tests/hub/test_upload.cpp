// uploadFolder against the fake hub: the repository create request, the preupload samples, the
// LFS batch (oids = sha256, sizes), basic and multipart transfers, the NDJSON commit (inline files
// with their exact bytes, the model card, lfsFile entries), then a download of what was committed
// that is byte-identical. Faults: 429 with Retry-After, 500 then success, a connection cut during
// a PUT (retried in the call; and, when it persists, a second call that sends only the missing
// blob). Private repositories, an existing repository, cancel, bad remote paths, no token.
// Links: a Hugging Face cache snapshot (relative links into ../../blobs/) uploads the blobs under
// the links' names; links to FIFOs, devices, folders outside, loops and dangling links are refused
// with the link named, without opening anything.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <filesystem>
#include <functional>

#include "core/hub/hf_client.h"
#include "core/hub/hub_cache.h"
#include "core/hub/hub_download.h"
#include "core/hub/hub_upload.h"
#include "fakehub.h"

using namespace srs;
using namespace srs::hub;
using nlohmann::json;

namespace {
const char* kToken = "hf_fake_good_token_0123456789";

HubEnv envFor(const std::string& endpoint, const QString& hf_home) {
    std::map<std::string, std::string> vars{{"HF_ENDPOINT", endpoint}, {"HF_HOME", hf_home.toStdString()}};
    return hubEnvFromEnvironment([vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    });
}

bool put(const QString& path, const QByteArray& data) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray pseudoRandom(int size, int seed) {
    QByteArray b(size, '\0');
    std::uint32_t x = 2463534242u + static_cast<std::uint32_t>(seed);
    for (int i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = static_cast<char>(x & 0xff);
    }
    return b;
}

const char* kCard =
    "---\nbase_model: tiny/stories260K\ntags:\n- auto-round\n- signround\nlibrary_name: transformers\n---\n\n"
    "# stories260K W4G128\n\nQuantized with SignRound Studio.\n";

std::vector<json> requests(const json& log, const std::string& method, const std::string& prefix) {
    std::vector<json> out;
    for (const auto& e : log)
        if (e["method"] == method && e["path"].get<std::string>().rfind(prefix, 0) == 0) out.push_back(e);
    return out;
}
}  // namespace

class TestHubUpload : public QObject {
    Q_OBJECT

    test::FakeHub hub_;
    QTemporaryDir home_, export_;

    HfClient client(const std::string& token = kToken, RetryPolicy retry = {3, 20, 5000}) {
        return HfClient(envFor(hub_.url(), home_.path()), token, retry);
    }
    UploadOptions options(const std::string& repo) const {
        UploadOptions o;
        o.repo_id = repo;
        o.commit_message = "Upload W4A16 AutoRound";
        o.progress_interval_ms = 0;
        return o;
    }
    QString exp(const QString& rel) const { return export_.path() + "/" + rel; }
    std::string oidOf(const QString& rel) const { return test::sha256Of(test::readAll(exp(rel))); }

    // Downloads what the repository now holds and compares it with the export, file by file.
    void checkRoundTrip(const std::string& repo, const QStringList& expected) {
        QTemporaryDir cache_dir;
        HfClient c = client();
        DownloadOptions d;
        d.repo_id = repo;
        auto r = downloadSnapshot(c, HubCache(cache_dir.path().toStdString()), d);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        for (const auto& rel : expected) {
            QByteArray got = test::readAll(QString::fromStdString(r->snapshot_dir) + "/" + rel);
            QVERIFY2(got == test::readAll(exp(rel)), qPrintable(rel + " differs after the round trip"));
        }
    }

private slots:
    void initTestCase() {
        SRS_START_FAKEHUB(hub_, QStringList{});
        QVERIFY(put(exp("README.md"), kCard));
        QVERIFY(put(exp("config.json"), R"({"model_type": "llama", "quantization_config": {"bits": 4, "group_size": 128}})"));
        QVERIFY(put(exp("tokenizer.json"), R"({"model": {"type": "BPE"}})"));
        QVERIFY(put(exp("model.safetensors"), pseudoRandom(300000, 1)));
        QVERIFY(put(exp("extra/part.safetensors"), pseudoRandom(150001, 2)));
        QVERIFY(put(exp("empty.txt"), QByteArray()));
        // Never uploaded: git and huggingface_hub local-dir metadata, leftovers.
        QVERIFY(put(exp(".git/HEAD"), "ref: refs/heads/main\n"));
        QVERIFY(put(exp(".cache/huggingface/download/x.metadata"), "meta"));
        QVERIFY(put(exp("model.safetensors.tmp"), "partial"));
    }

    void init() { QVERIFY(hub_.reset().ok()); }

    void base64MatchesRfc4648() {
        QCOMPARE(base64Encode(std::string()), std::string());
        QCOMPARE(base64Encode(std::string("f")), std::string("Zg=="));
        QCOMPARE(base64Encode(std::string("fo")), std::string("Zm8="));
        QCOMPARE(base64Encode(std::string("foo")), std::string("Zm9v"));
        QCOMPARE(base64Encode(std::string("foobar")), std::string("Zm9vYmFy"));
        QByteArray bin = pseudoRandom(1000, 7);
        QCOMPARE(QByteArray::fromStdString(base64Encode(bin.toStdString())), bin.toBase64());
    }

    void collectSkipsMetadataAndRefusesEscapes() {
        auto items = collectUploadFolder(export_.path().toStdString());
        QVERIFY(items.ok());
        QStringList paths;
        for (const auto& i : *items) paths << QString::fromStdString(i.path_in_repo);
        QCOMPARE(paths, QStringList({"README.md", "config.json", "empty.txt", "extra/part.safetensors", "model.safetensors",
                                     "tokenizer.json"}));
        auto prefixed = collectUploadFolder(export_.path().toStdString(), "w4/");
        QVERIFY(prefixed.ok());
        QCOMPARE(prefixed->front().path_in_repo, std::string("w4/README.md"));
        QVERIFY(!collectUploadFolder(export_.path().toStdString(), "../up").ok());
        QVERIFY(!collectUploadFolder(exp("missing").toStdString()).ok());
    }

    void uploadSendsTheCommitTheExportDescribes() {
        HfClient c = client();
        std::vector<UploadProgress> seen;
        auto r = uploadFolder(c, options("tester/stories-w4"), export_.path().toStdString(),
                              [&](const UploadProgress& p) { seen.push_back(p); });
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->lfs_uploaded, 2);
        QCOMPARE(r->lfs_already_on_hub, 0);
        QCOMPARE(r->inline_files, 4);
        QCOMPARE(r->bytes_uploaded, std::uint64_t(300000 + 150001));
        QCOMPARE(r->repo_url, hub_.url() + "/tester/stories-w4");
        QVERIFY(!r->commit_oid.empty());

        json up = hub_.uploads();
        QCOMPARE(up["creates"].size(), std::size_t(1));
        const json& create = up["creates"][0]["request"];
        QCOMPARE(create["name"], json("stories-w4"));
        QCOMPARE(create["organization"], json("tester"));
        QCOMPARE(create["type"], json("model"));
        QCOMPARE(create["private"], json(false));

        // Preupload: every file, with its size and the base64 of its first 512 bytes.
        QCOMPARE(up["preuploads"].size(), std::size_t(1));
        const json& pre = up["preuploads"][0]["request"]["files"];
        QCOMPARE(pre.size(), std::size_t(6));
        for (const auto& f : pre) {
            QByteArray data = test::readAll(exp(QString::fromStdString(f["path"].get<std::string>())));
            QCOMPARE(f["size"].get<qint64>(), qint64(data.size()));
            QCOMPARE(QByteArray::fromStdString(f["sample"].get<std::string>()), data.left(512).toBase64());
        }

        // LFS batch: sha256 oids and sizes, the LFS media type, the branch.
        QCOMPARE(up["batches"].size(), std::size_t(1));
        const json& batch = up["batches"][0];
        QCOMPARE(batch["content_type"], json("application/vnd.git-lfs+json"));
        QCOMPARE(batch["request"]["operation"], json("upload"));
        QCOMPARE(batch["request"]["hash_algo"], json("sha256"));
        QCOMPARE(batch["request"]["ref"]["name"], json("main"));
        json objects = batch["request"]["objects"];
        QCOMPARE(objects.size(), std::size_t(2));
        std::map<std::string, std::int64_t> want{{oidOf("model.safetensors"), 300000}, {oidOf("extra/part.safetensors"), 150001}};
        for (const auto& o : objects) QCOMPARE(o["size"].get<std::int64_t>(), want.at(o["oid"].get<std::string>()));

        // The commit: header, inline files with their exact bytes (the card too), lfsFile entries.
        QCOMPARE(up["commits"].size(), std::size_t(1));
        const json& commit = up["commits"][0];
        QCOMPARE(commit["summary"], json("Upload W4A16 AutoRound"));
        QVERIFY(commit["parentCommit"].is_string());  // pinned to the head the create made
        QCOMPARE(commit["files"].size(), std::size_t(4));
        for (const auto& f : commit["files"]) {
            QCOMPARE(f["encoding"], json("base64"));
            QByteArray sent = QByteArray::fromBase64(QByteArray::fromStdString(f["content"].get<std::string>()));
            QCOMPARE(sent, test::readAll(exp(QString::fromStdString(f["path"].get<std::string>()))));
        }
        auto card = std::find_if(commit["files"].begin(), commit["files"].end(), [](const json& f) { return f["path"] == "README.md"; });
        QVERIFY(card != commit["files"].end());
        QCOMPARE(QByteArray::fromBase64(QByteArray::fromStdString((*card)["content"].get<std::string>())), QByteArray(kCard));
        QCOMPARE(commit["lfsFiles"].size(), std::size_t(2));
        for (const auto& f : commit["lfsFiles"]) {
            QString path = QString::fromStdString(f["path"].get<std::string>());
            QCOMPARE(f["oid"].get<std::string>(), oidOf(path));
            QCOMPARE(f["size"].get<qint64>(), qint64(test::readAll(exp(path)).size()));
            QCOMPARE(f["algo"], json("sha256"));
        }

        // The token: on Hub requests, never on storage PUTs, never in a URL.
        json log = hub_.log();
        auto puts = requests(log, "PUT", "/_lfs/basic/");
        QCOMPARE(puts.size(), std::size_t(2));
        for (const auto& p : puts) QVERIFY(!p["auth"].get<bool>());
        auto verifies = requests(log, "POST", "/_lfs/verify/");
        QCOMPARE(verifies.size(), std::size_t(2));
        for (const auto& v : verifies) QVERIFY(v["auth"].get<bool>());
        for (const auto& e : log) QVERIFY(e["path"].get<std::string>().find(kToken) == std::string::npos);
        QVERIFY(requests(log, "POST", "/api/models/tester/stories-w4/commit/main")[0]["auth"].get<bool>());

        // Progress: every phase, and at the end every byte and file accounted for.
        QVERIFY(!seen.empty());
        QStringList phases;
        for (const auto& p : seen)
            if (phases.isEmpty() || phases.back() != QString::fromStdString(p.phase)) phases << QString::fromStdString(p.phase);
        QCOMPARE(phases, QStringList({"hashing", "preparing", "uploading", "committing", "done"}));
        const UploadProgress& last = seen.back();
        QCOMPARE(last.total_bytes, std::uint64_t(300000 + 150001 + test::readAll(exp("README.md")).size() +
                                                 test::readAll(exp("config.json")).size() + test::readAll(exp("tokenizer.json")).size()));
        QCOMPARE(last.done_bytes, last.total_bytes);
        QCOMPARE(last.files_done, 6);
        for (const auto& f : last.files) QCOMPARE(f.state, UploadState::Committed);

        checkRoundTrip("tester/stories-w4", {"README.md", "config.json", "tokenizer.json", "model.safetensors",
                                             "extra/part.safetensors", "empty.txt"});
    }

    void secondUploadSkipsBlobsTheHubHas() {
        HfClient c = client();
        QVERIFY(uploadFolder(c, options("tester/again"), export_.path().toStdString()).ok());
        auto r = uploadFolder(c, options("tester/again"), export_.path().toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->lfs_uploaded, 0);
        QCOMPARE(r->lfs_already_on_hub, 2);
        QCOMPARE(r->bytes_uploaded, std::uint64_t(0));
        json log = hub_.log();
        QCOMPARE(requests(log, "PUT", "/_lfs/").size(), std::size_t(2));  // the first upload's only
        json up = hub_.uploads();
        QCOMPARE(up["creates"].size(), std::size_t(2));  // the second create met a 409 and went on
        QCOMPARE(up["commits"].size(), std::size_t(2));
        QCOMPARE(up["commits"][1]["lfsFiles"].size(), std::size_t(2));
        QCOMPARE(up["commits"][1]["parentCommit"], up["commits"][0]["commitOid"]);
    }

    void privateRepositoryNeedsTheToken() {
        HfClient c = client();
        UploadOptions o = options("tester/secret");
        o.private_repo = true;
        QVERIFY(uploadFolder(c, o, export_.path().toStdString()).ok());
        QCOMPARE(hub_.uploads()["creates"][0]["request"]["private"], json(true));
        HfClient anonymous = client("");
        QVERIFY(!anonymous.modelInfo("tester/secret").ok());
        auto info = c.modelInfo("tester/secret");
        QVERIFY(info.ok());
        QVERIFY(info->is_private);
    }

    void multipartSendsEveryPart() {
        QVERIFY(hub_.config({{"multipart_chunk", 65536}}).ok());
        HfClient c = client();
        auto r = uploadFolder(c, options("tester/multi"), export_.path().toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        json log = hub_.log();
        std::string model = "/_lfs/part/tester/multi/" + oidOf("model.safetensors") + "/";
        std::string extra = "/_lfs/part/tester/multi/" + oidOf("extra/part.safetensors") + "/";
        QCOMPARE(requests(log, "PUT", model).size(), std::size_t(5));  // ceil(300000 / 65536)
        QCOMPARE(requests(log, "PUT", extra).size(), std::size_t(3));  // ceil(150001 / 65536)
        for (const auto& p : requests(log, "PUT", "/_lfs/part/")) QVERIFY(!p["auth"].get<bool>());
        QCOMPARE(requests(log, "POST", "/_lfs/complete/").size(), std::size_t(2));
        QCOMPARE(requests(log, "PUT", "/_lfs/basic/").size(), std::size_t(0));
        checkRoundTrip("tester/multi", {"model.safetensors", "extra/part.safetensors", "README.md"});
    }

    void rateLimitHonoursRetryAfter() {
        QVERIFY(hub_.addFault({{"api", true}, {"method", "POST"}, {"path", "/api/models/tester/limited/commit/"},
                               {"kind", "status"}, {"status", 429}, {"retry_after", 1}}).ok());
        HfClient c = client(kToken, RetryPolicy{3, 20, 5000});
        QElapsedTimer t;
        t.start();
        auto r = uploadFolder(c, options("tester/limited"), export_.path().toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QVERIFY2(t.elapsed() >= 900, qPrintable(QString("waited only %1 ms").arg(t.elapsed())));
        auto commits = requests(hub_.log(), "POST", "/api/models/tester/limited/commit/");
        QCOMPARE(commits.size(), std::size_t(2));
        QCOMPARE(commits[0]["status"], json(429));
        QCOMPARE(commits[1]["status"], json(200));
        QCOMPARE(hub_.uploads()["commits"].size(), std::size_t(1));
    }

    void serverErrorAndCutConnectionAreRetried() {
        std::string path = "/_lfs/basic/tester/flaky/" + oidOf("model.safetensors");
        QVERIFY(hub_.addFault({{"api", true}, {"method", "POST"}, {"path", "/api/repos/create"}, {"kind", "status"}, {"status", 500}}).ok());
        QVERIFY(hub_.addFault({{"api", true}, {"method", "PUT"}, {"path", path}, {"kind", "drop"}, {"after", 100000}}).ok());
        HfClient c = client();
        auto r = uploadFolder(c, options("tester/flaky"), export_.path().toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        json log = hub_.log();
        auto creates = requests(log, "POST", "/api/repos/create");
        QCOMPARE(creates.size(), std::size_t(2));
        QCOMPARE(creates[0]["status"], json(500));
        QCOMPARE(requests(log, "PUT", path).size(), std::size_t(2));
        checkRoundTrip("tester/flaky", {"model.safetensors"});
    }

    void interruptedUploadResumesWithTheMissingBlob() {
        // extra/part.safetensors comes second: the first blob is stored before the cut one fails.
        std::string cut = "/_lfs/basic/tester/resume/" + oidOf("model.safetensors");
        std::string first = "/_lfs/basic/tester/resume/" + oidOf("extra/part.safetensors");
        QVERIFY(hub_.addFault({{"api", true}, {"method", "PUT"}, {"path", cut}, {"kind", "drop"}, {"after", 50000}, {"times", -1}}).ok());
        HfClient c = client(kToken, RetryPolicy{2, 20, 100});
        auto r = uploadFolder(c, options("tester/resume"), export_.path().toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Network);
        QVERIFY(r.error().message.find("model.safetensors") != std::string::npos);
        QCOMPARE(hub_.uploads()["commits"].size(), std::size_t(0));

        QVERIFY(hub_.clearFaults().ok());
        auto again = uploadFolder(c, options("tester/resume"), export_.path().toStdString());
        QVERIFY2(again.ok(), again.ok() ? "" : again.error().toString().c_str());
        QCOMPARE(again->lfs_already_on_hub, 1);
        QCOMPARE(again->lfs_uploaded, 1);
        QCOMPARE(again->bytes_uploaded, std::uint64_t(300000));
        json log = hub_.log();
        QCOMPARE(requests(log, "PUT", first).size(), std::size_t(1));  // sent once, in the first call
        // At least two cut attempts (libcurl may add its own retry on a reused connection), then one whole.
        auto cuts = requests(log, "PUT", cut);
        QVERIFY(cuts.size() >= 3);
        QCOMPARE(cuts.back()["status"], json(200));
        QCOMPARE(cuts.back()["length"], json(300000));
        checkRoundTrip("tester/resume", {"model.safetensors", "extra/part.safetensors"});
    }

    void cancelStopsBeforeTheCommit() {
        HfClient c = client();
        CancelToken cancel;
        auto r = uploadFolder(
            c, options("tester/cancelled"), export_.path().toStdString(),
            [&](const UploadProgress& p) {
                if (p.phase == "uploading") cancel.cancel();
            },
            cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QCOMPARE(hub_.uploads()["commits"].size(), std::size_t(0));
        QCOMPARE(requests(hub_.log(), "PUT", "/_lfs/").size(), std::size_t(0));
    }

    // A snapshot folder of the Hugging Face cache, as huggingface_hub and our downloader write it:
    // every file a relative link into ../../blobs/ (from a subfolder ../../../blobs/).
    void cacheSnapshotUploadsTheBlobsUnderTheLinkNames() {
        QTemporaryDir tmp;
        const QString repo = tmp.path() + "/models--tiny--snap";
        const QString snap = repo + "/snapshots/0123456789abcdef0123456789abcdef01234567";
        const std::map<QString, QByteArray> files{{"config.json", R"({"model_type": "llama", "hidden_size": 8})"},
                                                  {"model.safetensors", pseudoRandom(120000, 9)},
                                                  {"sub/notes.txt", "nested notes\n"}};
        QVERIFY(QDir().mkpath(snap + "/sub"));
        for (const auto& [name, bytes] : files) {
            std::string key = name.endsWith(".safetensors") ? test::sha256Of(bytes) : test::gitSha1Of(bytes);
            QVERIFY(put(repo + "/blobs/" + QString::fromStdString(key), bytes));
            std::string up = name.contains('/') ? "../../../blobs/" : "../../blobs/";
            std::filesystem::create_symlink(up + key, (snap + "/" + name).toStdString());
        }
        auto items = collectUploadFolder(snap.toStdString());
        QVERIFY2(items.ok(), items.ok() ? "" : items.error().toString().c_str());
        QStringList paths;
        for (const auto& i : *items) paths << QString::fromStdString(i.path_in_repo);
        QCOMPARE(paths, QStringList({"config.json", "model.safetensors", "sub/notes.txt"}));

        HfClient c = client();
        auto r = uploadFolder(c, options("tester/from-snapshot"), snap.toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(r->lfs_uploaded, 1);
        QCOMPARE(r->inline_files, 2);
        const json commit = hub_.uploads()["commits"][0];
        QCOMPARE(commit["files"].size(), std::size_t(2));
        for (const auto& f : commit["files"])
            QCOMPARE(QByteArray::fromBase64(QByteArray::fromStdString(f["content"].get<std::string>())),
                     files.at(QString::fromStdString(f["path"].get<std::string>())));
        QCOMPARE(commit["lfsFiles"].size(), std::size_t(1));
        QCOMPARE(commit["lfsFiles"][0]["path"], json("model.safetensors"));
        QCOMPARE(commit["lfsFiles"][0]["oid"].get<std::string>(), test::sha256Of(files.at("model.safetensors")));

        // What the repository now serves is the blobs' bytes under the links' names.
        QTemporaryDir cache_dir;
        DownloadOptions d;
        d.repo_id = "tester/from-snapshot";
        auto back = downloadSnapshot(c, HubCache(cache_dir.path().toStdString()), d);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        for (const auto& [name, bytes] : files)
            QVERIFY2(test::readAll(QString::fromStdString(back->snapshot_dir) + "/" + name) == bytes, qPrintable(name));
    }

    // Each bad entry alone beside a good file: the folder is refused, the message names the entry
    // and says what it is, and collecting returns (a FIFO is never opened, so nothing blocks).
    void linksToSpecialFilesFoldersOutsideAndLoopsAreRefused() {
        QTemporaryDir outside;
        QVERIFY(put(outside.path() + "/secret.txt", "not for upload"));
        struct Case {
            const char* name;
            std::function<bool(const QString& dir)> make;  // creates `dir`/bad (and what it needs)
            const char* says;
        };
        auto link = [](const std::string& target, const QString& at) {
            std::error_code ec;
            std::filesystem::create_symlink(target, at.toStdString(), ec);
            return !ec;
        };
        std::vector<Case> cases{
            {"link to /dev/zero", [&](const QString& d) { return link("/dev/zero", d + "/bad"); }, "a character device"},
            // The FIFO's own name ends in .tmp, a leftover the walk skips: only the link is judged.
            {"link to a FIFO",
             [&](const QString& d) { return ::mkfifo((d + "/pipe.fifo.tmp").toLocal8Bit().constData(), 0600) == 0 && link("pipe.fifo.tmp", d + "/bad"); },
             "a FIFO"},
            {"a FIFO itself", [&](const QString& d) { return ::mkfifo((d + "/bad").toLocal8Bit().constData(), 0600) == 0; }, "a FIFO"},
            {"link to a folder outside", [&](const QString& d) { return link(outside.path().toStdString(), d + "/bad"); }, "outside"},
            {"link to the folder itself", [&](const QString& d) { return link(".", d + "/bad"); }, "a loop"},
            {"link to a parent, from a subfolder",
             [&](const QString& d) { return QDir().mkpath(d + "/sub") && link("..", d + "/sub/bad"); }, "a loop"},
            {"a link to itself", [&](const QString& d) { return link("bad", d + "/bad"); }, "a loop of links"},
            {"a dangling link", [&](const QString& d) { return link("missing.bin", d + "/bad"); }, "does not exist"},
        };
        for (const auto& c : cases) {
            QTemporaryDir dir;
            QVERIFY(put(dir.path() + "/config.json", "{}"));
            QVERIFY2(c.make(dir.path()), c.name);
            auto r = collectUploadFolder(dir.path().toStdString());
            QVERIFY2(!r.ok(), c.name);
            const std::string msg = r.error().message;
            QVERIFY2(msg.find("bad") != std::string::npos && msg.find(c.says) != std::string::npos, qPrintable(QString(c.name) + ": " + QString::fromStdString(msg)));
            QVERIFY2(!r.error().hint.empty(), c.name);
        }

        // A link to a folder inside the upload folder is followed, files named under the link.
        QTemporaryDir dir;
        QVERIFY(put(dir.path() + "/real/a.txt", "a"));
        QVERIFY(link("real", dir.path() + "/alias"));
        auto r = collectUploadFolder(dir.path().toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QStringList paths;
        for (const auto& i : *r) paths << QString::fromStdString(i.path_in_repo);
        QCOMPARE(paths, QStringList({"alias/a.txt", "real/a.txt"}));

        // uploadFiles checks its items too: a device named directly is refused before any request.
        HfClient c = client();
        auto direct = uploadFiles(c, options("tester/device"), {{"/dev/zero", "zero.bin"}});
        QVERIFY(!direct.ok());
        QVERIFY2(direct.error().message.find("/dev/zero") != std::string::npos &&
                     direct.error().message.find("a character device") != std::string::npos,
                 direct.error().message.c_str());
        QCOMPARE(hub_.log().size(), std::size_t(0));
    }

    void badRemotePathsAndNoTokenSendNothing() {
        HfClient c = client();
        for (const char* bad : {"../evil.safetensors", "/etc/passwd", "a/../../b", "C:\\x", ""}) {
            auto r = uploadFiles(c, options("tester/bad"), {{exp("config.json").toStdString(), bad}});
            QVERIFY2(!r.ok(), bad);
            QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        }
        auto dup = uploadFiles(c, options("tester/bad"), {{exp("config.json").toStdString(), "a.json"},
                                                          {exp("README.md").toStdString(), "a.json"}});
        QVERIFY(!dup.ok());
        QVERIFY(!uploadFiles(c, options("../x"), {{exp("config.json").toStdString(), "a.json"}}).ok());
        HfClient anonymous = client("");
        auto r = uploadFolder(anonymous, options("tester/bad"), export_.path().toStdString());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Unauthorized);
        QCOMPARE(hub_.log().size(), std::size_t(0));

        HfClient wrong = client("hf_wrong_token");
        auto refused = uploadFolder(wrong, options("tester/bad"), export_.path().toStdString());
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Unauthorized);
        QVERIFY(refused.error().toString().find("hf_wrong_token") == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestHubUpload)
#include "test_upload.moc"
