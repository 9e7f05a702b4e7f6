#!/usr/bin/env bash
# CTest fixture: installs the npm packages an interop test runs against into a folder of the
# build tree.   usage: npm_setup.sh DIR PACKAGE@VERSION...
# Quiet and quick when DIR already holds exactly these packages (a stamp file records them).
# Exit 0: installed or already there. Exit 77 (the fixtures' SKIP_RETURN_CODE): npm/node missing
# or the registry unreachable, so the interop tests skip and say why. Exit 1: the registry
# answers but the install failed, which is a real failure.
set -uo pipefail
dir="${1:?usage: npm_setup.sh DIR PACKAGE@VERSION...}"; shift
want="$*"
stamp="$dir/.installed"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "npm_setup: $want already in $dir"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "npm_setup: SKIP: npm/node not installed (installer/install-deps.sh installs nodejs and npm)"
  exit 77
fi
if ! timeout 40 npm ping --fetch-retries=1 --fetch-timeout=15000 >/dev/null 2>&1; then
  echo "npm_setup: SKIP: the npm registry cannot be reached ($(npm config get registry))"
  exit 77
fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name":"srs-interop","private":true}' >"$dir/package.json"
# --ignore-scripts: node-llama-cpp's postinstall would try to download or build llama.cpp; its
# prebuilt binaries come as ordinary optional dependencies (@node-llama-cpp/linux-x64).
echo "npm_setup: npm install --prefix $dir $want"
if ! timeout 600 npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --loglevel=error "$@"; then
  echo "npm_setup: FAILED: npm install of $want failed although the registry answers" >&2
  exit 1
fi
echo "$want" >"$stamp"
echo "npm_setup: installed $want into $dir"
