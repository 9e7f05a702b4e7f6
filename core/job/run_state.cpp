#include "core/job/run_state.h"

#include <filesystem>

#include "core/io/atomic_file.h"

namespace srs::job {

std::string runStatePath(const std::string& run_dir) { return (std::filesystem::path(run_dir) / kRunStateFile).string(); }

Result<RunState> readRunState(const std::string& run_dir) {
    const std::string path = runStatePath(run_dir);
    auto text = io::readFile(path);
    if (!text) return text.error();
    try {
        const auto j = nlohmann::json::parse(*text);
        if (!j.is_object()) return makeError(ErrorCode::CorruptFile, path + " is damaged: not a JSON object");
        RunState st;
        st.version = j.value("version", RunState::kVersion);
        st.fingerprint = j.value("fingerprint", nlohmann::json());
        // Checkpoints written before these two settings were dropped (they were saved, never used)
        // still carry them: without them the fingerprint is the one a run computes today.
        if (st.fingerprint.is_object())
            for (const char* legacy : {"quant_lm_head", "options"}) st.fingerprint.erase(legacy);
        st.next_block = j.value("next_block", 0);
        st.num_blocks = j.value("num_blocks", 0);
        st.finished = j.value("finished", false);
        st.model = j.value("model", std::string());
        return st;
    } catch (const std::exception& e) {
        return makeError(ErrorCode::CorruptFile, path + " is damaged: " + e.what());
    }
}

Status writeRunState(const std::string& run_dir, const RunState& st) {
    const nlohmann::json j = {{"version", st.version}, {"fingerprint", st.fingerprint}, {"next_block", st.next_block},
                              {"num_blocks", st.num_blocks}, {"finished", st.finished}, {"model", st.model}};
    return io::writeFileAtomic(runStatePath(run_dir), j.dump(2));
}

bool runStateMatches(const RunState& state, const JobConfig& config) {
    JobConfig c = config;
    if (!applyRecipe(c)) return false;
    return state.fingerprint == settingsFingerprint(c);
}

}  // namespace srs::job
