#!/usr/bin/env bash
# `ptcheck litmus` on tests/litmus/ under sc, tso and lkmm: every test agrees with
# the expectation its file states for that model (SC-Result:, TSO-Result:,
# Approx-Result: for lkmm, else Result:), herd7's Observation line is printed once per file, and a
# wrong expectation makes the command exit 1.
set -euo pipefail
ptcheck=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
files=("$root"/tests/litmus/*.litmus)
n=${#files[@]}
for mm in sc tso lkmm; do
  if ! "$ptcheck" --root "$root" litmus --memory-model "$mm" "${files[@]}" >"$dir/$mm.out" 2>&1; then
    grep -E "DISAGREES|error" "$dir/$mm.out" || cat "$dir/$mm.out"
    echo "litmus under $mm: some test disagrees"; exit 1
  fi
  obs=$(grep -c '^Observation ' "$dir/$mm.out")
  agree=$(grep -c '(agrees)$' "$dir/$mm.out")
  [ "$obs" -eq "$n" ] && [ "$agree" -eq "$n" ] || { echo "under $mm: $obs observations, $agree agreements for $n files"; exit 1; }
  echo "ok: $n litmus tests agree under $mm"
done
# The models differ where the files say they do: SB is Sometimes under tso, Never under sc.
grep -q '^Observation SB+poonceonces Never 0 3$' "$dir/sc.out" || { echo "SB under sc"; exit 1; }
grep -q '^Observation SB+poonceonces Sometimes 1 3$' "$dir/tso.out" || { echo "SB under tso"; exit 1; }
grep -q '^Observation MP+poonceonces Never' "$dir/tso.out" || { echo "MP under tso"; exit 1; }
# lkmm: only the four tests whose Approx-Result names a class it does not
# produce differ from LKMM's Result:, and everything else LKMM allows is reached.
[ "$(grep -c 'Approx-Result: expected' "$dir/lkmm.out")" -eq 4 ] || { grep Approx "$dir/lkmm.out"; exit 1; }
grep -q '^Observation MP+poonceonces Sometimes' "$dir/lkmm.out" || { echo "MP under lkmm"; exit 1; }
grep -q '^Observation 2+2W+poonceonces Sometimes' "$dir/lkmm.out" || { echo "2+2W under lkmm"; exit 1; }
grep -q '^Observation MP+fencewmbonceonce+fencermbonceonce Never' "$dir/lkmm.out" || { echo "MP+wmb+rmb under lkmm"; exit 1; }
# A wrong expectation is a disagreement: exit 1.
sed 's/TSO-Result: Sometimes/TSO-Result: Never/' "$root/tests/litmus/SB+poonceonces.litmus" >"$dir/SB-wrong.litmus"
if "$ptcheck" --root "$root" litmus --memory-model tso "$dir/SB-wrong.litmus" >"$dir/wrong.out" 2>&1; then
  echo "a wrong TSO-Result was accepted"; exit 1
fi
grep -q 'DISAGREES' "$dir/wrong.out" || { cat "$dir/wrong.out"; exit 1; }
# JSON: the same observation as data.
"$ptcheck" --root "$root" litmus --json --memory-model tso "$root/tests/litmus/SB+poonceonces.litmus" >"$dir/sb.json"
[ "$(jq -r '.results[0].observation' "$dir/sb.json")" = Sometimes ] || { cat "$dir/sb.json"; exit 1; }
[ "$(jq -r '.results[0].memory_model' "$dir/sb.json")" = tso ] || { cat "$dir/sb.json"; exit 1; }
echo ok
