#!/usr/bin/env bash
# mpi_kill.sh PTCHECK: a rank killed (kill -9) in the middle of a distributed
# search ends the whole run within seconds, with a non-zero exit and a message
# naming the lost rank (docs/distributed.md, "When a rank fails"); nothing hangs.
# Skipped (77) without mpirun.
set -euo pipefail
ptcheck=$1
command -v mpirun >/dev/null 2>&1 || { echo "skip: mpirun not found"; exit 77; }
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
mpirun --oversubscribe --allow-run-as-root --bind-to none -np 2 "$ptcheck" check hugetlb_pmd_share_unshare \
  --no-liveness --progress >"$out" 2>"$err" &
mpid=$!
# The ranks are mpirun's children; wait until both run and the search is under way.
ranks=()
for _ in $(seq 1 200); do
  mapfile -t ranks < <(pgrep -P "$mpid" || true)
  [ "${#ranks[@]}" -ge 2 ] && break
  sleep 0.1
done
if [ "${#ranks[@]}" -lt 2 ]; then
  echo "the ranks did not start"; cat "$err"; kill "$mpid" 2>/dev/null || true; exit 1
fi
# The first progress line says the search is under way (about 4 s before it ends
# here); a fixed sleep raced a faster search.
for _ in $(seq 1 300); do
  grep -q '^states ' "$err" && break
  sleep 0.1
done
kill -9 "${ranks[1]}"
t0=$(date +%s.%N)
# A watchdog: a hang fails the test after 60 s instead of blocking ctest.
( sleep 60 && kill -9 "$mpid" ) >/dev/null 2>&1 &
dog=$!
set +e
wait "$mpid"
rc=$?
set -e
pkill -P "$dog" 2>/dev/null || true
kill "$dog" 2>/dev/null || true
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "mpirun exited with $rc, ${secs} s after the kill"
cat "$err"
status=0
if [ "$rc" -eq 0 ]; then echo "FAIL: exit 0 after a rank was killed"; status=1; fi
if awk -v s="$secs" 'BEGIN { exit !(s > 30) }'; then echo "FAIL: took ${secs} s to end"; status=1; fi
if ! grep -Eqi "signal 9|killed|rank .* (died|lost|failed)" "$err"; then echo "FAIL: no message names the lost rank"; status=1; fi
exit $status
