// libFuzzer target (built with -DSRS_BUILD_FUZZERS=ON and clang): fuzz_model_config CORPUS_DIR
// An input is config.json, a NUL byte, then model.safetensors; start the corpus from
// srs::fuzz::modelConfigSeed() (test_config_fuzz writes it with SRS_FUZZ_SEED_DIR set).
#include "fuzz/parser_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    srs::fuzz::fuzzModelConfig(data, size);
    return 0;
}
