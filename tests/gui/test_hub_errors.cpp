// Hub errors in the GUI wrap and never widen the window: a refused token (from tests/hub/fakehub.py)
// and 600-character errors on the Hub page's account, files and download lines leave a 1280 px
// main window at 1280 px, and the upload dialog at its width; the advice names the GUI's way to
// give a token (the token field and Log in) before HF_TOKEN, and no longer the token file.
// The page is saved to $SRS_BINARY_DIR/screenshots/hub-long-error.png.
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/common/result.h"
#include "core/job/quant_job.h"
#include "hub/fakehub.h"
#include "support/test_paths.h"
#include "ui/hub_session.h"
#include "ui/main_window.h"
#include "ui/pages/hub_page.h"
#include "ui/upload_dialog.h"

namespace {
const char* kToken = "hf_fake_good_token_0123456789";

// About 600 characters of error with words, a long URL and a long path without spaces.
QString longError() {
    QString e = QStringLiteral("listing the files of tiny/stories260K: HTTP 500 (the server said: ");
    while (e.size() < 420) e += QStringLiteral("something went wrong on the server side ");
    e += QStringLiteral(") at https://example.invalid/api/models/tiny/stories260K/tree/main?recursive=true&expand=true ");
    e += QStringLiteral("/home/someone/.cache/huggingface/hub/models--tiny--stories260K/snapshots/2bcbc26d6c4b7a9e1f3d5c7b9a1e3f5d7c9b1a3e");
    return e;
}
}  // namespace

class TestHubErrors : public QObject {
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

    // The label wraps inside the window: more than one line, and its right edge within the window.
    static void checkWrapped(QWidget* window, QLabel* label) {
        QVERIFY(label->isVisible());
        QVERIFY2(label->height() >= 2 * label->fontMetrics().height(), qPrintable(QString::number(label->height())));
        const QPoint right = label->mapTo(window, QPoint(label->width(), 0));
        QVERIFY2(right.x() <= window->width(), qPrintable(QString::number(right.x())));
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove("hub/token");
    }

    void hintsInGuiTerms() {
        using srs::ui::guiHubHint;
        // The token hints of hf_client, http, hub_upload and hub_dataset.
        const QString whoami = guiHubHint("the token is invalid, expired or revoked: create a new one at https://hf.co/settings/tokens "
                                          "and set it in HF_TOKEN, or save it in /home/u/.cache/huggingface/token");
        QCOMPARE(whoami, QString("the token is invalid, expired or revoked: create a new one at https://hf.co/settings/tokens and enter it "
                                 "in the token field on the Hub page and press Log in (or set HF_TOKEN)"));
        const QString http401 = guiHubHint("the token is missing, invalid or expired: create a read token at https://hf.co/settings/tokens"
                                           " and set it in HF_TOKEN or save it in the token file ($HF_HOME/token, the one `hf auth login` writes)");
        QVERIFY2(http401.endsWith("press Log in (or set HF_TOKEN)") && !http401.contains("hf auth login"), qPrintable(http401));
        const QString gated = guiHubHint("this model is gated: open https://hf.co/a/b, accept its conditions while logged in, then use a "
                                         "token of that account (HF_TOKEN, the Hub page's login, or --token)");
        QVERIFY2(gated.endsWith("(log in on the Hub page, or set HF_TOKEN)") && !gated.contains("--token"), qPrintable(gated));
        const QString dataset = guiHubHint("the dataset is gated or private: open https://hf.co/datasets/a/b, accept its conditions while "
                                           "logged in, then set a token of that account in HF_TOKEN (or the token file $HF_HOME/token)");
        QVERIFY2(dataset.endsWith("then enter a token of that account on the Hub page and press Log in (or set HF_TOKEN)"), qPrintable(dataset));
        // Other hints pass unchanged.
        QCOMPARE(guiHubHint("check the branch, tag or commit name (main is the default)"),
                 QString("check the branch, tag or commit name (main is the default)"));
        const srs::Error e = srs::makeError(srs::ErrorCode::Unauthorized, "uploading to a/b needs a Hugging Face token and none is set",
                                            "create a token with write access at https://hf.co/settings/tokens and set it in HF_TOKEN "
                                            "or save it in $HF_HOME/token");
        QCOMPARE(srs::ui::hubErrorText(e), QString("uploading to a/b needs a Hugging Face token and none is set\nWhat to do: create a "
                                                   "token with write access at https://hf.co/settings/tokens and enter it in the token "
                                                   "field on the Hub page and press Log in (or set HF_TOKEN)"));
    }

    void errorsWrapAndNeverWidenTheWindow() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        srs::test::FakeHub hub;
        SRS_START_FAKEHUB(hub, QStringList({"--repo", "tiny/stories260K=" + model, "--token", kToken}));
        setEnv(hub);

        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun);
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.showPage(w.hubPageIndex());
        QCoreApplication::processEvents();
        QCOMPARE(w.width(), 1280);
        auto* page = w.hubPage();
        auto* session = w.hubSession();
        auto* account = page->findChild<QLabel*>("hubAccount");
        QVERIFY(account);

        // A token the fake Hub refuses: the real error path.
        QSignalSpy logged(session, &srs::ui::HubSession::loggedIn);
        page->findChild<QLineEdit*>("hubToken")->setText("hf_this_token_is_wrong_000000");
        QTest::mouseClick(page->findChild<QPushButton*>("hubLogin"), Qt::LeftButton);
        QVERIFY(logged.wait(10000));
        const QString refused = account->text();
        QVERIFY2(refused.contains("401") && refused.contains("press Log in (or set HF_TOKEN)") && !refused.contains("save it in"),
                 qPrintable(refused));
        QCoreApplication::processEvents();
        QCOMPARE(w.width(), 1280);

        // Long errors on each status line of the page.
        const QString error = longError();
        QVERIFY(error.size() >= 600);
        emit session->loggedIn({}, {}, {}, error);
        emit session->filesListed(page->selectedRepo(), {}, error);
        emit session->downloadDone("tiny/stories260K", {}, "failed", error);
        QCoreApplication::processEvents();
        QTest::qWait(50);
        QCOMPARE(w.width(), 1280);
        QVERIFY2(w.minimumSizeHint().width() <= 1280, qPrintable(QString::number(w.minimumSizeHint().width())));
        QCOMPARE(account->text(), error);
        QCOMPARE(account->toolTip(), error);  // the whole text, should a pane be too short
        checkWrapped(&w, account);
        // The buttons beside the account line stay on screen.
        for (const char* name : {"hubLogin", "hubLogout", "hubDownload"}) {
            auto* b = page->findChild<QPushButton*>(name);
            QVERIFY(b);
            QVERIFY2(b->mapTo(&w, QPoint(b->width(), 0)).x() <= w.width(), name);
        }
        for (auto* label : page->findChildren<QLabel*>())
            if (label->text() == error && label->isVisible()) checkWrapped(&w, label);
        QDir().mkpath(srs::test::binaryDir() + "/screenshots");
        w.grab().save(srs::test::binaryDir() + "/screenshots/hub-long-error.png");

        // A good token afterwards: the account line is a plain status again, with its own tooltip.
        page->findChild<QLineEdit*>("hubToken")->setText(kToken);
        QTest::mouseClick(page->findChild<QPushButton*>("hubLogin"), Qt::LeftButton);
        QVERIFY(logged.wait(10000));
        QVERIFY2(account->text().startsWith("Logged in as"), qPrintable(account->text()));
        QVERIFY(account->styleSheet().isEmpty());
        QVERIFY2(account->toolTip().startsWith("The Hugging Face account"), qPrintable(account->toolTip()));
        QCOMPARE(w.width(), 1280);

        // The upload dialog keeps its width too.
        QTemporaryDir folder;
        srs::ui::UploadDialog dialog(folder.path(), session, &w);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const int dialog_width = dialog.width();
        emit session->loggedIn({}, {}, {}, error);
        QCoreApplication::processEvents();
        QTest::qWait(50);
        QCOMPARE(dialog.width(), dialog_width);
        auto* status = dialog.findChild<QLabel*>("uploadStatus");
        QCOMPARE(status->text(), error);
        checkWrapped(&dialog, status);
    }
};

QTEST_MAIN(TestHubErrors)
#include "test_hub_errors.moc"
