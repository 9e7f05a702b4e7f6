#!/usr/bin/env python3
"""Write a synthetic Qwen3-0.6B-shaped model folder for tools/gpu/check.sh.

28 decoder blocks of hidden 1024, intermediate 3072, 16 query / 8 KV heads of 128 (q_norm / k_norm
as Qwen3 has), random N(0, 0.02) weights in bf16, norms 1, tied embeddings; the vocabulary and the
tokenizer files are the 5M TinyStories model's (512 SentencePiece pieces), so that our loader
(core/io/model_config.cpp: model_type "qwen3" turns qk_norm on) reads it with its tokenizer.
usage: make_synthetic_qwen3.py --tokenizer_from DIR --out DIR [--layers 28]
"""
import argparse
import json
import os
import shutil

import struct

import torch


def save_file(tensors, path, metadata=None):
    """safetensors' format (8-byte little-endian header length, JSON header, raw little-endian data),
    written directly so that the safetensors package is optional."""
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.contiguous()
        n = t.numel() * t.element_size()
        header[name] = {"dtype": {torch.bfloat16: "BF16", torch.float32: "F32", torch.float16: "F16"}[t.dtype],
                        "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
        blobs.append(t)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for t in blobs:
            raw = t.view(torch.uint8).reshape(-1)
            try:
                f.write(raw.numpy().tobytes())
            except RuntimeError:  # no numpy
                f.write(bytes(raw.tolist()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer_from", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=28)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--intermediate", type=int, default=3072)
    ap.add_argument("--heads", type=int, default=16)
    ap.add_argument("--kv_heads", type=int, default=8)
    ap.add_argument("--head_dim", type=int, default=128)
    a = ap.parse_args()

    with open(os.path.join(a.tokenizer_from, "config.json")) as f:
        src = json.load(f)
    vocab = int(src["vocab_size"])
    os.makedirs(a.out, exist_ok=True)
    config = {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3",
        "hidden_size": a.hidden, "intermediate_size": a.intermediate, "num_hidden_layers": a.layers,
        "num_attention_heads": a.heads, "num_key_value_heads": a.kv_heads, "head_dim": a.head_dim,
        "vocab_size": vocab, "max_position_embeddings": 4096, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
        "tie_word_embeddings": True, "hidden_act": "silu", "attention_bias": False, "torch_dtype": "bfloat16",
        "bos_token_id": src.get("bos_token_id", 1), "eos_token_id": src.get("eos_token_id", 2),
    }
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    for name in ("tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"):
        p = os.path.join(a.tokenizer_from, name)
        if os.path.exists(p):
            shutil.copyfile(p, os.path.join(a.out, name))

    g = torch.Generator().manual_seed(1)
    h, f_, q, kv = a.hidden, a.intermediate, a.heads * a.head_dim, a.kv_heads * a.head_dim

    def rnd(*shape):
        return (torch.randn(*shape, generator=g) * 0.02).to(torch.bfloat16)

    def ones(n):
        return torch.ones(n, dtype=torch.bfloat16)

    t = {"model.embed_tokens.weight": rnd(vocab, h), "model.norm.weight": ones(h)}
    for i in range(a.layers):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = ones(h)
        t[p + "post_attention_layernorm.weight"] = ones(h)
        t[p + "self_attn.q_proj.weight"] = rnd(q, h)
        t[p + "self_attn.k_proj.weight"] = rnd(kv, h)
        t[p + "self_attn.v_proj.weight"] = rnd(kv, h)
        t[p + "self_attn.o_proj.weight"] = rnd(h, q)
        t[p + "self_attn.q_norm.weight"] = ones(a.head_dim)
        t[p + "self_attn.k_norm.weight"] = ones(a.head_dim)
        t[p + "mlp.gate_proj.weight"] = rnd(f_, h)
        t[p + "mlp.up_proj.weight"] = rnd(f_, h)
        t[p + "mlp.down_proj.weight"] = rnd(h, f_)
    save_file(t, os.path.join(a.out, "model.safetensors"), metadata={"format": "pt"})
    n = sum(x.numel() for x in t.values())
    print(f"wrote {a.out}: {a.layers} layers, {n / 1e6:.1f} M parameters (bf16), vocab {vocab}")


if __name__ == "__main__":
    main()
