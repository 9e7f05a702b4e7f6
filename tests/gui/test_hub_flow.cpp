// The Hub in the GUI, offscreen, against tests/hub/fakehub.py serving a copy of stories260K:
// a refused token and a good one (saved only when asked), search as you type, paging, selecting
// the repository ticks the files a quantization needs, download with progress into the HF cache,
// the model opens on the Model page, the Local cache tab lists and reopens it; then a short real
// quantization, the Export page's "Upload to Hub…" dialog (name from whoami + folder, private,
// an edited model card) uploads it, and the commit the fake Hub received is checked: the files,
// the LFS oids (sha256 of the exported files) and the edited card. Also: a start without a model
// shows the Hub page's login state, ModelScope (no search) downloads by id, and a rate-limited
// or unreachable Hub gives an error that says what to do.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include "core/common/units.h"
#include "core/job/quant_job.h"
#include "hub/fakehub.h"
#include "support/test_paths.h"
#include "ui/hub_session.h"
#include "ui/main_window.h"
#include "ui/pages/configure_page.h"
#include "ui/pages/export_page.h"
#include "ui/pages/hub_page.h"
#include "ui/pages/model_page.h"
#include "ui/run_history.h"
#include "ui/upload_dialog.h"

namespace {
const char* kToken = "hf_fake_good_token_0123456789";
}

class TestHubFlow : public QObject {
    Q_OBJECT
    QTemporaryDir home_;

    void setEnv(const srs::test::FakeHub& hub) {
        for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
                                 "HF_HUB_OFFLINE", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "MODELSCOPE_API_TOKEN"})
            qunsetenv(name);
        qputenv("HF_ENDPOINT", hub.qurl().toUtf8());
        qputenv("HF_HOME", (home_.path() + "/hf").toUtf8());
        qputenv("MODELSCOPE_ENDPOINT", hub.qurl().toUtf8());
        qputenv("MODELSCOPE_CACHE", (home_.path() + "/ms").toUtf8());
    }

    template <typename T>
    static T* child(QObject* parent, const char* name) {
        T* w = parent->findChild<T*>(name);
        if (!w) qWarning("no child %s", name);
        return w;
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove("hub/token");
        QDir(srs::ui::RunHistory::defaultFolder()).removeRecursively();
    }

    void searchDownloadQuantizeUpload() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        srs::test::FakeHub hub;
        SRS_START_FAKEHUB(hub, QStringList({"--repo", "tiny/stories260K=" + model, "--token", kToken, "--synthetic", "40"}));
        setEnv(hub);

        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun);
        w.show();
        auto* page = w.hubPage();
        auto* session = w.hubSession();
        QVERIFY(page && session);
        w.showPage(w.hubPageIndex());
        QCOMPARE(w.currentPage(), w.hubPageIndex());
        QVERIFY(child<QLabel>(page, "hubAccount")->text().contains("Not logged in"));

        // A refused token: the reason and what to do; nothing is saved.
        QSignalSpy logged(session, &srs::ui::HubSession::loggedIn);
        child<QLineEdit>(page, "hubToken")->setText("hf_this_token_is_wrong_000000");
        QTest::mouseClick(child<QPushButton>(page, "hubLogin"), Qt::LeftButton);
        QVERIFY(logged.wait(10000));
        const QString refused = child<QLabel>(page, "hubAccount")->text();
        QVERIFY2(refused.contains("401") && refused.contains("What to do:") && !refused.contains("hf_this_token_is_wrong"), qPrintable(refused));
        QVERIFY(!session->hasToken());
        // The good token, remembered on request.
        child<QLineEdit>(page, "hubToken")->setText(kToken);
        child<QCheckBox>(page, "hubRemember")->setChecked(true);
        QTest::mouseClick(child<QPushButton>(page, "hubLogin"), Qt::LeftButton);
        QVERIFY(logged.wait(10000));
        QVERIFY2(child<QLabel>(page, "hubAccount")->text().startsWith("Logged in as tester"), qPrintable(child<QLabel>(page, "hubAccount")->text()));
        QCOMPARE(session->userName(), QString("tester"));
        QCOMPARE(QSettings().value("hub/token").toString(), QString(kToken));
        // The token never reaches the log view.
        QVERIFY(!w.logView()->toPlainText().contains(kToken));

        // Search as you type (debounced: one request for the whole word), then the next page.
        QSignalSpy shown(page, &srs::ui::HubPage::searchShown);
        QTest::keyClicks(child<QLineEdit>(page, "hubSearch"), "tiny");
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.count(), 1);
        int searches = 0;
        for (const auto& e : hub.log())
            if (e["path"].get<std::string>().rfind("/api/models?", 0) == 0) ++searches;
        QCOMPARE(searches, 1);
        auto* results = page->resultsTable();
        QCOMPARE(results->rowCount(), 30);  // one page of 41 matches
        QVERIFY(child<QPushButton>(page, "hubMore")->isEnabled());
        QTest::mouseClick(child<QPushButton>(page, "hubMore"), Qt::LeftButton);
        QVERIFY(shown.wait(10000));
        QCOMPARE(results->rowCount(), 41);
        QVERIFY(!child<QPushButton>(page, "hubMore")->isEnabled());
        // Badges: the synthetic models 00, 05, … are gated; parameters and size from safetensors.
        bool gated_seen = false;
        for (int r = 0; r < results->rowCount(); ++r) {
            if (results->item(r, 0)->text() == "fake-org/tiny-llama-00") {
                gated_seen = results->item(r, 6)->text().contains("gated");
                QCOMPARE(results->item(r, 4)->text(), QString::fromStdString(srs::units::formatParams(1000000)));
                QCOMPARE(results->item(r, 5)->text(), QString::fromStdString(srs::units::formatBytes(2000000)));  // BF16
            }
        }
        QVERIFY(gated_seen);

        // Narrow to stories, select it: the needed files are ticked.
        child<QLineEdit>(page, "hubSearch")->clear();
        QTest::keyClicks(child<QLineEdit>(page, "hubSearch"), "stories");
        QVERIFY(shown.wait(10000));
        QCOMPARE(results->rowCount(), 1);
        QCOMPARE(results->item(0, 0)->text(), QString("tiny/stories260K"));
        QSignalSpy files(page, &srs::ui::HubPage::filesShown);
        results->selectRow(0);
        QVERIFY(files.wait(10000));
        const QStringList ticked = page->checkedFiles();
        QVERIFY2(ticked.contains("config.json") && ticked.contains("model.safetensors") && !ticked.contains(".gitattributes"),
                 qPrintable(ticked.join(",")));
        QVERIFY(page->filesTable()->rowCount() > ticked.size());  // .gitattributes at least stays unticked

        // Download: progress to the end, then the model opens on the Model page.
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        QSignalSpy progress(session, &srs::ui::HubSession::downloadProgress);
        QTest::mouseClick(child<QPushButton>(page, "hubDownload"), Qt::LeftButton);
        QVERIFY(opened.wait(60000));
        const QString snapshot = opened.first().at(0).toString();
        QVERIFY2(snapshot.startsWith(home_.path() + "/hf/hub/models--tiny--stories260K/snapshots/"), qPrintable(snapshot));
        QCOMPARE(w.currentPage(), 0);
        QVERIFY(progress.count() > 0);
        QCOMPARE(child<QProgressBar>(page, "hubProgress")->value(), 1000);
        QCOMPARE(srs::test::readAll(snapshot + "/model.safetensors"), srs::test::readAll(model + "/model.safetensors"));
        QVERIFY(!QFileInfo::exists(snapshot + "/.gitattributes"));
        for (int r = 0; r < page->filesTable()->rowCount(); ++r)
            if (page->filesTable()->item(r, 0)->checkState() == Qt::Checked) QCOMPARE(page->filesTable()->item(r, 2)->text(), QString("done"));

        // Local cache: the model is listed and opens again.
        QSignalSpy scanned(session, &srs::ui::HubSession::cacheScanned);
        w.showPage(w.hubPageIndex());
        child<QTabWidget>(page, "hubTabs")->setCurrentIndex(1);
        QVERIFY(scanned.wait(10000));
        auto* cache = page->cacheTable();
        QCOMPARE(cache->rowCount(), 1);
        QCOMPARE(cache->item(0, 0)->text(), QString("tiny/stories260K"));
        cache->selectRow(0);
        opened.clear();
        QTest::mouseClick(child<QPushButton>(page, "hubCacheOpen"), Qt::LeftButton);
        QVERIFY(opened.count() == 1 || opened.wait(10000));
        QCOMPARE(opened.first().at(0).toString(), snapshot);

        // A short real quantization of the downloaded model.
        QTemporaryDir out;
        auto* c = w.configurePage();
        c->findChild<QComboBox*>("preset")->setCurrentText("W4A16");
        c->findChild<QComboBox*>("groupSize")->setCurrentText("32");
        c->findChild<QSpinBox*>("iters")->setValue(2);
        c->findChild<QSpinBox*>("nsamples")->setValue(8);
        c->findChild<QSpinBox*>("seqlen")->setValue(64);
        c->setCalibrationFiles({calib});
        c->setOutputDir(out.path());
        QSignalSpy finished(w.jobController(), &srs::ui::JobController::finished);
        QTest::mouseClick(c->findChild<QPushButton*>("startButton"), Qt::LeftButton);
        QVERIFY(finished.wait(300000));
        QCOMPARE(finished.first().at(0).value<srs::ui::RunOutcome>().state, srs::job::JobState::Finished);
        auto* exp = w.exportPage();
        QTRY_VERIFY_WITH_TIMEOUT(exp->hasRun(), 10000);
        auto* tree = exp->filesTree();
        QVERIFY(tree->topLevelItemCount() >= 1);
        tree->setCurrentItem(tree->topLevelItem(0));
        const QString folder = tree->topLevelItem(0)->data(0, Qt::UserRole).toString();
        QVERIFY(QFileInfo::exists(folder + "/model.safetensors"));
        const QByteArray card_on_disk = srs::test::readAll(folder + "/README.md");
        QVERIFY(!card_on_disk.isEmpty());

        // Upload to Hub…: name from whoami + folder, private, an edited card.
        QTest::mouseClick(child<QPushButton>(exp, "uploadToHubButton"), Qt::LeftButton);
        auto* dialog = w.findChild<srs::ui::UploadDialog*>();
        QVERIFY(dialog);
        auto* repo = child<QLineEdit>(dialog, "uploadRepo");
        // The export folder is named after the snapshot (a commit hash); the card names the Hub
        // model it came from, and the repository is named after that.
        QVERIFY(card_on_disk.contains("base_model: \"tiny/stories260K\""));
        const QString repo_name = QFileInfo(folder).fileName().replace(QRegularExpression("^[0-9a-f]{40}"), "stories260K");
        QVERIFY(repo_name.startsWith("stories260K-"));
        QCOMPARE(repo->text(), "tester/" + repo_name);
        QVERIFY(child<QCheckBox>(dialog, "uploadPrivate")->isChecked());
        auto* card = child<QPlainTextEdit>(dialog, "uploadCard");
        QCOMPARE(card->toPlainText().toUtf8(), card_on_disk);
        const QString edited = card->toPlainText() + "\nUploaded by the hub flow test.\n";
        card->setPlainText(edited);
        QSignalSpy uploaded(dialog, &srs::ui::UploadDialog::uploadFinished);
        QTest::mouseClick(child<QPushButton>(dialog, "uploadStart"), Qt::LeftButton);
        QVERIFY(uploaded.wait(60000));
        QCOMPARE(uploaded.first().at(0).toString(), QString("finished"));
        const QString repo_id = repo->text();
        QCOMPARE(dialog->resultUrl(), hub.qurl() + "/" + repo_id);
        QVERIFY(child<QLabel>(dialog, "uploadStatus")->text().contains(hub.qurl() + "/" + repo_id));
        QCOMPARE(srs::test::readAll(folder + "/README.md"), card_on_disk);  // the export is unchanged
        if (qEnvironmentVariableIsSet("SRS_SHOT_DIR")) dialog->grab().save(qEnvironmentVariable("SRS_SHOT_DIR") + "/upload-dialog.png");

        // What the fake Hub received.
        nlohmann::json up = hub.uploads();
        QCOMPARE(up["creates"].size(), std::size_t(1));
        QCOMPARE(up["creates"][0]["request"]["name"].get<std::string>(), repo_name.toStdString());
        const auto& req = up["creates"][0]["request"];
        QVERIFY(req.value("private", false) || req.value("visibility", std::string()) == "private");
        QCOMPARE(up["commits"].size(), std::size_t(1));
        const auto& commit = up["commits"][0];
        QCOMPARE(commit["repo"].get<std::string>(), repo_id.toStdString());
        bool card_seen = false;
        QStringList committed;
        for (const auto& f : commit["files"]) {
            committed << QString::fromStdString(f["path"].get<std::string>());
            if (f["path"] == "README.md") {
                card_seen = true;
                QCOMPARE(QByteArray::fromBase64(QByteArray::fromStdString(f["content"].get<std::string>())), edited.toUtf8());
            }
        }
        QVERIFY(card_seen);
        bool weights_seen = false;
        for (const auto& f : commit["lfsFiles"]) {
            const QString path = QString::fromStdString(f["path"].get<std::string>());
            committed << path;
            const QByteArray data = srs::test::readAll(folder + "/" + path);
            QCOMPARE(f["oid"].get<std::string>(), srs::test::sha256Of(data));
            QCOMPARE(f["size"].get<qint64>(), static_cast<qint64>(data.size()));
            if (path == "model.safetensors") weights_seen = true;
        }
        QVERIFY(weights_seen);
        // Every file of the export went up, nothing else.
        QStringList local = QDir(folder).entryList(QDir::Files);
        committed.sort();
        local.sort();
        QCOMPARE(committed, local);
        dialog->close();

        // Log out forgets the saved token.
        QTest::mouseClick(child<QPushButton>(page, "hubLogout"), Qt::LeftButton);
        QVERIFY(!session->hasToken());
        QVERIFY(!QSettings().contains("hub/token"));
    }

    void modelScopeByIdAndErrors() {
        QTemporaryDir repo_dir;
        QVERIFY(srs::test::writeNestedRepo(repo_dir.path()));
        srs::test::FakeHub hub;
        SRS_START_FAKEHUB(hub, QStringList({"--repo", "fake-org/nested=" + repo_dir.path()}));
        setEnv(hub);
        srs::ui::MainWindow w("compute: test");
        w.show();
        auto* page = w.hubPage();
        auto* source = child<QComboBox>(page, "hubSource");
        source->setCurrentIndex(source->findData(static_cast<int>(srs::ui::HubSource::ModelScope)));
        QVERIFY(child<QLabel>(page, "hubSearchStatus")->text().contains("not available"));
        QSignalSpy files(page, &srs::ui::HubPage::filesShown);
        // An unknown id: the error says what to do.
        page->searchFor("nobody/nothing");
        QVERIFY(files.wait(10000));
        QCOMPARE(files.last().at(0).toInt(), 0);
        QVERIFY2(child<QLabel>(page, "hubRepo")->text().contains("What to do:"), qPrintable(child<QLabel>(page, "hubRepo")->text()));
        page->searchFor("fake-org/nested");
        QVERIFY(files.wait(10000));
        QCOMPARE(files.last().at(0).toInt(), 5);
        QCOMPARE(page->checkedFiles(), QStringList({"config.json"}));
        QTest::mouseClick(child<QPushButton>(page, "hubPickAll"), Qt::LeftButton);
        QSignalSpy opened(page, &srs::ui::HubPage::openModelRequested);
        QTest::mouseClick(child<QPushButton>(page, "hubDownload"), Qt::LeftButton);
        QVERIFY(opened.wait(30000));
        const QString dir = opened.first().at(0).toString();
        QVERIFY2(dir.startsWith(home_.path() + "/ms/hub/models--fake-org--nested/snapshots/"), qPrintable(dir));
        QCOMPARE(srs::test::readAll(dir + "/sub/dir/weights.safetensors"), srs::test::readAll(repo_dir.path() + "/sub/dir/weights.safetensors"));

        // The Hugging Face side rate-limited (429 on every try): it says to wait.
        source->setCurrentIndex(source->findData(static_cast<int>(srs::ui::HubSource::HuggingFace)));
        QVERIFY(hub.addFault({{"api", true}, {"path", "/api/models"}, {"kind", "status"}, {"status", 429}, {"retry_after", 1}, {"times", -1}}).ok());
        QSignalSpy shown(page, &srs::ui::HubPage::searchShown);
        page->searchFor("tiny");
        QVERIFY(shown.wait(30000));
        QVERIFY2(child<QLabel>(page, "hubSearchStatus")->text().contains("rate-limiting"),
                 qPrintable(child<QLabel>(page, "hubSearchStatus")->text()));
        // The server gone: a network error with a hint.
        hub.stop();
        page->searchFor("llama");
        QVERIFY(shown.wait(30000));
        QVERIFY2(child<QLabel>(page, "hubSearchStatus")->text().contains("What to do:"),
                 qPrintable(child<QLabel>(page, "hubSearchStatus")->text()));
    }
};

QTEST_MAIN(TestHubFlow)
#include "test_hub_flow.moc"
