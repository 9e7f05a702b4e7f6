#!/usr/bin/env bash
# Installs everything SignRound Studio needs to build, run and test on Debian 12, from Debian's
# packages. Idempotent: when everything is there it prints one line and returns in well under a
# second. Run as root or with sudo available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build lld ccache pkg-config
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqt6svg6
  libqcustomplot-dev
  libtorch-dev libdnnl-dev ocl-icd-opencl-dev
  libopenblas0-pthread
  nlohmann-json3-dev libcurl4-openssl-dev libicu-dev
  xvfb xauth x11-apps fonts-wqy-microhei
  python3 python3-numpy nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  # nodejs may come from another repository that bundles npm; accept an npm binary on PATH.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
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

# LibTorch calls whatever libblas.so.3 is selected; the reference BLAS is >10x slower
# (shared/docs/BUILD.md P5). Point the alternative at OpenBLAS when something else was chosen.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$blas" in
  *openblas*) ;;
  *)
    alt=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
    if [ -e "$alt" ]; then
      echo "install-deps: selecting OpenBLAS for libblas.so.3 (was ${blas:-none})"
      SUDO=""
      [ "$(id -u)" -eq 0 ] || SUDO=sudo
      $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$alt" >/dev/null
    fi
    ;;
esac
