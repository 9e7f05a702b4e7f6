#!/usr/bin/env python3
"""Independent check of our packed exports, in Python + numpy only (no code of ours).

usage: unpack_packed.py FOLDER EXPECTED_DIR

For every EXPECTED_DIR/<layer>.f32 (row-major float32 [out, in]): reads FOLDER/config.json's
quantization_config, finds the layer's qweight / qzeros / scales in the safetensors shards (parsed
here from the bytes), unpacks them the way GPTQ / AWQ readers do, dequantizes and compares.
Exit 0 when every layer is equal.
"""
import json
import os
import re
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "BF16": None}


def load_tensor(folder, name):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            shard = json.load(f)["weight_map"][name]
    else:
        shard = "model.safetensors"
    with open(os.path.join(folder, shard), "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        info = header[name]
        begin, end = info["data_offsets"]
        f.seek(8 + n + begin)
        raw = f.read(end - begin)
    return np.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"])


def unpack_gptq_rows(packed, bits):
    """[in*bits/32, out] int32 -> [in, out]: row r*(32/bits)+j in bits [j*bits, (j+1)*bits)."""
    words = packed.astype(np.uint32)
    if bits == 3:
        # 32 values in 3 words: value j at bits [3j, 3j+3) of the 96-bit little-endian triple.
        n_runs = words.shape[0] // 3
        out = np.zeros((n_runs * 32, words.shape[1]), dtype=np.uint32)
        for r in range(n_runs):
            triple = [words[3 * r + k].astype(np.uint64) for k in range(3)]
            big = triple[0] | (triple[1] << np.uint64(32))  # bits 0..63
            for j in range(32):
                bit = 3 * j
                if bit + 3 <= 64:
                    v = (big >> np.uint64(bit)) & np.uint64(7)
                else:  # bits 63..95 live in word 1's top bit and word 2
                    v = np.zeros_like(big)
                    for b in range(3):
                        pos = bit + b
                        w = triple[pos // 32]
                        v |= ((w >> np.uint64(pos % 32)) & np.uint64(1)) << np.uint64(b)
                out[32 * r + j] = v.astype(np.uint32)
        return out
    per = 32 // bits
    mask = np.uint32((1 << bits) - 1)
    out = np.zeros((words.shape[0] * per, words.shape[1]), dtype=np.uint32)
    for j in range(per):
        out[j::per] = (words >> np.uint32(bits * j)) & mask
    return out


def unpack_gptq_cols(packed, bits):
    return unpack_gptq_rows(packed.T.copy(), bits).T


AWQ_ORDER = [0, 4, 1, 5, 2, 6, 3, 7]


def unpack_awq_cols(packed):
    words = packed.astype(np.uint32)
    out = np.zeros((words.shape[0], words.shape[1] * 8), dtype=np.uint32)
    for j in range(8):
        out[:, j::8] = (words >> np.uint32(4 * AWQ_ORDER[j])) & np.uint32(0xF)
    return out


def check_layer(folder, qc, layer, expected_path):
    bits = qc["bits"]
    gs = qc["group_size"]
    overrides = []
    if layer in qc.get("extra_config", {}):
        overrides.append(qc["extra_config"][layer])
    for key, value in qc.get("dynamic", {}).items():  # GPTQModel style: "+:regex" -> scheme
        if key.startswith("+:") and re.search(key[2:], layer):
            overrides.append(value)
    for o in overrides:
        bits = o.get("bits", bits)
        gs = o.get("group_size", gs)
    method = qc["quant_method"]
    packing = qc.get("packing_format", "")
    qweight = load_tensor(folder, layer + ".qweight")
    qzeros = load_tensor(folder, layer + ".qzeros")
    scales = load_tensor(folder, layer + ".scales").astype(np.float32)
    if method == "awq" or packing == "auto_round:auto_awq":
        q = unpack_awq_cols(qweight)
        z = unpack_awq_cols(qzeros).astype(np.int64)
    else:
        q = unpack_gptq_rows(qweight, bits)
        z = unpack_gptq_cols(qzeros, bits).astype(np.int64)
        if method == "gptq" or packing == "auto_round:auto_gptq":
            z = z + 1  # GPTQ v1 stores zero - 1
    n_in = q.shape[0]
    if gs <= 0:
        gs = n_in
    g_idx = np.arange(n_in) // gs
    if method == "gptq":
        stored = load_tensor(folder, layer + ".g_idx")
        if not np.array_equal(stored, g_idx):
            print("g_idx differs from i // group_size")
            return 1
    w = scales[g_idx] * (q.astype(np.int64) - z[g_idx]).astype(np.float32)  # [in, out]
    w = w.T.astype(np.float32)
    expected = np.fromfile(expected_path, dtype=np.float32).reshape(w.shape)
    diff = float(np.max(np.abs(w - expected))) if w.size else 0.0
    if not np.array_equal(w, expected):
        print(f"MISMATCH {layer}: max |diff| = {diff}")
        return 1
    print(f"OK {layer} [{w.shape[0]}x{w.shape[1]}] bits={bits} group={gs} {method}/{packing}: exact")
    return 0


def main():
    folder, expected_dir = sys.argv[1:3]
    with open(os.path.join(folder, "config.json")) as f:
        qc = json.load(f)["quantization_config"]
    files = sorted(f for f in os.listdir(expected_dir) if f.endswith(".f32"))
    if not files:
        print("no expected layers given")
        return 1
    failures = 0
    for name in files:
        failures += check_layer(folder, qc, name[: -len(".f32")], os.path.join(expected_dir, name))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
