#!/usr/bin/env bash
# Runs the GUI under xvfb-run at 1280x800, opens the stories260K model (or no model when the shared
# data is absent), saves a screenshot and checks it is a real, non-blank PNG.
# usage: screenshot.sh PATH/TO/signround-studio OUT_DIR
set -euo pipefail
app=$1
out=$2
mkdir -p "$out"
model="${SRS_SHARED_DATA:-$(dirname "$0")/../../../shared/data}/models/stories260K-hf"
png="$out/model-page.png"
rm -f "$png"
args=()
[ -d "$model" ] && args+=("$model")
xvfb-run -a -s "-screen 0 1280x800x24" "$app" "${args[@]}" --screenshot "$png"
[ -s "$png" ] || { echo "no screenshot written to $png" >&2; exit 1; }
head -c 8 "$png" | od -An -tx1 | grep -q "89 50 4e 47" || { echo "$png is not a PNG" >&2; exit 1; }
size=$(stat -c %s "$png")
# A blank 1280x800 window compresses to a few KB; a rendered page with text and a table is far larger.
[ "$size" -gt 20000 ] || { echo "$png is only $size bytes: the window looks blank" >&2; exit 1; }
echo "screenshot: $png ($size bytes)"
