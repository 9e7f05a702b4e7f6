#!/usr/bin/env bash
# Head to head with auto-round (pinned in tests/interop/pyenv/requirements.txt: 0.16.1) on this
# machine: the same model, calibration token ids, scheme, iterations, samples, sequence length,
# batch size and seed, each tool with all of this machine's threads, one after the other
# (tools/bench/vs_autoround.py does one row). Prints one table: wall time, peak RSS and their
# ratios, and the perplexity of the original and of both exports on the same 300 windows of 256
# tokens of a held-out text, scored by our eval and by transformers (each export in the other
# tool's reader too).
#
#   usage: tools/bench/vs_autoround.sh [BUILD_DIR]     (default build; signround must be built)
#   SRS_SHARED_DATA (default ../shared/data), SRS_BENCH_WORK (default /tmp/srs-vs-autoround),
#   SRS_BENCH_ROWS="W4G32 W2G32"
#
# Rows: tinystories-llama-5M-hf W4G32 and W2G32, at AutoRound's defaults (200 iterations,
# batch 8) with 128 samples of 256 tokens (the model's context). The venv is the interop tests'
# (<build>/interop-venv, made by tests/interop/pyenv/setup.sh: PyPI once, then reused).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
data=$(realpath -m "${SRS_SHARED_DATA:-$root/../shared/data}")
work=${SRS_BENCH_WORK:-/tmp/srs-vs-autoround}
venv="$build/interop-venv"
signround="$build/app/signround"
[ -x "$signround" ] || { echo "no $signround: build first (installer/studio.sh test, or cmake --build)" >&2; exit 1; }
app_site=$("$root/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
bash "$root/tests/interop/pyenv/setup.sh" "$venv" "$root/tests/interop/pyenv/requirements.txt" "$app_site"
py="$venv/bin/python"
model="$data/models/tinystories-llama-5M-hf"
calib="$data/text/tinystories/TinyStories-train.first2MiB.txt"
heldout="$data/text/tinystories/TinyStories-validation.head.txt"
mkdir -p "$work"
rows="$work/rows.jsonl"
: > "$rows"
for scheme in ${SRS_BENCH_ROWS:-W4G32 W2G32}; do
  bits=${scheme#W}; bits=${bits%G*}; group=${scheme#*G}
  echo "== tinystories-llama-5M-hf $scheme: auto-round, then signround ($(nproc) threads each)" >&2
  "$py" "$root/tools/bench/vs_autoround.py" --signround "$signround" --model "$model" --calib "$calib" --eval_text "$heldout" \
    --bits "$bits" --group_size "$group" --iters 200 --nsamples 128 --seqlen 256 --batch_size 8 --seed 42 \
    --work "$work/5M-$scheme" >> "$rows"
done
"$py" - "$rows" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def f(x, fmt="{:.4f}"):
    return fmt.format(x) if isinstance(x, (int, float)) and x is not None else "refused"
print("| model, scheme | tool | wall s | peak RSS MiB | PPL (our eval) | PPL (transformers) |")
print("|---|---|---:|---:|---:|---:|")
for r in rows:
    name = f"{r['model']} {r['scheme']}"
    o = r["original"]
    print(f"| {name} | original | | | {f(o['ppl_signround_eval'])} | {f(o['ppl_transformers'])} |")
    for who in ("autoround", "signround"):
        t = r[who]
        print(f"| {name} | {who} | {t['wall_s']:.1f} | {t['peak_rss_bytes'] / 2**20:.0f} | {f(t['ppl_signround_eval'])} | {f(t['ppl_transformers'])} |")
    a, s = r["autoround"], r["signround"]
    ppl_ratio = s["ppl_signround_eval"] / a["ppl_signround_eval"] if a["ppl_signround_eval"] and s["ppl_signround_eval"] else float("nan")
    print(f"| {name} | ratio ours / auto-round | {s['wall_s'] / a['wall_s']:.2f} | {s['peak_rss_bytes'] / a['peak_rss_bytes']:.2f} | {ppl_ratio:.4f} | |")
for r in rows:
    for who in ("original", "autoround", "signround"):
        for k in ("signround_eval_error", "transformers_error"):
            if r[who].get(k):
                print(f"{r['model']} {r['scheme']} {who}: {k.split('_')[0]} reader: {r[who][k]}")
print(f"settings: iters {rows[0]['iters']}, nsamples {rows[0]['nsamples']}, seqlen {rows[0]['seqlen']}, batch {rows[0]['batch_size']}, "
      f"seed {rows[0]['seed']}, {rows[0]['threads']} threads; PPL on 300 windows of 256 tokens of TinyStories-validation.head.txt")
PY
