#include "fuzz/model_file_targets.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/io/gguf.h"
#include "core/io/gguf_source.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/load_tokenizer.h"

namespace srs::fuzz {
namespace {

[[noreturn]] void fail(const char* stage, const std::string& what) {
    std::fprintf(stderr, "%s: %s\n", stage, what.c_str());
    std::abort();
}

// An error must say what is wrong in words: never empty, never a library exception's text.
void requireClean(const Error& e, const char* stage) {
    if (e.message.empty() || e.message.find("json.exception") != std::string::npos || e.message.find("basic_string") != std::string::npos ||
        e.message.find("std::") != std::string::npos)
        fail(stage, "unclean error '" + e.message + "'");
}

void requireIds(const std::vector<std::int32_t>& ids, std::int64_t vocab, const char* stage) {
    for (std::int32_t id : ids)
        if (id < 0 || id >= vocab) fail(stage, "id " + std::to_string(id) + " outside the vocabulary of " + std::to_string(vocab));
}

const char* const kTexts[] = {"Hello world, don't 12345!", "  a\n\n\tb </s> <s> <|endoftext|>", "caf\xC3\xA9 e\xCC\x81 \xE6\x97\xA5 \xF0\x9F\x99\x82",
                              "\xFF\xC3", "aaaaaaaaaaaaaaaaaaaaaaab"};

}  // namespace

MeaningStage fuzzGgufModel(const std::uint8_t* data, std::size_t size) {
    auto g = io::GgufFile::parse(io::MappedFile::fromBuffer(std::vector<std::uint8_t>(data, data + size), "fuzz.gguf"), "fuzz.gguf");
    if (!g) {
        requireClean(g.error(), "GgufFile::parse");
        return MeaningStage::ParseRejected;
    }
    auto source = io::openGgufModel(*g);
    if (!source) {
        requireClean(source.error(), "openGgufModel");
        return MeaningStage::ModelRejected;
    }
    const io::ModelConfig& c = (*source)->config();
    for (const auto& name : (*source)->tensorNames()) {
        auto shape = (*source)->shape(name);
        if (!shape) fail("shape", "a listed tensor has no shape: " + shape.error().message);
        std::int64_t n = 1;
        for (std::int64_t d : *shape) {
            if (d < 0) fail("shape", name + " has a negative dimension");
            n = d == 0 || n <= (std::int64_t(1) << 40) / d ? n * d : std::numeric_limits<std::int64_t>::max();
        }
        if (n > (1 << 16)) continue;
        auto t = (*source)->loadFloat(name);
        if (!t) {
            requireClean(t.error(), "loadFloat");
            continue;
        }
        if (static_cast<std::int64_t>(t->data.size()) != n) fail("loadFloat", name + " has " + std::to_string(t->data.size()) + " values for its shape");
    }
    auto tok = tokenizer::loadGgufTokenizer(**g, c.vocab_size);
    if (!tok) {
        requireClean(tok.error(), "loadGgufTokenizer");
        return MeaningStage::TokenizerRejected;
    }
    const std::int64_t vocab = std::min<std::int64_t>((*tok)->vocabSize(), c.vocab_size);
    for (const char* text : kTexts) {
        auto ids = (*tok)->tryEncode(text, true);
        if (!ids) {
            requireClean(ids.error(), "tryEncode (GGUF vocabulary)");
            return MeaningStage::EncodeRejected;
        }
        requireIds(*ids, vocab, "tryEncode (GGUF vocabulary)");
        (void)(*tok)->decode(*ids);
    }
    (void)(*tok)->decode({-1, 0, 1, 5, 70000, std::numeric_limits<std::int32_t>::max()});
    (void)(*tok)->piece(-1);
    return MeaningStage::Worked;
}

MeaningStage fuzzTokenizerMeaning(const std::uint8_t* data, std::size_t size) {
    const std::string all(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = all.find('\0');
    const std::string json = all.substr(0, nul);
    const std::string config = nul == std::string::npos ? std::string() : all.substr(nul + 1);
    auto t = tokenizer::parseHfTokenizer(json, config, "fuzz/tokenizer.json");
    if (!t) {
        requireClean(t.error(), "parseHfTokenizer");
        return MeaningStage::TokenizerRejected;
    }
    const std::int64_t vocab = (*t)->vocabSize();
    for (const char* text : kTexts) {
        for (bool bos : {false, true}) {
            auto ids = (*t)->tryEncode(text, bos);
            if (!ids) {  // one refusal is enough (each may spend a whole regex budget)
                requireClean(ids.error(), "tryEncode");
                return MeaningStage::EncodeRejected;
            }
            requireIds(*ids, vocab, "tryEncode");
            (void)(*t)->decode(*ids);
        }
    }
    (void)(*t)->decode({-1, 0, 1, 2, 255, 256, 70000, std::numeric_limits<std::int32_t>::max()});
    (void)(*t)->piece(-1);
    (void)(*t)->piece(std::numeric_limits<std::int32_t>::max());
    return MeaningStage::Worked;
}

}  // namespace srs::fuzz
