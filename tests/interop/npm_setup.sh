#!/usr/bin/env bash
# Installs the npm packages the interop tests run against into a folder of the build tree.
# usage: npm_setup.sh DIR PACKAGE@VERSION...   Quiet and quick when DIR already has them all.
set -euo pipefail
dir="$1"; shift
stamp="$dir/.installed"
want="$*"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "interop: npm packages already in $dir"
  exit 0
fi
command -v npm >/dev/null || { echo "interop: npm is not installed (installer/install-deps.sh installs nodejs and npm)" >&2; exit 1; }
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name":"srs-interop","private":true}' >"$dir/package.json"
# --ignore-scripts: node-llama-cpp's postinstall would try to download or build llama.cpp; its
# prebuilt binaries come as ordinary optional dependencies (@node-llama-cpp/linux-x64).
if ! npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --loglevel=error "$@"; then
  echo "interop: npm install of $want failed; the interop tests need the npm registry" >&2
  exit 1
fi
echo "$want" >"$stamp"
echo "interop: installed $want into $dir"
