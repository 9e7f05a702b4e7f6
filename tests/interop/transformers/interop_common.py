"""Helpers shared by check_forward.py and check_exports.py: tiny random models built and saved by
transformers, our srs_logits tool run on a folder, transformers run on the same ids, and the one
figure we compare them by.

The figure: relative max difference = max|ours - ref| / max|ref| over every logit of every
sequence and position.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import transformers
from packaging import version

TF_VERSION = version.parse(transformers.__version__)
transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()


def rel_max_diff(ours, ref):
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if ours.shape != ref.shape:
        raise ValueError(f"logits of shape {ours.shape} (ours) and {ref.shape} (transformers)")
    if not np.all(np.isfinite(ours)):
        return float("inf")
    return float(np.max(np.abs(ours - ref)) / np.max(np.abs(ref)))


def dtype_kwargs():
    """from_pretrained's dtype keyword: `dtype` since transformers 4.56, `torch_dtype` before."""
    if TF_VERSION >= version.parse("4.56"):
        return {"dtype": torch.float32}
    return {"torch_dtype": torch.float32}


def randomize(model, seed):
    """Weights far from transformers' initialisation (std 0.02, norms = 1, biases = 0), so that
    attention is sharp, rope positions matter, and every norm weight and bias is exercised."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.3 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name:
                p.copy_(torch.randn(p.shape, generator=g))
            else:  # linear weights, lm_head: output std about 1.5 for unit-RMS input
                p.copy_(torch.randn(p.shape, generator=g) * (1.5 / p.shape[1] ** 0.5))


def force_float32_config(folder):
    """The saved config names float32 as the checkpoint dtype (`dtype` in transformers 5,
    `torch_dtype` before); fail if transformers wrote something else."""
    path = os.path.join(folder, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    stored = cfg.get("dtype", cfg.get("torch_dtype"))
    if stored != "float32":
        raise RuntimeError(f"{path}: dtype {stored!r}, expected float32")
    return cfg


def write_ids(path, ids):
    with open(path, "w") as f:
        for row in ids:
            f.write(" ".join(str(int(x)) for x in row) + "\n")


def run_ours(tool, model_dir, ids_path, out_path, kernels="reference"):
    cmd = [tool, "--model", model_dir, "--ids", ids_path, "--out", out_path, "--kernels", kernels]
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}")
    return np.load(out_path), time.time() - t0


def hf_logits(model, ids):
    model.eval()
    with torch.no_grad():
        out = model(input_ids=torch.as_tensor(np.asarray(ids), dtype=torch.long))
    return out.logits.float().numpy()


def log(*args):
    print(*args, flush=True)
    sys.stdout.flush()


def finish(failures):
    """Prints the failures, if any, and returns the process's exit status (1 when any)."""
    if failures:
        log("FAILED:")
        for f in failures:
            log("  " + f)
        return 1
    return 0
