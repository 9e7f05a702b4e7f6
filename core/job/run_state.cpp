#include "core/job/run_state.h"

#include <filesystem>

#include "core/common/json_field.h"
#include "core/io/atomic_file.h"
#include "core/io/read_text_file.h"

namespace srs::job {

std::string runStatePath(const std::string& run_dir) { return (std::filesystem::path(run_dir) / kRunStateFile).string(); }

Result<RunState> readRunState(const std::string& run_dir) {
    const std::string path = runStatePath(run_dir);
    auto text = io::readTextFile(path, io::kMaxConfigFileBytes);
    if (!text) return text.error();
    auto damaged = [&](const Error& e) {
        // "<path> is damaged: <why>", without a hint: the callers know what the user should do.
        std::string why = e.message;
        if (why.compare(0, path.size() + 2, path + ": ") == 0) why = why.substr(path.size() + 2);
        else if (why.compare(0, path.size() + 1, path + " ") == 0) why = why.substr(path.size() + 1);
        return makeError(ErrorCode::CorruptFile, path + " is damaged: " + why);
    };
    auto j = json::parseJson(*text, path);
    if (!j) return damaged(j.error());
    if (!j->is_object()) return makeError(ErrorCode::CorruptFile, path + " is damaged: not a JSON object");
    const json::Fields f(*j, path);
    RunState st;
    constexpr std::int64_t kMaxBlocks = 1 << 14;  // config.json's num_hidden_layers bound
    auto version = f.integer("version", 1, 1000000, RunState::kVersion);
    if (!version) return damaged(version.error());
    st.version = static_cast<int>(*version);
    if (const nlohmann::json* fp = f.find("fingerprint")) {
        if (!fp->is_object()) return damaged(f.wrong("fingerprint", "an object", *fp));
        st.fingerprint = *fp;
        // Checkpoints written before these two settings were dropped (they were saved, never used)
        // still carry them: without them the fingerprint is the one a run computes today.
        for (const char* legacy : {"quant_lm_head", "options"}) st.fingerprint.erase(legacy);
    }
    auto blocks = f.integer("num_blocks", 0, kMaxBlocks, 0);
    if (!blocks) return damaged(blocks.error());
    st.num_blocks = static_cast<int>(*blocks);
    auto next = f.integer("next_block", 0, st.num_blocks, 0);
    if (!next) return damaged(next.error());
    st.next_block = static_cast<int>(*next);
    auto finished = f.boolean("finished", false);
    if (!finished) return damaged(finished.error());
    st.finished = *finished;
    auto model = f.string("model", "");
    if (!model) return damaged(model.error());
    st.model = *model;
    return st;
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
