#!/usr/bin/env bash
# The verdicts, counts and counterexamples of `check --all --json` are the same
# with 1 and 2 explorer threads (only timings and memory figures may differ: store_bytes, tree_nodes and leaves count what the store holds when a violation stops the search, and a parallel layer stops after more insertions than a sequential one; invariant_runs, invariant_skips and instructions depend on which thread stores a state first).
# The 1-thread run (mode full of the golden counts) is also compared with
# tests/golden/counts.tsv by golden_counts.sh, so no extra `check --all` is run.
set -euo pipefail
ptcheck=$1
here=$(cd "$(dirname "$0")" && pwd)
full_flags=$("$here/golden_counts.sh" flags full)
raw=$(mktemp) a=$(mktemp) b=$(mktemp)
trap 'rm -f "$raw" "$a" "$b"' EXIT
# shellcheck disable=SC2086 # the flags are words
"$ptcheck" check --all --threads 1 --json $full_flags >"$raw"
grep -v -E '"(seconds|memory_bytes|bytes_per_state|store_bytes|tree_nodes|leaves|invariant_runs|invariant_skips|instructions)"' "$raw" >"$a"
# shellcheck disable=SC2086
"$ptcheck" check --all --threads 2 --json $full_flags | grep -v -E '"(seconds|memory_bytes|bytes_per_state|store_bytes|tree_nodes|leaves|invariant_runs|invariant_skips|instructions)"' >"$b"
status=0
if ! diff -u "$a" "$b"; then
  echo "threads 1 and 2 disagree"
  status=1
fi
echo "threads: $(grep -c '"verdict"' "$a") results compared"
"$here/golden_counts.sh" compare full "$raw" || status=1
exit $status
