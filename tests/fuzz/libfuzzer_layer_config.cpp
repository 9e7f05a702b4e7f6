// libFuzzer target (built with -DSRS_BUILD_FUZZERS=ON and clang): fuzz_layer_config CORPUS_DIR
// An input is a layer_config (strict or relaxed JSON) for a tiny 2-block Llama.
#include "fuzz/parser_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    srs::fuzz::fuzzLayerConfig(data, size);
    return 0;
}
