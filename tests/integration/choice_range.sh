#!/usr/bin/env bash
# A trace whose choice does not fit the explorer's 24-bit labels diverges at
# that step instead of replaying as another choice (2^32 once read as 0).
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for c in 4294967296 4294967303; do
  sed "s/choice=0  | f = rhp->func/choice=$c  | f = rhp->func/" "$root/counterexamples/rfc_pte_free_defer.trace" >"$dir/t.trace"
  grep -q "choice=$c" "$dir/t.trace"
  if out=$("$ptcheck" --root "$root" replay "$dir/t.trace" 2>&1); then echo "replayed: $out"; exit 1; fi
  grep -Eq "step [0-9]+: the trace's choice $c is larger than any choice ptcheck makes" <<<"$out" || { echo "$out"; exit 1; }
done
echo ok
