#!/usr/bin/env bash
# The benchmark scripts of tests/bench/ are never timed in a test, but they
# must keep working for whoever runs them: each parses; bad arguments are
# refused with exit 2 and a message, before anything runs; and
# thread_ceiling.sh, interp_speed.sh and twin_pairs.sh, at their smallest,
# print a complete table whose figures are numbers (twin_pairs.sh only with
# spin and gcc).
#   bench_scripts.sh PTCHECK ROOT
set -uo pipefail
ptcheck=$1
ROOT=$2
B=$ROOT/tests/bench
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

for s in "$B"/*.sh "$ROOT"/scripts/*.sh; do
  bash -n "$s" || fail "$s does not parse"
done

# refused SCRIPT WANT-TEXT ARGS...: exits 2, says WANT-TEXT on stderr, prints
# nothing on stdout (no table was started).
refused() {
  local script=$1 want=$2; shift 2
  PTCHECK=$ptcheck bash "$B/$script" "$@" >"$W/out" 2>"$W/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$script $*: exit $rc, want 2"
  grep -q -- "$want" "$W/err" || fail "$script $*: stderr lacks '$want': $(head -3 "$W/err")"
  [ ! -s "$W/out" ] || fail "$script $*: printed on stdout: $(head -3 "$W/out")"
}
refused thread_ceiling.sh "usage:" --bogus
refused thread_ceiling.sh "usage:" --rounds
refused thread_ceiling.sh "is not a positive number" --rounds 0
refused thread_ceiling.sh "sets --threads itself" -- twin_lifecycle --threads 2
refused thread_ceiling.sh "no target or property named" -- no_such_target
refused thread_ceiling.sh "not built" --ptcheck "$W/none"
refused twin_pairs.sh "usage:" --bogus
refused twin_pairs.sh "is not a positive number" --size x
refused twin_pairs.sh "is not a positive number" --rounds -1
refused interp_speed.sh "usage:" --bogus
refused interp_speed.sh "takes a positive number" --rounds 0
refused interp_speed.sh "no ptcheck binary" --ptcheck "$W/none"
refused interp_speed.sh "no target or property named" no_such_target
refused run_twin.sh "usage:" --bogus
refused run_twin.sh "is not a positive number" --sizes "1 0"

# table_ok FILE HEADER COLUMNS: the line after the header and its
# separator has COLUMNS cells, each starting with a number.
table_ok() {
  local file=$1 header=$2 cols=$3
  awk -v h="$header" -v c="$cols" '
    index($0, h) == 1 { seen = NR }
    seen && NR == seen + 2 {
      n = split($0, f, "|")
      if (n - 2 != c) { print "cells " n - 2 " want " c; bad = 1 }
      for (i = 3; i < n; ++i) if (f[i] !~ /^ *[0-9]/) { print "cell " i - 1 ": " f[i]; bad = 1 }
      done = 1
    }
    END { if (!done) print "no table after " h; exit (bad || !done) }' "$file" \
    || fail "$file: table '$header' malformed: $(cat "$file")"
}

# A complete run at the smallest size: round lines on stderr, one table row.
PTCHECK=$ptcheck bash "$B/thread_ceiling.sh" --rounds 1 -- \
  twin_lifecycle --spec tests/bench/twin/lifecycle.ptm --bound ROUNDS=1 >"$W/ceil" 2>"$W/ceil.err" \
  || fail "thread_ceiling.sh at ROUNDS=1 failed: $(tail -3 "$W/ceil.err")"
grep -q "^round 1: 1 thread [0-9.]* s, 2 threads [0-9.]* s, two copies at once [0-9.]* s: speedup [0-9.]*x, ceiling [0-9.]*x$" "$W/ceil.err" \
  || fail "thread_ceiling.sh: no round line: $(cat "$W/ceil.err")"
table_ok "$W/ceil" "| 1 thread | 2 threads |" 8
# A run that stops at a limit (exit 3) is timed as well: GNU time's note of
# the exit status must not end up among the figures.
PTCHECK=$ptcheck bash "$B/thread_ceiling.sh" --rounds 1 -- \
  twin_lifecycle --spec tests/bench/twin/lifecycle.ptm --bound ROUNDS=2 --max-states 2000 >"$W/ceil3" 2>"$W/ceil3.err" \
  || fail "thread_ceiling.sh with --max-states failed: $(tail -3 "$W/ceil3.err")"
table_ok "$W/ceil3" "| 1 thread | 2 threads |" 8
grep -q "inf\|nan" "$W/ceil3" && fail "thread_ceiling.sh with --max-states: $(cat "$W/ceil3")"

# interp_speed.sh on a small target, alone and against a "before" build
# (the same binary here): a row of numbers each.
PTCHECK=$ptcheck bash "$B/interp_speed.sh" --rounds 1 lost_update >"$W/interp" 2>"$W/interp.err" \
  || fail "interp_speed.sh failed: $(tail -3 "$W/interp.err")"
table_ok "$W/interp" "| target | states |" 7
grep -q "^| lost_update | [0-9]* | [0-9]* | [1-9][0-9]* |" "$W/interp" || fail "interp_speed.sh: no instructions: $(cat "$W/interp")"
PTCHECK=$ptcheck bash "$B/interp_speed.sh" --rounds 1 --before "$ptcheck" lost_update >"$W/interp2" 2>"$W/interp2.err" \
  || fail "interp_speed.sh --before failed: $(tail -3 "$W/interp2.err")"
grep -q "^| lost_update | [0-9]* | [1-9][0-9]* | [1-9][0-9]* | [0-9.]* | [0-9.]* | [0-9.]*x | [0-9.]* | [0-9.]* |$" "$W/interp2" \
  || fail "interp_speed.sh --before: no row: $(cat "$W/interp2")"

if command -v spin >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1; then
  PTCHECK=$ptcheck bash "$B/twin_pairs.sh" --size 1 --rounds 1 >"$W/pairs" 2>"$W/pairs.err" \
    || fail "twin_pairs.sh --size 1 failed: $(tail -3 "$W/pairs.err")"
  grep -q "^| default (with the non-termination check) | [0-9]" "$W/pairs" || fail "twin_pairs.sh: no default row: $(cat "$W/pairs")"
  grep -q "^| safety only (--no-liveness) | [0-9]" "$W/pairs" || fail "twin_pairs.sh: no safety row: $(cat "$W/pairs")"
  grep -q "^| pan | [0-9.]* ([0-9.]*) | [0-9.]* ([0-9.]*) | [0-9.]*x | [0-9.]*x |$" "$W/pairs" \
    || fail "twin_pairs.sh: no pan pair row: $(cat "$W/pairs")"
  grep -q "^| ptcheck 1t, safety only | [0-9.]* ([0-9.]*) | [0-9.]* ([0-9.]*) | [0-9.]*x | [0-9.]*x |$" "$W/pairs" \
    || fail "twin_pairs.sh: no ptcheck pair row: $(cat "$W/pairs")"
else
  echo "twin_pairs.sh run skipped: spin or gcc not found"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "bench scripts: all checks passed"
