// A run folder's state.json (core/job/run_state.h): written byte for byte as the pipeline has
// always written it, read back whole, older and hand-written files read with defaults, and a
// damaged file is a CorruptFile error naming it, never an exception.
#include <QTemporaryDir>
#include <QtTest>

#include "core/io/atomic_file.h"
#include "core/job/run_state.h"

class TestRunState : public QObject {
    Q_OBJECT
private slots:
    void writesTheFormatResumeReads() {
        QTemporaryDir dir;
        const std::string run_dir = dir.path().toStdString();
        srs::job::JobConfig c;
        c.model = "/models/tiny";
        srs::job::RunState st;
        st.fingerprint = srs::job::settingsFingerprint(c);
        st.next_block = 3;
        st.num_blocks = 8;
        st.model = c.model;
        QVERIFY(srs::job::writeRunState(run_dir, st).ok());
        // The layout checkpoints of earlier versions have: indented by 2, keys sorted, no newline.
        const nlohmann::json expected = {{"version", 1}, {"fingerprint", st.fingerprint}, {"next_block", 3},
                                         {"num_blocks", 8}, {"finished", false}, {"model", "/models/tiny"}};
        auto text = srs::io::readFile(run_dir + "/state.json");
        QVERIFY(text.ok());
        QCOMPARE(QString::fromStdString(*text), QString::fromStdString(expected.dump(2)));

        auto back = srs::job::readRunState(run_dir);
        QVERIFY(back.ok());
        QCOMPARE(back->version, 1);
        QCOMPARE(back->next_block, 3);
        QCOMPARE(back->num_blocks, 8);
        QVERIFY(!back->finished);
        QCOMPARE(back->model, std::string("/models/tiny"));
        QVERIFY(back->fingerprint == st.fingerprint);
        QVERIFY(srs::job::runStateMatches(*back, c));
        c.bits = 3;
        QVERIFY(!srs::job::runStateMatches(*back, c));
    }

    // Checkpoints from before quant_lm_head and options were dropped (saved, never used) carry
    // them in their fingerprint: they still resume with the same settings, and only with those.
    void olderFingerprintsStillMatch() {
        QTemporaryDir dir;
        srs::job::JobConfig c;
        c.model = "/models/tiny";
        nlohmann::json old = srs::job::settingsFingerprint(c);
        old["quant_lm_head"] = false;
        old["options"] = nlohmann::json::array();
        srs::job::RunState st;
        st.fingerprint = old;
        st.next_block = 1;
        QVERIFY(srs::job::writeRunState(dir.path().toStdString(), st).ok());
        auto back = srs::job::readRunState(dir.path().toStdString());
        QVERIFY(back.ok());
        QVERIFY(srs::job::runStateMatches(*back, c));
        c.group_size = 32;
        QVERIFY(!srs::job::runStateMatches(*back, c));
    }

    void missingKeysReadAsDefaults() {
        QTemporaryDir dir;
        QVERIFY(srs::io::writeFileAtomic((dir.path() + "/state.json").toStdString(), R"({"next_block": 2, "finished": true})").ok());
        auto st = srs::job::readRunState(dir.path().toStdString());
        QVERIFY(st.ok());
        QCOMPARE(st->next_block, 2);
        QVERIFY(st->finished);
        QCOMPARE(st->num_blocks, 0);
        QCOMPARE(st->version, 1);
        QVERIFY(st->fingerprint.is_null());
    }

    void missingOrDamagedIsAnError() {
        QTemporaryDir dir;
        const std::string run_dir = dir.path().toStdString();
        auto none = srs::job::readRunState(run_dir);
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, srs::ErrorCode::NotFound);
        QVERIFY(none.error().message.find("state.json") != std::string::npos);
        for (const char* bad : {"{\"next_block\": ", "[1, 2]", "{\"next_block\": \"three\"}"}) {
            QVERIFY(srs::io::writeFileAtomic(run_dir + "/state.json", bad).ok());
            auto st = srs::job::readRunState(run_dir);
            QVERIFY2(!st.ok(), bad);
            QCOMPARE(st.error().code, srs::ErrorCode::CorruptFile);
            QVERIFY2(st.error().message.rfind(srs::job::runStatePath(run_dir) + " is damaged: ", 0) == 0, st.error().message.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestRunState)
#include "test_run_state.moc"
