// The run history on disk: records round-trip through their JSON files, load() filters by model
// (symlinks resolved) and sorts newest first, update() rewrites in place, a damaged file is
// skipped, and the Results page draws one scatter point per evaluated export across runs (perplexity
// and KL divergence against bits per weight) and lists the run's exports with their figures.
#include <QFile>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

#include "ui/pages/results_page.h"
#include "ui/run_history.h"

using srs::ui::RunHistory;
using srs::ui::RunRecord;

class TestRunHistory : public QObject {
    Q_OBJECT

    static RunRecord record(const QString& model, const QString& time, int bits, double ppl) {
        RunRecord r;
        r.model = model;
        r.time = time;
        r.settings_json = QStringLiteral(R"({"bits": %1, "group_size": 128, "sym": true, "recipe": "auto-round", "iters": 20})").arg(bits);
        r.run_dir = model + "/out/.signround-run";
        r.output_dir = model + "/out";
        r.elapsed_ms = 1234;
        srs::ui::BlockRecord b;
        b.block = 0;
        b.rtn_loss = 0.02;
        b.best_loss = 0.01;
        b.best_iter = 7;
        b.layers.push_back({"self_attn.q_proj", bits, 128, 0.1, 0.12, 0.05});
        b.layers.push_back({"mlp.down_proj", bits, 128, 0.2, 0.21, 0.04});
        r.blocks.push_back(b);
        // KLD figures that grow as the bits shrink, as measured ones do.
        const srs::ui::KldFigures kld{0.04 / bits, 0.03 / bits, 0.3 / bits, 1.0 - 0.02 * (8 - bits), ppl / 5.0};
        r.exports.push_back({"auto_round", model + "/out/x-auto_round", 1000, bits + 0.25, ppl, kld});
        r.exports.push_back({"auto_gptq", model + "/out/x-auto_gptq", 1100, 0, 0, {}});  // not evaluated
        r.eval_text = "eval.txt";
        r.original_ppl = 5.0;
        r.original_bits_per_weight = 32;
        return r;
    }

private slots:
    void roundTripFilterAndOrder() {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath("m1");
        QDir(dir.path()).mkpath("m2");
        QVERIFY(QFile::link(dir.path() + "/m1", dir.path() + "/m1-link"));
        RunHistory h(dir.path() + "/history");
        RunRecord a = record(dir.path() + "/m1", "2026-11-22T10:00:00.000Z", 4, 6.5);
        RunRecord b = record(dir.path() + "/m1-link", "2026-11-22T11:00:00.000Z", 2, 9.0);
        RunRecord c = record(dir.path() + "/m2", "2026-11-22T12:00:00.000Z", 4, 7.0);
        for (RunRecord* r : {&a, &b, &c}) QVERIFY(h.append(*r).ok());
        QVERIFY(!a.id.isEmpty() && a.id != b.id);
        QCOMPARE(QDir(h.folder()).entryList(QDir::Files).size(), 3);  // no temporary files left

        auto m1 = h.load(dir.path() + "/m1");
        QCOMPARE(m1.size(), 2);
        QCOMPARE(m1[0].id, b.id);  // newest first, and the symlinked folder is the same model
        QCOMPARE(m1[1].id, a.id);
        const RunRecord& back = m1[1];
        QCOMPARE(back.settings_json.contains("\"bits\":4"), true);
        QCOMPARE(back.schemeLabel(), QString("W4G128 auto-round, 20 iters"));
        QCOMPARE(back.blocks.size(), 1);
        QCOMPARE(back.blocks[0].best_iter, 7);
        QCOMPARE(back.layerCount(), 2);
        QCOMPARE(back.blocks[0].layers[1].name, QString("mlp.down_proj"));
        QCOMPARE(back.blocks[0].layers[0].error_tuned, 0.12);
        QCOMPARE(back.exports.size(), 2);
        QCOMPARE(back.exports[0].ppl, 6.5);
        QCOMPARE(back.exports[1].ppl, 0.0);
        QCOMPARE(back.exports[0].kld.mean, 0.01);
        QCOMPARE(back.exports[0].kld.median, 0.0075);
        QCOMPARE(back.exports[0].kld.p99, 0.075);
        QCOMPARE(back.exports[0].kld.top1, 0.92);
        QCOMPARE(back.exports[0].kld.ppl_ratio, 1.3);
        QVERIFY(!back.exports[1].kld.has());
        QCOMPARE(back.original_ppl, 5.0);
        QCOMPARE(h.load().size(), 3);

        // update() rewrites the same file.
        RunRecord changed = back;
        changed.exports.push_back({"gguf:q4_0", "/x", 10, 0, 0, {}});
        QVERIFY(h.update(changed).ok());
        QCOMPARE(QDir(h.folder()).entryList(QDir::Files).size(), 3);
        QCOMPARE(h.load(dir.path() + "/m1")[1].exports.size(), 3);
        RunRecord never_saved;
        QVERIFY(!h.update(never_saved).ok());
    }

    void damagedFileIsSkipped() {
        QTemporaryDir dir;
        RunHistory h(dir.path());
        RunRecord a = record(dir.path(), "2026-11-22T10:00:00.000Z", 4, 6.5);
        QVERIFY(h.append(a).ok());
        QFile bad(dir.path() + "/broken.json");
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"time\": \"2026\", \"blocks\": [ {\"block\": ");
        bad.close();
        auto runs = h.load();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].id, a.id);
    }

    void resultsPageScattersEveryEvaluatedExport() {
        QTemporaryDir dir;
        RunHistory h(dir.path() + "/history");
        RunRecord a = record(dir.path(), "2026-11-22T10:00:00.000Z", 4, 6.5);
        RunRecord b = record(dir.path(), "2026-11-22T11:00:00.000Z", 2, 9.0);
        QVERIFY(h.append(a).ok());
        QVERIFY(h.append(b).ok());
        srs::ui::ResultsPage page(h);
        page.setModel(dir.path());
        QVERIFY(page.hasRun());
        QCOMPARE(page.currentRun().id, b.id);
        // Two evaluated auto_round exports (the GPTQ ones were not evaluated) and the original.
        QCOMPARE(page.tradeoffPointCount(), 3);
        QCOMPARE(page.layerTable()->rowCount(), 2);
        QCOMPARE(page.layerTable()->item(0, 4)->text(), QString("50.0 %"));
        // KLD against bits: the two evaluated auto_round exports (the original has none).
        QCOMPARE(page.kldPointCount(), 2);
        // The exports table of run b: format, size, bits, PPL, KLD mean, p99, top-1; "–" when not measured.
        auto* ex = page.exportTable();
        QCOMPARE(ex->rowCount(), 2);
        QCOMPARE(ex->item(0, 0)->text(), QString("auto_round"));
        QCOMPARE(ex->item(0, 3)->data(Qt::UserRole).toDouble(), 9.0);
        QCOMPARE(ex->item(0, 4)->data(Qt::UserRole).toDouble(), 0.02);
        QCOMPARE(ex->item(0, 5)->data(Qt::UserRole).toDouble(), 0.15);
        QCOMPARE(ex->item(0, 6)->text(), QString("88.00 %"));
        QCOMPARE(ex->item(1, 4)->text(), QString("–"));
        page.showRun(a);
        QCOMPARE(page.currentRun().id, a.id);
        QCOMPARE(page.tradeoffPointCount(), 3);
        page.setModel(dir.path() + "/elsewhere");
        QVERIFY(!page.hasRun());
        QCOMPARE(page.tradeoffPointCount(), 0);
        QCOMPARE(page.kldPointCount(), 0);
        QCOMPARE(page.exportTable()->rowCount(), 0);
        QCOMPARE(page.layerTable()->rowCount(), 0);
    }
};

QTEST_MAIN(TestRunHistory)
#include "test_run_history.moc"
