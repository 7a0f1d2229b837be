#!/usr/bin/env bash
# The verdicts, counts and counterexamples of `check --all --json` are the same
# with 1 and 2 explorer threads (only timings and memory figures may differ: store_bytes, tree_nodes and leaves count what the store holds when a violation stops the search, and a parallel layer stops after more insertions than a sequential one).
set -euo pipefail
ptcheck=$1
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
"$ptcheck" check --all --threads 1 --json | grep -v -E '"(seconds|memory_bytes|bytes_per_state|store_bytes|tree_nodes|leaves)"' >"$a"
"$ptcheck" check --all --threads 2 --json | grep -v -E '"(seconds|memory_bytes|bytes_per_state|store_bytes|tree_nodes|leaves)"' >"$b"
if ! diff -u "$a" "$b"; then
  echo "threads 1 and 2 disagree"
  exit 1
fi
echo "ok: $(grep -c '"verdict"' "$a") results agree"
