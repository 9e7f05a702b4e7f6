#!/usr/bin/env python3
"""Our packed exports (auto_round, auto_gptq, auto_awq) loaded by transformers give the logits our
own reader of the same export gives.

usage: check_exports.py --tool srs_logits --signround signround --model DIR --dataset FILE --work DIR

`signround quantize` (2 SignRound iterations, W4 group 32) writes, from the real 5M TinyStories
Llama:
  sym:  auto_round (GPTQ-style packing), auto_gptq
  asym: auto_round (AWQ-style packing for 4-bit asym), auto_gptq (zeros stored minus one), auto_awq
and, from a tiny random Qwen2 (q/k/v biases), the three asym exports.
Each export is then
  - read by us: srs_logits opens it (dequantizing every packed linear) and runs our float32 forward;
  - read by transformers: AutoModelForCausalLM.from_pretrained in float32. auto_round exports go
    through transformers' AutoRound integration (quant_method "auto-round", auto-round installed);
    auto_gptq / auto_awq exports are handed to the same integration with
    quantization_config=AutoRoundConfig(), which converts a GPTQ (v1) or AWQ (gemm) config.
    transformers' own GPTQ / AWQ loaders need gptqmodel; on a CPU, auto-round's kernels for these
    packings (GPTQ with zero points, AWQ) come from auto-round-lib (ARK), the package the test
    venv must hold (auto-round's pure-torch backend covers only symmetric GPTQ packing, and it
    forces the model to float16).
ARK's CPU kernels take a compute dtype; auto-round asks for "auto", which on the test machine gives
exactly the logits of compute dtype "int8" (measured), about 1e-2 from any float32 result. So each
export is checked twice:
  - ARK with compute dtype fp32 (auto-round's "auto" replaced by "fp32" where it calls ARK; the
    same unpacking, repacking and kernels): relative max difference <= 1e-4;
  - ARK as auto-round configures it: it must load, and its logits must lie closer to ours than to
    the unquantized model's (relative max difference below half the control's); the figure, the
    int8 product error, is reported.
The relative max difference is max|ours - ref| / max|ref|. A control checks the comparison can
fail: the unquantized model's logits must differ from every export's by more than 100x 1e-4.
Every packed linear must also be a quantized module in transformers' model (nothing silently
loaded as a plain Linear).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoRoundConfig

from interop_common import TF_VERSION, dtype_kwargs, finish, hf_logits, log, rel_max_diff, run_ours, write_ids

TOL = 1e-4
SEQ_LEN = 64
BATCH = 2
BLOCK_LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def quantize(signround, model, dataset, out_dir, sym, formats):
    cmd = [signround, "quantize", "--model", model, "--dataset", dataset, "--iters", "2", "--nsamples", "4",
           "--seqlen", "64", "--bits", "4", "--group_size", "32", "--sym" if sym else "--asym",
           "--format", ",".join(formats), "--output_dir", out_dir]
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout[-4000:]}")
    log(f"quantized ({'sym' if sym else 'asym'}, {','.join(formats)}) in {time.time() - t0:.1f} s")
    found = {}
    for entry in sorted(os.listdir(out_dir)):
        cfg_path = os.path.join(out_dir, entry, "config.json")
        if not os.path.isfile(cfg_path):
            continue
        with open(cfg_path) as f:
            qc = json.load(f).get("quantization_config")
        if not qc:
            continue
        fmt = qc.get("quant_method")
        fmt = {"auto-round": "auto_round", "intel/auto-round": "auto_round", "gptq": "auto_gptq", "awq": "auto_awq"}.get(fmt, fmt)
        found[fmt] = (os.path.join(out_dir, entry), qc)
    missing = [f for f in formats if f not in found]
    if missing:
        raise RuntimeError(f"{out_dir}: no export found for {missing}; folders: {os.listdir(out_dir)}")
    return found


class ArkComputeDtype:
    """Within this context, auto-round's calls into ARK that pass compute dtype "auto" pass `cdt`."""

    def __init__(self, cdt):
        self.cdt = cdt
        self.replaced = 0

    def __enter__(self):
        import auto_round_kernel as ark
        self.ark = ark
        self.saved = {n: getattr(ark, n) for n in ("repack_quantized_weight", "woqgemm")}
        for n, fn in self.saved.items():
            setattr(self.ark, n, self._wrap(fn))
        return self

    def _wrap(self, fn):
        def call(*a, **kw):
            if self.cdt != "auto" and "auto" in a:
                self.replaced += 1
                a = tuple(self.cdt if x == "auto" else x for x in a)
            return fn(*a, **kw)
        return call

    def __exit__(self, *exc):
        for n, fn in self.saved.items():
            setattr(self.ark, n, fn)


def load_reference(folder, qc):
    kw = dtype_kwargs()
    if qc.get("quant_method") in ("gptq", "awq"):
        kw["quantization_config"] = AutoRoundConfig()
    return AutoModelForCausalLM.from_pretrained(folder, device_map="cpu", **kw)


def check_quantized_modules(model, folder):
    """Every block linear the export packs is a quantized module in transformers' model, holding a
    qweight; returns the module class names seen."""
    from safetensors import safe_open
    packed = set()
    for name in os.listdir(folder):
        if name.endswith(".safetensors"):
            with safe_open(os.path.join(folder, name), "pt") as f:
                packed.update(k[: -len(".qweight")] for k in f.keys() if k.endswith(".qweight"))
    if not packed:
        raise RuntimeError(f"{folder}: no packed (qweight) tensors")
    modules = dict(model.named_modules())
    classes = set()
    for layer in sorted(packed):
        m = modules.get(layer)
        if m is None:
            raise RuntimeError(f"transformers' model has no module {layer}")
        if type(m) is torch.nn.Linear:
            raise RuntimeError(f"transformers loaded {layer} as a plain Linear, not a quantized layer")
        classes.add(f"{type(m).__module__}.{type(m).__name__}")
    return len(packed), sorted(classes)


def models_under_test(args):
    """(label, folder, [(sym, formats), ...]): the real 5M Llama (GQA, tied embeddings) in both
    schemes, and a tiny random Qwen2 built by transformers (q/k/v biases beside packed weights,
    untied head) in the asymmetric scheme, all three formats. The Qwen2 folder gets the 5M model's
    SentencePiece tokenizer for the calibration text (vocab 512 holds its ids) and config.json in
    the rope_theta / torch_dtype layout (the test of config layouts is check_forward.py's)."""
    from transformers import Qwen2Config, Qwen2ForCausalLM
    from interop_common import randomize
    yield ("llama5M", args.model, [(True, ["auto_round", "auto_gptq"]), (False, ["auto_round", "auto_gptq", "auto_awq"])])

    folder = os.path.join(args.work, "qwen2-random")
    cfg = Qwen2Config(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, vocab_size=512, max_position_embeddings=256, rms_norm_eps=1e-6,
                      tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
    model = Qwen2ForCausalLM(cfg).to(torch.float32)
    randomize(model, seed=77)
    model.save_pretrained(folder, safe_serialization=True)
    with open(os.path.join(folder, "config.json")) as f:
        j = json.load(f)
    rope = j.pop("rope_parameters", None) or {}
    j.pop("dtype", None)
    j["torch_dtype"] = "float32"
    j["rope_theta"] = rope.get("rope_theta", j.get("rope_theta", 10000.0))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(j, f, indent=2)
    for name in ("tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"):
        if os.path.exists(os.path.join(args.model, name)):
            shutil.copy(os.path.join(args.model, name), folder)
    yield ("qwen2-random", folder, [(False, ["auto_round", "auto_gptq", "auto_awq"])])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--signround", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    import auto_round
    try:
        import auto_round_kernel  # noqa: F401
    except ImportError as e:
        log(f"FAIL: auto-round-lib is not installed in {sys.prefix} ({e}): it holds auto-round's only CPU kernels "
            f"for GPTQ packing with zero points and AWQ packing (auto-round-lib 0.14.1 is the newest built for torch 2.11)")
        return 1
    log(f"transformers {TF_VERSION}, auto-round {auto_round.__version__}, torch {torch.__version__}; "
        f"tolerance {TOL:g} on max|ours-ref|/max|ref|")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)

    failures = []
    exports = []
    for model_label, model_dir, runs in models_under_test(args):
        with open(os.path.join(model_dir, "config.json")) as f:
            vocab = json.load(f)["vocab_size"]
        ids = np.random.default_rng(7).integers(0, vocab, size=(BATCH, SEQ_LEN))
        ids_path = os.path.join(args.work, model_label + ".ids.txt")
        write_ids(ids_path, ids)

        fp_ours, _ = run_ours(args.tool, model_dir, ids_path, os.path.join(args.work, model_label + ".fp.npy"))
        fp_ref = hf_logits(AutoModelForCausalLM.from_pretrained(model_dir, **dtype_kwargs()), ids)
        d_fp = rel_max_diff(fp_ours, fp_ref)
        log(f"{model_label}, unquantized: ours vs transformers {d_fp:.3e}")
        if d_fp > TOL:
            failures.append(f"{model_label}, unquantized: relative max difference {d_fp:.3e} > {TOL:g}")

        for sym, formats in runs:
            scheme = "sym" if sym else "asym"
            out_dir = os.path.join(args.work, model_label, scheme)
            for fmt, (folder, qc) in quantize(args.signround, model_dir, args.dataset, out_dir, sym, formats).items():
                exports.append((model_label, scheme, fmt, folder, qc, ids, ids_path, fp_ref))

    rows = []
    for model_label, scheme, fmt, folder, qc, ids, ids_path, fp_ref in exports:
        label = f"{model_label} {fmt} {scheme}"
        packing = qc.get("packing_format") or f"{qc.get('quant_method')} {qc.get('version', '')}".strip()
        ours, _ = run_ours(args.tool, folder, ids_path, os.path.join(args.work, f"{model_label}.{fmt}_{scheme}.npy"))
        figures = {}
        for cdt in ("fp32", "auto"):
            try:
                with ArkComputeDtype(cdt) as switch:
                    model = load_reference(folder, qc)
                    n_packed, classes = check_quantized_modules(model, folder)
                    ref = hf_logits(model, ids)
                if cdt != "auto" and switch.replaced == 0:
                    raise RuntimeError("auto-round never called ARK with compute dtype 'auto': the fp32 switch did not apply")
            except Exception as e:  # a loader that refuses the export is a failure, reported with its message
                failures.append(f"{label} (ARK {cdt}): {type(e).__name__}: {e}")
                log(f"FAIL {label:34s} ARK {cdt:4s} {type(e).__name__}: {e}")
                continue
            d = rel_max_diff(ours, ref)
            figures[cdt] = d
            control = rel_max_diff(fp_ref, ref)
            tol = TOL if cdt == "fp32" else 0.5 * control
            ok = d <= tol
            log(f"{'ok  ' if ok else 'FAIL'} {label:34s} ARK {cdt:4s} rel max diff {d:.3e} (<= {tol:.3g})   "
                f"(vs unquantized {control:.2e}; {n_packed} packed linears as "
                f"{', '.join(c.rsplit('.', 1)[-1] for c in classes)}; packing {packing})")
            if not ok:
                failures.append(f"{label} (ARK {cdt}): relative max difference {d:.3e} > {tol:g}")
            if control <= 100 * TOL:
                failures.append(f"{label}: the export's logits are within {control:.2e} of the unquantized model's; "
                                f"the comparison cannot tell a quantized model from the original")
        if "fp32" in figures:
            rows.append((label, figures["fp32"], figures.get("auto")))

    log("")
    if rows:
        log(f"{len(rows)} exports compared, worst {max(r[1] for r in rows):.3e} with ARK fp32")
    return finish(failures)


if __name__ == "__main__":
    sys.exit(main())
