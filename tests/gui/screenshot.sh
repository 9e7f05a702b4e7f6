#!/usr/bin/env bash
# Runs the GUI under xvfb-run at 1280x800 and saves screenshots: the Model page with stories260K
# open, the Configure page, and the Run page after a short real quantization run (when the shared
# data is there). Checks each is a real, non-blank PNG.
# usage: screenshot.sh PATH/TO/signround-studio OUT_DIR
set -euo pipefail
app=$1
out=$2
mkdir -p "$out"
data=$(realpath -m "${SRS_SHARED_DATA:-$(dirname "$0")/../../../shared/data}")
model="$data/models/stories260K-hf"
calib="$data/text/tinystories/TinyStories-train.first2MiB.txt"
xvfb() { xvfb-run -a -s "-screen 0 1280x800x24" "$app" "$@"; }

check() {
  local png=$1
  [ -s "$png" ] || { echo "no screenshot written to $png" >&2; exit 1; }
  head -c 8 "$png" | od -An -tx1 | grep -q "89 50 4e 47" || { echo "$png is not a PNG" >&2; exit 1; }
  local size
  size=$(stat -c %s "$png")
  # A blank 1280x800 window compresses to a few KB; a rendered page with text is far larger.
  [ "$size" -gt 20000 ] || { echo "$png is only $size bytes: the window looks blank" >&2; exit 1; }
  echo "screenshot: $png ($size bytes)"
}

rm -f "$out"/*.png
if [ -d "$model" ]; then
  xvfb "$model" --screenshot "$out/model-page.png"
  check "$out/model-page.png"
  xvfb "$model" --dataset "$calib" --page configure --screenshot "$out/configure-page.png"
  check "$out/configure-page.png"
  run_dir=$(mktemp -d)
  xvfb "$model" --dataset "$calib" --output_dir "$run_dir" --iters 40 --autostart --screenshot "$out/run-page.png"
  rm -rf "$run_dir"
  check "$out/run-page.png"
else
  xvfb --screenshot "$out/model-page.png"
  check "$out/model-page.png"
fi
