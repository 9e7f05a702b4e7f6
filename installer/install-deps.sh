#!/usr/bin/env bash
# Installs everything SignRound Studio needs to build, run and test on Debian 12: Debian's packages
# (Qt 6, oneDNN, QCustomPlot, curl, ICU, the toolchain) and LibTorch 2.x from PyPI's torch wheel in
# a project-local Python virtual environment (.venv in the source tree, git-ignored; SRS_VENV
# moves it; Torch_DIR at configure time uses another LibTorch instead, see the README).
# Idempotent: when everything is there it prints two lines and returns in about a second.
# Run as root or with sudo available (apt-get only; the venv needs no root).
set -euo pipefail

packages=(
  build-essential cmake ninja-build lld ccache pkg-config
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqt6svg6 qt6-translations-l10n
  libqcustomplot-dev
  libdnnl-dev ocl-icd-opencl-dev
  nlohmann-json3-dev libcurl4-openssl-dev libssl-dev libicu-dev
  libsentencepiece-dev libgloo-dev
  xvfb xauth x11-apps fonts-wqy-microhei
  python3 python3-venv python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# LibTorch: PyPI's torch wheel (CUDA-enabled; runs without a GPU) in the project's virtual
# environment. CMake asks that Python for torch.utils.cmake_prefix_path (cmake/SrsDependencies.cmake).
torch_version=2.11.0
here=$(cd "$(dirname "$0")/.." && pwd)
venv="${SRS_VENV:-$here/.venv}"
have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("torch").split("+")[0])' 2>/dev/null || true)
if [ "$have" = "$torch_version" ]; then
  echo "install-deps: torch $torch_version present in $venv"
else
  echo "install-deps: installing torch $torch_version from PyPI into $venv (about 2.6 GB to download, 4.6 GB on disk)"
  [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "torch==$torch_version"
  "$venv/bin/python" -W ignore -c 'import torch; print("install-deps: torch", torch.__version__, "in", torch.__file__)'
fi
