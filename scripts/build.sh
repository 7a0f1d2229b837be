#!/usr/bin/env bash
# Configures and builds one CMake preset from CMakePresets.json:
#   bash scripts/build.sh release      -> build/release
#   bash scripts/build.sh debug-asan   -> build/debug-asan
#   bash scripts/build.sh fuzz         -> build/fuzz (clang, libFuzzer)
#   bash scripts/build.sh tsan         -> build/tsan (ThreadSanitizer: the explorer's and the distributed search's tests, ptcheck)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: bash scripts/build.sh PRESET   (release | debug-asan | fuzz | tsan)" >&2
  exit 2
fi
preset="$1"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs="${PTCHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}"

cmake --preset "$preset"
cmake --build --preset "$preset" -j "$jobs"
