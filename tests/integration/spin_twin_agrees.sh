#!/usr/bin/env bash
# An independent model checker agrees with ptcheck's engine: the Promela twins
# in tests/bench/twin/ (same step granularity, ptcheck's RCU semantics) have
# exactly ptcheck's state counts under SPIN without its reduction
# (-DNOREDUCE), and the same verdicts: the lifecycle mix at ROUNDS 1 and 2,
# its seeded bug at ROUNDS 2, and the counters toy. Skipped (77) without spin
# or gcc. The timing comparison is tests/bench/run_twin.sh, never a test.
set -euo pipefail
ptcheck=$1
ROOT=${PTCHECK_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
TWIN=$ROOT/tests/bench/twin
for tool in spin gcc jq; do
  command -v "$tool" >/dev/null 2>&1 || { echo "skipped: $tool not found (scripts/setup.sh installs it)"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
status=0

# pan_run NAME MODEL SPIN-FLAGS...: prints "states errors" of a -DNOREDUCE pan.
pan_run() {
  local dir=$W/$1 model=$2; shift 2
  mkdir -p "$dir"
  (cd "$dir" && spin -a "$@" "$model" >spin.out && gcc -w -O1 -DSAFETY -DNOREDUCE -o pan pan.c &&
    ./pan -m100000 >pan.out 2>&1 || true)
  echo "$(awk '/states, stored/ { print $1; exit }' "$dir/pan.out") $(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.out" | head -1)"
}
# ptc TARGET ARGS...: prints "states verdict".
ptc() {
  (cd "$ROOT" && "$ptcheck" check "$@" --threads 1 --json || true) | jq -r '.results[0] | "\(.states) \(.verdict)"'
}
expect() {  # WHAT GOT WANT
  if [ "$2" = "$3" ]; then echo "ok: $1: $2"; else echo "FAIL: $1: got $2, want $3"; status=1; fi
}

read -r s e <<<"$(pan_run counters "$TWIN/counters.pml")"
read -r p v <<<"$(ptc independent_counters)"
expect "counters toy states (SPIN, ptcheck)" "$s $p" "$p $p"
expect "counters toy verdicts (SPIN errors, ptcheck)" "$e $v" "0 pass"
for n in 1 2; do
  read -r s e <<<"$(pan_run "pass-$n" "$TWIN/lifecycle.pml" -DROUNDS=$n)"
  read -r p v <<<"$(ptc twin_lifecycle --spec "$TWIN/lifecycle.ptm" --bound ROUNDS=$n)"
  expect "lifecycle ROUNDS=$n states (SPIN, ptcheck)" "$s $p" "$p $p"
  expect "lifecycle ROUNDS=$n verdicts (SPIN errors, ptcheck)" "$e $v" "0 pass"
done
read -r s e <<<"$(pan_run bug "$TWIN/lifecycle.pml" -DROUNDS=2 -DLIFECYCLE_BUG)"
read -r p v <<<"$(ptc twin_lifecycle_bug --spec "$TWIN/lifecycle.ptm" --bound ROUNDS=2)"
expect "seeded bug ROUNDS=2 verdicts (SPIN errors, ptcheck)" "$e $v" "1 violation"
exit $status
