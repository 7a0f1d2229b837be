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
# lkmm: a failed cmpxchg() orders nothing (x86's locked instruction does);
# spin_is_locked() is a read, no fence.
grep -q '^Observation SB+failedcmpxchgs Sometimes' "$dir/lkmm.out" || { echo "failed cmpxchg under lkmm"; exit 1; }
grep -q '^Observation SB+failedcmpxchgs Never' "$dir/tso.out" || { echo "failed cmpxchg under tso"; exit 1; }
grep -q '^Observation SB+poonce-islocked+fencembonceonce Sometimes' "$dir/lkmm.out" || { echo "spin_is_locked under lkmm"; exit 1; }
# Result: DEADLOCK is "Never 0 0" (no final state passes the filter) under every model...
for mm in sc tso lkmm; do
  grep -q '^Observation CoRR+polocks+filter-deadlock Never 0 0$' "$dir/$mm.out" || { echo "DEADLOCK under $mm"; exit 1; }
done
# ...and a DEADLOCK test where some final state passes disagrees.
grep -v '^filter' "$root/tests/litmus/CoRR+polocks+filter-deadlock.litmus" >"$dir/nofilter.litmus"
if "$ptcheck" --root "$root" litmus "$dir/nofilter.litmus" >"$dir/nofilter.out" 2>&1; then
  echo "DEADLOCK accepted with final states"; exit 1
fi
# A lock test alone (spinlock_t known from the generated spec's import).
"$ptcheck" --root "$root" litmus "$root/tests/litmus/MP+polocks.litmus" >"$dir/alone.out" 2>&1 || { cat "$dir/alone.out"; exit 1; }
# An unknown primitive is a located error naming the litmus file: exit 2.
sed 's/WRITE_ONCE(\*x, 1);/frobnicate(x);/' "$root/tests/litmus/SB+poonceonces.litmus" >"$dir/unknown.litmus"
rc=0; "$ptcheck" --root "$root" litmus "$dir/unknown.litmus" >"$dir/unknown.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown.litmus:21:2: error: call to undeclared function 'frobnicate'" "$dir/unknown.out" \
  || { echo "unknown primitive: exit $rc"; cat "$dir/unknown.out"; exit 1; }
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
