#!/usr/bin/env bash
# Runs the GUI under xvfb-run at 1280x800 and saves screenshots: the Model page with stories260K
# open, the Configure page's AutoScheme tab after scoring, the Hub page with search results from
# the fake hub, then every page (Model, Configure, Run, Results, Export, Compare) after two short real
# quantization runs with a perplexity evaluation and a side-by-side generation (when the shared data
# is there), then the Configure
# page in Simplified Chinese and the Results page in the Dark theme. Checks each is a real,
# non-blank PNG, and that the app exits non-zero (2) whenever it reported an error. The app's
# settings and run history go to a throw-away XDG home.
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
xdg=$(mktemp -d)
trap 'rm -rf "$xdg"' EXIT
export XDG_DATA_HOME="$xdg/data" XDG_CONFIG_HOME="$xdg/config" XDG_DOCUMENTS_DIR="$xdg/documents" XDG_CACHE_HOME="$xdg/cache"
# A start without a model: the welcome view (first, so its recent list is still empty).
xvfb --screenshot "$out/welcome.png"
check "$out/welcome.png"
if [ -d "$model" ]; then
  xvfb "$model" --screenshot "$out/model-page.png"
  check "$out/model-page.png"
  # The Configure page's AutoScheme tab after scoring the layers for 3 bits per weight.
  xvfb "$model" --dataset "$calib" --page configure --autoscheme 3.0 --screenshot "$out/configure-autoscheme.png"
  check "$out/configure-autoscheme.png"
  run_dir=$(mktemp -d)
  head -c 6000 "$data/text/tinystories/TinyStories-validation.head.txt" > "$run_dir/eval.txt"
  # Two short runs (W2G32, then W4G32) so the Results page's scatter has a trade-off to show.
  quick=(--dataset "$calib" --output_dir "$run_dir/out" --iters 20 --nsamples 16 --seqlen 128 --group_size 32 --eval_text "$run_dir/eval.txt" --autostart)
  xvfb "$model" "${quick[@]}" --bits 2 --screenshot "$run_dir/w2.png"
  # The second run also compares the original with its exports on the Compare page before the shots.
  xvfb "$model" "${quick[@]}" --bits 4 --compare "Once upon a time" --screenshot_dir "$out"
  rm -rf "$run_dir"
  for page in model configure run results export compare; do check "$out/$page-page.png"; done
  check "$out/configure-autoscheme.png"
  # The Configure page in Simplified Chinese, and the Results page (from the run history) in Dark.
  xvfb "$model" --language zh_CN --page configure --screenshot "$out/configure-page-zh_CN.png"
  check "$out/configure-page-zh_CN.png"
  xvfb "$model" --theme dark --page results --screenshot "$out/results-page-dark.png"
  check "$out/results-page-dark.png"
else
  xvfb --page model --screenshot "$out/model-page.png"
  check "$out/model-page.png"
fi

# The Hub page with search results, against tests/hub/fakehub.py (a loopback fake Hub serving
# stories260K, when present, and 23 synthetic models); the HF cache is a throw-away folder.
fakehub=$(dirname "$0")/../hub/fakehub.py
repo_args=()
[ -d "$model" ] && repo_args=(--repo "tiny/stories260K=$model")
coproc FAKEHUB { exec python3 "$fakehub" --watch-stdin "${repo_args[@]}"; }
read -r -t 20 port <&"${FAKEHUB[0]}" || { echo "fakehub.py did not start" >&2; exit 1; }
HF_ENDPOINT="http://127.0.0.1:$port" HF_HOME="$xdg/hf" HF_TOKEN= xvfb --hub_search tiny --screenshot "$out/hub-page.png"
eval "exec ${FAKEHUB[1]}>&-"
check "$out/hub-page.png"

# A screenshot run exits non-zero when the app reports an error (here: a path that is no model),
# so none of the runs above could have passed while the app failed to open the model or to run.
mkdir -p "$xdg/not-a-model"
if xvfb "$xdg/not-a-model" --screenshot "$xdg/error.png" 2>"$xdg/error.log"; then
  echo "signround-studio exited 0 although it could not open $xdg/not-a-model" >&2
  exit 1
fi
grep -q "the app reported an error" "$xdg/error.log" || { echo "no error reported for a folder that is no model:" >&2; cat "$xdg/error.log" >&2; exit 1; }
echo "error run: exit status non-zero, as it should be"
