// Calibration text from a Hub dataset through the fake dataset viewer: /splits then /rows pages of
// at most 100 rows, the cached JSONL (a second fetch makes no request, also offline), the
// ORG/NAME:split:column form, a missing column, 404 and gated (401) datasets with their hints,
// and data::openDataset choosing between a local file and the Hub.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/data/dataset_source.h"
#include "core/hub/hf_client.h"
#include "core/hub/hub_dataset.h"
#include "fakehub.h"

using namespace srs;
using namespace srs::hub;
using nlohmann::json;

namespace {
const char* kToken = "hf_fake_good_token_0123456789";

std::string rowText(int i) { return "document " + std::to_string(i) + " about the sea and the sky, line " + std::to_string(i * 7); }

bool writeRows(const QString& path, int n, const std::string& column) {
    std::ofstream out(path.toStdString());
    for (int i = 0; i < n; ++i) {
        json row{{"meta", {{"pile_set_name", "Pile-CC"}}}};
        // Row 5 has no text: it must be left out, not written as an empty document.
        row[column] = i == 5 ? json(nullptr) : json(rowText(i));
        out << row.dump() << "\n";
    }
    return static_cast<bool>(out);
}

std::vector<std::string> readTexts(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line)["text"].get<std::string>());
    return out;
}

std::vector<json> viewerRequests(const json& log) {
    std::vector<json> out;
    for (const auto& e : log) {
        std::string p = e["path"].get<std::string>();
        if (p.rfind("/rows?", 0) == 0 || p.rfind("/splits?", 0) == 0) out.push_back(e);
    }
    return out;
}
}  // namespace

class TestHubDataset : public QObject {
    Q_OBJECT

    test::FakeHub hub_;
    QTemporaryDir data_;
    std::unique_ptr<QTemporaryDir> home_;

    HubEnv env(bool offline = false) const {
        std::map<std::string, std::string> vars{{"HF_ENDPOINT", hub_.url()}, {"SRS_DATASETS_SERVER", hub_.url()},
                                                {"HF_HOME", home_->path().toStdString()}};
        if (offline) vars["HF_HUB_OFFLINE"] = "1";
        return hubEnvFromEnvironment([vars](const std::string& name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        });
    }
    HfClient client(const std::string& token = {}, bool offline = false) const {
        return HfClient(env(offline), token, RetryPolicy{3, 20, 200});
    }
    DatasetSpec spec(const std::string& value) const {
        auto s = parseDatasetSpec(value);
        return s.ok() ? *s : DatasetSpec{};
    }

private slots:
    void initTestCase() {
        QVERIFY(writeRows(data_.path() + "/train.jsonl", 250, "text"));
        QVERIFY(writeRows(data_.path() + "/val.jsonl", 30, "text"));
        QVERIFY(writeRows(data_.path() + "/content.jsonl", 40, "content"));
        SRS_START_FAKEHUB(hub_, (QStringList{"--dataset", "fake-org/pile=" + data_.path() + "/train.jsonl", "--dataset",
                                             "fake-org/pile:validation=" + data_.path() + "/val.jsonl", "--dataset",
                                             "fake-org/code=" + data_.path() + "/content.jsonl", "--gated-dataset",
                                             "fake-org/gated=" + data_.path() + "/val.jsonl"}));
    }

    void init() {
        QVERIFY(hub_.reset().ok());
        home_ = std::make_unique<QTemporaryDir>();
    }

    void specParsing() {
        auto s = parseDatasetSpec("NeelNanda/pile-10k");
        QVERIFY(s.ok());
        QCOMPARE(s->dataset, std::string("NeelNanda/pile-10k"));
        QCOMPARE(s->split, std::string("train"));
        QCOMPARE(s->text_field, std::string("text"));
        s = parseDatasetSpec("org/name:validation:content");
        QVERIFY(s.ok());
        QCOMPARE(s->split, std::string("validation"));
        QCOMPARE(s->text_field, std::string("content"));
        for (const char* bad : {"pile-10k", "org/name:", "org/name:train:", "../x/y", "org/na me", "org/name:a/b"})
            QVERIFY2(!parseDatasetSpec(bad).ok(), bad);
        QVERIFY(looksLikeHubDataset("NeelNanda/pile-10k"));
        QVERIFY(looksLikeHubDataset("NeelNanda/pile-10k:train"));
        QVERIFY(!looksLikeHubDataset("data/calib.txt"));
        QVERIFY(!looksLikeHubDataset("data/calib.jsonl"));
        QVERIFY(!looksLikeHubDataset("calib.txt"));
    }

    void pagesThroughEveryRowAndCaches() {
        HfClient c = client();
        std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
        auto r = fetchDatasetRows(c, spec("fake-org/pile"), {}, [&](std::uint64_t d, std::uint64_t t) { progress.emplace_back(d, t); });
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QVERIFY(!r->from_cache);
        QCOMPARE(r->config, std::string("default"));
        QCOMPARE(r->num_rows_total, std::uint64_t(250));
        QCOMPARE(r->rows, std::uint64_t(249));
        auto texts = readTexts(r->jsonl_path);
        QCOMPARE(texts.size(), std::size_t(249));
        QCOMPARE(texts.front(), rowText(0));
        QCOMPARE(texts[5], rowText(6));  // row 5 had no text
        QCOMPARE(texts.back(), rowText(249));
        QVERIFY(QString::fromStdString(r->jsonl_path).startsWith(home_->path() + "/signround/datasets-server/datasets--fake-org--pile/"));

        auto reqs = viewerRequests(hub_.log());
        QCOMPARE(reqs.size(), std::size_t(4));
        QCOMPARE(reqs[0]["path"], json("/splits?dataset=fake-org%2Fpile"));
        QCOMPARE(reqs[1]["path"], json("/rows?dataset=fake-org%2Fpile&config=default&split=train&offset=0&length=100"));
        QCOMPARE(reqs[2]["path"], json("/rows?dataset=fake-org%2Fpile&config=default&split=train&offset=100&length=100"));
        QCOMPARE(reqs[3]["path"], json("/rows?dataset=fake-org%2Fpile&config=default&split=train&offset=200&length=100"));
        QCOMPARE(progress.back(), std::make_pair(std::uint64_t(250), std::uint64_t(250)));

        // The second time: the cache, and no request at all — offline too.
        QVERIFY(hub_.reset().ok());
        auto again = fetchDatasetRows(c, spec("fake-org/pile"));
        QVERIFY(again.ok());
        QVERIFY(again->from_cache);
        QCOMPARE(again->rows, std::uint64_t(249));
        HfClient offline = client({}, true);
        QVERIFY(fetchDatasetRows(offline, spec("fake-org/pile")).ok());
        QCOMPARE(hub_.log().size(), std::size_t(0));
        // Not cached and offline: a clear refusal.
        auto missing = fetchDatasetRows(offline, spec("fake-org/pile:validation"));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("HF_HUB_OFFLINE") != std::string::npos);
    }

    void maxRowsAndSplitAndColumn() {
        HfClient c = client();
        DatasetRowsOptions o;
        o.max_rows = 150;
        auto r = fetchDatasetRows(c, spec("fake-org/pile"), o);
        QVERIFY(r.ok());
        QCOMPARE(r->rows, std::uint64_t(149));
        auto reqs = viewerRequests(hub_.log());
        QCOMPARE(reqs.back()["path"], json("/rows?dataset=fake-org%2Fpile&config=default&split=train&offset=100&length=50"));

        auto val = fetchDatasetRows(c, spec("fake-org/pile:validation"));
        QVERIFY(val.ok());
        QCOMPARE(val->rows, std::uint64_t(29));
        QVERIFY(val->jsonl_path != r->jsonl_path);

        auto nocol = fetchDatasetRows(c, spec("fake-org/code"));
        QVERIFY(!nocol.ok());
        QCOMPARE(nocol.error().code, ErrorCode::InvalidArgument);
        QVERIFY(nocol.error().message.find("columns: ") != std::string::npos);
        QVERIFY(nocol.error().message.find("content") != std::string::npos);
        auto col = fetchDatasetRows(c, spec("fake-org/code:train:content"));
        QVERIFY2(col.ok(), col.ok() ? "" : col.error().toString().c_str());
        QCOMPARE(col->rows, std::uint64_t(39));

        auto nosplit = fetchDatasetRows(c, spec("fake-org/pile:test"));
        QVERIFY(!nosplit.ok());
        QCOMPARE(nosplit.error().code, ErrorCode::NotFound);
        QVERIFY(nosplit.error().hint.find("default/validation") != std::string::npos);
    }

    void missingAndGatedDatasets() {
        HfClient anonymous = client();
        auto missing = fetchDatasetRows(anonymous, spec("fake-org/nope"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY(missing.error().message.find("404") != std::string::npos);
        QVERIFY(missing.error().hint.find("local .txt") != std::string::npos);

        auto gated = fetchDatasetRows(anonymous, spec("fake-org/gated"));
        QVERIFY(!gated.ok());
        QCOMPARE(gated.error().code, ErrorCode::Unauthorized);
        QVERIFY(gated.error().hint.find(hub_.url() + "/datasets/fake-org/gated") != std::string::npos);
        QVERIFY(gated.error().hint.find("HF_TOKEN") != std::string::npos);
        QVERIFY(!std::filesystem::exists(datasetRowsCachePath(anonymous.env(), spec("fake-org/gated"), {})));

        HfClient logged_in = client(kToken);
        auto ok = fetchDatasetRows(logged_in, spec("fake-org/gated"));
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().toString().c_str());
        QCOMPARE(ok->rows, std::uint64_t(29));
        for (const auto& e : viewerRequests(hub_.log())) QVERIFY(e["path"].get<std::string>().find(kToken) == std::string::npos);
    }

    void rateLimitedPageIsRetried() {
        QVERIFY(hub_.addFault({{"api", true}, {"path", "/rows"}, {"kind", "status"}, {"status", 429}, {"retry_after", 0}}).ok());
        HfClient c = client();
        auto r = fetchDatasetRows(c, spec("fake-org/pile:validation"));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        auto reqs = viewerRequests(hub_.log());
        QCOMPARE(reqs[1]["status"], json(429));
        QCOMPARE(reqs[2]["status"], json(200));
    }

    void openDatasetPicksLocalFileOrHub() {
        qputenv("HF_ENDPOINT", QByteArray::fromStdString(hub_.url()));
        qputenv("SRS_DATASETS_SERVER", QByteArray::fromStdString(hub_.url()));
        qputenv("HF_HOME", home_->path().toUtf8());
        for (const char* v : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE"}) qunsetenv(v);

        QVERIFY(data::isHubDatasetValue("fake-org/pile"));
        auto hubsrc = data::openDataset("fake-org/pile:validation");
        QVERIFY2(hubsrc.ok(), hubsrc.ok() ? "" : hubsrc.error().toString().c_str());
        QCOMPARE((*hubsrc)->name(), std::string("fake-org/pile:validation"));
        auto docs = (*hubsrc)->documents();
        QVERIFY(docs.ok());
        QCOMPARE(docs->size(), std::size_t(29));
        QCOMPARE(docs->front(), rowText(0));

        // A local file wins, even one whose path looks like ORG/NAME.
        QDir(data_.path()).mkpath("fake-org");
        QVERIFY(writeRows(data_.path() + "/fake-org/pile", 3, "text"));
        QVERIFY(QDir::setCurrent(data_.path()));
        QVERIFY(!data::isHubDatasetValue("fake-org/pile"));
        auto local = data::openDataset("fake-org/pile");
        QVERIFY(local.ok());
        QCOMPARE((*local)->name(), std::string("pile"));
        {
            std::ofstream clean((data_.path() + "/clean.jsonl").toStdString());
            clean << R"({"text": "one"})" << "\n" << R"({"text": "two"})" << "\n";
        }
        auto localJsonl = data::openDataset((data_.path() + "/clean.jsonl").toStdString());
        QVERIFY(localJsonl.ok());
        auto localDocs = (*localJsonl)->documents();
        QVERIFY(localDocs.ok());
        QCOMPARE(localDocs->size(), std::size_t(2));

        auto none = data::openDataset("fake-org/absent");
        QVERIFY(!none.ok());
        QVERIFY(none.error().message.find("no local file 'fake-org/absent'") != std::string::npos);
        auto missingFile = data::openDataset("missing/calib.txt");
        QVERIFY(!missingFile.ok());
        QVERIFY(missingFile.error().message.find("calibration file not found") != std::string::npos);
        // A FIFO is not read (it would wait for a writer): refused, saying what it is.
        const std::string fifo = (data_.path() + "/calib.txt").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        auto notRegular = data::openDataset(fifo);
        QVERIFY(!notRegular.ok());
        QVERIFY2(notRegular.error().message.find("is not a regular file") != std::string::npos, notRegular.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestHubDataset)
#include "test_dataset.moc"
