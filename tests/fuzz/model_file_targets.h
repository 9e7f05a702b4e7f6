// Fuzz targets for what reads MEANING out of a model's own files (model_file_targets.cpp), beside
// the byte-level parsers of parser_targets.h: a GGUF's metadata made into a model and its embedded
// tokenizer, and a tokenizer.json made into a tokenizer that encodes text. Every input must end
// in a working result or a clean error (a message naming what is wrong, no library exception
// text); a crash, an escaping exception, an unclean error or an id outside the vocabulary aborts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace srs::fuzz {

// How far an input got.
enum class MeaningStage { ParseRejected, ModelRejected, TokenizerRejected, EncodeRejected, Worked };

// The bytes as a GGUF: parsed, its metadata made into a model (ggufModelConfig: every key typed,
// counts checked against the tensors), every small tensor loaded as float (the q/k rows
// permuted by the heads), and its embedded vocabulary loaded as a tokenizer that encodes and
// decodes a few texts.
MeaningStage fuzzGgufModel(const std::uint8_t* data, std::size_t size);

// The bytes as a tokenizer.json (and, after the first NUL byte when there is one, a
// tokenizer_config.json): loaded, then a few texts encoded with tryEncode (a regex out of its
// budget is an EncodeRejected error, never a hang) and decoded; every id must be a token.
MeaningStage fuzzTokenizerMeaning(const std::uint8_t* data, std::size_t size);

}  // namespace srs::fuzz
