// A model opened from a Hub cache snapshot (…/models--org--name/snapshots/<commit>) is named by
// its repository id in the GUI: the Model page's header and status, the Recent list and the run
// history's file names; a failed open afterwards keeps it open under that name.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "support/test_paths.h"
#include "ui/model_name.h"
#include "ui/pages/model_page.h"
#include "ui/run_history.h"

namespace {
const QString kCommit = QStringLiteral("2bcbc26d6c4b7a9e1f3d5c7b9a1e3f5d7c9b1a3e");

// A snapshot of the shared model folder in the Hugging Face cache layout (files linked).
QString makeSnapshot(const QString& cache_root, const QString& source) {
    const QString dir = cache_root + "/models--tiny--stories260K/snapshots/" + kCommit;
    if (!QDir().mkpath(dir)) return {};
    for (const QString& f : QDir(source).entryList(QDir::Files))
        if (!QFile::link(source + "/" + f, dir + "/" + f)) return {};
    return dir;
}
}  // namespace

class TestHubNaming : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }

    void displayNames() {
        using srs::ui::modelDisplayName;
        const QString snap = "/home/u/.cache/huggingface/hub/models--org--name/snapshots/" + kCommit;
        QCOMPARE(modelDisplayName(snap), QString("org/name"));
        QCOMPARE(modelDisplayName(snap + "/"), QString("org/name"));
        QCOMPARE(modelDisplayName(snap + "/name-Q8_0.gguf"), QString("org/name/name-Q8_0.gguf"));
        QCOMPARE(srs::ui::hubRepoOf(snap + "/name-Q8_0.gguf"), QString("org/name"));
        // Our ModelScope downloads, in the same layout under $MODELSCOPE_CACHE/hub.
        QCOMPARE(modelDisplayName("/data/ms/hub/models--Qwen--Qwen3-0.6B/snapshots/" + kCommit), QString("Qwen/Qwen3-0.6B"));
        // Anything else keeps its folder or file name.
        QCOMPARE(modelDisplayName("/models/stories260K-hf"), QString("stories260K-hf"));
        QCOMPARE(modelDisplayName("/models/stories260K-hf/"), QString("stories260K-hf"));
        QCOMPARE(modelDisplayName("/models/x.gguf"), QString("x.gguf"));
        QCOMPARE(modelDisplayName("/c/models--org--name/snapshots/main"), QString("main"));
        QVERIFY(srs::ui::hubRepoOf("/models/stories260K-hf").isEmpty());
    }

    void modelPageNamesTheRepository() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        QSettings().remove("models/recent");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString snap = makeSnapshot(tmp.path() + "/hub", model);
        QVERIFY(!snap.isEmpty());

        srs::ui::ModelPage page;
        page.show();
        QSignalSpy opened(&page, &srs::ui::ModelPage::modelOpened);
        QSignalSpy failed(&page, &srs::ui::ModelPage::modelFailed);
        page.openModel(snap);
        QVERIFY(opened.wait(10000));
        auto* header = page.findChild<QLabel*>("modelHeader");
        auto* status = page.findChild<QLabel*>("modelStatus");
        QVERIFY(header && status);
        QVERIFY(header->isVisible());
        QCOMPARE(header->text(), QString("tiny/stories260K"));
        QCOMPARE(header->toolTip(), snap);
        QVERIFY2(status->text().startsWith("Opened tiny/stories260K from the Hub cache: " + snap), qPrintable(status->text()));
        auto* recent = page.findChild<QComboBox*>("recentModels");
        QCOMPARE(recent->itemText(0), "tiny/stories260K  —  " + snap);
        QCOMPARE(recent->itemData(0).toString(), snap);
        QVERIFY(!recent->itemText(0).startsWith(kCommit.left(8)));

        // A failed open keeps the model, its header and says what is still open, by name.
        page.openModel(tmp.path());
        QVERIFY(failed.wait(10000));
        QVERIFY(page.hasModel());
        QCOMPARE(header->text(), QString("tiny/stories260K"));
        QVERIFY2(status->text().contains("Could not open") && status->text().contains("Still open: tiny/stories260K (" + snap + ")"),
                 qPrintable(status->text()));

        // A plain folder: its own name.
        page.openModel(model);
        QVERIFY(opened.wait(10000));
        QCOMPARE(header->text(), QString("stories260K-hf"));
        QVERIFY2(status->text().startsWith("Opened " + model), qPrintable(status->text()));
        QCOMPARE(recent->itemText(1), "tiny/stories260K  —  " + snap);
    }

    void runHistoryFilesNamedByRepository() {
        QTemporaryDir tmp;
        srs::ui::RunHistory history(tmp.path());
        srs::ui::RunRecord r;
        r.model = "/home/u/.cache/huggingface/hub/models--tiny--stories260K/snapshots/" + kCommit;
        QVERIFY(history.append(r).ok());
        QVERIFY2(r.id.endsWith("-tiny_stories260K"), qPrintable(r.id));
        QVERIFY(!r.id.contains(kCommit.left(8)));
        srs::ui::RunRecord plain;
        plain.model = "/models/stories260K-hf";
        QVERIFY(history.append(plain).ok());
        QVERIFY2(plain.id.endsWith("-stories260K-hf"), qPrintable(plain.id));
    }
};

QTEST_MAIN(TestHubNaming)
#include "test_hub_naming.moc"
