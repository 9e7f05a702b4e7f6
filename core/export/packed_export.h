// Writes a quantized model as a Hugging Face folder in the auto_round, auto_gptq or auto_awq
// format (FORMATS.md §5.2–5.4): packed qweight / qzeros / scales (/ g_idx) per quantized linear,
// every other tensor in its original dtype, config.json with a complete quantization_config, a
// separate quantization_config.json, shards with an index, and the tokenizer / generation /
// chat-template files copied. The folder is built under a temporary name and renamed into place,
// so a failure, a full disk or a cancel never leaves a half-written folder under the final name.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/common/result.h"
#include "core/export/quantized_model.h"

namespace srs::exporter {

// Fake: the dequantized weights as a plain full-precision model (AutoRound's --format fake), for
// evaluation anywhere and for layers no packed format can hold (dimensions not multiples of 32).
enum class PackedFormat { None = 0, AutoRound, AutoGptq, AutoAwq, Fake };

Result<PackedFormat> parsePackedFormat(const std::string& name);  // "auto_round", "auto_gptq", "auto_awq", "fake"
const char* packedFormatName(PackedFormat format);

// Whether a layer of this shape and scheme can be stored in the format; if not, why.
Status checkPackable(PackedFormat format, std::int64_t out_features, std::int64_t in_features, int bits, int group_size);

struct PackedExportOptions {
    PackedFormat format = PackedFormat::AutoRound;
    std::uint64_t max_shard_bytes = 5ull * 1000 * 1000 * 1000;
    std::string model_card;  // README.md contents; empty: none written
};

struct ExportReport {
    std::string output_dir;
    std::vector<std::pair<std::string, std::uint64_t>> files;  // name, size in bytes
    std::uint64_t total_bytes = 0;
    std::string packing_format;
};

using ExportProgressFn = std::function<void(int done, int total, const std::string& what)>;

Result<ExportReport> exportPacked(const QuantizedModel& model, const std::string& output_dir, const PackedExportOptions& options,
                                  const ExportProgressFn& progress = {}, const CancelToken& cancel = {});

// The bytes exportPacked would write for this model (every file of the folder), from the layers'
// schemes and shapes alone (entries without data are fine): for estimates before a run.
Result<std::uint64_t> packedExportBytes(const QuantizedModel& model, const PackedExportOptions& options);
// The tokenizer files written for a source without a tokenizer folder (a GGUF's embedded
// vocabulary: tokenizer.model for SentencePiece, tokenizer.json for byte-level BPE, each with
// tokenizer_config.json), as (file name, content); empty when the source embeds none.
Result<std::vector<std::pair<std::string, std::string>>> embeddedTokenizerFiles(const io::WeightSource& source);

// The quantization_config block exactly as it is written into config.json.
nlohmann::json buildQuantizationConfig(const QuantizedModel& model, PackedFormat format);

}  // namespace srs::exporter
