#!/usr/bin/env python3
"""Our float32 forward against transformers' on tiny random models that transformers builds and
saves itself (safetensors, config dtype float32).

usage: check_forward.py --tool build/tests/interop/transformers/srs_logits --work DIR [--case NAME ...]

Every case is a model of one of the four architectures we run (llama, mistral, qwen2, qwen3),
with grouped-query / multi-query / multi-head attention, tied or untied embeddings, q/k/v biases,
a head_dim that is not hidden/heads, and each RoPE setting the runtime implements (plain with a
non-default theta, linear, llama3). Each model is checked twice: config.json as this transformers
writes it (transformers 5: `rope_parameters` holding rope_theta and the scaling), and rewritten in
the older layout most published checkpoints carry (`rope_theta` and `rope_scaling` at the top
level, `torch_dtype`), which transformers reads as well.

For each: transformers' logits of the model loaded back from the folder, and ours from
srs_logits with the reference and the fused kernels; relative max difference
max|ours - ref| / max|ref| must be <= 1e-4. A control shows the RoPE setting is visible at these
sizes: the same weights with plain RoPE (theta 10000, no scaling) must give logits differing by
more than 100x the tolerance, else the case could not catch a RoPE mistake and the check fails.
"""
import argparse
import copy
import json
import os
import shutil
import sys

import numpy as np
import torch
from transformers import (AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM,
                          Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM)

from interop_common import (TF_VERSION, dtype_kwargs, finish, force_float32_config, hf_logits, log, randomize, rel_max_diff,
                            run_ours, write_ids)

TOL = 1e-4
SEQ_LEN = 64
BATCH = 2

ARCH = {
    "llama": (LlamaConfig, LlamaForCausalLM),
    "mistral": (MistralConfig, MistralForCausalLM),
    "qwen2": (Qwen2Config, Qwen2ForCausalLM),
    "qwen3": (Qwen3Config, Qwen3ForCausalLM),
}

COMMON = dict(num_hidden_layers=2, hidden_size=64, intermediate_size=128, max_position_embeddings=256,
              rms_norm_eps=1e-6, bos_token_id=1, eos_token_id=2)

# name -> (arch, config overrides, rope_theta, rope_scaling or None)
CASES = {
    "llama_gqa_untied": ("llama", dict(num_attention_heads=4, num_key_value_heads=2, vocab_size=320,
                                       tie_word_embeddings=False), 500000.0, None),
    "llama_mha_tied_bias_llama3": ("llama", dict(num_attention_heads=4, num_key_value_heads=4, vocab_size=512,
                                                 tie_word_embeddings=True, attention_bias=True), 500000.0,
                                   {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                    "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    "llama_mqa_untied_linear": ("llama", dict(num_attention_heads=4, num_key_value_heads=1, vocab_size=320,
                                              tie_word_embeddings=False), 10000.0,
                                {"rope_type": "linear", "factor": 4.0}),
    "mistral_gqa_head_dim32": ("mistral", dict(num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                                               vocab_size=384, tie_word_embeddings=False, sliding_window=None),
                               1000000.0, None),
    "qwen2_gqa_tied": ("qwen2", dict(num_attention_heads=4, num_key_value_heads=2, vocab_size=448,
                                     tie_word_embeddings=True), 1000000.0, None),
    "qwen3_gqa_untied": ("qwen3", dict(num_attention_heads=4, num_key_value_heads=2, head_dim=32, vocab_size=320,
                                       tie_word_embeddings=False), 1000000.0, None),
    "qwen3_mqa_tied_linear": ("qwen3", dict(num_attention_heads=4, num_key_value_heads=1, head_dim=16,
                                            vocab_size=256, tie_word_embeddings=True), 1000000.0,
                              {"rope_type": "linear", "factor": 2.0}),
}


def build_config(arch, overrides, theta, scaling):
    cls = ARCH[arch][0]
    kw = dict(COMMON)
    kw.update(overrides)
    if TF_VERSION.major >= 5:
        rope = {"rope_type": "default", "rope_theta": theta}
        if scaling:
            rope.update(scaling)
        kw["rope_parameters"] = rope
    else:
        kw["rope_theta"] = theta
        kw["rope_scaling"] = dict(scaling) if scaling else None
    cfg = cls(**kw)
    if TF_VERSION.major >= 5:
        cfg.dtype = torch.float32
    else:
        cfg.torch_dtype = torch.float32
    return cfg


def legacy_config(cfg_json, theta, scaling):
    """config.json in the layout of transformers 4 checkpoints: rope_theta / rope_scaling at the top."""
    j = copy.deepcopy(cfg_json)
    j.pop("rope_parameters", None)
    j.pop("dtype", None)
    j["torch_dtype"] = "float32"
    j["rope_theta"] = theta
    j["rope_scaling"] = dict(scaling) if scaling else None
    return j


def plain_rope_config(cfg_json):
    """The control: same model with plain RoPE at theta 10000, in this transformers' own layout."""
    j = copy.deepcopy(cfg_json)
    for k in ("rope_parameters", "rope_scaling", "rope_theta"):
        j.pop(k, None)
    if TF_VERSION.major >= 5:
        j["rope_parameters"] = {"rope_type": "default", "rope_theta": 10000.0}
    else:
        j["rope_theta"] = 10000.0
    return j


def load_hf(folder):
    return AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager", **dtype_kwargs())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--case", action="append")
    args = ap.parse_args()
    torch.manual_seed(0)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    log(f"transformers {TF_VERSION}, torch {torch.__version__}; tolerance {TOL:g} on max|ours-ref|/max|ref|")

    failures = []
    rows = []
    for case_index, (name, (arch, overrides, theta, scaling)) in enumerate(CASES.items()):
        if args.case and name not in args.case:
            continue
        cfg = build_config(arch, overrides, theta, scaling)
        model = ARCH[arch][1](cfg).to(torch.float32)
        randomize(model, seed=1000 + case_index)
        base = os.path.join(args.work, name)
        model.save_pretrained(base, safe_serialization=True)
        cfg_json = force_float32_config(base)
        if not any(f.endswith(".safetensors") for f in os.listdir(base)):
            raise RuntimeError(f"{base}: save_pretrained wrote no safetensors file")

        legacy = base + "-legacy-config"
        shutil.copytree(base, legacy)
        with open(os.path.join(legacy, "config.json"), "w") as f:
            json.dump(legacy_config(cfg_json, theta, scaling), f, indent=2)

        rng = np.random.default_rng(case_index)
        ids = rng.integers(0, cfg.vocab_size, size=(BATCH, SEQ_LEN))
        ids_path = os.path.join(args.work, name + ".ids.txt")
        write_ids(ids_path, ids)

        # The control: does the RoPE setting change the logits at all, at these sizes?
        control = base + "-plain-rope"
        shutil.copytree(base, control)
        with open(os.path.join(control, "config.json"), "w") as f:
            json.dump(plain_rope_config(cfg_json), f, indent=2)
        ref_plain = hf_logits(load_hf(control), ids)

        for variant, folder in (("as saved", base), ("legacy keys", legacy)):
            ref = hf_logits(load_hf(folder), ids)
            sensitivity = rel_max_diff(ref_plain, ref)
            if sensitivity <= 100 * TOL:
                failures.append(f"{name} ({variant}): plain RoPE changes the logits by only {sensitivity:.2e}; "
                                f"the case cannot tell RoPE settings apart")
            for kernels in ("reference", "fused"):
                out = os.path.join(args.work, f"{name}.{variant.replace(' ', '_')}.{kernels}.npy")
                ours, secs = run_ours(args.tool, folder, ids_path, out, kernels)
                d = rel_max_diff(ours, ref)
                ok = d <= TOL
                rows.append((name, variant, kernels, d, sensitivity, ok))
                log(f"{'ok  ' if ok else 'FAIL'} {name:28s} {variant:12s} {kernels:9s} rel max diff {d:.3e}"
                    f"   (plain-RoPE control {sensitivity:.2e}; ours {secs:.1f} s)")
                if not ok:
                    failures.append(f"{name} ({variant}, {kernels} kernels): relative max difference {d:.3e} > {TOL:g}")

    log("")
    log(f"{len(rows)} comparisons, worst {max(r[3] for r in rows):.3e}")
    return finish(failures)


if __name__ == "__main__":
    sys.exit(main())
