#!/usr/bin/env bash
# The two commands of the README.
#   installer/studio.sh launch [MODEL]   install deps, build (Release), start the GUI
#   installer/studio.sh test             install deps, build, run the whole test suite (CTest)
# Other verbs: build (deps + build only), cli ARGS... (run the signround CLI from the build).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="${SRS_BUILD_DIR:-$here/build}"
jobs="${SRS_JOBS:-$(nproc)}"
# ccache: paths under the source tree hashed relative to it, so a second clone (CI's) reuses the
# objects compiled in the first.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$here}"

configure_and_build() {
  "$here/installer/install-deps.sh"
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSRS_TORCH_PYTHON="${SRS_VENV:-$here/.venv}/bin/python"
  fi
  cmake --build "$build" -j "$jobs" "$@"
}

verb="${1:-launch}"
[ $# -gt 0 ] && shift
case "$verb" in
  launch)
    configure_and_build --target signround-studio signround
    model="${1:-}"
    if [ -z "$model" ] && [ -d "$here/../shared/data/models/stories260K-hf" ]; then
      model=$(cd "$here/../shared/data/models/stories260K-hf" && pwd)
    fi
    args=()
    [ -n "$model" ] && args+=("$model")
    calib="$here/../shared/data/text/tinystories/TinyStories-train.first2MiB.txt"
    [ -f "$calib" ] && args+=(--dataset "$(cd "$(dirname "$calib")" && pwd)/$(basename "$calib")")
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      echo "studio: no display found; starting under xvfb-run (set DISPLAY to use your screen)" >&2
      exec xvfb-run -a -s "-screen 0 1280x800x24" "$build/app/signround-studio" "${args[@]}"
    fi
    exec "$build/app/signround-studio" "${args[@]}"
    ;;
  test)
    configure_and_build
    cd "$build"
    exec ctest --output-on-failure -j "$jobs" "$@"
    ;;
  build)
    configure_and_build "$@"
    ;;
  cli)
    exec "$build/app/signround" "$@"
    ;;
  *)
    echo "usage: installer/studio.sh launch [MODEL] | test | build | cli ARGS..." >&2
    exit 2
    ;;
esac
