// libFuzzer target (built with -DSRS_BUILD_FUZZERS=ON and clang): fuzz_tokenizer_json CORPUS_DIR
#include "fuzz/parser_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    srs::fuzz::fuzzTokenizerJson(data, size);
    return 0;
}
