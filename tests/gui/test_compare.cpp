// The Compare page with the real generator, offscreen: stories260K and a 2-bit RTN export of it
// (made here by the real pipeline) generate side by side from "Once upon a time"; the columns
// fill token by token while the GUI stays live, the original's greedy text is what
// eval::Generator gives alone, the export's tokens that differ from the original's top choice are
// marked (a 2-bit model leaves it somewhere in 48 tokens), the
// status shows tokens per second, a cancel stops it, and the page is reachable as "compare".
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/eval/generate.h"
#include "core/job/quant_job.h"
#include "support/test_paths.h"
#include "ui/main_window.h"
#include "ui/pages/compare_page.h"
#include "ui/pages/model_page.h"
#include "ui/text_model_core.h"

class TestCompare : public QObject {
    Q_OBJECT
    QString model_, calib_;
    QTemporaryDir dir_;
    QString export_;

    // A 2-bit, group-32 RTN auto_round export of the model, by the real pipeline.
    QString makeExport() {
        srs::job::JobConfig c;
        c.model = model_.toStdString();
        c.output_dir = dir_.path().toStdString();
        c.bits = 2;
        c.group_size = 32;
        c.iters = 0;
        c.nsamples = 8;
        c.seqlen = 64;
        c.datasets = {calib_.toStdString()};
        c.formats = {"auto_round"};
        srs::job::JobObserver quiet;
        const auto fin = srs::job::runQuantJob(c, quiet, {});
        if (fin.state != srs::job::JobState::Finished || fin.files.empty()) {
            qWarning("the export run ended: %s (%s)", fin.message.c_str(), fin.hint.c_str());
            return {};
        }
        return QString::fromStdString(fin.files.front().path);
    }

    // A window with the model open and the export offered on the Compare page.
    bool openWindow(srs::ui::MainWindow& w) {
        w.show();
        QSignalSpy opened(w.modelPage(), &srs::ui::ModelPage::modelOpened);
        w.modelPage()->openModel(model_);
        if (!opened.wait(10000)) return false;
        w.comparePage()->addModel(export_, "auto_round W2G32 (RTN)");
        return true;
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SignRoundStudioTests");
        QStandardPaths::setTestModeEnabled(true);
    }

    void sideBySide() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        export_ = makeExport();
        QVERIFY2(!export_.isEmpty(), "the 2-bit export could not be made");
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun, srs::ui::coreTextModelOpener());
        QVERIFY(w.workflowPageNames().contains("compare"));
        QVERIFY(w.showPageNamed("compare"));
        QVERIFY(openWindow(w));
        auto* page = w.comparePage();
        QCOMPARE(page->modelList()->count(), 2);
        page->setPrompt("Once upon a time");
        page->setMaxNewTokens(48);

        // Token counts seen while the comparison runs: the columns grow before it ends.
        QVector<int> seen;
        QTimer probe;
        connect(&probe, &QTimer::timeout, [&] {
            if (page->running()) seen << page->columnTokenIds(0).size() + page->columnTokenIds(1).size();
        });
        probe.start(5);
        QSignalSpy done(page, &srs::ui::ComparePage::comparisonFinished);
        QVERIFY(page->start());
        QVERIFY(done.wait(120000));
        probe.stop();
        QCOMPARE(done.first().first().toBool(), false);
        QCOMPARE(page->columnCount(), 2);
        QVERIFY2(std::any_of(seen.begin(), seen.end(), [](int n) { return n > 0 && n < 96; }),
                 "no partial output was seen while generating");

        // The original's column is what the generator gives on its own (greedy).
        auto g = srs::eval::Generator::open(model_.toStdString());
        QVERIFY(g);
        srs::eval::GenerateOptions opt;
        opt.max_new_tokens = 48;
        auto alone = (*g)->generate("Once upon a time", opt);
        QVERIFY(alone);
        QCOMPARE(page->columnText(0), QString::fromStdString(alone->text));
        const QVector<int> ids0 = page->columnTokenIds(0);
        QCOMPARE(ids0.size(), static_cast<int>(alone->ids.size()));
        for (int i = 0; i < ids0.size(); ++i) QCOMPARE(ids0[i], alone->ids[i]);

        // The export's differences are where its token is not the original's top choice after the
        // same prefix: checked here against topChoices directly.
        const QVector<int> ids1 = page->columnTokenIds(1);
        QVERIFY(!ids1.isEmpty());
        auto prompt = (*g)->promptIds("Once upon a time", false);
        QVERIFY(prompt);
        std::vector<std::int32_t> seq = *prompt;
        for (int id : ids1) seq.push_back(id);
        auto top = (*g)->topChoices(seq);
        QVERIFY(top);
        QVector<int> expected;
        for (int i = 0; i < ids1.size(); ++i)
            if ((*top)[prompt->size() + i - 1] != ids1[i]) expected << i;
        QCOMPARE(page->columnDifferences(1), expected);
        QVERIFY2(!expected.isEmpty(), "a 2-bit RTN model agreed with the original on every one of 48 tokens");
        QVERIFY2(page->columnStatus(1).contains("tokens/s"), qPrintable(page->columnStatus(1)));
        QVERIFY2(page->columnStatus(1).contains(QString("%1 of %2 differ").arg(expected.size()).arg(ids1.size())),
                 qPrintable(page->columnStatus(1)));
    }

    void cancelStops() {
        SRS_REQUIRE_SHARED(model, "models/stories260K-hf");
        SRS_REQUIRE_SHARED(calib, "text/tinystories/TinyStories-train.first2MiB.txt");
        model_ = model;
        calib_ = calib;
        if (export_.isEmpty()) export_ = makeExport();
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun, srs::ui::coreTextModelOpener());
        QVERIFY(openWindow(w));
        auto* page = w.comparePage();
        page->setMaxNewTokens(4000);  // past the context: only cancel stops it this early
        QSignalSpy done(page, &srs::ui::ComparePage::comparisonFinished);
        QVERIFY(page->start());
        QTRY_VERIFY_WITH_TIMEOUT(page->columnTokenIds(0).size() >= 3, 60000);
        w.findChild<QPushButton*>("compareStart")->click();  // the button reads Cancel while running
        QVERIFY(done.wait(30000));
        QCOMPARE(done.first().first().toBool(), true);
        QVERIFY(page->columnTokenIds(0).size() < 500);
        QVERIFY(!page->running());
        // Usable again: a second, short comparison runs to its end.
        page->setMaxNewTokens(4);
        QSignalSpy again(page, &srs::ui::ComparePage::comparisonFinished);
        QVERIFY(page->start());
        QVERIFY(again.wait(60000));
        QCOMPARE(again.first().first().toBool(), false);
        QCOMPARE(page->columnTokenIds(0).size(), 4);
    }

    void noModelOpen() {
        srs::ui::MainWindow w("compute: test", &srs::job::runQuantJob, &srs::job::reexportRun, srs::ui::coreTextModelOpener());
        QVERIFY(!w.comparePage()->start());
        QVERIFY(w.comparePage()->findChild<QLabel*>("compareNote")->text().contains("Open a model"));
    }
};

QTEST_MAIN(TestCompare)
#include "test_compare.moc"
