#!/usr/bin/env bash
# store_bytes.sh [--big N] [PTCHECK]: what the tree store takes per state on
# the targets issue "search at scale" names (mainline_table_mix,
# ppc_mainline_frag_mix, the SPIN twin at ROUNDS 4, and a mix of about 10^7
# states: tlb_madv_mix --bound ops=2 stopped at N states, default 10^7),
# each with the store's layout order (a thread's context next to its stack:
# docs/search.md) and with memory order (PTCHECK_MEMORY_ORDER=1), in one
# invocation. Prints a markdown table: states, tree nodes per state, bytes
# per state all in (the JSON's bytes_per_state), store MB, seconds (wall-clock
# of the exploration; the machine is shared, so compare runs of one
# invocation only). Safety only (--no-liveness); 1 explorer thread, 2 for the
# big mix. Takes about 6 minutes on the 2-core machine at the default N.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
big=10000000
if [ "${1:-}" = --big ]; then big=$2; shift 2; fi
ptcheck=${1:-$root/build/release/checker/ptcheck}
command -v jq >/dev/null || { echo "store_bytes.sh: needs jq" >&2; exit 2; }
[ -x "$ptcheck" ] || { echo "store_bytes.sh: no ptcheck at $ptcheck (build the release preset first)" >&2; exit 2; }

echo "| target | layout | states | nodes/state | B/state | store MB | seconds |"
echo "|---|---|---|---|---|---|---|"
status=0
run() {  # label layout ARGS...
  local label=$1 layout=$2 out; shift 2
  if [ "$layout" = memory ]; then
    out=$(cd "$root" && PTCHECK_MEMORY_ORDER=1 "$ptcheck" check "$@" --no-liveness --json)
  else
    out=$(cd "$root" && "$ptcheck" check "$@" --no-liveness --json)
  fi || true
  if ! jq -e '.results[0].states' >/dev/null 2>&1 <<<"$out"; then
    echo "store_bytes.sh: $label ($layout): no result" >&2
    status=1
    return
  fi
  jq -r --arg l "$label" --arg o "$layout" '.results[0] |
    "| \($l) | \($o) | \(.states) | \((.tree_nodes / .states * 100 | round) / 100) | \(.bytes_per_state * 10 | round / 10) | \(.store_bytes / 1048576 * 10 | round / 10) | \(.seconds * 10 | round / 10) |"' <<<"$out"
}
for layout in grouped memory; do
  run mainline_table_mix "$layout" mainline_table_mix --threads 1
  run ppc_mainline_frag_mix "$layout" ppc_mainline_frag_mix --threads 1
  run "twin ROUNDS=4" "$layout" twin_lifecycle --spec tests/bench/twin/lifecycle.ptm --bound ROUNDS=4 --threads 1
  run "tlb_madv_mix ops=2, $big states" "$layout" tlb_madv_mix --arch x86_64 --bound ops=2 --max-states "$big" --threads 2
done
exit $status
