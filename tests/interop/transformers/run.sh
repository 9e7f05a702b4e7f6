#!/usr/bin/env bash
# run.sh PYTHON SCRIPT ARGS...: runs SCRIPT with the interop venv's Python.
# The venv is made by the interop_pyenv fixture, which skips only when PyPI cannot be reached;
# then there is no venv and this test skips too (exit 77), saying so. Anything else is run and
# its exit status is the test's.
set -u
python="$1"
shift
if [ ! -x "$python" ]; then
  echo "SKIP: $python does not exist: the interop_pyenv fixture made no venv (PyPI unreachable), so transformers is not available"
  exit 77
fi
here="$(cd "$(dirname "$0")" && pwd)"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# transformers / auto-round must not reach for the network or a GPU here.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 CUDA_VISIBLE_DEVICES="" HF_HUB_DISABLE_PROGRESS_BARS=1
exec "$python" "$@"
