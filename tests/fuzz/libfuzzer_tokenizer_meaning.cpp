// libFuzzer target (built with -DSRS_BUILD_FUZZERS=ON and clang): fuzz_tokenizer_meaning CORPUS_DIR
// A tokenizer.json (then NUL and a tokenizer_config.json, optionally) loaded and encoding texts;
// start the corpus from test_model_file_fuzz's seed (written with SRS_FUZZ_SEED_DIR set).
#include "fuzz/model_file_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    srs::fuzz::fuzzTokenizerMeaning(data, size);
    return 0;
}
