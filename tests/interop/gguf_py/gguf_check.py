#!/usr/bin/env python3
"""Checks our GGUF files with llama.cpp's own Python package `gguf` (test interop_gguf_py).

usage: gguf_check.py MANIFEST.json RESULT.json

MANIFEST.json (written by test_gguf_py.cpp) names the model folder the files were made from and,
per GGUF file: its file type ("q4_k_m"), the float32 dump of our own dequantization of every
tensor (one raw little-endian file, tensors one after another), and per tensor the name, ne, the
ggml type our planner chose for it (planGgufTypes), the type our reader sees, and where its floats
start in the dump; plus every metadata key/value as our reader parses it.

For each file, with gguf.GGUFReader (no code of ours):
  * the metadata we intend, derived here from the model's config.json, its tokenizer.model read
    by the `sentencepiece` library, and gguf.LlamaFileType for general.file_type;
  * every metadata key our reader sees has the same value in GGUFReader, and no key is missing;
  * the tensors are the planned ones, in the planned ggml type, with the planned shape;
  * gguf.quants.dequantize of every tensor equals our dequantization bit for bit.
RESULT.json holds the counts and every mismatch; the C++ test asserts on them.
"""
import json
import sys
import time

import numpy as np


def as_float32(x):
    return float(np.float32(x))


def field_value(field):
    return field.contents()


def same_value(ours, theirs):
    """Our reader's JSON value against GGUFReader's, float32-exact for floats."""
    if isinstance(ours, list) or isinstance(theirs, list):
        if not isinstance(ours, list) or not isinstance(theirs, list) or len(ours) != len(theirs):
            return False
        return all(same_value(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return bool(ours) == bool(theirs) and type(ours) is type(theirs)
    if isinstance(ours, float) or isinstance(theirs, float):
        try:
            return np.float32(ours).tobytes() == np.float32(theirs).tobytes() or float(ours) == float(theirs)
        except (TypeError, ValueError):
            return False
    return ours == theirs


def intended_metadata(model_folder, file_type):
    """The metadata every GGUF of this model should carry, from config.json and tokenizer.model."""
    import gguf
    import sentencepiece as spm

    with open(f"{model_folder}/config.json") as f:
        cfg = json.load(f)
    heads = cfg["num_attention_heads"]
    want = {
        "general.architecture": "llama",
        "general.file_type": int(gguf.LlamaFileType["ALL_F32" if file_type == "f32" else "MOSTLY_" + file_type.upper()]),
        "llama.context_length": cfg["max_position_embeddings"],
        "llama.embedding_length": cfg["hidden_size"],
        "llama.feed_forward_length": cfg["intermediate_size"],
        "llama.block_count": cfg["num_hidden_layers"],
        "llama.attention.head_count": heads,
        "llama.attention.head_count_kv": cfg.get("num_key_value_heads", heads),
        "llama.rope.dimension_count": cfg.get("head_dim", cfg["hidden_size"] // heads),
        "llama.rope.freq_base": as_float32(cfg.get("rope_theta", 10000.0)),
        "llama.attention.layer_norm_rms_epsilon": as_float32(cfg["rms_norm_eps"]),
        "tokenizer.ggml.model": "llama",
    }
    sp = spm.SentencePieceProcessor(model_file=f"{model_folder}/tokenizer.model")
    n = sp.get_piece_size()

    def token_type(i):  # llama.cpp's LLAMA_TOKEN_TYPE_*: normal 1, unknown 2, control 3, user 4, unused 5, byte 6
        if sp.is_unknown(i):
            return 2
        if sp.is_control(i):
            return 3
        if sp.is_unused(i):
            return 5
        if sp.is_byte(i):
            return 6
        return 1

    want["tokenizer.ggml.tokens"] = [sp.id_to_piece(i) for i in range(n)]
    want["tokenizer.ggml.scores"] = [as_float32(sp.get_score(i)) for i in range(n)]
    want["tokenizer.ggml.token_type"] = [token_type(i) for i in range(n)]
    want["tokenizer.ggml.bos_token_id"] = sp.bos_id()
    want["tokenizer.ggml.eos_token_id"] = sp.eos_id()
    want["tokenizer.ggml.unknown_token_id"] = sp.unk_id()
    return want


def short(v):
    s = json.dumps(v)
    return s if len(s) <= 120 else s[:117] + "..."


def check_file(entry, model_folder):
    import gguf
    from gguf.quants import dequantize

    res = {"path": entry["path"], "file_type": entry["file_type"], "problems": []}
    problems = res["problems"]
    reader = gguf.GGUFReader(entry["path"])
    fields = {k: f for k, f in reader.fields.items() if not k.startswith("GGUF.")}

    # 1. What we intend, from the model's own files.
    want = intended_metadata(model_folder, entry["file_type"])
    for key, value in want.items():
        if key not in fields:
            problems.append(f"metadata {key}: missing (want {short(value)})")
        elif not same_value(value, field_value(fields[key])):
            problems.append(f"metadata {key}: gguf reads {short(field_value(fields[key]))}, want {short(value)}")
    res["intended_keys_checked"] = len(want)

    # 2. Our reader and gguf's agree on every key.
    ours = entry["metadata"]
    for key in sorted(set(ours) | set(fields)):
        if key not in fields:
            problems.append(f"metadata {key}: our reader sees it, gguf does not")
        elif key not in ours:
            problems.append(f"metadata {key}: gguf sees it, our reader does not")
        elif not same_value(ours[key], field_value(fields[key])):
            problems.append(f"metadata {key}: ours {short(ours[key])}, gguf {short(field_value(fields[key]))}")
    res["keys_compared"] = len(set(ours) | set(fields))

    # 3. Tensors: names, order, shapes and types as planned; 4. dequantization bit for bit.
    planned = entry["tensors"]
    theirs = reader.tensors
    if [t["name"] for t in planned] != [t.name for t in theirs]:
        problems.append(f"tensor names differ: ours {[t['name'] for t in planned][:6]}..., gguf {[t.name for t in theirs][:6]}...")
    dump = np.fromfile(entry["dump"], dtype="<f4")
    by_name = {t.name: t for t in theirs}
    res["types"] = {}
    res["tensors"] = 0
    res["elements"] = 0
    res["bit_identical_tensors"] = 0
    res["max_abs_diff"] = 0.0
    res["dequant_seconds"] = 0.0
    for p in planned:
        t = by_name.get(p["name"])
        if t is None:
            problems.append(f"tensor {p['name']}: not in gguf's list")
            continue
        res["tensors"] += 1
        type_name = t.tensor_type.name
        res["types"][type_name] = res["types"].get(type_name, 0) + 1
        if type_name != p["planned_type"] or type_name != p["our_type"]:
            problems.append(f"tensor {p['name']}: gguf type {type_name}, planned {p['planned_type']}, our reader {p['our_type']}")
        if [int(x) for x in t.shape] != p["ne"]:
            problems.append(f"tensor {p['name']}: gguf shape {[int(x) for x in t.shape]}, ours {p['ne']}")
        t0 = time.time()
        theirs_f = np.ascontiguousarray(dequantize(t.data, t.tensor_type), dtype=np.float32).reshape(-1)
        res["dequant_seconds"] += time.time() - t0
        ours_f = dump[p["offset"]:p["offset"] + p["numel"]]
        res["elements"] += int(theirs_f.size)
        if theirs_f.size != p["numel"] or ours_f.size != p["numel"]:
            problems.append(f"tensor {p['name']}: gguf dequantizes {theirs_f.size} values, ours {ours_f.size}, numel {p['numel']}")
            continue
        if np.array_equal(theirs_f.view(np.uint32), ours_f.view(np.uint32)):
            res["bit_identical_tensors"] += 1
        else:
            diff = np.abs(theirs_f.astype(np.float64) - ours_f.astype(np.float64))
            bad = int(np.count_nonzero(theirs_f.view(np.uint32) != ours_f.view(np.uint32)))
            first = int(np.argmax(theirs_f.view(np.uint32) != ours_f.view(np.uint32)))
            res["max_abs_diff"] = max(res["max_abs_diff"], float(np.nanmax(diff)))
            problems.append(f"tensor {p['name']} ({type_name}): {bad} of {theirs_f.size} values differ in bits, max |diff| "
                            f"{float(np.nanmax(diff)):.3g}; first at {first}: gguf {theirs_f[first]!r}, ours {ours_f[first]!r}")
    return res


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gguf_check.py MANIFEST.json RESULT.json")
    from importlib.metadata import version

    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    out = {"gguf": version("gguf"), "numpy": version("numpy"), "files": []}
    for entry in manifest["files"]:
        t0 = time.time()
        r = check_file(entry, manifest["model_folder"])
        r["seconds"] = round(time.time() - t0, 2)
        out["files"].append(r)
        print(f"{entry['file_type']:>7}: {r['tensors']} tensors {r['types']}, {r['bit_identical_tensors']} dequantized bit-identical, "
              f"{r['elements']} values, {r['keys_compared']} keys compared, {len(r['problems'])} problems, {r['seconds']} s", flush=True)
        for p in r["problems"][:10]:
            print("   ", p, flush=True)
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
