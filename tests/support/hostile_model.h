// Model folders with the config.json and tensor shapes a test chooses (F32 zeros, Llama names),
// for tests of hostile or inconsistent inputs: a 1-D linear weight, a config that disagrees with
// the weights, a config.json that is a FIFO or a link to /dev/zero.
#pragma once

#include <QString>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace srs::test {

struct TensorSpec {
    std::string name;
    std::vector<std::int64_t> shape;
};

// hidden 32, intermediate 64, 2 layers, 4 heads (head_dim 8), 2 KV heads, vocab 64, tied.
nlohmann::json tinyLlamaConfig();
// Every tensor a Llama model of that config has, with the shapes it implies.
std::vector<TensorSpec> tinyLlamaTensors(const nlohmann::json& config);
// The same list with one tensor's shape replaced.
std::vector<TensorSpec> withShape(std::vector<TensorSpec> tensors, const std::string& name, std::vector<std::int64_t> shape);
// Writes config.json (the JSON as given) and model.safetensors (the tensors, F32, all 0.01).
void writeModelFolder(const QString& folder, const nlohmann::json& config, const std::vector<TensorSpec>& tensors);
// Replaces folder/config.json by a FIFO (no writer) or by a symbolic link to target.
bool makeFifo(const QString& path);
bool makeSymlink(const QString& target, const QString& path);

// Runs f on another thread and waits at most timeout_ms. When it has not returned by then,
// `unblock` is called (e.g. opening a FIFO's other end) and false returned if that released it;
// if even that does not, the stuck thread cannot be stopped safely: the message is printed and
// the test process ends with exit code 1 (a hang becomes a prompt, named failure).
bool finishesWithin(int timeout_ms, const std::function<void()>& f, const std::function<void()>& unblock = {});

}  // namespace srs::test
