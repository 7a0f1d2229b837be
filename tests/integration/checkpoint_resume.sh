#!/usr/bin/env bash
# A run stopped by --max-states leaves a checkpoint (exit 3); --resume
# continues it to the verdict, states, transitions, skipped transitions,
# final states (their count and digest) and
# depth of an uninterrupted run: with the default reduction (sleep sets,
# whose frontier sets the checkpoint keeps) and with --por none, on a passing
# mix and on a violation target; the lock-order edges and coverage marks
# gathered before the cut count after it. A checkpoint of another target, a
# damaged one and one cut short are refused.
set -uo pipefail
ptcheck=$1 root=$2
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fields='.results[0] | [.verdict, .states, .transitions, .asleep, .depth, .final_states, .final_digest] | @tsv'
for target in mainline_table_mix_split_ptl thp_mix_prefix_move_huge_pmd; do
  for por in auto none; do
    "$ptcheck" --root "$root" check "$target" --por "$por" --threads 2 --json >"$w/full.json" 2>/dev/null
    want=$(jq -r "$fields" "$w/full.json")
    rm -f "$w/ck"
    "$ptcheck" --root "$root" check "$target" --por "$por" --threads 2 --json --max-states 9000 --checkpoint "$w/ck" \
      >"$w/part.json" 2>/dev/null
    rc=$?
    [ "$rc" -eq 3 ] || { echo "$target --por $por: the cut run exited $rc, not 3"; exit 1; }
    [ -s "$w/ck" ] || { echo "$target --por $por: no checkpoint written"; exit 1; }
    "$ptcheck" --root "$root" check "$target" --por "$por" --threads 1 --json --resume "$w/ck" >"$w/res.json" 2>/dev/null
    got=$(jq -r "$fields" "$w/res.json")
    if [ "$got" != "$want" ]; then
      echo "$target --por $por: resumed [$got], uninterrupted [$want]"
      exit 1
    fi
    echo "$target --por $por: $got"
  done
done
# What the search gathers besides states travels with the checkpoint: a lock
# inversion taken before the cut is still reported after the resume (it
# was not: a false pass), and --coverage after a resume writes what an
# uninterrupted run writes.
for n in 3 5 9; do
  rm -f "$w/lk"
  "$ptcheck" --root "$root" check lockdep_abba_sequential --threads 1 --max-states "$n" --checkpoint "$w/lk" >/dev/null 2>&1
  "$ptcheck" --root "$root" check lockdep_abba_sequential --threads 2 --json --resume "$w/lk" >"$w/lk.json" 2>/dev/null
  got=$(jq -r '.results[0] | [.verdict, .error_kind, .as_expected] | @tsv' "$w/lk.json")
  [ "$got" = "$(printf 'violation\tcircular-locking\ttrue')" ] ||
    { echo "lockdep_abba_sequential cut at $n states, resumed: [$got]"; exit 1; }
done
"$ptcheck" --root "$root" check uffd_move_mix --arch x86_64 --threads 2 --coverage "$w/full.info" >/dev/null 2>&1
rm -f "$w/cov"
"$ptcheck" --root "$root" check uffd_move_mix --arch x86_64 --threads 2 --coverage "$w/part.info" --max-states 5000 \
  --checkpoint "$w/cov" >/dev/null 2>&1
"$ptcheck" --root "$root" check uffd_move_mix --arch x86_64 --threads 1 --coverage "$w/res.info" --resume "$w/cov" >/dev/null 2>&1
cmp -s "$w/full.info" "$w/part.info" && { echo "the cut run already covered everything: cut it earlier"; exit 1; }
cmp -s "$w/full.info" "$w/res.info" || { echo "--coverage after a resume differs from an uninterrupted run's"; exit 1; }
echo "lock-order edges and coverage marks: kept across the resume"
# A damaged checkpoint (one byte changed in its middle) and one cut short:
# refused, exit 2, before anything is searched.
size=$(stat -c %s "$w/ck")
cp "$w/ck" "$w/damaged"
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$w/ck" | tr -d ' ')
printf "\\x$(printf %02x $((byte ^ 0x5a)))" | dd of="$w/damaged" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$w/ck" "$w/damaged" && { echo "the damaged copy is not damaged"; exit 1; }
head -c $((size - 100)) "$w/ck" >"$w/short"
for bad in damaged short; do
  out=$("$ptcheck" --root "$root" check thp_mix_prefix_move_huge_pmd --por none --resume "$w/$bad" 2>&1)
  rc=$?
  [ "$rc" -eq 2 ] || { echo "resuming a $bad checkpoint: exit $rc, not 2: $out"; exit 1; }
  grep -q "damaged or cut short" <<<"$out" || { echo "a $bad checkpoint: not named: $out"; exit 1; }
done
# Another target's checkpoint: refused, exit 2, with the difference named.
out=$("$ptcheck" --root "$root" check lost_update --resume "$w/ck" 2>&1)
rc=$?
[ "$rc" -eq 2 ] || { echo "resuming another target's checkpoint: exit $rc, not 2: $out"; exit 1; }
grep -q "written for a different run" <<<"$out" || { echo "no difference named: $out"; exit 1; }
echo ok
