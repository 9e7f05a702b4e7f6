// libFuzzer target (built with -DSRS_BUILD_FUZZERS=ON and clang): fuzz_gguf_model CORPUS_DIR
// A GGUF made into a model and its embedded tokenizer; start the corpus from the tiny llama GGUF
// (test_model_file_fuzz writes it with SRS_FUZZ_SEED_DIR set).
#include "fuzz/model_file_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    srs::fuzz::fuzzGgufModel(data, size);
    return 0;
}
