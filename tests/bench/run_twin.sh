#!/usr/bin/env bash
# The SPIN twin benchmark: the same generic page-table lifecycle mix written in
# ptcheck's model language (tests/bench/twin/lifecycle.ptm) and in Promela
# (tests/bench/twin/lifecycle.pml, same step granularity), run in the same
# invocation at ROUNDS = each size, plus the seeded-bug variants and the
# counters toy. Prints figures only; it never fails on a timing.
#
#   tests/bench/run_twin.sh [--sizes "1 2 3 4"] [--bug-sizes "2 3 4"] [--ptcheck PATH]
#
# Needs spin, gcc, jq and GNU time (/usr/bin/time): scripts/setup.sh installs them.
# SPIN side: spin -a -DROUNDS=N, gcc -O2 -DSAFETY -DMEMLIM=..., pan -m<depth>,
# SPIN's default partial-order reduction on (no -DNOREDUCE; it prunes little
# here since nearly every step touches a global) and its default hash table
# (-w24, 128 MiB of slots, which dominates pan's memory at small sizes).
# "one-shot" is spin -a + gcc + pan; "pan" is pan alone. The states of a pan
# built with -DNOREDUCE are printed too (not timed): they equal ptcheck's. pan MB is pan's max
# RSS; SPIN B/state is that RSS over the states stored. ptcheck's figures come
# from `check --json` (states, seconds, memory_bytes, bytes_per_state).
# Seconds are wall-clock; the second table gives CPU seconds (user + sys, from
# GNU time), which mean more on a shared machine. The ratios: ptcheck's process
# time to the verdict (1 thread) over SPIN's one-shot time, and ptcheck's
# exploration seconds (the JSON's) over pan's; in the CPU table both use the
# whole ptcheck process. A third table runs ptcheck with --no-liveness, the
# same safety-only question pan -DSAFETY answers (ptcheck's default also
# looks for states that cannot terminate, after the search), with the 2-thread
# speedup.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PTCHECK=${PTCHECK:-$ROOT/build/release/checker/ptcheck}
SIZES="1 2 3 4"
BUG_SIZES="2 3 4"
PAN_DEPTH=1000000
MEMLIM_MB=20000
usage() { echo "usage: $0 [--sizes \"1 2 3 4\"] [--bug-sizes \"2 3 4\"] [--ptcheck PATH]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) [ $# -ge 2 ] || usage; SIZES=$2; shift ;;
    --bug-sizes) [ $# -ge 2 ] || usage; BUG_SIZES=$2; shift ;;
    --ptcheck) [ $# -ge 2 ] || usage; PTCHECK=$2; shift ;;
    *) usage ;;
  esac
  shift
done
source "$ROOT/tests/bench/twin_lib.sh"
# shellcheck disable=SC2086 # the lists split into sizes
twin_positive size $SIZES $BUG_SIZES
twin_require spin gcc jq /usr/bin/time
twin_workdir

# timed NAME CMD...: runs CMD with GNU time; sets NAME_wall, NAME_cpu, NAME_kb.
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@"
  local wall user sys kb
  read -r wall user sys kb < <(tail -1 "$W/time")  # after GNU time's note of a non-zero exit, if any
  printf -v "${name}_wall" '%s' "$wall"
  printf -v "${name}_cpu" '%s' "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
  printf -v "${name}_kb" '%s' "$kb"
  printf -v "${name}_wall" '%s' "$wall"
}

# spin_run DIR FLAGS...: spin -a, gcc and pan in DIR; sets sa_*, cc_*, pan_* and
# pan_states, pan_errors, pan_depth (depth of the violation or reached).
spin_run() {
  local dir=$1 model=$2; shift 2
  mkdir -p "$dir"
  (cd "$dir" && timed sa spin -a "$@" "$model" >spin.out &&
    echo "$sa_wall $sa_cpu" >time-sa.txt)
  (cd "$dir" && timed cc gcc -w -O2 -DSAFETY -DMEMLIM=$MEMLIM_MB -o pan pan.c &&
    echo "$cc_wall $cc_cpu" >time-cc.txt)
  (cd "$dir" && timed pan ./pan -m$PAN_DEPTH >pan.out 2>&1 || true; echo "$pan_wall $pan_cpu $pan_kb" >time-pan.txt)
  read -r sa_wall sa_cpu <"$dir/time-sa.txt"
  read -r cc_wall cc_cpu <"$dir/time-cc.txt"
  read -r pan_wall pan_cpu pan_kb <"$dir/time-pan.txt"
  pan_states=$(awk '/states, stored/ { print $1; exit }' "$dir/pan.out")
  pan_errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.out" | head -1)
  pan_depth=$(sed -n 's/.*assertion violated.*(at depth \([0-9]*\)).*/\1/p' "$dir/pan.out" | head -1)
  [ -n "$pan_depth" ] || pan_depth=$(sed -n 's/.*depth reached \([0-9]*\).*/\1/p' "$dir/pan.out" | head -1)
  oneshot_wall=$(calc '%.2f' "$sa_wall + $cc_wall + $pan_wall")
  oneshot_cpu=$(calc '%.2f' "$sa_cpu + $cc_cpu + $pan_cpu")
}

# ptc_run NAME TARGET SIZE ARGS...: ptcheck check --json; sets NAME_states,
# NAME_secs (the JSON's: exploration only), NAME_mem, NAME_bps, NAME_verdict,
# NAME_depth, and from GNU time NAME_cpu, NAME_kb, NAME_wall (the whole process:
# loading spec/ and model/, compiling, exploring: the time to the verdict).
ptc_run() {
  local name=$1 target=$2 size=$3; shift 3
  local out=$W/$name-$target-$size.json
  (cd "$ROOT" && timed run "$PTCHECK" check "$target" --spec "$TWIN/lifecycle.ptm" \
      --bound ROUNDS="$size" --json "$@" >"$out" || true; echo "$run_cpu $run_kb $run_wall" >"$out.t")
  local cpu kb wall
  read -r cpu kb wall <"$out.t"
  local r
  r=$(jq -r '.results[0] | "\(.states) \(.seconds) \(.memory_bytes) \(.bytes_per_state) \(.verdict) \(.depth) \(.as_expected)"' "$out")
  local states secs mem bps verdict depth expected
  read -r states secs mem bps verdict depth expected <<<"$r"
  [ "$expected" = true ] || verdict="$verdict(UNEXPECTED)"
  printf -v "${name}_states" '%s' "$states"
  printf -v "${name}_secs" '%s' "$(calc '%.2f' "$secs")"
  printf -v "${name}_mem" '%s' "$(calc '%.1f' "$mem / 1048576")"
  printf -v "${name}_bps" '%s' "$(calc '%.0f' "$bps")"
  printf -v "${name}_verdict" '%s' "$verdict"
  printf -v "${name}_depth" '%s' "$depth"
  printf -v "${name}_cpu" '%s' "$cpu"
  printf -v "${name}_kb" '%s' "$kb"
  printf -v "${name}_wall" '%s' "$wall"
}

echo "SPIN twin benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(spin -V | head -1); gcc $(gcc -dumpversion); ptcheck: $PTCHECK"
echo

# The counters toy: counts only.
spin_run "$W/counters" "$TWIN/counters.pml"
c_json=$(cd "$ROOT" && "$PTCHECK" check independent_counters --threads 1 --json)
echo "counters toy: SPIN $pan_states states (errors $pan_errors, depth $pan_depth), ptcheck $(jq -r '.results[0] | "\(.states) states, \(.transitions) transitions, depth \(.depth), \(.verdict)"' <<<"$c_json")"
echo

declare -A row cpurow saferow
for n in $SIZES; do
  spin_run "$W/spin-$n" "$TWIN/lifecycle.pml" -DROUNDS="$n"
  verdict_spin=pass
  [ "$pan_errors" = 0 ] || verdict_spin="violation($pan_errors)"
  # The same model without SPIN's reduction: the twins' counts match exactly.
  (cd "$W/spin-$n" && gcc -w -O2 -DSAFETY -DNOREDUCE -DMEMLIM=$MEMLIM_MB -o pan-noreduce pan.c &&
    ./pan-noreduce -m$PAN_DEPTH >pan-noreduce.out 2>&1 || true)
  noreduce_states=$(awk '/states, stored/ { print $1; exit }' "$W/spin-$n/pan-noreduce.out")
  ptc_run p1 twin_lifecycle "$n" --threads 1
  ptc_run p2 twin_lifecycle "$n" --threads 2
  # Safety only: pan -DSAFETY looks for no cycle, so neither does this pair.
  ptc_run s1 twin_lifecycle "$n" --threads 1 --no-liveness
  ptc_run s2 twin_lifecycle "$n" --threads 2 --no-liveness
  spin_bps=$(calc '%.0f' "$pan_kb * 1024 / $pan_states")
  r1=$(calc '%.2f' "$p1_wall / ($oneshot_wall > 0 ? $oneshot_wall : 0.01)")
  r2=$(calc '%.2f' "$p1_secs / ($pan_wall > 0 ? $pan_wall : 0.01)")
  row[$n]="| $n | $pan_states | $noreduce_states | $verdict_spin | $oneshot_wall | $pan_wall | $(calc '%.0f' "$pan_kb / 1024") | $spin_bps | $p1_states | $p1_verdict | $p1_wall | $p1_secs | $p1_mem | $p2_secs | $p2_mem | $p1_bps | ${r1}x | ${r2}x |"
  c1=$(calc '%.2f' "$p1_cpu / ($oneshot_cpu > 0 ? $oneshot_cpu : 0.01)")
  c2=$(calc '%.2f' "$p1_cpu / ($pan_cpu > 0 ? $pan_cpu : 0.01)")
  cpurow[$n]="| $n | $sa_cpu | $cc_cpu | $pan_cpu | $oneshot_cpu | $p1_cpu | $p2_cpu | $(calc '%.0f' "$p1_kb / 1024") | ${c1}x | ${c2}x |"
  saferow[$n]="| $n | $pan_wall ($pan_cpu) | $oneshot_wall ($oneshot_cpu) | $s1_states | $s1_wall ($s1_cpu) | $s1_secs | $s2_wall ($s2_cpu) | $s2_secs | $(calc '%.2f' "$s1_secs / ($s2_secs > 0 ? $s2_secs : 0.01)")x | $s1_bps | $(calc '%.2f' "$s1_cpu / ($oneshot_cpu > 0 ? $oneshot_cpu : 0.01)")x | $(calc '%.2f' "$s1_secs / ($pan_wall > 0 ? $pan_wall : 0.01)")x |"
  echo "size $n done: SPIN $pan_states states, ptcheck $p1_states / $p2_states states" >&2
done

echo "Pass variant (twin_lifecycle), wall-clock seconds:"
echo
echo "| ROUNDS | SPIN states | SPIN states -DNOREDUCE | SPIN verdict | spin -a+gcc+pan s | pan s | pan MB | SPIN B/state | ptcheck states | ptcheck verdict | ptcheck 1t process s | 1t explore s | 1t MB | ptcheck 2t s | 2t MB | ptcheck B/state | 1t / one-shot | 1t / pan |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do echo "${row[$n]}"; done
echo
echo "CPU seconds (user + sys):"
echo
echo "| ROUNDS | spin -a | gcc | pan | one-shot | ptcheck 1t | ptcheck 2t | ptcheck 1t RSS MB | 1t / one-shot | 1t / pan |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do echo "${cpurow[$n]}"; done
echo
echo "Safety only (ptcheck --no-liveness: no non-termination check after the search, which is the"
echo "work pan -DSAFETY does); seconds wall-clock (CPU); explore = the JSON's exploration time:"
echo
echo "| ROUNDS | pan s | one-shot s | ptcheck states | 1t process s | 1t explore s | 2t process s | 2t explore s | 1t / 2t explore | B/state | 1t CPU / one-shot CPU | 1t explore / pan |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do echo "${saferow[$n]}"; done
echo

echo "Seeded bug (twin_lifecycle_bug, LIFECYCLE_BUG): time to the first violation"
echo
echo "| ROUNDS | pan DFS states | pan s (cpu) | pan depth | one-shot s | ptcheck dfs states | s (cpu) | trace depth | ptcheck bfs states | s (cpu) | trace depth |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for n in $BUG_SIZES; do
  spin_run "$W/bug-$n" "$TWIN/lifecycle.pml" -DROUNDS="$n" -DLIFECYCLE_BUG
  spin_verdict=""
  [ "$pan_errors" != 0 ] || spin_verdict=" (no violation!)"
  ptc_run d twin_lifecycle_bug "$n" --threads 1 --search dfs
  ptc_run b twin_lifecycle_bug "$n" --threads 1
  echo "| $n | $pan_states$spin_verdict | $pan_wall ($pan_cpu) | $pan_depth | $oneshot_wall | $d_states ($d_verdict) | $d_secs ($d_cpu) | $d_depth | $b_states ($b_verdict) | $b_secs ($b_cpu) | $b_depth |"
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
