#!/usr/bin/env bash
# The two commands of the README.
#   installer/studio.sh launch [MODEL]   install deps, build (Release), start the GUI
#   installer/studio.sh test             install deps, build, run the whole test suite (CTest)
# Other verbs: build (deps + build only), cli ARGS... (run the signround CLI from the build),
#   sanitize [CTEST ARGS]: a second build (build-asan/) with AddressSanitizer and
#   UndefinedBehaviorSanitizer, and the unit, integration and fuzz tests run in it.
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
  sanitize)
    sbuild="${SRS_SANITIZE_BUILD_DIR:-$here/build-asan}"
    "$here/installer/install-deps.sh"
    if [ ! -f "$sbuild/build.ninja" ]; then
      cmake -S "$here" -B "$sbuild" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSRS_SANITIZE=address,undefined \
        -DSRS_TORCH_PYTHON="${SRS_VENV:-$here/.venv}/bin/python"
    fi
    cmake --build "$sbuild" -j "$jobs" --target srs_sanitize_tests
    cd "$sbuild"
    # Any finding ends the program with a report (the build does not recover), so the test fails.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0:detect_stack_use_after_return=0}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
    # The integration tests that tune or score real models for minutes (their code is what the unit
    # tests run, here under the sanitizers too) and the peak-RSS benchmark (ASan's shadow memory
    # and quarantine change what it measures) stay in the regular suite: with them the job would
    # not fit CI's 90 minutes on 2 cores (see README).
    exec ctest --output-on-failure -j "$jobs" -L '^(unit|integration|fuzz)$' \
      -E '^integration_cli_(quantize_quality|quantize_export|quantize_resume|flags|eval|autoscheme|devices_bench|cuda)$' "$@"
    ;;
  cli)
    exec "$build/app/signround" "$@"
    ;;
  *)
    echo "usage: installer/studio.sh launch [MODEL] | test | build | sanitize | cli ARGS..." >&2
    exit 2
    ;;
esac
