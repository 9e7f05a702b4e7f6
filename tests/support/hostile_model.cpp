#include "support/hostile_model.h"

#include <QDir>
#include <QFile>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "core/io/safetensors_writer.h"

namespace srs::test {

nlohmann::json tinyLlamaConfig() {
    return {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"}, {"hidden_size", 32}, {"intermediate_size", 64},
            {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"num_key_value_heads", 2}, {"vocab_size", 64},
            {"max_position_embeddings", 128}, {"rms_norm_eps", 1e-5}, {"rope_theta", 10000.0}, {"tie_word_embeddings", true},
            {"bos_token_id", 1}, {"eos_token_id", 2}, {"torch_dtype", "float32"}};
}

std::vector<TensorSpec> tinyLlamaTensors(const nlohmann::json& c) {
    const std::int64_t h = c.at("hidden_size"), f = c.at("intermediate_size"), heads = c.at("num_attention_heads"),
                       kv = c.at("num_key_value_heads"), v = c.at("vocab_size"), layers = c.at("num_hidden_layers");
    const std::int64_t d = c.contains("head_dim") ? c.at("head_dim").get<std::int64_t>() : h / heads;
    std::vector<TensorSpec> t = {{"model.embed_tokens.weight", {v, h}}, {"model.norm.weight", {h}}};
    for (std::int64_t k = 0; k < layers; ++k) {
        const std::string p = "model.layers." + std::to_string(k) + ".";
        t.push_back({p + "input_layernorm.weight", {h}});
        t.push_back({p + "post_attention_layernorm.weight", {h}});
        t.push_back({p + "self_attn.q_proj.weight", {heads * d, h}});
        t.push_back({p + "self_attn.k_proj.weight", {kv * d, h}});
        t.push_back({p + "self_attn.v_proj.weight", {kv * d, h}});
        t.push_back({p + "self_attn.o_proj.weight", {h, heads * d}});
        t.push_back({p + "mlp.gate_proj.weight", {f, h}});
        t.push_back({p + "mlp.up_proj.weight", {f, h}});
        t.push_back({p + "mlp.down_proj.weight", {h, f}});
    }
    return t;
}

std::vector<TensorSpec> withShape(std::vector<TensorSpec> tensors, const std::string& name, std::vector<std::int64_t> shape) {
    for (auto& t : tensors)
        if (t.name == name) t.shape = shape;
    return tensors;
}

void writeModelFolder(const QString& folder, const nlohmann::json& config, const std::vector<TensorSpec>& tensors) {
    QDir().mkpath(folder);
    QFile cfg(folder + "/config.json");
    if (cfg.open(QIODevice::WriteOnly | QIODevice::Truncate)) cfg.write(QByteArray::fromStdString(config.dump(2)));
    cfg.close();
    std::vector<std::vector<float>> data;
    std::vector<io::TensorToWrite> out;
    data.reserve(tensors.size());
    for (const auto& t : tensors) {
        std::size_t n = 1;
        for (auto d : t.shape) n *= static_cast<std::size_t>(d);
        data.emplace_back(n, 0.01f);
        out.push_back({t.name, io::DType::F32, t.shape, data.back().data()});
    }
    (void)io::writeSafetensors((folder + "/model.safetensors").toStdString(), out, {{"format", "pt"}});
}

bool makeFifo(const QString& path) {
    QFile::remove(path);
    return ::mkfifo(path.toLocal8Bit().constData(), 0600) == 0;
}

bool makeSymlink(const QString& target, const QString& path) {
    QFile::remove(path);
    return ::symlink(target.toLocal8Bit().constData(), path.toLocal8Bit().constData()) == 0;
}

bool finishesWithin(int timeout_ms, const std::function<void()>& f, const std::function<void()>& unblock) {
    auto done = std::make_shared<std::promise<void>>();
    auto fut = done->get_future();
    std::thread([f, done] {
        f();
        done->set_value();
    }).detach();
    if (fut.wait_for(std::chrono::milliseconds(timeout_ms)) == std::future_status::ready) return true;
    if (unblock) unblock();
    if (fut.wait_for(std::chrono::seconds(2)) == std::future_status::ready) return false;
    std::fprintf(stderr, "FAIL!  : a call did not return within %d ms (it hangs or reads without end); ending the test\n", timeout_ms);
    std::fflush(stderr);
    std::_Exit(1);
}

}  // namespace srs::test
