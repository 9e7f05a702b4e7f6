// Which ggml type each tensor of a GGUF export gets, for a file type such as q4_k_m, following
// llama.cpp's per-tensor choice (FORMATS.md §5.5): 1-D tensors and norms F32; output.weight (and
// a tied token_embd) Q6_K unless the file is Q8_0 or a float type; the token embedding otherwise
// takes the body type; the mixes raise attn_v / ffn_down / attn_output as the table says, with
// use_more_bits(i, n) = i < n/8 ∨ i ≥ 7n/8 ∨ (i − n/8) % 3 == 2; a k-quant whose row is not a
// multiple of 256 falls back to Q5_0 (Q2_K..Q5_K) or Q8_0 (Q6_K), and a row not a multiple of 32
// to F16. Also which SignRound scheme tunes a layer for a given ggml type, so each layer is
// tuned in the type it will be written in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/gguf.h"
#include "core/io/model_config.h"
#include "core/quant/quant_scheme.h"

namespace srs::exporter {

struct GgufFileType {
    std::string name;          // "q4_k_m", as in --format gguf:q4_k_m
    std::uint32_t llama_ftype; // general.file_type (llama.cpp's LLAMA_FTYPE_MOSTLY_*)
    io::GgmlType base;         // the body type
};

// "q4_k_m", "Q4_K_M" → the file type; the error lists what exists.
Result<GgufFileType> parseGgufFileType(const std::string& name);
std::vector<std::string> ggufFileTypeNames();
// "Q4_K_M" as in llama.cpp's file names.
std::string ggufFileTypeLabel(const GgufFileType& type);

// One tensor of the model as the plan sees it: HF name and shape ([out, in] for matrices).
struct GgufPlanInput {
    std::string hf_name;
    std::vector<std::int64_t> shape;
};

// hf name → ggml type, for every tensor given.
std::map<std::string, io::GgmlType> planGgufTypes(const GgufFileType& type, const io::ModelConfig& config,
                                                 const std::vector<GgufPlanInput>& tensors);

// The tuning scheme that the ggml type can carry exactly (Q4_0: W4G32 sym, Q4_K: W4G32 asym,
// Q6_K: W6G16 sym, ...); nullopt for float types.
std::optional<quant::QuantScheme> schemeForGgmlType(io::GgmlType type);

}  // namespace srs::exporter
