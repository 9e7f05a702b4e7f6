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
        st.num_blocks = 2;
        QVERIFY(srs::job::writeRunState(dir.path().toStdString(), st).ok());
        auto back = srs::job::readRunState(dir.path().toStdString());
        QVERIFY(back.ok());
        QVERIFY(srs::job::runStateMatches(*back, c));
        c.group_size = 32;
        QVERIFY(!srs::job::runStateMatches(*back, c));
    }

    void missingKeysReadAsDefaults() {
        QTemporaryDir dir;
        QVERIFY(srs::io::writeFileAtomic((dir.path() + "/state.json").toStdString(), R"({"next_block": 2, "num_blocks": 4, "finished": true})").ok());
        auto st = srs::job::readRunState(dir.path().toStdString());
        QVERIFY(st.ok());
        QCOMPARE(st->next_block, 2);
        QVERIFY(st->finished);
        QCOMPARE(st->num_blocks, 4);
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
        // Broken JSON, the wrong types, counts out of range or past each other, wrapping integers.
        const std::vector<std::pair<const char*, const char*>> bad = {
            {"{\"next_block\": ", "not valid JSON"},
            {"[1, 2]", "not a JSON object"},
            {"{\"next_block\": \"three\"}", "next_block"},
            {"{\"num_blocks\": 4, \"next_block\": 5}", "next_block"},
            {"{\"num_blocks\": -1}", "num_blocks"},
            {"{\"num_blocks\": 4294967300}", "num_blocks"},
            {"{\"num_blocks\": 2.5}", "num_blocks"},
            {"{\"finished\": 1}", "finished"},
            {"{\"fingerprint\": \"abc\"}", "fingerprint"},
            {"{\"model\": 7}", "model"},
            {"{\"version\": \"1\"}", "version"}};
        for (const auto& [text, key] : bad) {
            QVERIFY(srs::io::writeFileAtomic(run_dir + "/state.json", text).ok());
            auto st = srs::job::readRunState(run_dir);
            QVERIFY2(!st.ok(), text);
            QCOMPARE(st.error().code, srs::ErrorCode::CorruptFile);
            const std::string& m = st.error().message;
            QVERIFY2(m.rfind(srs::job::runStatePath(run_dir) + " is damaged: ", 0) == 0, m.c_str());
            QVERIFY2(m.find(key) != std::string::npos && m.find("json.exception") == std::string::npos, m.c_str());
        }
    }

    // The run settings a run record keeps (jobConfigFromJson): typed and range-checked like the
    // CLI's flags; a value of the wrong type or out of range is an error naming the key.
    void settingsOfTheWrongTypeAreErrors() {
        srs::job::JobConfig c;
        c.model = "/models/tiny";
        c.bits = 3;
        c.iters = 7;
        c.formats = {"fake", "gguf:q4_k_m"};
        auto back = srs::job::jobConfigFromJson(srs::job::jobConfigToJson(c));
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back->bits, 3);
        QCOMPARE(back->effectiveIters(), 7);
        QCOMPARE(back->formats, c.formats);
        QCOMPARE(srs::job::jobConfigToJson(*back), srs::job::jobConfigToJson(c));
        const std::vector<std::pair<const char*, nlohmann::json>> bad = {
            {"bits", 4294967300LL}, {"bits", "4"},      {"seqlen", -5},          {"iters", 1.5},
            {"lr", "fast"},         {"sym", "yes"},     {"formats", "fake"},     {"formats", nlohmann::json::array({1})},
            {"seed", -1},           {"model", nullptr}, {"eval_window", 1},      {"batch_size", 0}};
        for (const auto& [key, value] : bad) {
            nlohmann::json j = srs::job::jobConfigToJson(c);
            j[key] = value;
            auto r = srs::job::jobConfigFromJson(j);
            QVERIFY2(!r.ok(), (std::string(key) + " = " + value.dump()).c_str());
            QCOMPARE(r.error().code, srs::ErrorCode::CorruptFile);
            QVERIFY2(r.error().message.find(std::string("run settings: ") ) == 0 && r.error().message.find(key) != std::string::npos,
                     r.error().message.c_str());
        }
        QVERIFY(!srs::job::jobConfigFromJson(nlohmann::json::array()).ok());
    }
};

QTEST_GUILESS_MAIN(TestRunState)
#include "test_run_state.moc"
