// srs_logits: our forward pass on given token ids, written as a NumPy .npy file, so that a Python
// script can set it beside the logits transformers computes for the same model.
//
//   srs_logits --model PATH --ids FILE --out FILE.npy [--kernels reference|fused] [--dtype float32|bfloat16]
//
// PATH is anything `signround eval` opens: a Hugging Face folder, one of our packed exports
// (auto_round / auto_gptq / auto_awq, read back dequantized) or a .gguf. FILE holds one sequence
// per line, token ids separated by blanks; every line has the same length. The output is
// float32, C order, shape [sequences, tokens, vocab].
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/weight_source.h"
#include "core/model/llama_model.h"
#include "kernels/linear.h"

namespace {

int usage(const std::string& why) {
    std::cerr << "srs_logits: " << why << "\n"
              << "usage: srs_logits --model PATH --ids FILE --out FILE.npy [--kernels reference|fused] [--dtype float32|bfloat16]\n";
    return 2;
}

bool readIds(const std::string& path, std::vector<std::vector<std::int64_t>>* rows, std::string* error) {
    std::ifstream in(path);
    if (!in) {
        *error = "cannot read " + path;
        return false;
    }
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::vector<std::int64_t> row;
        std::int64_t id;
        while (ss >> id) row.push_back(id);
        if (!ss.eof()) {
            *error = path + ": a line holds something other than integers";
            return false;
        }
        if (row.empty()) continue;
        if (!rows->empty() && row.size() != rows->front().size()) {
            *error = path + ": sequences of different lengths (" + std::to_string(rows->front().size()) + " and " +
                     std::to_string(row.size()) + ")";
            return false;
        }
        rows->push_back(std::move(row));
    }
    if (rows->empty()) {
        *error = path + " holds no token ids";
        return false;
    }
    return true;
}

// NumPy format 1.0: magic, version, little-endian header length, a dict literal padded with spaces
// to a multiple of 64 bytes and ended by '\n', then the raw data.
bool writeNpy(const std::string& path, const at::Tensor& t) {
    std::string shape;
    for (std::int64_t d : t.sizes()) shape += std::to_string(d) + ", ";
    if (t.dim() > 1) shape.resize(shape.size() - 2);
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
    const std::size_t prefix = 10;
    header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    if (!out) return false;
    const std::uint16_t len = static_cast<std::uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(len_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    at::Tensor c = t.to(at::kFloat).contiguous();
    out.write(reinterpret_cast<const char*>(c.data_ptr<float>()), static_cast<std::streamsize>(c.numel() * sizeof(float)));
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    std::string model_path, ids_path, out_path, kernels = "reference", dtype_name = "float32";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) return usage("missing value after " + a);
        const std::string v = argv[++i];
        if (a == "--model") model_path = v;
        else if (a == "--ids") ids_path = v;
        else if (a == "--out") out_path = v;
        else if (a == "--kernels") kernels = v;
        else if (a == "--dtype") dtype_name = v;
        else return usage("unknown option " + a);
    }
    if (model_path.empty() || ids_path.empty() || out_path.empty()) return usage("--model, --ids and --out are required");
    if (kernels != "reference" && kernels != "fused") return usage("--kernels is reference or fused");

    std::vector<std::vector<std::int64_t>> rows;
    std::string error;
    if (!readIds(ids_path, &rows, &error)) return usage(error);

    auto dtype = srs::model::parseComputeDtype(dtype_name);
    if (!dtype) return usage(dtype.error().toString());
    auto source = srs::io::openWeightSource(model_path);
    if (!source) {
        std::cerr << "srs_logits: " << source.error().toString() << "\n";
        return 1;
    }
    const std::int64_t vocab = (*source)->config().vocab_size;
    for (const auto& row : rows)
        for (std::int64_t id : row)
            if (id < 0 || id >= vocab) return usage("token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocab));
    auto model = srs::model::CausalLM::load(*source, *dtype);
    if (!model) {
        std::cerr << "srs_logits: " << model.error().toString() << "\n";
        return 1;
    }
    try {
        c10::InferenceMode guard;
        srs::kernels::FastLinearScope fast(kernels == "fused");
        const std::int64_t B = static_cast<std::int64_t>(rows.size()), T = static_cast<std::int64_t>(rows.front().size());
        at::Tensor ids = at::empty({B, T}, at::kLong);
        auto acc = ids.accessor<std::int64_t, 2>();
        for (std::int64_t b = 0; b < B; ++b)
            for (std::int64_t t = 0; t < T; ++t) acc[b][t] = rows[b][t];
        at::Tensor logits = (*model)->logits(ids);
        if (!writeNpy(out_path, logits)) {
            std::cerr << "srs_logits: cannot write " << out_path << "\n";
            return 1;
        }
        std::cout << "wrote " << out_path << " [" << B << ", " << T << ", " << logits.size(2) << "]\n";
    } catch (const std::exception& e) {
        std::cerr << "srs_logits: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
