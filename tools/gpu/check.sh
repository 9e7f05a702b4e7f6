#!/usr/bin/env bash
# tools/gpu/check.sh: the whole GPU check in one go, run at the repository root ON the GPU machine
# (Ubuntu 24.04, CUDA 13, python3 with torch 2.11+cu130, 16 cores, no network, as root).
# Needs .gpu-debs/ and .gpu-data/, filled here beforehand by tools/gpu/fetch-debs.sh (both are
# git-ignored: the device call must carry them). It
#   1. unpacks .gpu-debs/*.deb with `dpkg -x` into a prefix under /tmp (never into /),
#   2. configures a headless CUDA build (-DSRS_WITH_GUI=OFF -DSRS_WITH_CUDA=ON, sm_90) against the
#      python3's torch wheel, Qt6 Core/Test, ICU, oneDNN, SentencePiece, Gloo from the prefix, and
#      the machine's own libcurl.so.4 / libcrypto.so.3 with Debian's headers,
#   3. builds `signround` and the tests labelled gpu (target srs_gpu_tests), timed,
#   4. runs ctest -L gpu, `signround devices`, `bench tune --device cuda` at the Qwen3-0.6B and
#      Llama-3-8B block shapes, a W4G32 quantization of the 5M model on cuda and on cpu (same seed;
#      perplexities must agree within 0.5 %), and a default-recipe W4G128 quantization of a
#      synthetic 28-layer Qwen3-0.6B-shaped model, sampling nvidia-smi for the peak VRAM,
#   5. prints one table (also written to $LOGS/summary.txt).
# Every step has a time limit and the whole run a budget (default 470 s, under 8 minutes); a
# failing step is recorded and the next one runs. Logs go to $OUT/gpu-check if OUT is set, else
# /tmp/gpu-check.
# Environment knobs:
#   SRS_GPU_BUDGET_S=470         total seconds for everything
#   SRS_GPU_CHECK_SKIP_RUN=1     unpack, configure and build only (the rehearsal on a machine without GPU)
#   SRS_GPU_TARGETS="signround srs_gpu_tests"   what step 3 builds
#   SRS_GPU_PREFIX=/tmp/srs-gpu-prefix  SRS_GPU_BUILD=/tmp/srs-gpu-build  SRS_GPU_JOBS=$(nproc)
#   SRS_GPU_ARCH=9.0             TORCH_CUDA_ARCH_LIST (CMAKE_CUDA_ARCHITECTURES = the same without the dot)
#   SRS_GPU_PYTHON=python3       the Python whose torch gives LibTorch (SRS_TORCH_PYTHON)
#   SRS_GPU_BUILD_WRAPPER=""     command put before the build (e.g. "flock /tmp/srs-build.lock")
#   SRS_GPU_SYNTH_ARGS=""        extra flags for the synthetic model's quantize (e.g. "--iters 50")
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
T0=$(date +%s)
BUDGET=${SRS_GPU_BUDGET_S:-470}
P=${SRS_GPU_PREFIX:-/tmp/srs-gpu-prefix}
B=${SRS_GPU_BUILD:-/tmp/srs-gpu-build}
JOBS=${SRS_GPU_JOBS:-$(nproc)}
ARCH=${SRS_GPU_ARCH:-9.0}
TARGETS=${SRS_GPU_TARGETS:-signround srs_gpu_tests}
LOGS=${OUT:+$OUT/gpu-check}
LOGS=${LOGS:-/tmp/gpu-check}
DATA="$repo/.gpu-data"
MODEL5M="$DATA/tinystories-llama-5M-hf"
LIBDIR="$P/usr/lib/x86_64-linux-gnu"
SYSLIB=/usr/lib/x86_64-linux-gnu
mkdir -p "$LOGS"
RESULTS="$LOGS/results.tsv"   # step <tab> status <tab> seconds <tab> note
: > "$RESULTS"

remaining() { echo $(( BUDGET - ($(date +%s) - T0) )); }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >> "$RESULTS"; }
# step NAME CAP_SECONDS COMMAND...: runs under `timeout min(CAP, budget left)`, log in $LOGS/NAME.log.
step() {
  local name=$1 cap=$2; shift 2
  local left; left=$(remaining)
  if [ "$left" -lt 5 ]; then record "$name" "skipped(budget)" 0; echo "-- $name: skipped, budget spent"; return 124; fi
  [ "$cap" -gt "$left" ] && cap=$left
  echo "-- $name (limit ${cap}s)"
  local s rc; s=$(date +%s.%N)
  if declare -F "$1" >/dev/null; then  # a function of this script (exported): run it in a child bash
    timeout --kill-after=10 "$cap" bash -c '"$@"' _ "$@" > "$LOGS/$name.log" 2>&1
  else
    timeout --kill-after=10 "$cap" "$@" > "$LOGS/$name.log" 2>&1
  fi
  rc=$?
  local secs; secs=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$s" "$(date +%s.%N)")
  local st=ok; [ $rc -eq 0 ] || st="FAIL(rc=$rc)"; [ $rc -eq 124 ] && st="TIMEOUT(${cap}s)"
  record "$name" "$st" "$secs"
  echo "   $st in ${secs}s"
  return $rc
}
# VRAM sampler: nvidia-smi every 0.5 s into $LOGS/NAME.vram while a step runs.
vram_start() {
  command -v nvidia-smi >/dev/null || return 0
  ( while :; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null | sort -n | tail -n 1; sleep 0.5; done ) > "$LOGS/$1.vram" &
  VRAM_PID=$!
}
vram_stop() { [ -n "${VRAM_PID:-}" ] && kill "$VRAM_PID" 2>/dev/null; wait "$VRAM_PID" 2>/dev/null; VRAM_PID=; }

# ---- 1. the prefix -------------------------------------------------------------------------------
unpack() {
  local stamp="$P/.srs-debs" want
  want=$(find "$repo/.gpu-debs" -maxdepth 1 -name '*.deb' -printf '%f %s %T@\n' | sort)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo "prefix $P is current"; return 0; fi
  case "$P" in /|/usr|/usr/*) echo "refusing to unpack into $P"; return 1 ;; esac
  rm -rf "$P" && mkdir -p "$P" || return 1
  for d in "$repo"/.gpu-debs/*.deb; do
    if command -v dpkg >/dev/null; then dpkg -x "$d" "$P" || return 1
    else (cd "$P" && ar p "$d" "$(ar t "$d" | grep '^data.tar')" | tar -x --auto-compress -f - ) || return 1; fi
    echo "unpacked $(basename "$d")"
  done
  # Debian keeps OpenSSL's configuration headers in the multiarch folder; FindOpenSSL's include
  # folder is the plain one, so put them beside the others.
  cp -n "$P"/usr/include/x86_64-linux-gnu/openssl/*.h "$P/usr/include/openssl/" || return 1
  echo "$want" > "$stamp"
}
[ -d "$repo/.gpu-debs" ] || { echo "no .gpu-debs/: run tools/gpu/fetch-debs.sh first (and carry .gpu-debs .gpu-data)"; exit 1; }
export -f unpack
export repo P
step unpack 60 unpack

export LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"
[ -d /usr/local/cuda/bin ] && export PATH="/usr/local/cuda/bin:$PATH"
export TORCH_CUDA_ARCH_LIST="$ARCH"
PY=${SRS_GPU_PYTHON:-$(command -v python3)}
PKGCONF=$(command -v pkg-config || echo "$P/usr/bin/pkgconf")
first() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; return; }; done; }
SYSCURL=$(first "$SYSLIB"/libcurl.so.4 "$SYSLIB"/libcurl.so)
SYSCRYPTO=$(first "$SYSLIB"/libcrypto.so.3 "$SYSLIB"/libcrypto.so)
GEN=; command -v ninja >/dev/null && GEN=Ninja
export LIBDIR PY PKGCONF SYSCURL SYSCRYPTO GEN B ARCH

# A shared/data look-alike for the tests (SRS_SHARED_DATA) made of links into .gpu-data.
SHARED=/tmp/srs-gpu-shared
mkdir -p "$SHARED/models" "$SHARED/text/tinystories"
ln -sfn "$MODEL5M" "$SHARED/models/tinystories-llama-5M-hf"
ln -sfn "$DATA/stories260K" "$SHARED/models/stories260K"
ln -sf "$DATA/calib.txt" "$SHARED/text/tinystories/TinyStories-train.first2MiB.txt"
ln -sf "$DATA/eval.txt" "$SHARED/text/tinystories/TinyStories-validation.head.txt"

# ---- 2. configure --------------------------------------------------------------------------------
configure() {
  local torch_prefix
  torch_prefix=$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)') || return 1
  echo "torch cmake prefix: $torch_prefix; curl $SYSCURL; crypto $SYSCRYPTO; pkg-config $PKGCONF"
  cmake -S "$repo" -B "$B" ${GEN:+-G "$GEN"} -DCMAKE_BUILD_TYPE=Release \
    -DSRS_WITH_GUI=OFF -DSRS_WITH_CUDA=ON -DSRS_BUILD_TESTS=ON \
    -DCMAKE_CUDA_ARCHITECTURES="${ARCH/./}" -DTORCH_CUDA_ARCH_LIST="$ARCH" \
    -DCMAKE_PREFIX_PATH="$LIBDIR/cmake;$P/usr;$torch_prefix" \
    -DSRS_TORCH_PYTHON="$PY" -DSRS_SHARED_DATA="$SHARED" \
    -DPKG_CONFIG_EXECUTABLE="$PKGCONF" \
    -DICU_ROOT="$P/usr" -DICU_INCLUDE_DIR="$P/usr/include" \
    -DICU_UC_LIBRARY_RELEASE="$LIBDIR/libicuuc.so" -DICU_I18N_LIBRARY_RELEASE="$LIBDIR/libicui18n.so" \
    -DCURL_NO_CURL_CMAKE=ON -DCURL_INCLUDE_DIR="$P/usr/include/x86_64-linux-gnu" \
    -DCURL_LIBRARY="$SYSCURL" -DCURL_LIBRARY_RELEASE="$SYSCURL" \
    -DOPENSSL_INCLUDE_DIR="$P/usr/include" -DOPENSSL_CRYPTO_LIBRARY="$SYSCRYPTO" \
    -DSENTENCEPIECE_LIBRARY="$LIBDIR/libsentencepiece.so" -DSENTENCEPIECE_INCLUDE_DIR="$P/usr/include" \
    -DSRS_SENTENCEPIECE_TRAIN_LIBRARY="$LIBDIR/libsentencepiece_train.so" \
    -DCMAKE_DISABLE_FIND_PACKAGE_OpenCL=ON -DDNNL_LIBRARY="$LIBDIR/libdnnl.so" -DDNNL_INCLUDE_DIR="$P/usr/include" \
    -DSRS_DNNL_HEADER_DIR="$P/usr/include" -DSRS_GLOO_INCLUDE_DIR="$P/usr/include" || return 1
  # Where each dependency was taken from (the prefix, the wheel or the system).
  grep -E '^(Qt6_DIR|Qt6Core_DIR|Qt6Test_DIR|Torch_DIR|ICU_INCLUDE_DIR|ICU_UC_LIBRARY_RELEASE|CURL_INCLUDE_DIR|CURL_LIBRARY_RELEASE|OPENSSL_INCLUDE_DIR|OPENSSL_CRYPTO_LIBRARY|SENTENCEPIECE_LIBRARY|DNNL_LIBRARY|SRS_DNNL_HEADER_DIR|SRS_GLOO_INCLUDE_DIR|nlohmann_json_DIR|CMAKE_CUDA_COMPILER):' "$B/CMakeCache.txt"
}
export -f configure
export SHARED
step configure 180 configure
CONF_OK=$?

# ---- 3. build ------------------------------------------------------------------------------------
if [ $CONF_OK -eq 0 ]; then
  # shellcheck disable=SC2086  # TARGETS is a list of names
  # shellcheck disable=SC2086  # SRS_GPU_BUILD_WRAPPER: e.g. "flock /tmp/lock" (empty on the GPU machine)
  step build 420 ${SRS_GPU_BUILD_WRAPPER:-} cmake --build "$B" -j "$JOBS" --target $TARGETS
else
  record build "skipped(configure failed)" 0
fi
SR="$B/app/signround"

if [ "${SRS_GPU_CHECK_SKIP_RUN:-0}" = 1 ]; then
  echo "SRS_GPU_CHECK_SKIP_RUN=1: not running the checks"
else
  # ---- 4. checks ---------------------------------------------------------------------------------
  step ctest_gpu 180 ctest --test-dir "$B" -L gpu --output-on-failure --timeout 170
  step devices 30 "$SR" devices
  step bench_qwen3_0.6b 90 "$SR" bench tune --device cuda --hidden 1024 --intermediate 3072 --heads 16 --kv_heads 8 \
    --head_dim 128 --seqlen 2048 --batch 8
  step bench_llama3_8b 120 "$SR" bench tune --device cuda --hidden 4096 --intermediate 14336 --heads 32 --kv_heads 8 \
    --head_dim 128 --seqlen 2048 --batch 8
  Q5=(quantize --model "$MODEL5M" --dataset "$DATA/calib.txt" --bits 4 --group_size 32 --iters 50 --nsamples 32
      --seqlen 256 --seed 42 --eval_text "$DATA/eval.txt" --eval_window 256 --json)
  rm -rf /tmp/srs-gpu-q5m-cuda /tmp/srs-gpu-q5m-cpu /tmp/srs-gpu-synth-out
  vram_start quant_5m_cuda
  step quant_5m_cuda 150 "$SR" "${Q5[@]}" --device cuda --output_dir /tmp/srs-gpu-q5m-cuda
  vram_stop
  step quant_5m_cpu 180 "$SR" "${Q5[@]}" --device cpu --output_dir /tmp/srs-gpu-q5m-cpu
  step synth_model 90 "$PY" "$repo/tools/gpu/make_synthetic_qwen3.py" --tokenizer_from "$MODEL5M" --out /tmp/srs-gpu-synth
  vram_start quant_synth_cuda
  # shellcheck disable=SC2086  # extra flags
  step quant_synth_cuda 600 "$SR" quantize --model /tmp/srs-gpu-synth --dataset "$DATA/calib.txt" --bits 4 --group_size 128 \
    --device cuda --json --output_dir /tmp/srs-gpu-synth-out ${SRS_GPU_SYNTH_ARGS:-}
  vram_stop
fi

# ---- 5. the table --------------------------------------------------------------------------------
TOTAL=$(( $(date +%s) - T0 ))
python3 - "$LOGS" "$TOTAL" "$BUDGET" <<'PY' | tee "$LOGS/summary.txt"
import json, os, re, sys
logs, total, budget = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = {}
order = []
for line in open(os.path.join(logs, "results.tsv")):
    name, st, secs, note = (line.rstrip("\n").split("\t") + [""])[:4]
    rows[name] = (st, secs)
    order.append(name)
def read(name):
    p = os.path.join(logs, name + ".log")
    return open(p, errors="replace").read() if os.path.exists(p) else ""
out = []
def row(what, value, note=""):
    out.append((what, value, note))
for n in order:
    st, secs = rows[n]
    if n in ("unpack", "configure", "build", "synth_model"):
        row(n, f"{st}, {secs} s", "")
# tests
txt = read("ctest_gpu")
for m in re.finditer(r"Test\s+#\d+:\s+(\S+)\s+\.+\s*(\*{3})?(.*?)\s+([\d.]+) sec", txt):
    row("test " + m.group(1), m.group(3).strip(), m.group(4) + " s")
skips = re.findall(r"SKIP\s+:\s+(\S+)\s+(.*)", txt)
for s in skips:
    row("  skip " + s[0], s[1][:70])
if "ctest_gpu" in rows and not re.search(r"Test\s+#", txt):
    row("tests (ctest -L gpu)", rows["ctest_gpu"][0], "no test ran: see ctest_gpu.log")
# devices
d = read("devices")
m = re.search(r"^CUDA:\s*(.*)$", d, re.M)
if "devices" in rows:
    row("signround devices", rows["devices"][0], (m.group(1) if m else "")[:70])
# bench
for n, label in (("bench_qwen3_0.6b", "Qwen3-0.6B block"), ("bench_llama3_8b", "Llama-3-8B block")):
    if n not in rows:
        continue
    b = read(n)
    its = re.findall(r"^\s+(\S+)\s+([\d.]+) ms per iteration", b, re.M)
    val = ", ".join(f"{k} {v} ms/iter" for k, v in its) or rows[n][0]
    row(f"bench tune {label}", val, "" if its else f"{rows[n][0]}: see {n}.log")
    for g in re.findall(r"^.*GB/s.*$", b, re.M)[:4]:
        row("  GB/s", g.strip()[:90])
    mm = re.search(r"^matmul .*GFLOP/s.*$", b, re.M)
    if mm:
        row("  matmul", mm.group(0).strip()[:90])
# quantizations
def finished(name):
    fin = None
    for line in read(name).splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if isinstance(e, dict) and e.get("event") == "finished":
            fin = e
    return fin
def vram(name):
    p = os.path.join(logs, name + ".vram")
    if not os.path.exists(p):
        return None
    v = [int(x) for x in open(p).read().split() if x.isdigit()]
    return (min(v), max(v)) if v else None
def tool_peaks(fin):
    keys = {k: v for k, v in fin.items() if "peak" in k} if fin else {}
    return ", ".join(f"{k} {v / 2**20:.0f} MiB" if isinstance(v, (int, float)) and v > 4096 else f"{k} {v}" for k, v in keys.items())
ppl = {}
for n in ("quant_5m_cuda", "quant_5m_cpu", "quant_synth_cuda"):
    if n not in rows:
        continue
    st, secs = rows[n]
    fin = finished(n)
    note = []
    if fin:
        note.append("state " + str(fin.get("state")))
        for ev in fin.get("evaluations", []):
            if ev.get("model") != "original" and ev.get("ppl") is not None:
                ppl[n] = ev["ppl"]
                note.append(f"PPL {ev['ppl']:.4f}")
            elif ev.get("model") == "original":
                note.append(f"orig PPL {ev.get('ppl', 0):.4f}")
        tp = tool_peaks(fin)
        if tp:
            note.append(tp)
    vr = vram(n)
    if vr:
        note.append(f"VRAM peak {vr[1]} MiB (min {vr[0]} MiB; nvidia-smi every 0.5 s)")
    row(n, f"{st}, wall {secs} s", "; ".join(note))
if "quant_5m_cuda" in ppl and "quant_5m_cpu" in ppl:
    a, c = ppl["quant_5m_cuda"], ppl["quant_5m_cpu"]
    rel = abs(a - c) / c * 100
    row("PPL cuda vs cpu", f"{a:.4f} vs {c:.4f}", f"rel diff {rel:.3f} % -> {'PASS' if rel <= 0.5 else 'FAIL'} (limit 0.5 %)")
elif "quant_5m_cuda" in rows:
    row("PPL cuda vs cpu", "n/a", "a perplexity is missing: see quant_5m_*.log")
row("total wall time", f"{total} s", f"budget {budget} s")
w = max(len(r[0]) for r in out)
v = max(len(r[1]) for r in out)
print("=" * 100)
print(f"GPU check ({logs})")
print("-" * 100)
for a, b, c in out:
    print(f"{a:<{w}}  {b:<{v}}  {c}")
print("=" * 100)
PY
