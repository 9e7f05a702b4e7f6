// `signround hub search|files|whoami` and `signround download` as a user runs them, against the
// fake hub: tables and JSON, the snapshot folder printed last, --include, Ctrl-C (exit 130, the
// partial file kept, the next run resuming it), and clear errors.
#include <signal.h>

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "fakehub.h"
#include "support/deadline.h"

namespace {
const char* kGoodToken = "hf_fake_good_token_0123456789";

struct Run {
    int code = -1;
    QString out, err;
};
}  // namespace

class TestHubCli : public QObject {
    Q_OBJECT

    srs::test::FakeHub hub_;
    QTemporaryDir nested_;
    std::unique_ptr<QTemporaryDir> home_;
    QString stories_;
    QString rows_file_;
    QTemporaryDir rows_dir_;

    QProcessEnvironment env(const QString& token = {}) const {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
                                 "HF_HUB_OFFLINE", "XDG_CACHE_HOME", "HF_HUB_DISABLE_IMPLICIT_TOKEN"})
            e.remove(name);
        e.insert("HF_ENDPOINT", hub_.qurl());
        e.insert("SRS_DATASETS_SERVER", hub_.qurl());
        e.insert("HF_HOME", home_->path());
        if (!token.isEmpty()) e.insert("HF_TOKEN", token);
        return e;
    }

    Run cli(const QStringList& args, const QString& token = {}) {
        QProcess p;
        p.setProcessEnvironment(env(token));
        p.start(srs::test::executable("signround"), args);
        p.waitForFinished(120000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFileInfo::exists(srs::test::executable("signround")), "build the signround target first");
        QVERIFY(srs::test::writeNestedRepo(nested_.path()));
        stories_ = srs::test::sharedPath("models/stories260K-hf");
        QStringList args{"--repo", "fake-org/nested=" + nested_.path()};
        if (!stories_.isEmpty()) args << "--repo" << "tiny/stories260K=" + stories_;
        // TinyStories documents served by the fake dataset viewer, for quantize --dataset ORG/NAME.
        QString calib = srs::test::sharedPath("text/tinystories/TinyStories-train.first2MiB.txt");
        if (!calib.isEmpty()) {
            QString rows = rows_dir_.path() + "/tinystories-rows.jsonl";
            rows_file_ = rows;
            QList<QByteArray> docs = srs::test::readAll(calib).left(400000).split('\n');
            QFile out(rows);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QByteArray doc;
            int n = 0;
            for (const QByteArray& line : docs) {
                if (line.trimmed() == "<|endoftext|>") {
                    if (!doc.trimmed().isEmpty() && n < 300) {
                        out.write(QByteArray::fromStdString(nlohmann::json{{"text", doc.trimmed().toStdString()}}.dump()) + "\n");
                        ++n;
                    }
                    doc.clear();
                } else {
                    doc += line + "\n";
                }
            }
            out.close();
            QVERIFY(n > 100);
            args << "--dataset" << "fake-org/tinystories=" + rows;
        }
        SRS_START_FAKEHUB(hub_, args);
    }

    void init() {
        QVERIFY(hub_.reset().ok());
        home_ = std::make_unique<QTemporaryDir>();
    }

    void searchPrintsATable() {
        Run r = cli({"hub", "search", "tiny-llama", "--limit", "12"});
        QCOMPARE(r.code, 0);
        QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 13);  // header + 12 models
        QVERIFY(lines[0].startsWith("MODEL"));
        QVERIFY(lines[1].startsWith("fake-org/tiny-llama-00"));
        QVERIFY(lines[1].contains("1,000") && lines[1].contains("gated"));
        QVERIFY(lines[12].startsWith("fake-org/tiny-llama-11"));
    }

    void searchFollowsPagesForLargeLimits() {
        Run r = cli({"hub", "search", "tiny-llama", "--limit", "500", "--json"});
        QCOMPARE(r.code, 0);
        QJsonArray models = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(models.size(), 23);  // every match, over pages of at most 100
        QCOMPARE(models[0].toObject()["id"].toString(), QString("fake-org/tiny-llama-00"));
        QCOMPARE(models[0].toObject()["num_parameters"].toInteger(), 1000000);
    }

    void filesListsSizes() {
        Run r = cli({"hub", "files", "fake-org/nested"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QRegularExpression("204,800 +200\\.0 KiB  sub/dir/weights\\.safetensors  \\(LFS\\)")), qPrintable(r.out));
        QVERIFY(r.out.contains("sub/notes.txt"));
        QVERIFY(r.out.contains("5 files"));

        Run j = cli({"hub", "files", "fake-org/nested", "--revision", "main", "--json"});
        QCOMPARE(j.code, 0);
        QJsonArray files = QJsonDocument::fromJson(j.out.toUtf8()).array();
        QCOMPARE(files.size(), 5);
        bool seen = false;
        for (const auto& f : files)
            if (f.toObject()["path"] == "sub/dir/weights.safetensors") {
                seen = true;
                QCOMPARE(f.toObject()["size"].toInteger(), 204800);
                QVERIFY(f.toObject().contains("lfs"));
            }
        QVERIFY(seen);
    }

    void whoamiGoodAndWrongToken() {
        Run good = cli({"hub", "whoami"}, kGoodToken);
        QCOMPARE(good.code, 0);
        QVERIFY(good.out.startsWith("tester (Test User)"));
        QVERIFY(good.out.contains("from HF_TOKEN"));
        QVERIFY(!good.out.contains(kGoodToken));

        Run wrong = cli({"hub", "whoami"}, "hf_not_the_right_one_4242");
        QCOMPARE(wrong.code, 1);
        QVERIFY2(wrong.err.contains("refused the token") && wrong.err.contains("from HF_TOKEN"), qPrintable(wrong.err));
        QVERIFY(wrong.err.contains("hint:") && wrong.err.contains("/settings/tokens"));
        QVERIFY(!wrong.err.contains("hf_not_the_right_one_4242"));

        // The token file under HF_HOME is read when HF_TOKEN is unset.
        QFile tf(home_->path() + "/token");
        QVERIFY(tf.open(QIODevice::WriteOnly));
        tf.write(QByteArray(kGoodToken) + "\n");
        tf.close();
        Run file = cli({"hub", "whoami"});
        QCOMPARE(file.code, 0);
        QVERIFY2(file.out.contains("from " + home_->path() + "/token"), qPrintable(file.out));
    }

    void downloadPrintsTheSnapshotFolder() {
        if (stories_.isEmpty()) QSKIP("shared data not present: models/stories260K-hf");
        QString cache = home_->path() + "/elsewhere";
        Run r = cli({"download", "tiny/stories260K", "--cache_dir", cache});
        QCOMPARE(r.code, 0);
        QStringList out = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(out.size(), 1);  // stdout is just the folder, for $(signround download …)
        QString snap = out.last();
        QVERIFY2(snap.startsWith(cache + "/models--tiny--stories260K/snapshots/"), qPrintable(snap));
        QCOMPARE(QDir(snap).entryList(QDir::Files | QDir::Hidden).size(), 7);
        QCOMPARE(srs::test::readAll(snap + "/model.safetensors"), srs::test::readAll(stories_ + "/model.safetensors"));
        QVERIFY(QFileInfo(snap + "/config.json").isSymLink());
        QVERIFY(r.err.contains("progress 100.0%"));
        QVERIFY(r.err.contains("downloaded model.safetensors"));
        QVERIFY(!QFileInfo::exists(home_->path() + "/hub"));  // --cache_dir wins over HF_HOME

        // --offline serves the same snapshot from the cache alone.
        Run again = cli({"download", "tiny/stories260K", "--cache_dir", cache, "--offline"});
        QCOMPARE(again.code, 0);
        QCOMPARE(again.out.trimmed(), snap);
    }

    void downloadIncludeGlobs() {
        Run r = cli({"download", "fake-org/nested", "--include", "*.json,sub/*.txt"});
        QCOMPARE(r.code, 0);
        QString snap = r.out.trimmed();
        QVERIFY2(snap.startsWith(home_->path() + "/hub/models--fake-org--nested/snapshots/"), qPrintable(snap));
        QStringList files;
        for (const auto& e : std::filesystem::recursive_directory_iterator(snap.toStdString()))
            if (!e.is_directory()) files << QString::fromStdString(e.path().lexically_relative(snap.toStdString()).string());
        files.sort();
        QCOMPARE(files, (QStringList{"config.json", "sub/notes.txt"}));
    }

    void ctrlCExits130AndTheNextRunResumes() {
        const QString file = "sub/dir/weights.safetensors";
        QVERIFY(hub_.addFault({{"path", file.toStdString()}, {"kind", "slow"}, {"bytes_per_s", 40000}}).ok());
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(srs::test::executable("signround"), {"download", "fake-org/nested"});
        QVERIFY(p.waitForStarted());
        const QString blobs = home_->path() + "/hub/models--fake-org--nested/blobs/";
        const QString partial = blobs + QString::fromStdString(srs::test::sha256Of(srs::test::readAll(nested_.path() + "/" + file))) +
                                ".incomplete";
        QElapsedTimer t;
        t.start();
        while (QFileInfo(partial).size() < 20000 && t.elapsed() < 15000) QThread::msleep(20);
        QVERIFY2(QFileInfo(partial).size() >= 20000, "the download never started");
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QElapsedTimer stop;
        stop.start();
        QVERIFY(p.waitForFinished(10000));
        // tools/deadlines.py with 4 busy processes on 2 cores: 410-451 ms; within 3 s at a load average of 20.
        SRS_CHECK_DEADLINE("Ctrl-C during signround download", stop.elapsed(), 6000);
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("cancelled") && err.contains("resume"), qPrintable(err));
        QVERIFY(p.readAllStandardOutput().isEmpty());
        qint64 kept = QFileInfo(partial).size();
        QVERIFY(kept >= 20000 && kept < 204800);

        // Wait for the server to notice the client left, then run again: it resumes.
        QElapsedTimer gone;
        gone.start();
        auto left = [&] {
            for (const auto& e : hub_.bodyRequests(file.toStdString()))
                if (e.value("note", "") == "client went away") return true;
            return false;
        };
        while (!left() && gone.elapsed() < 5000) QThread::msleep(20);
        QVERIFY(hub_.reset().ok());
        Run r = cli({"download", "fake-org/nested"});
        QCOMPARE(r.code, 0);
        auto reqs = hub_.bodyRequests(file.toStdString());
        QCOMPARE(reqs.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(srs::test::rangeOf(reqs[0])), QString("bytes=%1-").arg(kept));
        QVERIFY(!QFileInfo::exists(partial));
    }

    void errorsAreClear() {
        Run missing = cli({"download", "fake-org/no-such-model"});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("error:") && missing.err.contains("fake-org/no-such-model") && missing.err.contains("hint:"),
                 qPrintable(missing.err));
        QVERIFY(missing.out.isEmpty());

        Run bad_id = cli({"hub", "files", "not a repo"});
        QCOMPARE(bad_id.code, 1);
        QVERIFY(bad_id.err.contains("invalid repository id"));

        Run offline_empty = cli({"download", "fake-org/nested", "--offline"});
        QCOMPARE(offline_empty.code, 1);
        QVERIFY(offline_empty.err.contains("not in the cache"));

        Run usage = cli({"hub"});
        QCOMPARE(usage.code, 2);
        QVERIFY(usage.err.contains("usage: signround hub search"));
        QCOMPARE(cli({"hub", "frobnicate"}).code, 2);
        QCOMPARE(cli({"download"}).code, 2);
        QCOMPARE(cli({"hub", "search", "x", "--limit", "zero"}).code, 2);
    }

    // The whole flow with no real network: quantize with calibration rows from the (fake) dataset
    // viewer, then upload the export; the model card the export wrote names the dataset and is
    // what the hub received. A second quantize reads the cached rows without a request.
    void quantizeFromAHubDatasetThenUpload() {
        if (stories_.isEmpty() || rows_file_.isEmpty()) QSKIP("needs ../shared (stories260K-hf and TinyStories text)");
        QTemporaryDir out;
        QStringList quantize{"quantize", "--model", stories_, "--dataset", "fake-org/tinystories", "--output_dir", out.path(),
                             "--seqlen", "128", "--nsamples", "8", "--iters", "4", "--group_size", "32", "--format", "auto_round"};
        Run q = cli(quantize);
        QVERIFY2(q.code == 0, qPrintable(q.err));
        int rows_requests = 0;
        for (const auto& e : hub_.log())
            if (e["path"].get<std::string>().rfind("/rows?dataset=fake-org%2Ftinystories", 0) == 0) ++rows_requests;
        QCOMPARE(rows_requests, 3);  // 300 rows, 100 a page
        QVERIFY(QFileInfo::exists(home_->path() + "/signround/datasets-server/datasets--fake-org--tinystories/auto/train/text-10000.jsonl"));

        const QString exported = out.path() + "/stories260K-hf-w4g32-auto_round";
        const QByteArray card = srs::test::readAll(exported + "/README.md");
        QVERIFY2(card.contains("fake-org/tinystories"), card.constData());
        Run u = cli({"upload", "--repo_id", "tester/stories260K-w4g32", "--folder", exported}, kGoodToken);
        QVERIFY2(u.code == 0, qPrintable(u.err));
        const auto commit = hub_.uploads()["commits"][0];
        bool card_sent = false, weights_sent = false;
        for (const auto& f : commit["files"])
            if (f["path"] == "README.md") card_sent = QByteArray::fromBase64(QByteArray::fromStdString(f["content"].get<std::string>())) == card;
        for (const auto& f : commit["lfsFiles"])
            if (f["path"] == "model.safetensors")
                weights_sent = f["oid"].get<std::string>() == srs::test::sha256Of(srs::test::readAll(exported + "/model.safetensors"));
        QVERIFY(card_sent);
        QVERIFY(weights_sent);

        QVERIFY(hub_.reset().ok());
        QTemporaryDir out2;
        quantize[6] = out2.path();
        quantize[12] = "1";  // --iters: only the calibration data matters here
        Run again = cli(quantize);
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QCOMPARE(hub_.log().size(), std::size_t(0));
    }

    // `signround upload` of an export folder: the commit the fake hub received (the model card
    // inline, the weights as an LFS file with their sha256), the commit URL on stdout, --private,
    // the message; a second run sends no blob again; no token and bad arguments fail clearly.
    void uploadCommitsTheExportFolder() {
        QTemporaryDir out;
        QVERIFY(QDir(out.path()).mkpath("."));
        const QByteArray card = "---\nbase_model: fake-org/nested\ntags:\n- auto-round\n---\n\n# nested W4G128\n";
        QByteArray weights(120000, '\0');
        for (int i = 0; i < weights.size(); ++i) weights[i] = static_cast<char>((i * 7919) >> 3);
        auto put = [&](const QString& rel, const QByteArray& data) {
            QFile f(out.path() + "/" + rel);
            return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
        };
        QVERIFY(put("README.md", card) && put("config.json", "{}") && put("model.safetensors", weights));

        Run r = cli({"upload", "--repo_id", "tester/nested-w4", "--folder", out.path(), "--private", "--commit_message",
                     "Upload W4A16 AutoRound"},
                    kGoodToken);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.trimmed().startsWith(hub_.qurl() + "/tester/nested-w4/commit/"), qPrintable(r.out));
        QVERIFY2(r.err.contains("uploaded") && r.err.contains("model.safetensors"), qPrintable(r.err));
        QVERIFY(!r.err.contains(kGoodToken) && !r.out.contains(kGoodToken));

        nlohmann::json up = hub_.uploads();
        QCOMPARE(up["creates"][0]["request"]["private"], nlohmann::json(true));
        QCOMPARE(up["commits"].size(), std::size_t(1));
        const auto& commit = up["commits"][0];
        QCOMPARE(commit["summary"], nlohmann::json("Upload W4A16 AutoRound"));
        QCOMPARE(commit["files"].size(), std::size_t(2));
        bool card_sent = false;
        for (const auto& f : commit["files"])
            if (f["path"] == "README.md")
                card_sent = QByteArray::fromBase64(QByteArray::fromStdString(f["content"].get<std::string>())) == card;
        QVERIFY(card_sent);
        QCOMPARE(commit["lfsFiles"].size(), std::size_t(1));
        QCOMPARE(commit["lfsFiles"][0]["path"], nlohmann::json("model.safetensors"));
        QCOMPARE(commit["lfsFiles"][0]["oid"].get<std::string>(), srs::test::sha256Of(weights));
        QCOMPARE(commit["lfsFiles"][0]["size"].get<int>(), weights.size());

        Run again = cli({"upload", "--repo_id", "tester/nested-w4", "--folder", out.path()}, kGoodToken);
        QVERIFY2(again.code == 0, qPrintable(again.err));
        QVERIFY2(again.err.contains("already on the Hub"), qPrintable(again.err));
        int n_puts = 0;
        for (const auto& e : hub_.log())
            if (e["method"] == "PUT") ++n_puts;
        QCOMPARE(n_puts, 1);

        Run anonymous = cli({"upload", "--repo_id", "tester/nested-w4", "--folder", out.path()});
        QCOMPARE(anonymous.code, 1);
        QVERIFY2(anonymous.err.contains("token") && anonymous.err.contains("hint:"), qPrintable(anonymous.err));
        QCOMPARE(cli({"upload", "--repo_id", "tester/x"}, kGoodToken).code, 2);
        Run nofolder = cli({"upload", "--repo_id", "tester/x", "--folder", out.path() + "/missing"}, kGoodToken);
        QCOMPARE(nofolder.code, 1);
        QVERIFY(nofolder.err.contains("not found"));
        Run escape = cli({"upload", "--repo_id", "tester/x", "--folder", out.path(), "--path_in_repo", "../up"}, kGoodToken);
        QCOMPARE(escape.code, 1);
        QVERIFY2(escape.err.contains(".."), qPrintable(escape.err));
    }
};

QTEST_GUILESS_MAIN(TestHubCli)
#include "test_cli.moc"
