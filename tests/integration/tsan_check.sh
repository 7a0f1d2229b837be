#!/usr/bin/env bash
# The whole program under ThreadSanitizer (ctest tsan.check, the `tsan`
# preset): `ptcheck check` at two threads over the paths where threads share
# something outside the explorer and its stores, which tsan.explore and
# tsan.distributed cover on their own: the model VM's workers and their
# invariant memos, the non-termination check after a passing search, a
# counterexample's shortening and replay, the weak memory models, the swarm
# with the lossy stores, a run stopped by a limit and by Ctrl-C (the
# checkpoint) and its resumption. Each run must end with its expected exit
# status and print no ThreadSanitizer report (halt_on_error: the first report
# ends the process with status 66).
#
# Usage: tsan_check.sh PTCHECK ROOT   (PTCHECK built with PTCHECK_TSAN)
set -uo pipefail
ptcheck=$1 root=$2
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
failed=0

# check NAME WANT-STATUS ARGS...: one `ptcheck check ARGS --threads 2`.
check() {
  local name=$1 want=$2
  shift 2
  local t0=$SECONDS
  "$ptcheck" --root "$root" check "$@" --threads 2 >"$w/out" 2>"$w/err"
  local rc=$?
  if grep -q "ThreadSanitizer" "$w/err" || [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc (want $want)"
    head -c 20000 "$w/err"
    failed=1
    return 1
  fi
  echo "ok   $name ($((SECONDS - t0)) s)"
}

twin=(twin_lifecycle --spec "$root/tests/bench/twin/lifecycle.ptm")
check "twin ROUNDS 2, with the non-termination check" 0 "${twin[@]}" --bound ROUNDS=2
check "invariants and their memos (uffd_move_mix)" 0 uffd_move_mix --arch x86_64
check "a violation, its trace shortened and written" 0 uffd_move_mix_eagain_sticky --arch x86_64 \
  --trace-out "$w/trace.json"
check "depth-first search, then the shortening" 0 tlb_madv_mix_prefix_no_nested_flush --arch x86_64 --search dfs
check "LKMM (ptl_lifetime_reclaim_rcu)" 0 ptl_lifetime_reclaim_rcu --arch x86_64 --memory-model lkmm
check "TSO (rfc_cpa_collapse_71)" 0 rfc_cpa_collapse_71 --arch x86_64 --memory-model tso
check "swarm, hash compaction" 0 tlb_madv_mix_prefix_no_nested_flush --arch x86_64 --search swarm --store hc
check "swarm, bitstate" 0 ptl_lifetime_reclaim_rcu --arch x86_64 --search swarm --store bitstate --bitstate-bits 24

# Stopped by --max-states (exit 3, a checkpoint), then resumed at two threads
# to the uninterrupted run's counts.
fields='.results[0] | [.verdict, .states, .transitions, .depth] | @tsv'
if check "stopped by --max-states" 3 uffd_move_mix --arch x86_64 --json --max-states 20000 --checkpoint "$w/ck" &&
  check "resumed" 0 uffd_move_mix --arch x86_64 --json --resume "$w/ck"; then
  got=$(jq -r "$fields" "$w/out")
  "$ptcheck" --root "$root" check uffd_move_mix --arch x86_64 --json --threads 1 >"$w/full.json" 2>/dev/null
  want=$(jq -r "$fields" "$w/full.json")
  if [ "$got" != "$want" ]; then
    echo "FAIL resumed [$got], uninterrupted [$want]"
    failed=1
  fi
fi

# Ctrl-C while the threads search: the run stops with a checkpoint (exit 3).
# SIGINT goes once the first progress line shows the search under way.
t0=$SECONDS
"$ptcheck" --root "$root" check mainline_table_mix --threads 2 --progress --checkpoint "$w/int" \
  >"$w/out" 2>"$w/err" &
pid=$!
for _ in $(seq 600); do
  grep -q "states" "$w/err" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
if grep -q "ThreadSanitizer" "$w/err" || [ "$rc" -ne 3 ] || [ ! -s "$w/int" ]; then
  echo "FAIL Ctrl-C: exit $rc (want 3), checkpoint $( [ -s "$w/int" ] && echo written || echo missing)"
  head -c 20000 "$w/err"
  failed=1
else
  echo "ok   Ctrl-C, a checkpoint written ($((SECONDS - t0)) s)"
fi

[ "$failed" -eq 0 ] && echo "no ThreadSanitizer reports"
exit "$failed"
