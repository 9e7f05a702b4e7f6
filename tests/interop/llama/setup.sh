#!/usr/bin/env bash
# CTest fixture interop_llama: llama.cpp built from source into the build tree, for the interop
# tests of this folder. The source is the one PyPI's llama-cpp-python source distribution vendors
# (vendor/llama.cpp/, the complete llama.cpp tree), fetched with pip at a pinned version and
# checked against a pinned sha256. Built: libggml-base.so, libggml.so, libggml-cpu.so,
# libllama.so, the llama-perplexity tool, and our llama_window_ppl.cpp against libllama.
#
# usage: setup.sh DIR PROGRAM_SOURCE CXX PYTHON...
#   DIR             where everything goes (download/, src/, build/, bin/)
#   PROGRAM_SOURCE  tests/interop/llama/llama_window_ppl.cpp
#   CXX             the C++ compiler to build it with
#   PYTHON...       interpreters to run pip with; the first one that has pip is used
#
# Quick when DIR already holds this version built with these options (stamp file llama.stamp);
# llama_window_ppl is rebuilt only when its source changed.
# Exit 0: ready. Exit 77 (SKIP_RETURN_CODE): PyPI cannot be reached, so the tests that need the
# fixture skip, saying why. Exit 1: anything else went wrong (a real failure).
set -uo pipefail

VERSION=0.3.36
SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
SDIST="llama_cpp_python-${VERSION}.tar.gz"
# Options that keep the build short on a small machine: shared libraries, one CPU variant,
# llama.cpp's own thread pool (no OpenMP), no HTTPS/CURL, and none of the tests, examples, server
# or app; only the llama-perplexity target (and what it links) is built.
# The CPU variant is the fixed x86-64 AVX2/FMA/F16C baseline (GGML_NATIVE=OFF), not -march=native:
# on a virtual machine that reports AMX, the native build died with SIGILL on an AMX tile load
# (tileloadd, in ggml's Q8_0 matmul), and a fixed set of instructions also keeps a cached build
# valid on another CPU.
CMAKE_OPTIONS=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=OFF -DGGML_OPENMP=OFF
  -DGGML_CCACHE=OFF -DGGML_BACKEND_DL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_COMMON=ON -DLLAMA_BUILD_TOOLS=ON
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_NUMBER=0 "-DLLAMA_BUILD_COMMIT=pypi-llama-cpp-python-${VERSION}")
TARGETS=(llama-perplexity)

dir="${1:?usage: setup.sh DIR PROGRAM_SOURCE CXX PYTHON...}"
prog_src="${2:?usage: setup.sh DIR PROGRAM_SOURCE CXX PYTHON...}"
cxx="${3:?usage: setup.sh DIR PROGRAM_SOURCE CXX PYTHON...}"
shift 3
say() { echo "interop_llama_setup: $*"; }
die() { echo "interop_llama_setup: FAILED: $*" >&2; exit 1; }

mkdir -p "$dir" || die "cannot create $dir"
dir="$(cd "$dir" && pwd)"
# The tests read why they have nothing to run against from here (a skip must say why).
skipped="$dir/SKIPPED"
rm -f "$skipped"
stamp="$dir/llama.stamp"
want="llama-cpp-python ${VERSION} sha256 ${SHA256} cmake ${CMAKE_OPTIONS[*]} targets ${TARGETS[*]}"
libs=(libggml-base.so libggml.so libggml-cpu.so libllama.so)

have_build() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
  local f
  for f in "${libs[@]}" llama-perplexity; do [ -e "$dir/build/bin/$f" ] || return 1; done
}

if have_build; then
  say "llama.cpp from llama-cpp-python ${VERSION} already built in $dir/build ($(cat "$dir/build-seconds" 2>/dev/null || echo '?') s when built)"
else
  rm -f "$stamp"
  python=""
  for p in "$@"; do
    if [ -x "$p" ] || command -v "$p" >/dev/null 2>&1; then
      if "$p" -m pip --version >/dev/null 2>&1; then python="$p"; break; fi
    fi
  done
  [ -n "$python" ] || die "no Python with pip among: $* (installer/install-deps.sh makes .venv; or apt-get install python3-pip)"
  command -v cmake >/dev/null 2>&1 || die "cmake not found"

  mkdir -p "$dir/download"
  tarball="$dir/download/$SDIST"
  if [ ! -f "$tarball" ] || [ "$(sha256sum "$tarball" | cut -d' ' -f1)" != "$SHA256" ]; then
    rm -f "$tarball"
    # Is the package index there at all? Only that decides a skip.
    if ! timeout 120 "$python" -m pip index versions llama-cpp-python --retries 1 --timeout 30 >"$dir/pip-index.log" 2>&1; then
      msg="PyPI cannot be reached through pip ($python -m pip index versions llama-cpp-python failed: $(tail -n 1 "$dir/pip-index.log"))"
      echo "$msg" >"$skipped"
      say "SKIP: $msg"
      exit 77
    fi
    say "pip download llama-cpp-python==${VERSION} (source distribution) into $dir/download"
    t0=$(date +%s)
    if ! timeout 900 "$python" -m pip download --no-deps --no-binary :all: --retries 2 --timeout 60 \
          "llama-cpp-python==${VERSION}" -d "$dir/download" >"$dir/pip-download.log" 2>&1; then
      tail -n 20 "$dir/pip-download.log" >&2
      die "pip download of llama-cpp-python==${VERSION} failed although PyPI answers (log: $dir/pip-download.log)"
    fi
    [ -f "$tarball" ] || die "pip download did not leave $tarball"
    got="$(sha256sum "$tarball" | cut -d' ' -f1)"
    [ "$got" = "$SHA256" ] || die "$SDIST has sha256 $got, expected $SHA256"
    say "downloaded $(stat -c %s "$tarball") bytes in $(( $(date +%s) - t0 )) s, sha256 verified"
  fi

  # vendor/llama.cpp only, without what the build never reads (the tokenizer-test vocabularies,
  # docs, media, the web UI) and without its .git link (a submodule pointer that means nothing here).
  rm -rf "$dir/src" "$dir/build"
  mkdir -p "$dir/src"
  tar -xzf "$tarball" -C "$dir/src" --strip-components=3 \
      --exclude='*/vendor/llama.cpp/models' --exclude='*/vendor/llama.cpp/docs' \
      --exclude='*/vendor/llama.cpp/media' --exclude='*/vendor/llama.cpp/tools/ui' \
      --exclude='*/vendor/llama.cpp/.git' \
      "llama_cpp_python-${VERSION}/vendor/llama.cpp" || die "cannot extract vendor/llama.cpp from $tarball"
  [ -f "$dir/src/include/llama.h" ] || die "$SDIST has no vendor/llama.cpp/include/llama.h"

  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  jobs="$(nproc 2>/dev/null || echo 2)"
  say "building llama.cpp (${TARGETS[*]} and its libraries) with $jobs jobs"
  t0=$(date +%s)
  # GIT_CEILING_DIRECTORIES: the extracted tree is not a git checkout; keep llama.cpp's build-info
  # from picking up the commit of the repository the build folder happens to sit in.
  if ! GIT_CEILING_DIRECTORIES="$dir" cmake -S "$dir/src" -B "$dir/build" "${generator[@]}" "${CMAKE_OPTIONS[@]}" \
        >"$dir/configure.log" 2>&1; then
    tail -n 30 "$dir/configure.log" >&2
    die "cmake configure of llama.cpp failed (log: $dir/configure.log)"
  fi
  if ! cmake --build "$dir/build" -j "$jobs" --target "${TARGETS[@]}" >"$dir/build.log" 2>&1; then
    grep -m 20 -B 2 -A 8 "error" "$dir/build.log" >&2 || tail -n 40 "$dir/build.log" >&2
    die "building llama.cpp failed (log: $dir/build.log)"
  fi
  secs=$(( $(date +%s) - t0 ))
  for f in "${libs[@]}" llama-perplexity; do
    [ -e "$dir/build/bin/$f" ] || die "the build did not produce build/bin/$f"
  done
  echo "$secs" >"$dir/build-seconds"
  rm -rf "$dir/bin"  # llama_window_ppl is compiled again against the new libllama
  echo "$want" >"$stamp"
  say "built llama.cpp in $secs s (configure + build, $jobs jobs)"
fi

# Our scoring program against the built libllama; compiled again when its source or llama.cpp changed.
mkdir -p "$dir/bin"
prog="$dir/bin/llama_window_ppl"
if [ ! -x "$prog" ] || ! cmp -s "$prog_src" "$dir/bin/llama_window_ppl.cpp"; then
  say "compiling $(basename "$prog_src") against libllama"
  if ! "$cxx" -std=c++17 -O2 -Wall -Wextra -o "$prog.tmp" "$prog_src" \
        -I"$dir/src/include" -I"$dir/src/ggml/include" \
        -L"$dir/build/bin" -Wl,-rpath,"$dir/build/bin" -lllama -lggml -lggml-base; then
    die "compiling $prog_src failed"
  fi
  mv -f "$prog.tmp" "$prog" && cp -f "$prog_src" "$dir/bin/llama_window_ppl.cpp"
fi
"$dir/build/bin/llama-perplexity" --version >"$dir/version.txt" 2>&1 || die "$dir/build/bin/llama-perplexity does not run"
say "ready: $(grep -m1 -i version "$dir/version.txt")"
exit 0
