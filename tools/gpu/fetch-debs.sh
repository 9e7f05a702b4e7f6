#!/usr/bin/env bash
# tools/gpu/fetch-debs.sh: run HERE (Debian 12, with network) before a GPU session. One command
# prepares everything tools/gpu/check.sh needs on the GPU machine (Ubuntu 24.04, no network):
#   .gpu-debs/  the Debian 12 packages the headless CUDA build and its Qt Core/Test tests need and
#               that machine lacks (Qt 6 Core/Test + tools, ICU 72, oneDNN 2.x, SentencePiece,
#               Gloo headers, curl and OpenSSL headers, pkgconf); check.sh unpacks them with
#               `dpkg -x` into a prefix under /tmp. libicu-dev, libssl-dev and libcurl4-openssl-dev are repacked without
#               their static libraries and docs (about 11 MB less; nothing here links them statically).
#   .gpu-data/  the 5M TinyStories model, the calibration text and the head of the held-out text.
# Both folders are git-ignored: a device call must name them in `carry` (.gpu-debs, .gpu-data).
# Idempotent: downloads go to a cache (SRS_GPU_DEB_CACHE, default /tmp/srs-gpu-deb-cache) and are
# reused; files already in place are kept. The carried tree must stay under 64 MiB in all.
# usage: tools/gpu/fetch-debs.sh            (SRS_SHARED_DATA=... to take the data from elsewhere)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
debs="$root/.gpu-debs"
data="$root/.gpu-data"
cache="${SRS_GPU_DEB_CACHE:-/tmp/srs-gpu-deb-cache}"
shared="${SRS_SHARED_DATA:-$root/../shared/data}"

# What the GPU machine lacks for: Qt6 Core + Test (their CMake configs insist on moc and qmake6 being
# there; libQt6Core needs ICU 72, double-conversion, libb2, PCRE2-16 and GLib, absent on that image),
# ICU 72 headers and libraries (core/tokenizer), oneDNN 2.x (kernels; Debian's is built with the
# OpenCL runtime, so libOpenCL.so.1 too), SentencePiece + its protobuf-lite, Gloo's headers (core/dist),
# curl's and OpenSSL's headers (the machine's own libcurl.so.4 and libcrypto.so.3 are linked),
# and pkgconf (FindPkgConfig; used only where the machine has no pkg-config).
packages=(
  libqt6core6 libqt6test6 qt6-base-dev qt6-base-dev-tools qmake6 qmake6-bin
  libdouble-conversion3 libb2-1 libpcre2-16-0 libglib2.0-0
  libicu72 libicu-dev
  libdnnl2 libdnnl-dev ocl-icd-libopencl1
  libsentencepiece0 libsentencepiece-dev libprotobuf-lite32
  libgloo-dev
  libcurl4-openssl-dev libssl-dev
  pkgconf-bin libpkgconf3
)
# Repacked without static libraries, docs and man pages (nothing here links them statically).
prune=(libicu-dev libssl-dev libcurl4-openssl-dev)

mkdir -p "$cache" "$debs" "$data"

echo "== packages -> $debs (download cache $cache)"
wanted=()
for p in "${packages[@]}"; do
  f=$(find "$cache" -maxdepth 1 -name "${p}_*.deb" | sort | tail -n 1)
  if [ -z "$f" ]; then
    (cd "$cache" && apt-get -o APT::Sandbox::User=root download "$p" >/dev/null)
    f=$(find "$cache" -maxdepth 1 -name "${p}_*.deb" | sort | tail -n 1)
  fi
  [ -n "$f" ] || { echo "apt-get download $p gave no file" >&2; exit 1; }
  name=$(basename "$f")
  wanted+=("$name")
  out="$debs/$name"
  [ -s "$out" ] && continue
  if [[ " ${prune[*]} " == *" $p "* ]]; then
    tmp=$(mktemp -d)
    dpkg-deb -R "$f" "$tmp/pkg"
    find "$tmp/pkg" -name '*.a' -delete
    rm -rf "$tmp/pkg/usr/share/doc" "$tmp/pkg/usr/share/man" "$tmp/pkg/DEBIAN/md5sums"
    dpkg-deb --root-owner-group -Zxz -b "$tmp/pkg" "$out.part" >/dev/null
    mv "$out.part" "$out"
    rm -rf "$tmp"
    echo "  $name (pruned: $(du -h "$f" | cut -f1) -> $(du -h "$out" | cut -f1))"
  else
    cp "$f" "$out.part" && mv "$out.part" "$out"
    echo "  $name"
  fi
done
# Drop what this list no longer names (older versions, removed packages).
for f in "$debs"/*; do
  [ -e "$f" ] || continue
  b=$(basename "$f")
  [[ " ${wanted[*]} " == *" $b "* ]] || { rm -f "$f"; echo "  removed stale $b"; }
done

echo "== data -> $data (from $shared)"
[ -d "$shared/models/tinystories-llama-5M-hf" ] || { echo "no $shared/models/tinystories-llama-5M-hf (set SRS_SHARED_DATA)" >&2; exit 1; }
for m in tinystories-llama-5M-hf stories260K; do  # stories260K: integration_cli_cuda's quick runs
  mkdir -p "$data/$m"
  for f in "$shared/models/$m"/*; do
    t="$data/$m/$(basename "$f")"
    cmp -s "$f" "$t" 2>/dev/null || { cp "$f" "$t.part" && chmod u+w "$t.part" && mv "$t.part" "$t"; }
  done
done
# Calibration: the first 2 MiB of TinyStories' training text (enough for 128 samples of 2048 tokens
# of the 512-piece tokenizer, about 2 bytes a token). Eval: the first 128 KiB of the validation
# text, cut at a line end (about 64 k tokens: the CPU evaluation stays within seconds).
calib="$shared/text/tinystories/TinyStories-train.first2MiB.txt"
evalsrc="$shared/text/tinystories/TinyStories-validation.head.txt"
cmp -s "$calib" "$data/calib.txt" 2>/dev/null || { cp "$calib" "$data/calib.txt.part" && chmod u+w "$data/calib.txt.part" && mv "$data/calib.txt.part" "$data/calib.txt"; }
head -c 131072 "$evalsrc" | sed '$d' > "$data/eval.txt.part"
if cmp -s "$data/eval.txt.part" "$data/eval.txt"; then rm -f "$data/eval.txt.part"; else mv "$data/eval.txt.part" "$data/eval.txt"; fi
cat > "$data/README.txt" <<EOF
Filled by tools/gpu/fetch-debs.sh from shared/data (see its PROVENANCE.md):
  tinystories-llama-5M-hf/  models/tinystories-llama-5M-hf (copied as is)
  stories260K/              models/stories260K (copied as is)
  calib.txt                 text/tinystories/TinyStories-train.first2MiB.txt (as is)
  eval.txt                  text/tinystories/TinyStories-validation.head.txt, first 128 KiB cut at a line end
EOF

echo "== sizes (the carried tree must stay under 64 MiB in all)"
du -sh "$debs" "$data"
tree_bytes=$(cd "$root" && git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null | tail -n 1 | cut -f1)
extra=$(du -sb "$debs" "$data" | awk '{s += $1} END {print s}')
total=$(( tree_bytes + extra ))
printf 'tree %.1f MiB + .gpu-debs + .gpu-data = %.1f MiB in all\n' "$(echo "$tree_bytes/1048576" | bc -l)" "$(echo "$total/1048576" | bc -l)"
if [ "$total" -ge $((64 * 1048576)) ]; then echo "TOO BIG for one device call (64 MiB)" >&2; exit 1; fi
