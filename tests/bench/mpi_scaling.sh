#!/usr/bin/env bash
# mpi_scaling.sh [PTCHECK] [TARGET] [RANKS...]: states/s and bytes/state of the
# distributed search against the number of ranks on this machine, as a
# markdown table (docs/distributed.md). "1 (no mpirun)" is the ordinary
# one-process search with one explorer thread (a rank has one thread).
# Defaults: build/release/checker/ptcheck, mainline_table_mix, ranks 2 4.
# Wall-clock figures: each row is the fastest of REPEAT runs (default 3), as
# other work on the machine only ever slows a run down.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ptcheck=${1:-$here/../../build/release/checker/ptcheck}
target=${2:-mainline_table_mix}
shift $(( $# > 2 ? 2 : $# ))
ranks=("$@")
[ ${#ranks[@]} -gt 0 ] || ranks=(2 4)
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
repeat=${REPEAT:-3}
best() {  # the fastest of $repeat runs of "$@" (one JSON document each)
  local out fastest=""
  for _ in $(seq "$repeat"); do
    out=$("$@") || true
    if [ -z "$fastest" ] || jq -e --argjson a "$(jq '.results[0].seconds' <<<"$fastest")" \
         '.results[0].seconds < $a' <<<"$out" >/dev/null; then
      fastest=$out
    fi
  done
  printf '%s\n' "$fastest"
}
row() {  # label, JSON of one result
  jq -r --arg l "$1" '.results[0] | [$l, .states, .transitions, (.seconds | . * 100 | round / 100),
      ((.states / .seconds) | round), (.bytes_per_state | round),
      (if .distributed then ((.distributed.states_per_rank | max) / (.states / .distributed.ranks) * 1000 | round / 1000)
       else 1 end)] | "| " + (map(tostring) | join(" | ")) + " |"'
}
echo "target $target on $(nproc) cores ($(uname -m)), $(date -u +%Y-%m-%d), fastest of $repeat runs"
echo
echo "| ranks | states | transitions | seconds | states/s | bytes/state | largest/mean |"
echo "|---|---|---|---|---|---|---|"
best "$ptcheck" check "$target" --json --no-liveness --threads 1 | row "1 (no mpirun)"
for n in "${ranks[@]}"; do
  best mpirun --oversubscribe --allow-run-as-root --bind-to none -np "$n" "$ptcheck" check "$target" --json \
    --no-liveness | row "$n"
done
