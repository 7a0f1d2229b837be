#!/usr/bin/env bash
# What a second thread gives one check, against what this machine gives a
# second process. Round after round, in rotating order: the check at 1
# thread, at 2 threads, and two copies of the 1-thread check at the same
# time. Then the medians:
#   speedup    = 1 thread / 2 threads (wall-clock)
#   ceiling    = 2 x 1 thread / the slower copy of the pair: the speedup two
#                independent copies get from the machine (its shared caches,
#                memory bandwidth and TLBs, and the host's other tenants),
#                with no table shared between them at all
#   efficiency = speedup / ceiling: what the sharing of one search between
#                two threads costs on top of what the machine takes
# On an ideal 2-core machine the ceiling is 2. The pair holds two copies of
# everything, so its working set is twice the 2-thread run's: the ceiling is
# a reference, not a bound the 2-thread run cannot pass. The other tenants
# come and go within minutes, so each round's line gives its own speedup and
# ceiling too, from runs a few seconds apart. Figures only: it never fails on
# a timing.
#
#   tests/bench/thread_ceiling.sh [--rounds 5] [--ptcheck PATH] [-- CHECK-ARGS...]
#
# CHECK-ARGS are the arguments after `ptcheck check` (default:
# mainline_table_mix --no-liveness); --threads is added by the script.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PTCHECK=${PTCHECK:-$ROOT/build/release/checker/ptcheck}
ROUNDS=5
usage() { echo "usage: $0 [--rounds N] [--ptcheck PATH] [-- CHECK-ARGS...]" >&2; exit 2; }
ARGS=(mainline_table_mix --no-liveness)
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift ;;
    --ptcheck) [ $# -ge 2 ] || usage; PTCHECK=$2; shift ;;
    --) shift; [ $# -ge 1 ] || usage; ARGS=("$@"); break ;;
    *) usage ;;
  esac
  shift
done
source "$ROOT/tests/bench/twin_lib.sh"
twin_positive "round count" "$ROUNDS"
twin_require /usr/bin/time
for a in "${ARGS[@]}"; do
  case $a in --threads|--threads=*) echo "$0: the script sets --threads itself" >&2; exit 2 ;; esac
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
T=$W/times
mkdir "$T"

# The check must pass, find its violation or stop at a limit such as
# --max-states (exit 0, 1 or 3) before it is timed: a typo in CHECK-ARGS
# (exit 2) would otherwise time an error message.
set +e
(cd "$ROOT" && "$PTCHECK" check "${ARGS[@]}" --threads 1 >"$W/first.out" 2>&1)
rc=$?
set -e
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 3 ]; then
  echo "$0: ptcheck check ${ARGS[*]} exited $rc:" >&2
  tail -5 "$W/first.out" >&2
  exit 2
fi

echo "ptcheck check ${ARGS[*]}: $ROUNDS rounds, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run_side() {
  case $1 in
    one) (cd "$ROOT" && timed_append one "$PTCHECK" check "${ARGS[@]}" --threads 1) ;;
    two) (cd "$ROOT" && timed_append two "$PTCHECK" check "${ARGS[@]}" --threads 2) ;;
    pair) (cd "$ROOT" && timed_pair pair "$PTCHECK" check "${ARGS[@]}" --threads 1) ;;
  esac
}
SIDES=(one two pair)
report() {
  local o t p
  o=$(tail -1 "$T/one" | cut -d' ' -f1) t=$(tail -1 "$T/two" | cut -d' ' -f1) p=$(tail -1 "$T/pair" | cut -d' ' -f1)
  echo "round $1: 1 thread $o s, 2 threads $t s, two copies at once $p s:" \
    "speedup $(calc '%.2f' "$o / $t")x, ceiling $(calc '%.2f' "2 * $o / $p")x" >&2
}
run_rounds "$ROUNDS" report
side_medians
speedup=$(calc '%.2f' "${wall[one]} / ${wall[two]}")
ceiling=$(calc '%.2f' "2 * ${wall[one]} / ${wall[pair]}")
echo
echo "Medians of $ROUNDS rounds, seconds wall-clock (CPU); the pair's wall-clock is its slower copy's, its CPU both copies':"
echo
echo "| 1 thread | 2 threads | two copies at once | speedup | ceiling | efficiency | 2t CPU / 1t CPU | pair CPU / 2 x 1t CPU |"
echo "|---|---|---|---|---|---|---|---|"
echo "| ${wall[one]} (${cpu[one]}) | ${wall[two]} (${cpu[two]}) | ${wall[pair]} (${cpu[pair]}) | ${speedup}x | ${ceiling}x |" \
  "$(calc '%.0f' "100 * $speedup / $ceiling")% | $(calc '%.2f' "${cpu[two]} / ${cpu[one]}")x |" \
  "$(calc '%.2f' "${cpu[pair]} / (2 * ${cpu[one]})")x |"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
