#!/usr/bin/env bash
# Explorer benchmark: builds ptcheck_bench_explore (Release) if needed and prints,
# for toy systems of ~10^6 and ~10^7 distinct states at 1 and 2 threads: states,
# transitions, seconds, states/s, bytes per stored state and peak RSS.
# The "-work" case adds ~0.3 us of worker computation per successor, a stand-in
# for an interpreter step: the bare counters measure only the explorer's tables,
# whose cross-core traffic limits 2-thread scaling for such a trivial system.
# The machine may be shared: "cpu check" lines before and after show whether 2
# cores were free (otherwise the 2-thread figures mean little).
#
#   tests/bench/run_bench.sh [--quick] [--threads "1 2"] [--build-dir DIR]
#
# To add a case, append a line to CASES below: "name|command args" where the
# command prints key=value figures (states= transitions= seconds= ...).
# The model-* cases run the whole checker on a model-language toy (1e6 and 3e6
# states through the interpreter).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build/bench}
THREADS="1 2"
QUICK=0
PTCHECK_CMD=${PTCHECK_CMD:-}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --threads) THREADS=$2; shift ;;
    --build-dir) BUILD=$2; shift ;;
    --ptcheck-cmd) PTCHECK_CMD=$2; shift ;;
    *) echo "usage: $0 [--quick] [--threads \"1 2\"] [--build-dir DIR] [--ptcheck-cmd CMD]" >&2; exit 2 ;;
  esac
  shift
done

BENCH=$BUILD/tests/bench/ptcheck_bench_explore
MODEL=$BUILD/tests/bench/ptcheck_bench_model
if [ ! -x "$BENCH" ] || [ ! -x "$MODEL" ] || [ -n "$(find "$ROOT/checker" "$ROOT/tests/bench" -newer "$MODEL" -name '*.[ch]*' 2>/dev/null | head -1)" ]; then
  echo "building $BENCH and $MODEL (Release)..." >&2
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPTCHECK_TEST_DIRS=none >/dev/null
  cmake --build "$BUILD" -j2 --target ptcheck_bench_explore ptcheck_bench_model >&2
fi

# name|command ({T} = thread count)
CASES=(
  "counters-1e6|$BENCH --counters 6 9 --threads {T}"
  "counters-1e6-64B|$BENCH --counters 6 9 --pad 58 --threads {T}"
  "counters-1e6-work|$BENCH --counters 6 9 --work 300 --threads {T}"
)
if [ $QUICK = 0 ]; then
  CASES+=("counters-1e7|$BENCH --counters 7 9 --threads {T}")
fi
# The whole checker on a model-language toy (tests/bench/models/counters.ptm):
# parsing, compiling, interpreting each step, exploring.
CASES+=("model-1e6|$MODEL $ROOT tests/bench/models/counters.ptm bench_counters_1m {T}")
if [ $QUICK = 0 ]; then
  CASES+=("model-3e6|$MODEL $ROOT tests/bench/models/counters.ptm bench_counters_3m {T}")
fi

field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

"$BENCH" --cpu-check
printf '%-18s %3s %12s %13s %8s %12s %9s %9s\n' case thr states transitions seconds states/s B/state RSS_MiB
for c in "${CASES[@]}"; do
  name=${c%%|*}
  cmd=${c#*|}
  for t in $THREADS; do
    out=$(${cmd//\{T\}/$t})
    printf '%-18s %3s %12s %13s %8s %12s %9s %9s\n' "$name" "$t" \
      "$(field states "$out")" "$(field transitions "$out")" "$(field seconds "$out")" \
      "$(field states_per_sec "$out")" "$(field bytes_per_state "$out")" "$(field peak_rss_mib "$out")"
  done
done
"$BENCH" --cpu-check
