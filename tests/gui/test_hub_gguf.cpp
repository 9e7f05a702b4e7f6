// GGUF repositories on the Hub page, offscreen, against tests/hub/fakehub.py: a repository of three
// .gguf files (F16, Q8_0, Q4_K_M) is shown grouped by type with sizes and the good-source marks
// (reason as tooltip); the best good source is ticked for you; choosing the Q8_0 group ticks
// exactly its file, and the download puts only that file into the HF cache layout (the others are
// neither fetched nor in the cache) and asks to open the .gguf file itself. A split Q8_0 file
// downloads all its parts and opens the first. Ticking another file leaves the group. In the main
// window, the downloaded Q8_0 file (stories260K's bytes) opens on the Model page.
// With SRS_SHOT_DIR set, saves hub-gguf.png of the page.
#include <QDir>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "core/common/units.h"
#include "hub/fakehub.h"
#include "support/test_paths.h"
#include "ui/hub_session.h"
#include "ui/main_window.h"
#include "ui/pages/hub_page.h"
#include "ui/pages/model_page.h"

namespace {

bool put(const QString& path, const QByteArray& data) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// Distinct, deterministic bytes standing in for a model file.
QByteArray fakeBytes(int size, int seed) {
    QByteArray b(size, '\0');
    b.replace(0, 4, "GGUF");
    for (int i = 4; i < size; ++i) b[i] = static_cast<char>((i * 131 + seed * 17 + i / 251) & 0xff);
    return b;
}

QString sizeText(qint64 n) { return QString::fromStdString(srs::units::formatBytes(static_cast<std::uint64_t>(n))); }

}  // namespace

class TestHubGguf : public QObject {
    Q_OBJECT
    QTemporaryDir home_;
    QTemporaryDir repos_;
    QByteArray f16_, q8_, q4_;

    void setEnv(const srs::test::FakeHub& hub, const QString& hf_home = "hf") {
        for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
                                 "HF_HUB_OFFLINE", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "MODELSCOPE_API_TOKEN"})
            qunsetenv(name);
        qputenv("HF_ENDPOINT", hub.qurl().toUtf8());
        qputenv("HF_HOME", (home_.path() + "/" + hf_home).toUtf8());
        qputenv("MODELSCOPE_ENDPOINT", hub.qurl().toUtf8());
        qputenv("MODELSCOPE_CACHE", (home_.path() + "/ms").toUtf8());
    }

    static int rowOf(QTableWidget* t, const QString& type) {
        for (int r = 0; r < t->rowCount(); ++r)
            if (t->item(r, 0)->text() == type) return r;
        return -1;
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove("hub/token");
        // tiny/gguf-only: three quantization levels side by side. The Q8_0 one is a real GGUF
        // (stories260K) when the shared data is there, so it could be opened as a model.
        const QString real = srs::test::sharedPath("models/stories260K/stories260K.gguf");
        q8_ = real.isEmpty() ? fakeBytes(150 * 1024, 8) : srs::test::readAll(real);
        f16_ = fakeBytes(300 * 1024, 16);
        q4_ = fakeBytes(90 * 1024, 4);
        const QString only = repos_.path() + "/gguf-only";
        QVERIFY(put(only + "/README.md", "---\nlibrary_name: gguf\n---\nTiny GGUF model.\n"));
        QVERIFY(put(only + "/Tiny-F16.gguf", f16_));
        QVERIFY(put(only + "/Tiny-Q8_0.gguf", q8_));
        QVERIFY(put(only + "/tiny-q4_k_m.gguf", q4_));
        // tiny/gguf-split: a Q8_0 file in two parts beside a Q4_K_M one.
        const QString split = repos_.path() + "/gguf-split";
        QVERIFY(put(split + "/Big-Q8_0-00001-of-00002.gguf", fakeBytes(70 * 1024, 1)));
        QVERIFY(put(split + "/Big-Q8_0-00002-of-00002.gguf", fakeBytes(50 * 1024, 2)));
        QVERIFY(put(split + "/Big-Q4_K_M.gguf", fakeBytes(40 * 1024, 3)));
    }

    void downloadOneGroup() {
        srs::test::FakeHub hub;
        SRS_START_FAKEHUB(hub, QStringList({"--repo", "tiny/gguf-only=" + repos_.path() + "/gguf-only", "--repo",
                                            "tiny/gguf-split=" + repos_.path() + "/gguf-split"}));
        setEnv(hub);
        srs::ui::HubSession session;
        srs::ui::HubPage page(&session);
        page.resize(1280, 800);
        page.show();
        auto* box = page.findChild<QGroupBox*>("hubGgufBox");
        auto* gguf = page.ggufTable();
        QVERIFY(box && gguf);
        QVERIFY(box->isHidden());

        // Search, then select the repository among the results, as a user would.
        QSignalSpy shown(&page, &srs::ui::HubPage::searchShown);
        page.searchFor("gguf");
        QVERIFY(shown.wait(10000));
        int result = -1;
        for (int r = 0; r < page.resultsTable()->rowCount(); ++r)
            if (page.resultsTable()->item(r, 0)->text() == "tiny/gguf-only") result = r;
        QVERIFY(result >= 0);
        QSignalSpy files(&page, &srs::ui::HubPage::filesShown);
        page.resultsTable()->selectRow(result);
        QVERIFY(files.wait(10000));
        QCOMPARE(page.selectedRepo(), QString("tiny/gguf-only"));
        QCOMPARE(files.last().at(0).toInt(), 5);  // .gitattributes, README.md and the three .gguf
        QVERIFY(box->isVisible());
        QVERIFY(box->width() > 200);  // not squeezed away by the splitter

        // Grouped by type: good sources first, then by bits; sizes, marks, reasons as tooltips.
        QCOMPARE(gguf->rowCount(), 3);
        QCOMPARE(gguf->item(0, 0)->text(), QString("F16"));
        QCOMPARE(gguf->item(1, 0)->text(), QString("Q8_0"));
        QCOMPARE(gguf->item(2, 0)->text(), QString("Q4_K_M"));
        QCOMPARE(gguf->item(1, 1)->text(), QString("Tiny-Q8_0.gguf"));
        QCOMPARE(gguf->item(2, 1)->text(), QString("tiny-q4_k_m.gguf"));
        QCOMPARE(gguf->item(0, 2)->text(), sizeText(f16_.size()));
        QCOMPARE(gguf->item(1, 2)->text(), sizeText(q8_.size()));
        QCOMPARE(gguf->item(2, 2)->text(), sizeText(q4_.size()));
        QVERIFY(gguf->item(0, 3)->text().contains("good source"));
        QVERIFY(gguf->item(1, 3)->text().contains("good source"));
        QVERIFY(!gguf->item(2, 3)->text().contains("good source"));
        QVERIFY2(gguf->item(1, 3)->toolTip().contains("8-bit"), qPrintable(gguf->item(1, 3)->toolTip()));
        QVERIFY2(gguf->item(2, 3)->toolTip().contains("loses quality"), qPrintable(gguf->item(2, 3)->toolTip()));

        // A GGUF-only repository: the best good source (F16) is ticked for you, nothing else.
        QCOMPARE(page.checkedFiles(), QStringList({"Tiny-F16.gguf"}));
        // Choosing the Q8_0 group ticks exactly its file.
        gguf->selectRow(rowOf(gguf, "Q8_0"));
        QCOMPARE(page.checkedFiles(), QStringList({"Tiny-Q8_0.gguf"}));
        QVERIFY(page.findChild<QPushButton*>("hubDownload")->isEnabled());
        QVERIFY2(page.findChild<QLabel*>("hubRepo")->text().contains("1 of 5 files ticked"),
                 qPrintable(page.findChild<QLabel*>("hubRepo")->text()));
        // Ticking one more file leaves the group; choosing it again ticks only its file.
        QTest::mouseClick(page.findChild<QPushButton*>("hubPickAll"), Qt::LeftButton);
        QVERIFY(gguf->selectionModel()->selectedRows().isEmpty());
        QCOMPARE(page.checkedFiles().size(), 5);
        QVERIFY(page.selectGgufType("q8_0"));
        QCOMPARE(page.checkedFiles(), QStringList({"Tiny-Q8_0.gguf"}));
        QCOMPARE(gguf->selectionModel()->selectedRows().size(), 1);
        if (qEnvironmentVariableIsSet("SRS_SHOT_DIR")) page.grab().save(qEnvironmentVariable("SRS_SHOT_DIR") + "/hub-gguf.png");

        // Download: only the Q8_0 file, into the HF cache layout; the .gguf itself is opened.
        QSignalSpy opened(&page, &srs::ui::HubPage::openModelRequested);
        QTest::mouseClick(page.findChild<QPushButton*>("hubDownload"), Qt::LeftButton);
        QVERIFY(opened.wait(30000));
        const QString repo_dir = home_.path() + "/hf/hub/models--tiny--gguf-only";
        const QString path = opened.first().at(0).toString();
        QVERIFY2(path.startsWith(repo_dir + "/snapshots/") && path.endsWith("/Tiny-Q8_0.gguf"), qPrintable(path));
        QCOMPARE(srs::test::readAll(path), q8_);
        const QString snapshot = QFileInfo(path).absolutePath();
        QCOMPARE(QDir(snapshot).entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList({"Tiny-Q8_0.gguf"}));
        QCOMPARE(QDir(repo_dir + "/blobs").entryList(QDir::Files | QDir::NoDotAndDotDot),
                 QStringList({QString::fromStdString(srs::test::sha256Of(q8_))}));
        QVERIFY(!hub.bodyRequests("Tiny-Q8_0.gguf").empty());
        QVERIFY(hub.bodyRequests("Tiny-F16.gguf").empty());
        QVERIFY(hub.bodyRequests("tiny-q4_k_m.gguf").empty());
        QVERIFY(hub.bodyRequests("README.md").empty());
        QCOMPARE(page.findChild<QProgressBar*>("hubProgress")->value(), 1000);
        QVERIFY(page.findChild<QLabel*>("hubDownloadStatus")->text().contains("Tiny-Q8_0.gguf"));

        // A split Q8_0 file: all its parts, and the first part is the one to open.
        page.selectRepo("tiny/gguf-split");
        QVERIFY(files.wait(10000));
        QCOMPARE(gguf->rowCount(), 2);
        QCOMPARE(gguf->item(0, 0)->text(), QString("Q8_0"));
        QCOMPARE(gguf->item(0, 2)->text(), sizeText(120 * 1024));
        QVERIFY(gguf->item(0, 1)->toolTip().contains("Big-Q8_0-00002-of-00002.gguf"));
        QCOMPARE(page.checkedFiles(), QStringList({"Big-Q8_0-00001-of-00002.gguf", "Big-Q8_0-00002-of-00002.gguf"}));
        opened.clear();
        QTest::mouseClick(page.findChild<QPushButton*>("hubDownload"), Qt::LeftButton);
        QVERIFY(opened.wait(30000));
        const QString first = opened.first().at(0).toString();
        QVERIFY2(first.startsWith(home_.path() + "/hf/hub/models--tiny--gguf-split/snapshots/") &&
                     first.endsWith("/Big-Q8_0-00001-of-00002.gguf"),
                 qPrintable(first));
        QVERIFY(QFileInfo::exists(QFileInfo(first).absolutePath() + "/Big-Q8_0-00002-of-00002.gguf"));
        QVERIFY(!QFileInfo::exists(QFileInfo(first).absolutePath() + "/Big-Q4_K_M.gguf"));

        // A repository without .gguf files hides the box.
        QTemporaryDir plain;
        QVERIFY(srs::test::writeNestedRepo(plain.path()));
        hub.stop();
        srs::test::FakeHub hub2;
        SRS_START_FAKEHUB(hub2, QStringList({"--repo", "fake-org/nested=" + plain.path()}));
        setEnv(hub2);
        srs::ui::HubSession session2;
        srs::ui::HubPage page2(&session2);
        page2.show();
        QSignalSpy files2(&page2, &srs::ui::HubPage::filesShown);
        page2.selectRepo("fake-org/nested");
        QVERIFY(files2.wait(10000));
        QVERIFY(page2.findChild<QGroupBox*>("hubGgufBox")->isHidden());
        QCOMPARE(page2.ggufTable()->rowCount(), 0);
    }

    // The whole way in the main window: the Q8_0 group downloaded, its .gguf opens on the Model page.
    void opensOnModelPage() {
        SRS_REQUIRE_SHARED(real, "models/stories260K/stories260K.gguf");
        srs::test::FakeHub hub;
        SRS_START_FAKEHUB(hub, QStringList({"--repo", "tiny/gguf-only=" + repos_.path() + "/gguf-only"}));
        setEnv(hub, "hf-window");
        srs::ui::MainWindow w("compute: test");
        w.show();
        auto* page = w.hubPage();
        w.showPage(w.hubPageIndex());
        QSignalSpy files(page, &srs::ui::HubPage::filesShown);
        page->selectRepo("tiny/gguf-only");
        QVERIFY(files.wait(10000));
        QVERIFY(page->selectGgufType("Q8_0"));
        QCOMPARE(page->checkedFiles(), QStringList({"Tiny-Q8_0.gguf"}));
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        QTest::mouseClick(page->findChild<QPushButton*>("hubDownload"), Qt::LeftButton);
        QVERIFY(opened.wait(60000));
        const QString path = opened.first().at(0).toString();
        QVERIFY2(path.startsWith(home_.path() + "/hf-window/hub/models--tiny--gguf-only/snapshots/") && path.endsWith("/Tiny-Q8_0.gguf"),
                 qPrintable(path));
        QCOMPARE(srs::test::readAll(path), srs::test::readAll(real));
        QCOMPARE(w.currentPage(), 0);
        QVERIFY(!QFileInfo::exists(QFileInfo(path).absolutePath() + "/Tiny-F16.gguf"));
    }
};

QTEST_MAIN(TestHubGguf)
#include "test_hub_gguf.moc"
