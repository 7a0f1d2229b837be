#!/usr/bin/env bash
# The search's cost per interpreted instruction. For each target (1 thread,
# --no-liveness, round after round): the instructions the interpreter ran
# (the steps and the invariant evaluations, JSON "instructions"), the
# search's seconds (JSON "seconds"), and seconds / instructions in ns. The
# seconds include the store and the explorer, so the figure is what the
# whole search spends per instruction, not the interpreter's own time (perf
# gives that split); it falls when the interpreter gets cheaper and when it
# runs fewer instructions for the same states.
#
# With --before PATH, another ptcheck binary (an older build) runs each
# target too, alternating with this one within each round, and the table
# gets its medians and the ratio of the seconds. A binary too old to report
# "instructions" shows "-" there. Figures only: it never fails on a timing.
#
#   tests/bench/interp_speed.sh [--rounds 3] [--ptcheck PATH] [--before PATH] [TARGET...]
#
# Default targets: mainline_table_mix ppc_mainline_frag_mix anon_mix
# hugetlb_pmd_share_unshare.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PTCHECK=${PTCHECK:-$ROOT/build/release/checker/ptcheck}
BEFORE=""
ROUNDS=3
TARGETS=()
usage() { echo "usage: $0 [--rounds N] [--ptcheck PATH] [--before PATH] [TARGET...]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift ;;
    --ptcheck) [ $# -ge 2 ] || usage; PTCHECK=$2; shift ;;
    --before) [ $# -ge 2 ] || usage; BEFORE=$2; shift ;;
    -*) usage ;;
    *) TARGETS+=("$1") ;;
  esac
  shift
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(mainline_table_mix ppc_mainline_frag_mix anon_mix hugetlb_pmd_share_unshare)
case $ROUNDS in '' | *[!0-9]* | 0) echo "$0: --rounds takes a positive number" >&2; exit 2 ;; esac
command -v jq >/dev/null 2>&1 || { echo "$0: jq not found (scripts/setup.sh installs it)" >&2; exit 2; }
for b in "$PTCHECK" ${BEFORE:+"$BEFORE"}; do
  [ -x "$b" ] || { echo "$0: no ptcheck binary at $b (bash scripts/build.sh release)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every target must exist (for each binary), before anything is printed.
for b in "$PTCHECK" ${BEFORE:+"$BEFORE"}; do
  for t in "${TARGETS[@]}"; do
    rc=0
    (cd "$ROOT" && "$b" check "$t" --threads 1 --max-states 1 --json >/dev/null 2>"$work/err") || rc=$?
    if [ "$rc" -eq 2 ]; then
      echo "$0: $b: $(head -1 "$work/err")" >&2
      exit 2
    fi
  done
done

# One run: "seconds instructions states transitions" (instructions "-" when
# the binary does not report them), summed over the target's arches.
run() {
  (cd "$ROOT" && "$1" check "$2" --threads 1 --no-liveness --json 2>/dev/null) >"$work/out.json" || true
  jq -r '[([.results[].seconds] | add), ([.results[].instructions] | if any(. == null) then "-" else add end),
          ([.results[].states] | add), ([.results[].transitions] | add)] | @tsv' "$work/out.json"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "Search cost per interpreted instruction, $ROUNDS rounds, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ptcheck: $PTCHECK${BEFORE:+; before: $BEFORE}"
for t in "${TARGETS[@]}"; do
  : >"$work/$t.now"
  : >"$work/$t.before"
done
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    # Alternate which binary goes first.
    if [ -n "$BEFORE" ] && [ $((r % 2)) -eq 0 ]; then
      run "$BEFORE" "$t" >>"$work/$t.before"
      run "$PTCHECK" "$t" >>"$work/$t.now"
    else
      run "$PTCHECK" "$t" >>"$work/$t.now"
      [ -z "$BEFORE" ] || run "$BEFORE" "$t" >>"$work/$t.before"
    fi
  done
  echo "round $r done" >&2
done

# "seconds insns ns_per_insn states transitions" of a result file (medians).
summary() {
  local f=$1 s i
  [ -s "$f" ] || { echo "- - - - -"; return; }
  s=$(cut -f1 "$f" | median)
  i=$(cut -f2 "$f" | head -1)
  if [ "$i" = "-" ]; then
    echo "$s - - $(cut -f3 "$f" | head -1) $(cut -f4 "$f" | head -1)"
  else
    awk -v s="$s" -v i="$i" -v st="$(cut -f3 "$f" | head -1)" -v tr="$(cut -f4 "$f" | head -1)" \
      'BEGIN { printf "%s %s %.1f %s %s\n", s, i, (i > 0 ? s * 1e9 / i : 0), st, tr }'
  fi
}

echo
if [ -z "$BEFORE" ]; then
  echo "| target | states | transitions | instructions | per transition | search s (median) | ns per instruction |"
  echo "|---|---|---|---|---|---|---|"
  for t in "${TARGETS[@]}"; do
    read -r s i ns st tr <<<"$(summary "$work/$t.now")"
    per=$([ "$i" = "-" ] || [ "$tr" = "-" ] || awk -v i="$i" -v t="$tr" 'BEGIN { printf "%.0f", (t > 0 ? i / t : 0) }')
    echo "| $t | $st | $tr | $i | ${per:--} | $s | $ns |"
  done
else
  echo "| target | states | instructions before | after | search s before (median) | after | after / before | ns per instruction before | after |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for t in "${TARGETS[@]}"; do
    read -r bs bi bns bst _ <<<"$(summary "$work/$t.before")"
    read -r s i ns st _ <<<"$(summary "$work/$t.now")"
    ratio=$(awk -v a="$s" -v b="$bs" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
    [ "$bst" = "$st" ] || st="$st (before: $bst)"
    echo "| $t | $st | $bi | $i | $bs | $s | $ratio | $bns | $ns |"
  done
fi
