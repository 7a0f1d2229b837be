#!/usr/bin/env bash
# large_mixes.sh [PTCHECK]: the mixes of tests/bench/models/large_mixes.ptm,
# too big for CI, each run as shipped (must pass) and with the mutation
# switch it is there to kill (must find a violation); prints states, seconds
# and the verdict of each run as a markdown table. 2 explorer threads.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ptcheck=${1:-$root/build/release/checker/ptcheck}
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
spec=$root/tests/bench/models/large_mixes.ptm
echo "| target | arch | switch | verdict | states | seconds |"
echo "|---|---|---|---|---|---|"
status=0
run() {  # target arch switch-or-empty expected-verdict
  local sets=() out verdict
  [ -n "$3" ] && sets=(--set "$3=y")
  out=$("$ptcheck" --root "$root" check --spec "$spec" "$1" --arch "$2" --threads 2 --no-liveness --json "${sets[@]}")
  verdict=$(jq -r '.results[0] | .verdict + (if .error_kind then " " + .error_kind else "" end)' <<<"$out")
  echo "| $1 | $2 | ${3:-(none)} | $verdict | $(jq -r '.results[0].states' <<<"$out") | $(jq -r '.results[0].seconds | . * 10 | round / 10' <<<"$out") |"
  [[ "$verdict" == $4* ]] || { echo "large_mixes.sh: $1 $2 ${3:-}: expected $4" >&2; status=1; }
}
# PT_RECLAIM freeing a table a fault refilled (the slow path's pte_none re-check).
run reclaim_mix x86_64 "" pass
run reclaim_mix x86_64 CONFIG_MODEL_MUTANT_RECLAIM_NO_EMPTY_CHECK violation
exit $status
