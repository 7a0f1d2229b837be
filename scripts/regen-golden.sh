#!/usr/bin/env bash
# Rewrites tests/golden/counts.tsv (verdict, states, transitions and depth of
# every target and arch of `check --all`, single-threaded, per mode) from the
# current build. Run it when an engine or model change alters a count on
# purpose, and say in the commit message which counts changed and why.
#
#   scripts/regen-golden.sh [PTCHECK]     (default: build/release/checker/ptcheck)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PTCHECK=${1:-$ROOT/build/release/checker/ptcheck}
PTCHECK_ROOT=$ROOT exec "$ROOT/tests/integration/golden_counts.sh" regen "$PTCHECK"
