// libFuzzer target (built with -DSRS_BUILD_FUZZERS=ON and clang): fuzz_safetensors CORPUS_DIR
#include "fuzz/parser_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    srs::fuzz::fuzzSafetensors(data, size);
    return 0;
}
