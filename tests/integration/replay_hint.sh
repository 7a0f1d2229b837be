#!/usr/bin/env bash
# A spec edit that moves lines makes stored traces diverge: replay says how to
# record them again.
set -uo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ln -s "$root/arch" "$dir/arch"
ln -s "$root/model" "$dir/model"
cp -r "$root/spec" "$dir/spec"
{ echo "// one more line"; cat "$root/spec/toy/counter.ptm"; } >"$dir/spec/toy/counter.ptm"
out=$("$ptcheck" --root "$dir" replay "$root/counterexamples/lost_update.trace" 2>&1); rc=$?
[ $rc -eq 1 ] || { echo "expected exit 1, got $rc"; echo "$out"; exit 1; }
grep -q "DIVERGED" <<<"$out" || { echo "$out"; exit 1; }
grep -q "spec/toy/counter.ptm changed since the trace was recorded" <<<"$out" || { echo "$out"; exit 1; }
grep -q "record it again: bash scripts/regen-counterexamples.sh" <<<"$out" || { echo "$out"; exit 1; }
echo ok
