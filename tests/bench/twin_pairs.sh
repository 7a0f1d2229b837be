#!/usr/bin/env bash
# Paired runs on the SPIN twin at one size: pan and ptcheck (1 and 2 threads,
# the default run and --no-liveness) one after the other, round after round,
# then the medians and the ratios of the medians. On a shared machine a single
# run moves by 20% and more with the other tenants' load; runs of both sides in
# the same minutes, taken many times, are what the ratios should come from
# (run_twin.sh gives one run of each, at every size). Figures only: it never
# fails on a timing.
#
#   tests/bench/twin_pairs.sh [--size 4] [--rounds 5] [--ptcheck PATH]
#
# pan is built once (spin -a + gcc -O2 -DSAFETY, SPIN's default reduction and
# hash table, as in run_twin.sh); "one-shot" is that build's time plus pan's
# median. ptcheck's seconds are the whole process (GNU time), the time to the
# verdict (so "1t / pan" is a little harsher than run_twin.sh's, which divides
# the JSON's exploration seconds); CPU is user + sys. Within a round the order is rotated, so that no
# side always runs right after the same neighbour.
#
# Each round also runs two copies of pan, and two of ptcheck at 1 thread
# (--no-liveness), at the same time. On an ideal 2-core machine two copies
# take as long as one; "ceiling" = 2 x one copy's time / the slower copy's
# time of the pair is the speedup the machine itself allows a second thread
# on this workload (shared caches and memory bandwidth, a busy host), and so
# what the 2-thread ratio should be read against.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PTCHECK=${PTCHECK:-$ROOT/build/release/checker/ptcheck}
SIZE=4
ROUNDS=5
usage() { echo "usage: $0 [--size N] [--rounds N] [--ptcheck PATH]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --size) [ $# -ge 2 ] || usage; SIZE=$2; shift ;;
    --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift ;;
    --ptcheck) [ $# -ge 2 ] || usage; PTCHECK=$2; shift ;;
    *) usage ;;
  esac
  shift
done
source "$ROOT/tests/bench/twin_lib.sh"
twin_positive size "$SIZE"
twin_positive "round count" "$ROUNDS"
twin_require spin gcc /usr/bin/time
twin_workdir

T=$W/times
mkdir "$T"

echo "SPIN twin, paired runs: ROUNDS=$SIZE, $ROUNDS rounds, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(spin -V | head -1); gcc $(gcc -dumpversion); ptcheck: $PTCHECK"

(cd "$W" && /usr/bin/time -f '%e' -o build.t bash -c \
  "spin -a -DROUNDS=$SIZE '$TWIN/lifecycle.pml' >/dev/null && gcc -w -O2 -DSAFETY -DMEMLIM=20000 -o pan pan.c")
build_wall=$(cat "$W/build.t")

PT=("$PTCHECK" check twin_lifecycle --spec "$TWIN/lifecycle.ptm" --bound ROUNDS="$SIZE")
run_side() {
  case $1 in
    pan) (cd "$W" && timed_append pan ./pan -m1000000) ;;
    d1) (cd "$ROOT" && timed_append d1 "${PT[@]}" --threads 1) ;;
    d2) (cd "$ROOT" && timed_append d2 "${PT[@]}" --threads 2) ;;
    s1) (cd "$ROOT" && timed_append s1 "${PT[@]}" --threads 1 --no-liveness) ;;
    s2) (cd "$ROOT" && timed_append s2 "${PT[@]}" --threads 2 --no-liveness) ;;
    pp) (cd "$W" && timed_pair pp ./pan -m1000000) ;;
    sp) (cd "$ROOT" && timed_pair sp "${PT[@]}" --threads 1 --no-liveness) ;;
  esac
}
SIDES=(pan d1 s1 d2 s2 pp sp)
report() {
  echo "round $1: pan $(tail -1 "$T/pan" | cut -d' ' -f1) s, ptcheck 1t $(tail -1 "$T/d1" | cut -d' ' -f1) s" \
    "(safety $(tail -1 "$T/s1" | cut -d' ' -f1)), 2t $(tail -1 "$T/d2" | cut -d' ' -f1) s (safety $(tail -1 "$T/s2" | cut -d' ' -f1));" \
    "two at once: pan $(tail -1 "$T/pp" | cut -d' ' -f1) s, ptcheck 1t safety $(tail -1 "$T/sp" | cut -d' ' -f1) s" >&2
}
run_rounds "$ROUNDS" report
side_medians
oneshot=$(calc '%.2f' "$build_wall + ${wall[pan]}")
echo
echo "Medians of $ROUNDS rounds, seconds wall-clock (CPU); spin -a + gcc took $build_wall s once:"
echo
echo "| run | pan | one-shot | ptcheck 1t | ptcheck 2t | 1t / one-shot | 1t / pan | 1t / 2t | 2t CPU / 1t CPU |"
echo "|---|---|---|---|---|---|---|---|---|"
for m in d s; do
  label=$([ $m = d ] && echo "default (with the non-termination check)" || echo "safety only (--no-liveness)")
  one=${wall[${m}1]} two=${wall[${m}2]}
  echo "| $label | ${wall[pan]} (${cpu[pan]}) | $oneshot | $one (${cpu[${m}1]}) | $two (${cpu[${m}2]}) |" \
    "$(calc '%.2f' "$one / $oneshot")x | $(calc '%.2f' "$one / ${wall[pan]}")x | $(calc '%.2f' "$one / $two")x |" \
    "$(calc '%.2f' "${cpu[${m}2]} / ${cpu[${m}1]}")x |"
done
echo
echo "Two copies at once (slower copy's wall-clock, both copies' CPU) against one alone; ceiling = 2 x alone / pair:"
echo
echo "| run | alone | two at once | ceiling | CPU of two / 2 x CPU of one |"
echo "|---|---|---|---|---|"
for m in pan s; do
  one=${wall[$([ $m = pan ] && echo pan || echo s1)]} onecpu=${cpu[$([ $m = pan ] && echo pan || echo s1)]}
  two=${wall[${m:0:1}p]} twocpu=${cpu[${m:0:1}p]}
  label=$([ $m = pan ] && echo "pan" || echo "ptcheck 1t, safety only")
  echo "| $label | $one ($onecpu) | $two ($twocpu) | $(calc '%.2f' "2 * $one / $two")x | $(calc '%.2f' "$twocpu / (2 * $onecpu)")x |"
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
