// A tiny, complete llama GGUF (two blocks, hidden 8, 2 heads / 1 KV head of 4, feed-forward 16,
// a six-piece SentencePiece vocabulary, a chat template), as a GgufBuilder so that a test can
// change any key or tensor before building it. All tensors F32 with small distinct values.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "support/gguf_builder.h"

namespace srs::test {

inline std::vector<std::uint8_t> f32Bytes(std::size_t n, float start) {
    std::vector<std::uint8_t> b(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        const float v = start + 0.01f * static_cast<float>(i % 17);
        std::memcpy(&b[4 * i], &v, 4);
    }
    return b;
}

inline GgufBuilder tinyLlamaGguf(int blocks = 2) {
    GgufBuilder g;
    g.addString("general.architecture", "llama");
    g.addU32("llama.block_count", static_cast<std::uint32_t>(blocks));
    g.addU32("llama.embedding_length", 8);
    g.addU32("llama.feed_forward_length", 16);
    g.addU32("llama.attention.head_count", 2);
    g.addU32("llama.attention.head_count_kv", 1);
    g.addU32("llama.context_length", 64);
    g.addF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    g.addF32("llama.rope.freq_base", 10000.0f);
    g.addString("tokenizer.ggml.model", "llama");
    g.addStringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "\xE2\x96\x81" "a", "a", "b"});
    g.addF32Array("tokenizer.ggml.scores", {0.0f, 0.0f, 0.0f, -1.0f, -2.0f, -3.0f});
    g.addI32Array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1});
    g.addU32("tokenizer.ggml.bos_token_id", 1);
    g.addU32("tokenizer.ggml.eos_token_id", 2);
    g.addU32("tokenizer.ggml.unknown_token_id", 0);
    g.addBool("tokenizer.ggml.add_bos_token", true);
    g.addString("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}</s>{% endfor %}");
    constexpr std::uint32_t kF32 = 0;
    g.tensors.push_back({"token_embd.weight", {8, 6}, kF32, f32Bytes(48, 0.1f)});
    g.tensors.push_back({"output_norm.weight", {8}, kF32, f32Bytes(8, 1.0f)});
    g.tensors.push_back({"output.weight", {8, 6}, kF32, f32Bytes(48, -0.1f)});
    for (int b = 0; b < blocks; ++b) {
        const std::string p = "blk." + std::to_string(b) + ".";
        g.tensors.push_back({p + "attn_norm.weight", {8}, kF32, f32Bytes(8, 1.0f)});
        g.tensors.push_back({p + "ffn_norm.weight", {8}, kF32, f32Bytes(8, 1.0f)});
        g.tensors.push_back({p + "attn_q.weight", {8, 8}, kF32, f32Bytes(64, 0.02f)});
        g.tensors.push_back({p + "attn_k.weight", {8, 4}, kF32, f32Bytes(32, 0.03f)});
        g.tensors.push_back({p + "attn_v.weight", {8, 4}, kF32, f32Bytes(32, 0.04f)});
        g.tensors.push_back({p + "attn_output.weight", {8, 8}, kF32, f32Bytes(64, 0.05f)});
        g.tensors.push_back({p + "ffn_gate.weight", {8, 16}, kF32, f32Bytes(128, 0.06f)});
        g.tensors.push_back({p + "ffn_up.weight", {8, 16}, kF32, f32Bytes(128, 0.07f)});
        g.tensors.push_back({p + "ffn_down.weight", {16, 8}, kF32, f32Bytes(128, 0.08f)});
    }
    return g;
}

}  // namespace srs::test
