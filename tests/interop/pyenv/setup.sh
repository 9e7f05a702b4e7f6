#!/usr/bin/env bash
# CTest fixture interop_pyenv: makes the test-only Python virtual environment the interop tests run
# the reference implementations from (gguf, tokenizers, transformers, auto-round, ...).
#
#   usage: setup.sh VENV_DIR REQUIREMENTS_TXT [APP_SITE_PACKAGES]
#
#   VENV_DIR           where the venv goes (CMake: SRS_INTEROP_VENV = <build>/interop-venv)
#   REQUIREMENTS_TXT   exact pins (tests/interop/pyenv/requirements.txt)
#   APP_SITE_PACKAGES  site-packages of the app's Python (SRS_TORCH_PYTHON, <source>/.venv), which
#                      holds torch. A .pth file in the venv adds it to sys.path, so `import torch`
#                      works and pip counts torch as installed instead of downloading it again
#                      (4+ GB). Without it pip would have to install torch from PyPI.
#
# Quick when nothing changed: a stamp file records the hash of the requirements, the app
# site-packages path and the interpreter; with a matching stamp and a working venv it exits at once.
# Exit 0: ready. Exit 77 (the fixture's SKIP_RETURN_CODE): PyPI cannot be reached, so the tests
# needing the venv skip, saying why. Exit 1: any other failure (PyPI answers but the install or the
# check of the installed packages failed), which is a real failure.
set -uo pipefail

venv="${1:?usage: setup.sh VENV_DIR REQUIREMENTS_TXT [APP_SITE_PACKAGES]}"
req="${2:?usage: setup.sh VENV_DIR REQUIREMENTS_TXT [APP_SITE_PACKAGES]}"
app_site="${3:-}"
base_python=/usr/bin/python3
[ -x "$base_python" ] || base_python="$(command -v python3 || true)"

say() { echo "pyenv_setup: $*"; }
fail() { echo "pyenv_setup: FAILED: $*" >&2; exit 1; }

[ -n "$base_python" ] || fail "no python3 to make the venv with (apt-get install python3 python3-venv)"
[ -f "$req" ] || fail "requirements file $req not found"
if [ -n "$app_site" ] && [ ! -d "$app_site/torch" ]; then
  fail "no torch in the app's site-packages $app_site (SRS_TORCH_PYTHON's venv; installer/studio.sh makes it)"
fi

stamp="$venv/.srs-pyenv-stamp"
want="$( { sha256sum "$req" | cut -d' ' -f1; echo "app_site=$app_site"; "$base_python" -c 'import sys; print(sys.version)'; } )"

# The one import check that says the venv is usable; run after installing and on a stamp match.
check_venv() {
  "$venv/bin/python" - <<'PY'
import importlib, sys
for mod in ("numpy", "gguf", "tokenizers", "transformers", "safetensors", "sentencepiece", "accelerate", "torch", "auto_round"):
    importlib.import_module(mod)
from importlib.metadata import version
from gguf.quants import dequantize  # noqa: F401  (the tests use it)
import torch
print(f"pyenv_setup: python {sys.version.split()[0]}, torch {torch.__version__} ({torch.__file__}), "
      + ", ".join(f"{p} {version(p)}" for p in ("gguf", "tokenizers", "transformers", "auto-round", "numpy")))
PY
}

# On a stamp match only look the packages up (importing torch and transformers takes seconds).
find_packages() {
  "$venv/bin/python" -c 'import importlib.util as u, sys; missing = [m for m in sys.argv[1:] if u.find_spec(m) is None]; sys.exit(", ".join(missing) if missing else 0)' \
    numpy gguf tokenizers transformers safetensors sentencepiece accelerate torch auto_round
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  if find_packages; then
    say "$venv already set up for $(basename "$req") (stamp matches)"
    exit 0
  fi
  say "stamp matches but packages are missing from the venv; setting it up again"
fi

# From here on the venv is not known to be ready: the tests look for the stamp, so a venv left
# half-made (or made for other pins) is never used.
rm -f "$stamp"

# Can PyPI (or the index pip is configured with) be reached? A short, timed request first, so an
# offline machine skips in seconds instead of waiting for pip's retries.
index_url="${PIP_INDEX_URL:-$("$base_python" -m pip config get global.index-url 2>/dev/null || true)}"
[ -n "$index_url" ] || index_url="https://pypi.org/simple"
if ! why="$(timeout 30 "$base_python" - "$index_url" 2>&1 <<'PY'
import ssl, sys, urllib.request
url = sys.argv[1].rstrip("/") + "/pip/"
ctx = ssl.create_default_context(cafile="/etc/ssl/certs/ca-certificates.crt") if __import__("os").path.exists("/etc/ssl/certs/ca-certificates.crt") else None
try:
    with urllib.request.urlopen(url, timeout=20, context=ctx) as r:
        if r.status != 200:
            sys.exit(f"HTTP {r.status} from {url}")
except Exception as e:  # any network error means: unreachable
    sys.exit(f"{type(e).__name__}: {e} ({url})")
PY
)"; then
  echo "pyenv_setup: SKIP: PyPI cannot be reached (${why:-timed out after 30 s: $index_url}); the interop tests that need the venv skip"
  exit 77
fi

t0=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $base_python -m venv"
  "$base_python" -m venv "$venv" || fail "$base_python -m venv $venv failed (apt-get install python3-venv)"
fi
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" || fail "venv python does not run"
pth="$site/srs-app-torch.pth"
if [ -n "$app_site" ]; then
  # A .pth line that is a directory is appended to sys.path (after the venv's own site-packages,
  # so what pip installs here wins over the app venv's copies; the app venv holds torch and its
  # CUDA/sympy/jinja2 dependencies only).
  echo "$app_site" >"$pth"
else
  rm -f "$pth"
  say "no app site-packages given: pip will install torch from PyPI (large download)"
fi
torch_before="$("$venv/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo none)"
say "torch seen by the venv before installing: $torch_before"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
log="$venv/.srs-pip-install.log"
say "pip install -r $req (log: $log)"
if ! timeout 1500 "$venv/bin/python" -m pip install --progress-bar off -r "$req" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  fail "pip install -r $req failed although PyPI answers"
fi
grep -E '^(Successfully installed|Requirement already satisfied: torch)' "$log" | cut -c1-400
# torch must still be the app's: pip must not have put a second torch into the venv.
if [ -n "$app_site" ]; then
  if compgen -G "$site/torch-*.dist-info" >/dev/null || [ -d "$site/torch" ]; then
    fail "pip installed its own torch into $site instead of using the app's ($torch_before); check the pins"
  fi
  torch_after="$("$venv/bin/python" -c 'import torch; print(torch.__version__, torch.__file__)')" || fail "import torch fails after install"
  case "$torch_after" in
    "$torch_before "*"$app_site"*) ;;
    *) fail "torch changed: before $torch_before, after $torch_after" ;;
  esac
fi
"$venv/bin/python" -m pip check >"$venv/.srs-pip-check.log" 2>&1 || { cat "$venv/.srs-pip-check.log" >&2; fail "pip check reports broken requirements"; }
check_venv || fail "the installed packages do not import"
echo "$want" >"$stamp"
say "ready in $(( $(date +%s) - t0 )) s: $venv"
