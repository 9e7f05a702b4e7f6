// The GGUF files of a Hub repository, grouped by quantization type. GGUF repositories usually
// hold one model several times over (Model-Q4_K_M.gguf, Model-Q8_0.gguf, Model-f16.gguf, large
// ones split as Model-Q8_0-00001-of-00003.gguf); the type is read from the file name (case does
// not matter; a name without a recognised type goes to "other"). Each group lists all its files
// (every part of a split file), their total size, the file to open (the first part), and whether
// the type is a good source for a quantization: F32, F16, BF16 and Q8_0 are; re-quantizing an
// already lower-bit file loses quality. Plain C++, no torch, no Qt.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/hub/hub_types.h"

namespace srs::hub {

// Why a type is (or is not) a good source; the GUI turns it into its own, translated text.
enum class GgufSourceReason { FullPrecision, HalfPrecision, BFloat16, EightBit, AlreadyQuantized, Unknown };

struct GgufGroup {
    std::string type;                // upper case, e.g. "Q4_K_M", "BF16"; "other" when not recognised
    double bits_per_weight = 0;      // approximate; 0 for "other"
    bool good_source = false;        // F32, F16, BF16, Q8_0
    GgufSourceReason reason_kind = GgufSourceReason::Unknown;
    std::string reason;              // one line, English
    std::vector<std::string> files;  // repository paths, sorted (split parts in order)
    std::uint64_t size_bytes = 0;    // all files together
    std::string open_file;           // the file to open as the model: the first part of a split file
};

// True for a path ending in .gguf (any case).
bool isGgufPath(const std::string& path);

// The quantization type in a GGUF file's name, upper case ("Q5_K_M", "F16"; fp16/fp32 read as
// F16/F32), or "" when there is none. The file name is searched first, then the folders above it
// (repositories that split big models keep each type in its own folder); the last type in a name
// wins ("Model-F16-Q8_0.gguf" is Q8_0).
std::string ggufQuantType(const std::string& path);

// Approximate bits per weight of a type (what llama.cpp's quantize reports); 0 when unknown.
double ggufTypeBits(const std::string& type);

// For "Model-Q8_0-00002-of-00003.gguf": part 2 of 3. Returns false for a file that is not split.
bool ggufSplitPart(const std::string& path, int* part, int* parts);

// The .gguf files of `files` grouped by type: good sources first, then by bits per weight,
// highest first ("other" last); directories and other files are left out.
std::vector<GgufGroup> groupGgufFiles(const std::vector<RepoFile>& files);

}  // namespace srs::hub
